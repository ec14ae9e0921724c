//! The JSON `query` parameters of the logs and traces endpoints, built the way Coroot's UI
//! builds them.

use serde_json::{Value, json};

/// A logs filter `{name, op, value}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFilter {
    /// `Severity`, `Message`, `TraceId`, `service.name`, or an attribute name.
    pub name: String,
    /// `=`, `!=`, `~`, `!~`, `contains`, `not contains`.
    pub op: String,
    /// Value.
    pub value: String,
}

impl LogFilter {
    /// Any filter.
    pub fn new(name: &str, op: &str, value: &str) -> Self {
        LogFilter {
            name: name.into(),
            op: op.into(),
            value: value.into(),
        }
    }

    /// `Severity = <level>`. Coroot matches severity names case-sensitively in lower case and
    /// silently reads anything else as `unknown`, so the level is normalised here; `None` for
    /// a level Coroot does not know.
    pub fn severity(level: &str) -> Option<Self> {
        normalize_severity(level).map(|s| LogFilter::new("Severity", "=", s))
    }

    /// Full-text `Message contains <text>`.
    pub fn message_contains(text: &str) -> Self {
        LogFilter::new("Message", "contains", text)
    }

    /// Kubernetes events only: they are OTel logs of service `KubernetesEvents`.
    pub fn kubernetes_events() -> Self {
        LogFilter::new("service.name", "=", "KubernetesEvents")
    }
}

/// Maps a user's severity word to Coroot's: `Error`/`ERROR`/`err` → `error`, `warn` → `warning`,
/// `critical` → `fatal`.
pub fn normalize_severity(level: &str) -> Option<&'static str> {
    Some(match level.trim().to_ascii_lowercase().as_str() {
        "unknown" => "unknown",
        "trace" => "trace",
        "debug" => "debug",
        "info" | "information" | "notice" => "info",
        "warning" | "warn" => "warning",
        "error" | "err" | "errors" => "error",
        "fatal" | "critical" | "crit" | "panic" | "emergency" | "alert" => "fatal",
        _ => return None,
    })
}

/// The `query` of `overview/logs`.
#[derive(Debug, Clone)]
pub struct OverviewLogQuery {
    /// Container logs from the node agent.
    pub agent: bool,
    /// OpenTelemetry logs (includes Kubernetes events).
    pub otel: bool,
    /// Filters, ANDed across names.
    pub filters: Vec<LogFilter>,
    /// Entries to return.
    pub limit: u32,
}

impl Default for OverviewLogQuery {
    fn default() -> Self {
        // Coroot returns nothing when neither source is selected, so both are on by default.
        OverviewLogQuery {
            agent: true,
            otel: true,
            filters: Vec::new(),
            limit: 100,
        }
    }
}

impl OverviewLogQuery {
    /// The JSON string sent as `query`.
    pub fn to_json(&self) -> String {
        json!({"view": "messages", "agent": self.agent, "otel": self.otel,
               "filters": filters_json(&self.filters), "limit": self.limit})
        .to_string()
    }
}

/// The `query` of `app/{id}/logs`.
#[derive(Debug, Clone)]
pub struct AppLogQuery {
    /// `agent`, `otel`, or `""` to let Coroot pick.
    pub source: String,
    /// Filters.
    pub filters: Vec<LogFilter>,
    /// Entries to return.
    pub limit: u32,
}

impl Default for AppLogQuery {
    fn default() -> Self {
        AppLogQuery {
            source: String::new(),
            filters: Vec::new(),
            limit: 100,
        }
    }
}

impl AppLogQuery {
    /// The JSON string sent as `query`.
    pub fn to_json(&self) -> String {
        json!({"source": self.source, "view": "messages", "filters": filters_json(&self.filters), "limit": self.limit})
            .to_string()
    }
}

fn filters_json(filters: &[LogFilter]) -> Value {
    Value::Array(
        filters
            .iter()
            .map(|f| json!({"name": f.name, "op": f.op, "value": f.value}))
            .collect(),
    )
}

/// The `query` of `overview/traces`.
#[derive(Debug, Clone, Default)]
pub struct TraceQuery {
    /// One trace: all its spans come back in `trace`, other fields are ignored by Coroot.
    pub trace_id: Option<String>,
    /// Root spans of this service only.
    pub service_name: Option<String>,
    /// Error traces only.
    pub errors_only: bool,
    /// `traces` (root spans) or `errors` (error groups).
    pub view: TraceView,
}

/// Which traces view to ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TraceView {
    /// The newest root spans.
    #[default]
    Traces,
    /// Error groups.
    Errors,
}

impl TraceQuery {
    /// The JSON string sent as `query`.
    pub fn to_json(&self) -> String {
        let mut q = serde_json::Map::new();
        let view = match self.view {
            TraceView::Traces => "traces",
            TraceView::Errors => "errors",
        };
        q.insert("view".into(), json!(view));
        if let Some(id) = &self.trace_id {
            q.insert("trace_id".into(), json!(id));
        }
        if let Some(svc) = &self.service_name {
            q.insert(
                "filters".into(),
                json!([{"field": "ServiceName", "op": "=", "value": svc}]),
            );
        }
        // Coroot selects error traces through the heatmap's error bucket, not a status filter.
        if self.errors_only {
            q.insert("dur_from".into(), json!("inf"));
            q.insert("dur_to".into(), json!("err"));
        }
        Value::Object(q).to_string()
    }
}

/// The `query` of `panel/data`: one PromQL query as a line chart.
/// `datasource` picks a member project's Prometheus in a multi-cluster project (v1.17+,
/// `api/views/dashboards/panel.go`); `""` for a project with one Prometheus.
pub fn panel_query(promql: &str, legend: &str, datasource: &str) -> String {
    let mut query = json!({"query": promql, "legend": legend});
    if !datasource.is_empty() {
        query["datasource"] = json!(datasource);
    }
    json!({"name": "", "source": {"metrics": {"queries": [query]}}, "widget": {"chart": {"display": "line"}}})
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_is_normalised_to_coroot_names() {
        for (given, sent) in [
            ("Error", "error"),
            ("ERROR", "error"),
            ("warn", "warning"),
            ("Critical", "fatal"),
            ("info", "info"),
        ] {
            assert_eq!(LogFilter::severity(given).unwrap().value, sent);
        }
        assert!(LogFilter::severity("loud").is_none());
    }

    #[test]
    fn trace_query_uses_the_error_bucket() {
        let q = TraceQuery {
            service_name: Some("frontend".into()),
            errors_only: true,
            ..Default::default()
        };
        let v: Value = serde_json::from_str(&q.to_json()).unwrap();
        assert_eq!(v["dur_from"], "inf");
        assert_eq!(v["dur_to"], "err");
        assert_eq!(v["filters"][0]["field"], "ServiceName");
        assert_eq!(v["view"], "traces");
        // `service_name` was read only by v1.0.0–v1.0.5 (replaced by `filters` in c56893f).
        assert!(v.get("service_name").is_none());
    }

    #[test]
    fn overview_logs_always_select_a_source() {
        let v: Value = serde_json::from_str(&OverviewLogQuery::default().to_json()).unwrap();
        assert_eq!((v["agent"].as_bool(), v["otel"].as_bool()), (Some(true), Some(true)));
    }
}
