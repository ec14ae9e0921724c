//! The attributes of a log line or a span: a small string map kept in one buffer. A heavy log
//! answer is 20,000 lines of five to fifteen attributes each; as a map of owned strings that was
//! a dozen allocations a line, the largest part of decoding it, for the two or three attributes
//! the tools read.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A string-to-string map in the order Coroot sent it, keys and values in one buffer. Lookups
/// are linear, which beats hashing at the dozen entries a line has. Go encodes a map with each
/// key once; should a key come twice, both are kept and [`Attributes::get`] answers the last,
/// as a map would.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// Every key followed by its value.
    text: String,
    /// Each entry's key and value lengths in bytes, in order.
    lengths: Vec<(usize, usize)>,
}

impl Attributes {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let mut found = None;
        for (k, v) in self.iter() {
            if k == key {
                found = Some(v);
            }
        }
        found
    }

    /// Key-value pairs in the order they came.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            text: &self.text,
            lengths: self.lengths.iter(),
        }
    }

    /// Entries.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// Adds an entry at the end.
    pub fn push(&mut self, key: &str, value: &str) {
        self.text.push_str(key);
        self.text.push_str(value);
        self.lengths.push((key.len(), value.len()));
    }

    /// Every value passed through `f` (e.g. to mask secrets); the buffer is rebuilt only when
    /// `f` changes a value.
    pub fn map_values(&mut self, f: impl Fn(&str) -> Cow<'_, str>) {
        let changed: Vec<Option<String>> = self
            .iter()
            .map(|(_, v)| match f(v) {
                Cow::Owned(new) if new != v => Some(new),
                _ => None,
            })
            .collect();
        if changed.iter().all(Option::is_none) {
            return;
        }
        let mut out = Attributes::default();
        for ((k, v), new) in self.iter().zip(changed) {
            out.push(k, new.as_deref().unwrap_or(v));
        }
        *self = out;
    }
}

/// The entries of [`Attributes`], in order.
pub struct Iter<'a> {
    text: &'a str,
    lengths: std::slice::Iter<'a, (usize, usize)>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let &(k, v) = self.lengths.next()?;
        // Lengths were taken from whole strings pushed in order, so every cut is a boundary.
        let (key, rest) = self.text.split_at_checked(k)?;
        let (value, rest) = rest.split_at_checked(v)?;
        self.text = rest;
        Some((key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.lengths.size_hint()
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut out = Attributes::default();
        for (k, v) in entries {
            out.push(k.as_ref(), v.as_ref());
        }
        out
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> From<[(K, V); N]> for Attributes {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AttributesVisitor)
    }
}

struct AttributesVisitor;

/// Bytes of keys and values a decoded set starts with room for (OpenTelemetry's resource and
/// span attributes run from ~100 to a few hundred bytes).
const INITIAL_TEXT: usize = 256;
/// Pairs a decoded set starts with room for.
const INITIAL_PAIRS: usize = 8;

impl<'de> Visitor<'de> for AttributesVisitor {
    type Value = Attributes;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of attributes")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
        // JSON gives no size hint, and growing the buffer from nothing took six reallocations a
        // log line or span (a tenth of decoding 10,000 spans): room for a typical set at once.
        let mut out = Attributes {
            text: String::with_capacity(INITIAL_TEXT),
            lengths: Vec::with_capacity(map.size_hint().unwrap_or(INITIAL_PAIRS)),
        };
        while let Some(k) = map.next_key_seed(Append(&mut out.text))? {
            let v = map.next_value_seed(Append(&mut out.text))?;
            out.lengths.push((k, v));
        }
        if out.lengths.is_empty() {
            // `{}`, and `null` through `null_default`: nothing to hold on to.
            return Ok(Attributes::default());
        }
        Ok(out)
    }
}

/// Decodes a string onto the end of the buffer, in place from the token; its value is the
/// length appended. A value that is not a string (Coroot only sends strings) is written as
/// JSON would show it, and `null` as nothing.
struct Append<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_any(self)
    }
}

impl Append<'_> {
    fn display(self, v: impl fmt::Display) -> usize {
        let before = self.0.len();
        // Writing to a String cannot fail.
        let _ = write!(self.0, "{v}");
        self.0.len() - before
    }
}

impl<'de> Visitor<'de> for Append<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, v: &str) -> Result<usize, E> {
        self.0.push_str(v);
        Ok(v.len())
    }

    fn visit_bool<E>(self, v: bool) -> Result<usize, E> {
        Ok(self.display(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<usize, E> {
        Ok(self.display(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<usize, E> {
        Ok(self.display(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<usize, E> {
        Ok(self.display(v))
    }

    fn visit_unit<E>(self) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_none<E>(self) -> Result<usize, E> {
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_map_in_order_with_escapes_and_odd_values() {
        let a: Attributes = serde_json::from_str(
            r#"{"service.name":"/k8s/shop/cart","msg":"a \"quoted\" é\n","n":42,"ok":true,"none":null,"":"empty key"}"#,
        )
        .unwrap();
        let got: Vec<(&str, &str)> = a.iter().collect();
        assert_eq!(
            got,
            [
                ("service.name", "/k8s/shop/cart"),
                ("msg", "a \"quoted\" é\n"),
                ("n", "42"),
                ("ok", "true"),
                ("none", ""),
                ("", "empty key"),
            ]
        );
        assert_eq!(a.get("msg"), Some("a \"quoted\" é\n"));
        assert_eq!(a.get("missing"), None);
        assert_eq!(a.len(), 6);
        // Serialised back, it is the same map.
        let back: Attributes = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn a_repeated_key_answers_its_last_value() {
        let a: Attributes = serde_json::from_str(r#"{"k":"1","k":"2"}"#).unwrap();
        assert_eq!(a.get("k"), Some("2"));
        assert!(serde_json::from_str::<Attributes>("[]").is_err());
        assert!(Attributes::default().is_empty());
    }

    #[test]
    fn mapping_values_rebuilds_only_what_changed() {
        let mut a: Attributes = [("user", "ann"), ("password", "hunter2"), ("db", "pg")].into();
        a.map_values(|v| {
            if v == "hunter2" {
                Cow::Owned("[REDACTED]".into())
            } else {
                Cow::Borrowed(v)
            }
        });
        assert_eq!(a, [("user", "ann"), ("password", "[REDACTED]"), ("db", "pg")].into());
        let before = a.clone();
        a.map_values(|v| Cow::Borrowed(v));
        assert_eq!(a, before);
    }
}
