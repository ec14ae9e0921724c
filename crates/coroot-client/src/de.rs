//! Tolerant decoding helpers: Coroot (Go) sends `null` for empty lists, maps and sometimes
//! strings, and older versions leave fields out. A missing or null field must never fail a
//! whole response, so fields use `#[serde(default, deserialize_with = "de::null_default")]`.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// `null` (or a missing field, with `#[serde(default)]`) becomes `T::default()`.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A number that may arrive as a JSON number, a numeric string, or `null` (anything else is 0),
/// read in place from the token.
pub fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    struct Lenient;
    impl<'de> Visitor<'de> for Lenient {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<f64, E> {
            Ok(s.trim().parse().unwrap_or(0.0))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<f64, E> {
            Ok(0.0)
        }
        fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
            Ok(0.0)
        }
        fn visit_none<E: de::Error>(self) -> Result<f64, E> {
            Ok(0.0)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<f64, D::Error> {
            lenient_f64(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<f64, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| 0.0)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<f64, A::Error> {
            IgnoredAny.visit_map(map).map(|_| 0.0)
        }
    }
    d.deserialize_any(Lenient)
}

/// A time (epoch ms) that Coroot encodes as `null` when zero.
pub fn time_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<f64>::deserialize(d)?;
    Ok(v.filter(|v| *v != 0.0).map(|v| v as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct N {
        #[serde(default, deserialize_with = "lenient_f64")]
        v: f64,
        #[serde(default)]
        after: u8,
    }

    #[test]
    fn lenient_numbers() {
        let v = |json: &str| serde_json::from_str::<N>(&format!(r#"{{"v": {json}, "after": 7}}"#)).unwrap();
        assert_eq!(v("1.5").v, 1.5);
        assert_eq!(v("-3").v, -3.0);
        assert_eq!(v("18446744073709551615").v, 18_446_744_073_709_551_615.0);
        assert_eq!(v(r#"" 2.25 ""#).v, 2.25);
        assert_eq!(v(r#""n/a""#).v, 0.0);
        assert_eq!(v("null").v, 0.0);
        assert_eq!(v("true").v, 0.0);
        assert_eq!(v(r#"{"x": [1]}"#).v, 0.0);
        assert_eq!(v("[1, 2]").after, 7, "the rest of the object is still read");
        assert_eq!(serde_json::from_str::<N>("{}").unwrap().v, 0.0);
    }
}
