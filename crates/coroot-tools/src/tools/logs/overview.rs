//! `coroot_get_overview_logs`: what is being logged across every application, and which
//! Kubernetes events (BackOff, OOM kills, evictions, failed scheduling) happened.
//!
//! The overview returns its logs inside the overview object (`data.logs.entries`); the Python
//! original read `data.entries` and always reported 0 entries. Kubernetes events are OTel logs
//! of service `KubernetesEvents` whose only severities are info (Normal) and warning
//! (Warning); they are shown with their reason and object, and an empty error-level search
//! of events says so. Severity is normalised to Coroot's lower-case words as in app logs.

use coroot_client::AppId;
use coroot_client::models::LogEntry;
use coroot_client::query::{LogFilter, OverviewLogQuery};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::logs::{Group, tally};
use crate::analysis::markup::strip_tags;
use crate::analysis::storage::unavailable;
use crate::context::{Scope, ToolContext, Window};
use crate::error::ToolError;
use crate::params::{opt_bool, opt_string, opt_u32, tool_params};
use crate::redact::redact_entries;
use crate::render::{Answer, Frame};
use crate::tool::Tool;
use crate::tools::logs::{
    LogFilters, LogGroup, SeverityCount, empty_hint, filters_line, group_line, limit_note, matching, newest_first,
    next_step, severity_counts, summary_line, text_chars, window_counts,
};
use crate::tools::names;

/// The tool.
pub struct GetOverviewLogs;

/// The service name Coroot's cluster agent gives Kubernetes events.
const EVENTS_SERVICE: &str = "KubernetesEvents";

tool_params! {
    /// Parameters.
    pub struct Params {
        /// Minimum level: error (includes fatal), warning, info, debug; any case.
        #[serde(default, deserialize_with = "opt_string")]
        pub severity: Option<String>,
        /// Full-text search; every word must appear in the message.
        #[serde(default, alias = "message_filter", deserialize_with = "opt_string")]
        pub search: Option<String>,
        /// Newest entries to fetch (default 50, 1-200).
        #[serde(default, deserialize_with = "opt_u32")]
        pub limit: Option<u32>,
        /// Only Kubernetes events (BackOff, OOMKilling, Evicted, FailedScheduling...); default false.
        #[serde(default, deserialize_with = "opt_bool")]
        pub kubernetes_only: Option<bool>,
    }
    lookback_hours = "Hours to look back (default 1, max 720)."
}

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window searched.
    pub window: Window,
    /// This answer's page in Coroot's UI.
    pub url: String,
    /// What Coroot says is wrong with the project's data sources (Prometheus, node agent,
    /// kube-state-metrics): when present, the answer may be empty or incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coroot_status: Vec<String>,
    /// Filters sent to Coroot.
    pub filters: LogFilters,
    /// Only Kubernetes events were asked for.
    pub kubernetes_only: bool,
    /// Coroot's own message or error (e.g. "Clickhouse integration is not configured."), empty when none.
    pub coroot_message: String,
    /// Entries returned.
    pub total_entries: usize,
    /// True when Coroot returned `limit` entries, so older ones exist.
    pub limit_reached: bool,
    /// False when the entries are an arbitrary sample of the matching lines (Coroot before
    /// v1.24.1 with the limit reached), not the newest.
    pub newest_first: bool,
    /// Matching lines per severity over the whole window (Coroot's histogram).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub window_counts: Vec<SeverityCount>,
    /// Entries per severity.
    pub severity_counts: Vec<SeverityCount>,
    /// Identical lines of the same app (or event of the same object) collapsed, newest first.
    pub messages: Vec<OverviewGroup>,
}

/// Collapsed lines of one application, or one Kubernetes event.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OverviewGroup {
    /// Coroot app id, or the service name when Coroot mapped it to no app (`KubernetesEvents`).
    pub application: String,
    /// The lines.
    #[serde(flatten)]
    pub group: LogGroup,
    /// Set for Kubernetes events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<K8sEvent>,
}

/// What a Kubernetes event is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
pub struct K8sEvent {
    /// e.g. BackOff, OOMKilling, Evicted, FailedScheduling.
    pub reason: String,
    /// e.g. Pod, Node.
    pub object_kind: String,
    /// Object name.
    pub object_name: String,
    /// Object namespace, empty for cluster-scoped objects.
    pub object_namespace: String,
    /// Reporting component (kubelet, default-scheduler), empty when unknown.
    pub source: String,
    /// Reporting host, empty when unknown.
    pub host: String,
}

