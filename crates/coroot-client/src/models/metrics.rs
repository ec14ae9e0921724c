//! PromQL results: `panel/data` (session) and `/api/v1/query_range` (API key).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::common::{Chart, ChartContext, Series};
use crate::de::null_default;

/// `panel/data` payload (bare JSON): `{}` when the query returned nothing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PanelData {
    /// The chart, absent when no data.
    pub chart: Option<Chart>,
}

/// A Prometheus API response.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PromResponse {
    /// `success` or `error`.
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    /// The result.
    pub data: PromData,
    /// Error text.
    #[serde(deserialize_with = "null_default")]
    pub error: String,
}

/// `data` of a Prometheus response.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PromData {
    /// `matrix` for a range query.
    #[serde(rename = "resultType", deserialize_with = "null_default")]
    pub result_type: String,
    /// Series.
    #[serde(deserialize_with = "null_default")]
    pub result: Vec<PromSeries>,
}

/// A Prometheus series: labels and `[seconds, "value"]` pairs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PromSeries {
    /// Labels.
    #[serde(deserialize_with = "null_default")]
    pub metric: BTreeMap<String, String>,
    /// Points.
    #[serde(deserialize_with = "null_default")]
    pub values: Vec<(f64, String)>,
}

impl PromResponse {
    /// The matrix as a chart with one point per `step_ms` from `from_ms`, so both PromQL routes
    /// give the same shape. Series names follow the `legend` template (`{{label}}`), else `{k=v,...}`.
    pub fn into_chart(self, from_ms: i64, to_ms: i64, step_ms: i64, legend: &str) -> Chart {
        let step_ms = step_ms.max(1);
        let points = usize::try_from((to_ms - from_ms) / step_ms + 1).unwrap_or(0);
        let series = self
            .data
            .result
            .into_iter()
            .map(|s| {
                let mut data = vec![None; points];
                for (ts, v) in &s.values {
                    let idx = ((ts * 1000.0) as i64 - from_ms) / step_ms;
                    if let (Ok(i), Ok(v)) = (usize::try_from(idx), v.parse::<f64>())
                        && let Some(slot) = data.get_mut(i)
                    {
                        *slot = v.is_finite().then_some(v);
                    }
                }
                Series {
                    name: series_name(&s.metric, legend),
                    data,
                }
            })
            .collect();
        Chart {
            ctx: ChartContext {
                from: from_ms,
                to: to_ms,
                step: step_ms,
            },
            title: String::new(),
            series,
            threshold: None,
        }
    }
}

/// Renders a legend template the way Coroot's `panel/data` does.
pub fn series_name(labels: &BTreeMap<String, String>, legend: &str) -> String {
    if !legend.is_empty() {
        let mut out = legend.to_string();
        for (k, v) in labels {
            out = out
                .replace(&format!("{{{{{k}}}}}"), v)
                .replace(&format!("{{{{ {k} }}}}"), v);
        }
        if !out.trim().is_empty() {
            return out;
        }
    }
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", inner.join(","))
}
