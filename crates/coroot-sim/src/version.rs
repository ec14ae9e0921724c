//! The Coroot version the simulator impersonates ([`crate::SimConfig::version`]) and the
//! version-dependent behaviours it switches on, each with the Go change that proves it
//! (repository coroot/coroot; "vX" = first tag that contains the change).

/// A parsed `major.minor.patch`; anything after the numbers (`-localbuild`) is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The newest version the simulator knows (and the default).
    pub(crate) const LATEST: Version = Version(1, 24, 5);

    /// Parses `1.24.5`, `v1.17.4`, `1.24.5-localbuild`; anything unparsable is [`Version::LATEST`].
    pub(crate) fn parse(s: &str) -> Version {
        let s = s.trim().trim_start_matches('v');
        let mut nums = s.split(|c: char| !c.is_ascii_digit()).take(3);
        let mut next = || nums.next().and_then(|n| n.parse::<u32>().ok());
        match (next(), next(), next()) {
            (Some(a), Some(b), Some(c)) => Version(a, b, c),
            (Some(a), Some(b), None) => Version(a, b, 0),
            _ => Version::LATEST,
        }
    }

    /// Whether this version is `v` or newer.
    pub(crate) fn at_least(self, v: (u32, u32, u32)) -> bool {
        self >= Version(v.0, v.1, v.2)
    }

    /// `/api/project/{p}/incidents` exists (v1.12.5:main.go:163, commit 2981d41); before, the
    /// list is the overview view `incidents` (v1.12.4:api/views/overview/overview.go:32-44).
    pub(crate) fn has_incidents_route(self) -> bool {
        self.at_least((1, 12, 5))
    }

    /// Application ids carry the cluster: `cluster:ns:Kind:name` (v1.17.0, f1d4673,
    /// model/application_id.go); before: `ns:Kind:name`. The `cluster` fields of the views
    /// arrive with them.
    pub(crate) fn has_cluster_ids(self) -> bool {
        self.at_least((1, 17, 0))
    }

    /// The alerts routes and the context's `alerts` (v1.18.0, 51f0a60, main.go:184-191).
    pub(crate) fn has_alerts(self) -> bool {
        self.at_least((1, 18, 0))
    }

    /// The API-key Prometheus passthrough `/api/v1/query_range` (v1.17.7, 129e101, main.go:206-209).
    pub(crate) fn has_query_range(self) -> bool {
        self.at_least((1, 17, 7))
    }

    /// Check messages and the NetworkRTT title changed in v1.18.0 (51f0a60, model/check.go).
    pub(crate) fn new_check_messages(self) -> bool {
        self.at_least((1, 18, 0))
    }

    /// ClickHouse queries of logs and spans order by time (v1.24.1: 7522c93 clickhouse/logs.go,
    /// ea35868 clickhouse/traces.go); before, a `LIMIT n` answer is an arbitrary sample.
    pub(crate) fn newest_first(self) -> bool {
        self.at_least((1, 24, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn parses_release_and_local_builds() {
        assert_eq!(Version::parse("1.24.5"), Version(1, 24, 5));
        assert_eq!(Version::parse("v1.17.4"), Version(1, 17, 4));
        assert_eq!(Version::parse("1.24.5-localbuild"), Version(1, 24, 5));
        assert_eq!(Version::parse("1.20"), Version(1, 20, 0));
        assert_eq!(Version::parse("dev"), Version::LATEST);
        assert!(Version(1, 12, 5).has_incidents_route() && !Version(1, 12, 4).has_incidents_route());
        assert!(Version(1, 17, 7).has_query_range() && !Version(1, 17, 6).has_query_range());
    }
}
