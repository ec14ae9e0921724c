//! Parameter handling shared by the tools: strict about names, forgiving about forms.
//!
//! Agents send numbers as strings ("24"), booleans as "true", and empty strings for "not set".
//! All of those are accepted; an unknown parameter is an error naming the valid ones, because a
//! misspelt filter silently ignored returns the wrong data.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};

use crate::error::ToolError;

/// Decodes a tool's arguments (`null` counts as `{}`).
pub fn parse<T: DeserializeOwned>(tool: &'static str, args: serde_json::Value) -> Result<T, ToolError> {
    let args = match args {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        obj @ serde_json::Value::Object(_) => obj,
        other => {
            return Err(ToolError::params(
                tool,
                format!("arguments must be a JSON object, got {}", kind(&other)),
            ));
        }
    };
    T::deserialize(&args).map_err(|e| ToolError::params(tool, name_the_field::<T>(&args, e.to_string())))
}

/// serde's messages from a field's own deserializer ("must not be empty") do not say which
/// field; find it by leaving each one out in turn: the one whose absence changes the error.
fn name_the_field<T: DeserializeOwned>(args: &serde_json::Value, message: String) -> String {
    let Some(map) = args.as_object() else {
        return message;
    };
    if message.contains("field `") {
        return message;
    }
    for key in map.keys() {
        let mut without = map.clone();
        without.remove(key);
        let changed = match T::deserialize(&serde_json::Value::Object(without)) {
            Ok(_) => true,
            Err(e) => e.to_string() != message,
        };
        if changed {
            return if ["must ", "is ", "contains "].iter().any(|p| message.starts_with(p)) {
                format!("{key} {message}")
            } else {
                format!("{key}: {message}")
            };
        }
    }
    message
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Loose {
    Num(f64),
    Bool(bool),
    Str(String),
    /// An array or an object: never a valid value, but named in the error.
    Other(serde_json::Value),
}

/// An optional number, also from a numeric string; `""` and `null` mean unset.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<Loose>::deserialize(d)? {
        None => Ok(None),
        Some(Loose::Num(n)) => Ok(Some(n)),
        Some(Loose::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(Loose::Str(s)) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a number, got \"{s}\""))),
        Some(Loose::Bool(b)) => Err(D::Error::custom(format!("expected a number, got {b}"))),
        Some(other) => Err(D::Error::custom(format!(
            "expected a number, got {}",
            loose_kind(&other)
        ))),
    }
}

/// An optional whole number, also from a numeric string.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match opt_f64(d)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => Ok(Some(n as u32)),
        Some(n) => Err(D::Error::custom(format!("expected a whole number ≥ 0, got {n}"))),
    }
}

/// An optional boolean, also from "true"/"false"/"1"/"0".
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Loose>::deserialize(d)? {
        None => Ok(None),
        Some(Loose::Bool(b)) => Ok(Some(b)),
        Some(Loose::Num(n)) if n == 0.0 || n == 1.0 => Ok(Some(n == 1.0)),
        Some(Loose::Str(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            _ => Err(D::Error::custom(format!("expected true or false, got \"{s}\""))),
        },
        Some(other) => Err(D::Error::custom(format!(
            "expected true or false, got {}",
            loose_kind(&other)
        ))),
    }
}

/// An optional string; blank means unset. Control characters other than tab are refused.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Loose>::deserialize(d)? {
        None => Ok(None),
        Some(Loose::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(Loose::Str(s)) => clean(s).map(Some).map_err(D::Error::custom),
        Some(Loose::Num(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(D::Error::custom(format!(
            "expected a string, got {}",
            loose_kind(&other)
        ))),
    }
}

/// A required string: present and not blank.
pub fn req_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match opt_string(d)? {
        Some(s) => Ok(s),
        None => Err(D::Error::custom("must not be empty")),
    }
}

/// An instant an agent passes to pin a window: ISO 8601 (`2026-12-01T10:00:00Z`, with an
/// offset, without a zone as UTC, or a bare date as its midnight UTC), epoch milliseconds, or
/// epoch seconds (a number below 10^11 would be a date in 1973 in milliseconds, so it is read as
/// seconds), as a number or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant(pub i64);