/// The attributes of a Kubernetes event log line that say what it is about, in
/// [`K8sEvent`]'s field order.
const EVENT_ATTRIBUTES: [&str; 6] = [
    "event.reason",
    "object.kind",
    "object.name",
    "object.namespace",
    "source.component",
    "source.host",
];

impl K8sEvent {
    /// A line's event attributes, borrowed (a grouping key), when it is a Kubernetes event.
    fn key(e: &LogEntry) -> Option<[&str; 6]> {
        let is_event = e.application == EVENTS_SERVICE || e.attributes.get("service.name") == Some(EVENTS_SERVICE);
        is_event.then(|| EVENT_ATTRIBUTES.map(|k| e.attributes.get(k).unwrap_or("")))
    }

    fn from_key([reason, kind, name, namespace, source, host]: [&str; 6]) -> K8sEvent {
        K8sEvent {
            reason: reason.into(),
            object_kind: kind.into(),
            object_name: name.into(),
            object_namespace: namespace.into(),
            source: source.into(),
            host: host.into(),
        }
    }

    /// `BackOff Pod default/payment-x (kubelet, node-2)`.
    fn describe(&self) -> String {
        let object = if self.object_namespace.is_empty() {
            self.object_name.clone()
        } else {
            format!("{}/{}", self.object_namespace, self.object_name)
        };
        let mut s = [self.reason.as_str(), self.object_kind.as_str(), &object]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let from: Vec<&str> = [self.source.as_str(), self.host.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        if !from.is_empty() {
            s.push_str(&format!(" ({})", from.join(", ")));
        }
        s
    }
}

/// `default/payment` for pod `payment-7d9f8b6c5-x2x9k`: the pod name without its ReplicaSet
/// and pod hashes (or StatefulSet ordinal), which is the app name Coroot uses.
fn workload_of(namespace: &str, pod: &str) -> String {
    let mut parts: Vec<&str> = pod.split('-').collect();
    let hashy = |p: &str| {
        (5..=10).contains(&p.len())
            && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && p.chars().any(|c| c.is_ascii_digit())
    };
    if parts.len() > 1 && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit())) {
        parts.pop();
    } else {
        for _ in 0..2 {
            if parts.len() > 1 && parts.last().is_some_and(|p| hashy(p)) {
                parts.pop();
            }
        }
    }
    let name = parts.join("-");
    if namespace.is_empty() {
        name
    } else {
        format!("{namespace}/{name}")
    }
}

