//! Tolerant decoding helpers: Coroot (Go) sends `null` for empty lists, maps and sometimes
//! strings, and older versions leave fields out. A missing or null field must never fail a
//! whole response, so fields use `#[serde(default, deserialize_with = "de::null_default")]`.

use serde::{Deserialize, Deserializer};

/// `null` (or a missing field, with `#[serde(default)]`) becomes `T::default()`.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A number that may arrive as a JSON number, a numeric string, or `null`.
pub fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        F(f64),
        S(String),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Num>::deserialize(d)? {
        Some(Num::F(v)) => v,
        Some(Num::S(s)) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    })
}

/// A time (epoch ms) that Coroot encodes as `null` when zero.
pub fn time_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<f64>::deserialize(d)?;
    Ok(v.filter(|v| *v != 0.0).map(|v| v as i64))
}