impl Instant {
    fn parse(s: &str) -> Result<Instant, String> {
        let s = s.trim();
        if let Ok(n) = s.parse::<f64>() {
            return Instant::from_number(n);
        }
        let utc = jiff::tz::TimeZone::UTC;
        let ts = s
            .parse::<jiff::Timestamp>()
            .ok()
            .or_else(|| {
                s.parse::<jiff::civil::DateTime>()
                    .ok()
                    .and_then(|d| d.to_zoned(utc.clone()).ok())
                    .map(|z| z.timestamp())
            })
            .or_else(|| {
                s.parse::<jiff::civil::Date>()
                    .ok()
                    .and_then(|d| d.to_zoned(utc).ok())
                    .map(|z| z.timestamp())
            });
        match ts {
            Some(ts) => Ok(Instant(ts.as_millisecond())),
            None => Err(format!(
                "expected an ISO 8601 time such as 2026-12-01T10:00:00Z, or epoch milliseconds, got \"{s}\""
            )),
        }
    }

    fn from_number(n: f64) -> Result<Instant, String> {
        if !n.is_finite() || !(0.0..=1e15).contains(&n) {
            return Err(format!("expected epoch milliseconds, got {n}"));
        }
        Ok(Instant(if n < 1e11 { (n * 1000.0) as i64 } else { n as i64 }))
    }
}

impl schemars::JsonSchema for Instant {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Instant".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["string", "integer"]})
    }
}

/// An optional [`Instant`]; `""` and `null` mean unset.
pub fn opt_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Instant>, D::Error> {
    match Option::<Loose>::deserialize(d)? {
        None => Ok(None),
        Some(Loose::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(Loose::Str(s)) => Instant::parse(&s).map(Some).map_err(D::Error::custom),
        Some(Loose::Num(n)) => Instant::from_number(n).map(Some).map_err(D::Error::custom),
        Some(other) => Err(D::Error::custom(format!(
            "expected an ISO 8601 time or epoch milliseconds, got {}",
            loose_kind(&other)
        ))),
    }
}

/// Declares a tool's parameters: its own fields, then the ones every tool shares, documented
/// once here: the window (`lookback_hours`, or a pinned `from`/`to`) and `project_id`. A
/// shared struct cannot be flattened in, because serde refuses `flatten` next to
/// `deny_unknown_fields`, which the tools need to name a misspelt parameter.
macro_rules! tool_params {
    ($(#[$meta:meta])* pub struct $name:ident { $($own:tt)* } lookback_hours = $doc:literal) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($own)*
            #[doc = $doc]
            #[serde(default, deserialize_with = "crate::params::opt_f64")]
            pub lookback_hours: Option<f64>,
            /// Window start, ISO 8601 or epoch ms: pins the minutes looked at (replaces lookback_hours).
            #[serde(default, deserialize_with = "crate::params::opt_instant")]
            pub from: Option<crate::params::Instant>,
            /// Window end, ISO 8601 or epoch ms (default now).
            #[serde(default, deserialize_with = "crate::params::opt_instant")]
            pub to: Option<crate::params::Instant>,
            /// Coroot project id or name; auto-detected when omitted.
            #[serde(default, deserialize_with = "crate::params::opt_string")]
            pub project_id: Option<String>,
        }

        impl $name {
            /// The project and window these parameters ask for (`default_hours` when neither
            /// `lookback_hours` nor `from` is given).
            pub async fn scope(
                &self,
                ctx: &crate::context::ToolContext,
                tool: &'static str,
                default_hours: f64,
            ) -> Result<crate::context::Scope, crate::error::ToolError> {
                let project_id = self.project_id.as_deref();
                crate::context::Scope::resolve(ctx, tool, project_id, self.window(), default_hours).await
            }

            /// The window asked for.
            pub fn window(&self) -> crate::context::WindowArgs {
                crate::context::WindowArgs {
                    lookback_hours: self.lookback_hours,
                    from: self.from.map(|i| i.0),
                    to: self.to.map(|i| i.0),
                }
            }
        }
    };
}
pub(crate) use tool_params;

fn loose_kind(v: &Loose) -> &'static str {
    match v {
        Loose::Num(_) => "a number",
        Loose::Bool(_) => "a boolean",
        Loose::Str(_) => "a string",
        Loose::Other(v) => kind(v),
    }
}