impl Tool for GetOverviewLogs {
    const NAME: &'static str = names::OVERVIEW_LOGS;
    const TITLE: &'static str = "Coroot logs of all applications";
    const DESCRIPTION: &'static str = "Cluster-wide log search across all applications plus Kubernetes events, newest first, identical lines collapsed with counts. Use when you don't know which app is affected. kubernetes_only=true lists only events (BackOff/CrashLoop, OOMKilling, Evicted, FailedScheduling).";
    type Params = Params;
    type Output = Output;
    const UNTRUSTED: &'static [&'static str] = &["/messages/*/message"];

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let asked = p.window();
        let (filters, mut sent) = LogFilters::new(Self::NAME, p.severity.as_deref(), p.search, p.limit)?;
        let kubernetes_only = p.kubernetes_only.unwrap_or(false);
        let Scope {
            project,
            range,
            window,
            ui,
        } = Scope::resolve(ctx, Self::NAME, p.project_id.as_deref(), asked, 1.0).await?;
        if kubernetes_only {
            sent.push(LogFilter::kubernetes_events());
        }
        let query = OverviewLogQuery {
            filters: sent,
            limit: filters.limit,
            ..OverviewLogQuery::default()
        };
        let mut logs = ctx.client.overview_logs(&project.id, range, &query).await?;
        if ctx.redact_secrets {
            redact_entries(&mut logs.entries);
        }
        let coroot_message = [strip_tags(&logs.message), strip_tags(&logs.error)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let total = logs.entries.len();
        let severity_counts = severity_counts(&logs.entries);
        let groups: Vec<(String, Option<K8sEvent>, Group)> = tally(&logs.entries, |e| {
            (
                e.application.as_str(),
                e.severity.as_str(),
                e.message.as_str(),
                K8sEvent::key(e),
            )
        })
        .into_iter()
        .map(|((application, _, _, event), g)| (application.to_string(), event.map(K8sEvent::from_key), g))
        .collect();
        let messages = groups
            .into_iter()
            .map(|(application, event, mut g)| {
                g.take_text(&mut logs.entries);
                OverviewGroup {
                    application,
                    group: g.into(),
                    event,
                }
            })
            .collect();
        Ok(Output {
            project: project.name,
            window,
            url: ui.view("logs"),
            coroot_status: logs.status.problems(),
            limit_reached: total >= filters.limit as usize,
            newest_first: newest_first(ctx, total >= filters.limit as usize).await,
            window_counts: window_counts(logs.chart.as_ref()),
            filters,
            kubernetes_only,
            coroot_message,
            total_entries: total,
            severity_counts,
            messages,
        })
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let what = if out.kubernetes_only {
            "Kubernetes events"
        } else {
            "Logs of all applications"
        };
        let mut t = Answer::new(
            frame,
            if out.kubernetes_only { "events" } else { "log messages" },
            "pass severity, search or a shorter lookback_hours",
        );
        t.header(what, &out.project, &out.window);
        t.ui("logs", &out.url);
        t.coroot_status(&out.coroot_status);
        limit_note(&mut t, &out.filters);
        t.line(filters_line(&out.filters));
        if out.messages.is_empty() {
            if let Some(why) = unavailable(&out.coroot_message, "") {
                t.line(format!(
                    "Logs and Kubernetes events could not be checked: {why} (Coroot keeps them in ClickHouse). This is not an absence of errors."
                ));
                t.footer(format!(
                    "next: {}(app_id=…) shows each app's log patterns counted by the node agent",
                    names::APP_LOGS
                ));
                return t;
            }
            let mut none = format!(
                "No {} in this window{}.",
                if out.kubernetes_only {
                    "Kubernetes events"
                } else {
                    "log entries"
                },
                matching(&out.filters)
            );
            if !out.coroot_message.is_empty() {
                none.push_str(&format!(" Coroot says: {}", out.coroot_message));
            }
            t.line(none);
            let events_level = out.kubernetes_only
                && out
                    .filters
                    .severity
                    .as_deref()
                    .is_some_and(|s| s == "error" || s == "fatal");
            if events_level {
                t.line("Kubernetes events only have two severities: Normal → info, Warning → warning.");
                t.footer(
                    "next: coroot_get_overview_logs(kubernetes_only=true, severity='warning') for the problem events",
                );
            } else {
                t.footer(empty_hint(&out.filters, None));
            }
            return t;
        }
        if !out.coroot_message.is_empty() {
            t.line(format!("Coroot says: {}", out.coroot_message));
        }
        t.line(summary_line(
            out.total_entries,
            out.limit_reached,
            out.newest_first,
            &out.window_counts,
            &out.severity_counts,
            out.messages.len(),
        ));
        let width = text_chars(out.messages.len());
        t.each("/messages", &out.messages, |m| {
            let who = match &m.event {
                Some(ev) => ev.describe(),
                None => AppId::new(m.application.as_str()).short(),
            };
            group_line(&m.group, Some(&who), width)
        });
        let warned = out.messages.iter().find_map(|m| {
            m.event
                .as_ref()
                .filter(|e| m.group.severity == "warning" && e.object_kind == "Pod")
                .map(|e| workload_of(&e.object_namespace, &e.object_name))
        });
        let fallback = match (
            warned,
            out.messages
                .iter()
                .find(|m| m.event.is_none() && m.application.contains(':')),
        ) {
            (Some(app), _) => {
                format!(
                    "next: {}(app_id='{app}') for the app behind the newest warning event",
                    names::APP_DETAIL
                )
            }
            (None, Some(m)) => format!(
                "next: {}(app_id='{}') for one app's logs, or kubernetes_only=true for events",
                names::APP_LOGS,
                AppId::new(m.application.as_str()).short()
            ),
            (None, None) => "next: narrow with severity or search, or widen lookback_hours".into(),
        };
        t.footer(next_step(
            out.messages.iter().map(|m| &m.group),
            out.limit_reached,
            &out.filters,
            fallback,
        ));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    fn sent_query(kit: &testing::Kit) -> serde_json::Value {
        let req = kit
            .sim
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path.ends_with("/overview/logs"))
            .expect("the overview logs request was sent");
        serde_json::from_str(req.param("query").expect("query param")).expect("query JSON")
    }

    #[tokio::test]
    async fn cluster_wide_errors_name_their_apps() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetOverviewLogs>(&kit, json!({"severity": "Error", "limit": "100"})).await;
        let q = sent_query(&kit);
        assert_eq!(
            q["filters"],
            json!([{"name": "Severity", "op": "=", "value": "error"},
                   {"name": "Severity", "op": "=", "value": "fatal"}])
        );
        assert_eq!((q["agent"].as_bool(), q["otel"].as_bool()), (Some(true), Some(true)));
        for (app, msg) in [
            ("default/checkout:", "upstream payment returned 502"),
            ("default/catalog:", "connect: connection refused"),
            ("default/cart:", "no such host"),
            ("default/payment:", "runtime: out of memory"),
        ] {
            assert!(
                out.text
                    .lines()
                    .any(|l| l.contains(app) && l.contains(msg) && (l.contains(" ERROR ") || l.contains(" FATAL "))),
                "{app} {msg}:\n{}",
                out.text
            );
        }
        assert!(out.structured["total_entries"].as_u64().unwrap() > 20);
        assert!(
            out.structured["messages"][0]["application"]
                .as_str()
                .unwrap()
                .starts_with("k3h2x9qa:default:"),
            "{}",
            out.structured
        );
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn kubernetes_only_lists_the_problem_events() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetOverviewLogs>(&kit, json!({"kubernetes_only": true, "lookback_hours": 2})).await;
        assert_eq!(
            sent_query(&kit)["filters"],
            json!([{"name": "service.name", "op": "=", "value": "KubernetesEvents"}])
        );
        for needle in [
            "WARNING BackOff Pod default/payment-7d9f8b6c5-x2x9k (kubelet, node-2): ×3 ⟦Back-off restarting failed container payment",
            "WARNING OOMKilling Node node-2 (kernel-monitor, node-2): ×3 ⟦Memory cgroup out of memory",
            "WARNING Evicted Pod default/recommendation-5b7c9d8f6-q1w2e (kubelet, node-1): ⟦The node was low on resource: memory.",
            "WARNING FailedScheduling Pod default/payment-7d9f8b6c5-n5b6v (default-scheduler): ⟦0/4 nodes are available",
            "INFO Killing Pod default/payment-6b5a4c3d2-j8k9l",
        ] {
            assert!(out.text.contains(needle), "{needle}:\n{}", out.text);
        }
        let ev = out.structured["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["event"]["reason"] == "BackOff")
            .expect("BackOff event");
        assert_eq!(ev["event"]["object_name"], "payment-7d9f8b6c5-x2x9k");
        assert_eq!(ev["count"], 3);
        assert!(
            testing::unpinned(&out.text).contains(
                "next: coroot_get_app_detail(app_id='default/payment') for the app behind the newest warning event"
            ),
            "{}",
            out.text
        );
        insta::assert_snapshot!("kubernetes_events", out.text);
    }

    #[test]
    fn pods_map_to_their_workloads() {
        assert_eq!(workload_of("default", "payment-7d9f8b6c5-x2x9k"), "default/payment");
        assert_eq!(workload_of("monitoring", "prometheus-0"), "monitoring/prometheus");
        assert_eq!(workload_of("kube-system", "kube-proxy-4x7kd"), "kube-system/kube-proxy");
        assert_eq!(workload_of("", "standalone"), "standalone");
    }

    #[tokio::test]
    async fn error_level_events_do_not_exist_and_the_hint_says_so() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetOverviewLogs>(&kit, json!({"kubernetes_only": "true", "severity": "ERROR"})).await;
        assert!(
            out.text
                .contains("No Kubernetes events in this window matching severity≥error."),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("Normal → info, Warning → warning") && out.text.contains("severity='warning'"),
            "{}",
            out.text
        );
    }

    #[tokio::test]
    async fn an_empty_project_says_what_was_searched() {
        let kit = testing::start(coroot_sim::Scenario::empty()).await;
        let out = testing::run::<GetOverviewLogs>(&kit, json!({"search": "timeout", "lookback_hours": 3})).await;
        assert!(out.text.contains("last 3h"), "{}", out.text);
        assert!(
            out.text
                .contains("No log entries in this window matching search=\"timeout\"."),
            "{}",
            out.text
        );
        assert!(
            testing::unpinned(&out.text).contains("next: try another search word"),
            "{}",
            out.text
        );
    }
}
