//! Coroot's identifiers: application ids (4-part and the older 3-part form), time ranges, and
//! the percent-encoding of path segments.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Everything but `A-Z a-z 0-9 - _ . ~` is encoded, as the UI's `encodeURIComponent` does for
/// the characters that matter: `:` and `/` must not split the path segment, and Coroot's
/// `QueryUnescape` turns a literal `+` into a space, so `+` is sent as `%2B`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes one path segment (an app id, a node name, an incident key).
pub fn encode_segment(raw: &str) -> String {
    utf8_percent_encode(raw, SEGMENT).to_string()
}

/// A Coroot application id: `cluster:namespace:Kind:name` since v1.17, `namespace:Kind:name`
/// before. The name may itself contain `:`, so the string is kept whole and split on demand
/// the way Coroot splits it.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(String);

/// The parts of an [`AppId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppIdParts<'a> {
    /// Project (cluster) id; `""` for a 3-part id, `"external"` for external services.
    pub cluster: &'a str,
    /// Kubernetes namespace; `"_"` for non-Kubernetes apps.
    pub namespace: &'a str,
    /// Workload kind, e.g. `Deployment`.
    pub kind: &'a str,
    /// Workload name; may contain `:`.
    pub name: &'a str,
}

impl AppId {
    /// Wraps an id as Coroot sent it or as a user typed it.
    pub fn new(raw: impl Into<String>) -> Self {
        AppId(raw.into())
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Splits the id as Coroot does (`SplitN(":", 4)`, with the external-service rules), or
    /// `None` when it has fewer than 3 parts.
    pub fn parts(&self) -> Option<AppIdParts<'_>> {
        AppIdParts::parse(&self.0)
    }

    /// True for the 4-part form (Coroot v1.17+).
    pub fn is_four_part(&self) -> bool {
        self.parts().is_some_and(|p| !p.cluster.is_empty())
    }

    /// The workload name, or the whole id when it cannot be split.
    pub fn name(&self) -> &str {
        self.parts().map_or(self.as_str(), |p| p.name)
    }

    /// The namespace, or `""` for non-Kubernetes apps (`_`) and unsplittable ids.
    pub fn namespace(&self) -> &str {
        match self.parts() {
            Some(p) if p.namespace != "_" => p.namespace,
            _ => "",
        }
    }

    /// The kind, e.g. `Deployment`.
    pub fn kind(&self) -> &str {
        self.parts().map_or("", |p| p.kind)
    }

    /// `namespace/name` for Kubernetes apps, else the name: the short form people read.
    pub fn short(&self) -> String {
        match self.namespace() {
            "" => self.name().to_string(),
            ns => format!("{ns}/{}", self.name()),
        }
    }

    /// The id percent-encoded for a URL path.
    pub fn encoded(&self) -> String {
        encode_segment(&self.0)
    }
}

impl<'a> AppIdParts<'a> {
    /// Splits an id string as Coroot does (`SplitN(":", 4)`, with the external-service rules),
    /// or `None` when it has fewer than 3 parts. Borrows, never allocates: sorting thousands of
    /// ids by name calls this for every comparison.
    pub fn parse(id: &'a str) -> Option<AppIdParts<'a>> {
        let mut split = id.splitn(4, ':');
        let (first, second, third) = (split.next()?, split.next()?, split.next()?);
        match split.next() {
            None => Some(AppIdParts {
                cluster: "",
                namespace: first,
                kind: second,
                name: third,
            }),
            // Coroot reads "external:<x>:..." with x != "external" as a 3-part id whose name has ':'.
            Some(_) if first == "external" && second != "external" => Some(AppIdParts {
                cluster: "",
                namespace: first,
                kind: second,
                name: id.splitn(3, ':').nth(2)?,
            }),
            Some(fourth) => Some(AppIdParts {
                cluster: first,
                namespace: second,
                kind: third,
                name: fourth,
            }),
        }
    }
}

impl From<AppId> for String {
    fn from(id: AppId) -> String {
        id.0
    }
}

impl fmt::Display for AppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AppId({})", self.0)
    }
}

impl Serialize for AppId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AppId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(AppId(Option::<String>::deserialize(d)?.unwrap_or_default()))
    }
}

impl From<&str> for AppId {
    fn from(value: &str) -> Self {
        AppId::new(value)
    }
}

/// A time window in epoch milliseconds, sent to Coroot as `from`/`to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    /// Start, epoch ms.
    pub from_ms: i64,
    /// End, epoch ms.
    pub to_ms: i64,
}

/// Coroot's metric grid (its default scrape interval): its cache holds nothing fresher than the
/// last point on it, so a window that ends there loses nothing.
const GRID_MS: i64 = 15_000;

impl TimeRange {
    /// The `hours` before `now_ms`, ending on the last 15-second grid point. Calls made within
    /// the same 15 seconds then ask Coroot the same question, and the client's response cache
    /// answers the repeats.
    pub fn last_hours(now_ms: i64, hours: f64) -> Self {
        let span = (hours * 3_600_000.0).round() as i64;
        let to_ms = now_ms - now_ms.rem_euclid(GRID_MS);
        TimeRange {
            from_ms: to_ms - span,
            to_ms,
        }
    }

    /// The query parameters Coroot reads.
    pub fn params(&self) -> [(&'static str, String); 2] {
        [("from", self.from_ms.to_string()), ("to", self.to_ms.to_string())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_part_ids_split_with_colons_in_the_name() {
        let id = AppId::new("external:external:ExternalService:external:30001");
        let p = id.parts().unwrap();
        assert_eq!(
            (p.cluster, p.namespace, p.kind, p.name),
            ("external", "external", "ExternalService", "external:30001")
        );
        let id = AppId::new("k3h2x9qa:default:Deployment:catalog");
        assert_eq!(id.name(), "catalog");
        assert_eq!(id.short(), "default/catalog");
        assert!(id.is_four_part());
    }

    #[test]
    fn three_part_ids_have_no_cluster() {
        let id = AppId::new("default:Deployment:catalog");
        let p = id.parts().unwrap();
        assert_eq!(
            (p.cluster, p.namespace, p.kind, p.name),
            ("", "default", "Deployment", "catalog")
        );
        assert!(!id.is_four_part());
        assert_eq!(AppId::new("_:Unknown:nginx").short(), "nginx");
    }

    #[test]
    fn external_prefix_with_other_namespace_is_a_three_part_id() {
        let id = AppId::new("external:default:Deployment:a:b");
        let p = id.parts().unwrap();
        assert_eq!(
            (p.cluster, p.namespace, p.kind, p.name),
            ("", "external", "default", "Deployment:a:b")
        );
    }

    #[test]
    fn too_few_parts_do_not_split() {
        assert!(AppId::new("catalog").parts().is_none());
        assert_eq!(AppId::new("catalog").name(), "catalog");
    }

    #[test]
    fn segments_encode_colon_slash_plus_and_space() {
        assert_eq!(
            encode_segment("k3h2x9qa:default:Deployment:a+b/c d"),
            "k3h2x9qa%3Adefault%3ADeployment%3Aa%2Bb%2Fc%20d"
        );
        assert_eq!(encode_segment("../etc"), "..%2Fetc");
    }
}