/// Longest string parameter accepted; a 10 MB id is an agent bug, not a query.
const MAX_STRING: usize = 4096;

fn clean(s: String) -> Result<String, String> {
    if s.len() > MAX_STRING {
        return Err(format!("is {} characters long; the maximum is {MAX_STRING}", s.len()));
    }
    if s.chars().any(|c| c.is_control() && c != '\t') {
        return Err("contains control characters".into());
    }
    Ok(s.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct P {
        #[serde(default, deserialize_with = "opt_f64")]
        lookback_hours: Option<f64>,
        #[serde(default, deserialize_with = "opt_u32")]
        limit: Option<u32>,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_string")]
        name: Option<String>,
    }

    #[test]
    fn numbers_and_booleans_as_strings_are_accepted() {
        let p: P = parse(
            "t",
            json!({"lookback_hours": "24", "limit": "50", "flag": "true", "name": ""}),
        )
        .unwrap();
        assert_eq!(
            (p.lookback_hours, p.limit, p.flag, p.name),
            (Some(24.0), Some(50), Some(true), None)
        );
        let p: P = parse("t", json!(null)).unwrap();
        assert_eq!(p.limit, None);
    }

    #[test]
    fn unknown_parameters_name_the_valid_ones() {
        let e = parse::<P>("t", json!({"lookback": 1})).unwrap_err().to_string();
        assert!(e.contains("unknown field `lookback`"), "{e}");
        assert!(e.contains("lookback_hours") && e.contains("limit"), "{e}");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Required {
        #[serde(deserialize_with = "req_string")]
        app_id: String,
        #[serde(default, deserialize_with = "opt_f64")]
        lookback_hours: Option<f64>,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
    }

    #[test]
    fn errors_name_the_parameter_and_the_kind_given() {
        let err = |v: serde_json::Value| parse::<Required>("t", v).unwrap_err().to_string();
        assert_eq!(
            err(json!({"app_id": ""})),
            "invalid arguments for t: app_id must not be empty"
        );
        assert_eq!(
            err(json!({"app_id": null, "flag": true})),
            "invalid arguments for t: app_id must not be empty"
        );
        assert_eq!(
            err(json!({"app_id": "x", "lookback_hours": [1]})),
            "invalid arguments for t: lookback_hours: expected a number, got an array"
        );
        assert_eq!(
            err(json!({"app_id": {"a": 1}})),
            "invalid arguments for t: app_id: expected a string, got an object"
        );
        assert_eq!(
            err(json!({"app_id": "x", "flag": [1]})),
            "invalid arguments for t: flag: expected true or false, got an array"
        );
        assert_eq!(
            err(json!({"lookback_hours": "soon", "app_id": "a\u{1}"})),
            "invalid arguments for t: app_id contains control characters"
        );
        assert!(
            err(json!({"app_id": "x".repeat(5000)})).ends_with("app_id is 5000 characters long; the maximum is 4096")
        );
        assert_eq!(err(json!({})), "invalid arguments for t: missing field `app_id`");
        let ok: Required = parse("t", json!({"app_id": "x", "lookback_hours": "2", "flag": "yes"})).unwrap();
        assert_eq!(
            (ok.app_id.as_str(), ok.lookback_hours, ok.flag),
            ("x", Some(2.0), Some(true))
        );
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(
            parse::<P>("t", json!({"limit": -3}))
                .unwrap_err()
                .to_string()
                .contains("whole number")
        );
        assert!(
            parse::<P>("t", json!({"limit": "many"}))
                .unwrap_err()
                .to_string()
                .contains("expected a number")
        );
        assert!(
            parse::<P>("t", json!({"name": "a\u{0}b"}))
                .unwrap_err()
                .to_string()
                .contains("control")
        );
        assert!(
            parse::<P>("t", json!({"name": "x".repeat(10_000)}))
                .unwrap_err()
                .to_string()
                .contains("maximum")
        );
        assert!(
            parse::<P>("t", json!([1]))
                .unwrap_err()
                .to_string()
                .contains("JSON object")
        );
    }
}
