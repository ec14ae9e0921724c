//! `coroot_investigate`: why is it broken? The seed's RCA workflow in one call, with a ranked
//! evidence report.
//!
//! It starts from an incident, an application, the open incidents, or else the applications in
//! WARNING or CRITICAL. The workflow's calls (incidents, incident detail, applications, service
//! map, deployments, nodes, Kubernetes events, risks, error traces, then app detail and logs of
//! the apps involved, then the nodes under them) run concurrently, each with its own timeout: a
//! call that fails or times out becomes a "could not check" line, never a failed tool. What they
//! say is correlated (deployments shortly before the first failure; OOM kills, throttling, TCP
//! and DNS failures, disk saturation from the failing checks and node tables; error logs with
//! their trace ids; the failure path on the service map) and each suspected root cause is
//! scored by the simple rules below. Every line of evidence names the tool and item it came
//! from, so the agent can re-check it; nothing is inferred that the data does not say.
//!
//! Scoring rules (points add up; the reasons are printed with each suspect):
//! * a failing check on the app that names a cause (OOM, disk I/O, TCP, DNS, CPU...): CRITICAL
//!   +4, WARNING +3. SLO and log-error checks are symptoms, not causes: they score nothing.
//! * a flagged node resource (disk latency/I/O load, CPU, memory) used by the app: +2 when it
//!   confirms the app's own check, +3 when it is the only signal.
//! * the app is where the failure path starts (Coroot's propagation map root, else the deepest
//!   failing upstream reached from the affected app): +3; elsewhere on the path: +1. A cause at
//!   the start explains every symptom downstream of it.
//! * Coroot's own RCA names the app: +2 (it correlates metrics this tool does not read).
//! * a deployment of the app within 6h before the first failure signal: +2, and +1 more when
//!   Coroot flags that rollout. Added to the same suspect, so "OOM after a deploy" outranks
//!   either alone.
//! * Kubernetes warning events about the app: +1; its own error logs showing the same cause:
//!   +1; error traces failing deepest in it: +1.
//! * an app with only symptoms gets a suspect (+1) only when it starts the failure path; a node
//!   that is down scores +3 when investigated apps run on it, +1 otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use coroot_client::models::{
    AppLogs, ApplicationStatus, ApplicationView, AuditReport, Chart, Deployment, Incident, IncidentView, LogEntry,
    Logs, MapApplication, Node, Risk, TraceError, Traces,
};
use coroot_client::query::TraceView;
use coroot_client::{
    AppId, AppLogQuery, Error as CorootError, LogFilter, OverviewLogQuery, Status, TimeRange, TraceQuery,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::format::{clip, iso, num, one_line, percent, span_ms, when};
use crate::params::{Window, opt_f64, opt_string, window};
use crate::resolve;
use crate::tools::{header, project, window_note};
use crate::{Health, Text, Tool, ToolContext, ToolError};

/// The tool.
pub struct Investigate;

/// Longest wait for one Coroot call; a slower one is reported as not checked.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Applications examined in detail (the entry apps first, then their failing upstreams).
const MAX_APPS: usize = 8;
/// Nodes whose detail is fetched (those under the apps at the start of the path first).
const MAX_NODES: usize = 4;
/// Open incidents whose detail is fetched when no incident_key is given.
const MAX_INCIDENTS: usize = 3;
/// A deployment this long before the first failure signal still counts as a suspect.
const DEPLOY_BEFORE_MS: i64 = 6 * 3_600_000;
/// Clock skew tolerated between a rollout and the first failure it may have caused.
const DEPLOY_SKEW_MS: i64 = 2 * 60_000;
/// Suspects shown with their evidence; the rest are listed in one line.
const SHOWN: usize = 5;
/// Evidence lines per suspect.
const EVIDENCE: usize = 10;
/// Longest fact text.
const FACT_CHARS: usize = 220;
/// Log and event lines fetched per call.
const LOG_LIMIT: u32 = 100;
/// Lookback of the incidents and deployments searched, at least.
const WIDE_HOURS: f64 = 24.0;

// Points of the scoring rules (see the module doc for why).
const CHECK_CRITICAL: u32 = 4;
const CHECK_WARNING: u32 = 3;
const NODE_ONLY: u32 = 3;
const NODE_CONFIRMS: u32 = 2;
const PATH_START: u32 = 3;
const ON_PATH: u32 = 1;
const COROOT_RCA: u32 = 2;
const DEPLOY: u32 = 2;
const DEPLOY_FLAGGED: u32 = 1;
const EVENTS: u32 = 1;
const LOGS_AGREE: u32 = 1;
const TRACES: u32 = 1;
const SYMPTOMS_AT_START: u32 = 1;
const NODE_DOWN_UNDER_APPS: u32 = 3;
const NODE_DOWN_ELSEWHERE: u32 = 1;
// Evidence order within a suspect: what scored first, corroboration last.
const P_CHECK: u8 = 0;
const P_DEPLOY: u8 = 1;
const P_NODE: u8 = 2;
const P_LINK: u8 = 3;
const P_RCA: u8 = 4;
const P_EVENTS: u8 = 5;
const P_LOGS: u8 = 6;
const P_TRACES: u8 = 7;
const P_NET: u8 = 8;
const P_OTHER: u8 = 9;
/// Below this, the verdict says the signals are weak.
const CLEAR_SCORE: u32 = 5;

/// Parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Start from this app (id, "namespace/name" or name); default: open incidents, else failing apps.
    #[serde(default, deserialize_with = "opt_string")]
    pub app_id: Option<String>,
    /// Start from this incident (key from coroot_get_incidents).
    #[serde(default, deserialize_with = "opt_string")]
    pub incident_key: Option<String>,
    /// Hours of health data to examine (default 1, max 720); incidents and deployments use at least 24.
    #[serde(default, deserialize_with = "opt_f64")]
    pub lookback_hours: Option<f64>,
    /// Coroot project id or name; auto-detected when omitted.
    #[serde(default, deserialize_with = "opt_string")]
    pub project_id: Option<String>,
}

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window of the health data (incidents and deployments: at least the last 24h).
    pub window: Window,
    /// What the investigation started from.
    pub started_from: String,
    /// One-line conclusion.
    pub verdict: String,
    /// Incidents investigated.
    pub incidents: Vec<IncidentOut>,
    /// Failure paths, each from where the failure starts to the app that shows it.
    pub paths: Vec<Vec<String>>,
    /// The earliest failure signal found, UTC ISO-8601, and what it was.
    pub first_failure: Option<FirstFailure>,
    /// Suspected root causes, most likely first.
    pub suspects: Vec<Suspect>,
    /// Failing SLOs of the apps involved: the impact, not a cause.
    pub symptoms: Vec<Evidence>,
    /// Availability and security risks of the apps involved.
    pub risks: Vec<String>,
    /// What was checked and found healthy.
    pub healthy: Vec<String>,
    /// What could not be checked, and why.
    pub could_not_check: Vec<String>,
    /// The calls that would confirm the top suspect.
    pub next_calls: Vec<String>,
}

/// An incident the investigation started from.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IncidentOut {
    /// Incident key.
    pub key: String,
    /// Affected application id.
    pub application_id: String,
    /// Severity.
    #[serde(flatten)]
    pub severity: Health,
    /// Still open.
    pub open: bool,
    /// UTC ISO-8601.
    pub opened_at: Option<String>,
    /// Share of requests affected, %.
    pub impact_percent: f64,
    /// Coroot's RCA summary, when there is one.
    pub rca_summary: String,
    #[serde(skip)]
    opened_ms: Option<i64>,
}

/// The earliest failure signal.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FirstFailure {
    /// UTC ISO-8601.
    pub at: String,
    /// What it was, e.g. "default/payment fatal log".
    pub what: String,
    #[serde(skip)]
    ms: i64,
}

/// A suspected root cause.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Suspect {
    /// 1 = most likely.
    pub rank: usize,
    /// e.g. "OOM kills of default/payment after deployment 7d9f8b6c5: payment:2.4.1".
    pub cause: String,
    /// oom, disk_io, tcp_connect, dns, cpu_throttling, node_cpu, memory, disk_space,
    /// connectivity, network_latency, instances_down, restarts, database, runtime, deploy,
    /// node_down, errors, other.
    pub kind: &'static str,
    /// Every kind of signal found for it.
    pub signals: Vec<&'static str>,
    /// Application id, when the cause is in an app.
    pub app: Option<String>,
    /// Node, when the cause involves one.
    pub node: Option<String>,
    /// Sum of the rules below.
    pub score: u32,
    /// The scoring rules that applied, e.g. "path start +3".
    pub score_rules: Vec<String>,
    /// The facts behind it.
    pub evidence: Vec<Evidence>,
}

/// One fact and where it came from.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Evidence {
    /// The tool that shows it, e.g. `coroot_get_app_detail`.
    pub source_tool: &'static str,
    /// Where in that tool's output, e.g. "payment: Memory / Out of Memory".
    pub item: String,
    /// The message or value.
    pub fact: String,
}

impl Tool for Investigate {
    const NAME: &'static str = "coroot_investigate";
    const TITLE: &'static str = "Coroot root-cause investigation";
    const DESCRIPTION: &'static str = "Runs the RCA workflow in one call: incidents, app checks, logs, traces, deployments, nodes, K8s events and the service map, fetched concurrently and correlated. Returns ranked suspected root causes with the evidence behind each (tool and item), what was found healthy, and the calls to confirm. Optional app_id or incident_key; default: open incidents, else failing apps.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let project = project(ctx, p.project_id.as_deref()).await?;
        let (range, window) = window(ctx, Self::NAME, p.lookback_hours, 1.0)?;
        let wide = TimeRange::last_hours(ctx.now_ms(), window.lookback_hours.max(WIDE_HOURS));
        let given_app = match &p.app_id {
            Some(input) => Some(resolve::app_id(ctx, &project.id, input).await?),
            None => None,
        };
        let mut fan = Fan::new(ctx, project.id.clone());
        let mut facts = Facts::default();

        // The incident asked for comes first: an unknown key is the caller's mistake, not a
        // check that failed.
        if let Some(key) = &p.incident_key {
            fan.total += 1;
            match tokio::time::timeout(call_timeout(ctx), ctx.client.incident(&project.id, key)).await {
                Ok(Ok(view)) => {
                    facts.views.insert(key.clone(), view);
                }
                Ok(Err(CorootError::NotFound { .. })) => {
                    return Err(ToolError::Resolve {
                        message: format!(
                            "no incident '{key}' in project {}; call coroot_get_incidents to list incident keys",
                            project.name
                        ),
                    });
                }
                Ok(Err(e)) => fan.fail(format!("incident {key}"), &ToolError::from(e).to_string()),
                Err(_) => fan.fail(format!("incident {key}"), &timeout_text(ctx)),
            }
            fan.done += 1;
            ctx.report_progress(fan.done, fan.total, format!("incident {key}"));
        }

        // Round 1: the cluster-wide views.
        fan.spawn("incidents", move |c, p| async move {
            c.incidents(&p, wide, 100).await.map(Got::Incidents)
        });
        fan.spawn("applications", move |c, p| async move {
            c.applications(&p, range).await.map(Got::Apps)
        });
        fan.spawn("service map", move |c, p| async move {
            c.service_map(&p, range).await.map(Got::Map)
        });
        fan.spawn("deployments", move |c, p| async move {
            c.deployments(&p, wide).await.map(Got::Deployments)
        });
        fan.spawn(
            "nodes",
            move |c, p| async move { c.nodes(&p, range).await.map(Got::Nodes) },
        );
        fan.spawn("Kubernetes events", move |c, p| async move {
            let query = OverviewLogQuery {
                filters: [LogFilter::kubernetes_events()]
                    .into_iter()
                    .chain(LogFilter::severity("warning"))
                    .collect(),
                limit: LOG_LIMIT,
                ..OverviewLogQuery::default()
            };
            c.overview_logs(&p, range, &query).await.map(Got::Events)
        });
        fan.spawn(
            "risks",
            move |c, p| async move { c.risks(&p, range).await.map(Got::Risks) },
        );
        fan.spawn("error traces", move |c, p| async move {
            let query = TraceQuery {
                errors_only: true,
                view: TraceView::Errors,
                ..TraceQuery::default()
            };
            c.traces(&p, range, &query).await.map(Got::TraceErrors)
        });
        facts.absorb(fan.drain().await);

        // Round 2: the open incidents, when no incident was named.
        if p.incident_key.is_none() {
            let mut open: Vec<&Incident> = facts
                .incidents
                .iter()
                .flatten()
                .filter(|i| i.is_open())
                .filter(|i| given_app.as_ref().is_none_or(|a| same(a, &i.application_id)))
                .collect();
            open.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.opened_at.cmp(&a.opened_at)));
            for key in open.iter().take(MAX_INCIDENTS).map(|i| i.key.clone()) {
                fan.spawn(format!("incident {key}"), move |c, p| async move {
                    c.incident(&p, &key).await.map(|v| Got::Incident(Box::new(v)))
                });
            }
            facts.absorb(fan.drain().await);
        }

        // Round 3: the apps involved.
        let plan = Plan::new(&facts, given_app.as_ref());
        for id in &plan.focus {
            let short = id.short();
            let id2 = id.clone();
            fan.spawn(format!("app detail {short}"), move |c, p| async move {
                c.app(&p, &id2, range).await.map(|v| Got::App(key(&id2), Box::new(v)))
            });
            let id2 = id.clone();
            fan.spawn(format!("app logs {short}"), move |c, p| async move {
                let query = AppLogQuery {
                    filters: ["fatal", "error", "warning"]
                        .into_iter()
                        .filter_map(LogFilter::severity)
                        .collect(),
                    limit: LOG_LIMIT,
                    ..AppLogQuery::default()
                };
                c.app_logs(&p, &id2, range, &query)
                    .await
                    .map(|v| Got::AppLogs(key(&id2), v))
            });
        }
        facts.absorb(fan.drain().await);

        // Round 4: the nodes under them.
        for name in nodes_to_check(&facts, &plan) {
            let n = name.clone();
            fan.spawn(format!("node detail {name}"), move |c, p| async move {
                c.node(&p, &n, range).await.map(|r| Got::Node(n, Box::new(r)))
            });
        }
        facts.absorb(fan.drain().await);

        Ok(analyse(
            &facts,
            &plan,
            Meta {
                project: project.name,
                window,
                wide_hours: window_hours(wide),
                now: ctx.now_ms(),
                failed: fan.failed,
                incident_key: p.incident_key,
                given_app,
            },
        ))
    }

    fn render(out: &Output, now_ms: i64) -> Text {
        let mut t = Text::new("suspects", "pass app_id or incident_key to narrow the investigation");
        t.line(header("Investigation", &out.project, &out.window));
        window_note(&mut t, &out.window);
        t.line(format!("Started from: {}", out.started_from));
        t.line(format!("Verdict: {}", out.verdict));
        for i in &out.incidents {
            let mut line = format!(
                "Incident {} {} {} · {}",
                i.key,
                if i.open { "OPEN" } else { "RESOLVED" },
                i.severity.status,
                AppId::new(i.application_id.as_str()).short()
            );
            if let Some(ms) = i.opened_ms {
                line.push_str(&format!(" · opened {}", when(now_ms, ms)));
            }
            if i.impact_percent > 0.0 {
                line.push_str(&format!(" · {} of requests affected", percent(i.impact_percent)));
            }
            if !i.rca_summary.is_empty() {
                line.push_str(&format!(" · Coroot RCA: {}", one_line(&i.rca_summary)));
            }
            t.line(line);
        }
        for path in &out.paths {
            let names: Vec<String> = path.iter().map(|a| AppId::new(a.as_str()).short()).collect();
            t.line(format!("Failure path (failure flows →): {}", names.join(" → ")));
        }
        if let Some(f) = &out.first_failure {
            t.line(format!("First failure signal: {} · {}", when(now_ms, f.ms), f.what));
        }
        if !out.suspects.is_empty() {
            t.heading("SUSPECTS, most likely first (score = sum of the rules in brackets)");
        }
        for s in out.suspects.iter().take(SHOWN) {
            let mut item = format!(
                "{}. {} · kind {} · score {} [{}]",
                s.rank,
                s.cause,
                s.kind,
                s.score,
                s.score_rules.join(", ")
            );
            for e in &s.evidence {
                item.push_str(&format!("\n  - [{} › {}] {}", e.source_tool, e.item, e.fact));
            }
            t.item(item);
        }
        if out.suspects.len() > SHOWN {
            let rest: Vec<String> = out
                .suspects
                .iter()
                .skip(SHOWN)
                .map(|s| format!("{}. {} (score {})", s.rank, s.cause, s.score))
                .collect();
            t.item(format!("Lower: {}", rest.join("; ")));
        }
        if !out.symptoms.is_empty() {
            let list: Vec<String> = out
                .symptoms
                .iter()
                .map(|e| format!("[{} › {}] {}", e.source_tool, e.item, e.fact))
                .collect();
            t.line(format!("Symptoms (impact, not causes): {}", list.join(" · ")));
        }
        if !out.risks.is_empty() {
            t.line(format!(
                "Risks of these apps (coroot_get_risks): {}",
                out.risks.join("; ")
            ));
        }
        if !out.healthy.is_empty() {
            t.line(format!("Checked and healthy: {}", out.healthy.join("; ")));
        }
        if !out.could_not_check.is_empty() {
            t.line(format!("Could not check: {}", out.could_not_check.join("; ")));
        }
        if !out.next_calls.is_empty() {
            t.footer(format!("next: {}", out.next_calls.join("; ")));
        }
        t
    }

    fn keep(out: &mut Output, kept: &[usize]) {
        // Items are the shown suspects, then one line of the lower ones: a cut drops that
        // line first, then suspects from the end.
        out.suspects.truncate(kept.first().copied().unwrap_or(0));
    }
}

// ───────────────────────────── fetching ─────────────────────────────

/// One answer from Coroot.
enum Got {
    Incidents(Vec<Incident>),
    Incident(Box<IncidentView>),
    Apps(Vec<ApplicationStatus>),
    Map(Vec<MapApplication>),
    Deployments(Vec<Deployment>),
    Nodes(Vec<Node>),
    Events(Logs),
    Risks(Vec<Risk>),
    TraceErrors(Traces),
    App(String, Box<ApplicationView>),
    AppLogs(String, AppLogs),
    Node(String, Box<AuditReport>),
}

type Job = (String, Result<Got, String>);

/// Concurrent calls with a timeout each; failures are collected, progress is reported.
struct Fan<'a> {
    ctx: &'a ToolContext,
    project: String,
    set: JoinSet<Job>,
    done: u32,
    total: u32,
    failed: Vec<String>,
}

fn call_timeout(ctx: &ToolContext) -> Duration {
    // Below the client's own timeout, so the per-call limit is the one that fires and says so.
    CALL_TIMEOUT.min(ctx.client.timeout().mul_f64(0.9))
}

fn timeout_text(ctx: &ToolContext) -> String {
    format!(
        "no answer within {}",
        crate::format::latency_ms(call_timeout(ctx).as_secs_f64() * 1000.0)
    )
}

impl<'a> Fan<'a> {
    fn new(ctx: &'a ToolContext, project: String) -> Self {
        Fan {
            ctx,
            project,
            set: JoinSet::new(),
            done: 0,
            total: 0,
            failed: Vec::new(),
        }
    }

    fn spawn<F, Fut>(&mut self, label: impl Into<String>, call: F)
    where
        F: FnOnce(coroot_client::Client, String) -> Fut,
        Fut: Future<Output = Result<Got, CorootError>> + Send + 'static,
    {
        let label = label.into();
        let limit = call_timeout(self.ctx);
        let waited = timeout_text(self.ctx);
        let fut = call(self.ctx.client.clone(), self.project.clone());
        self.total += 1;
        self.set.spawn(async move {
            let result = match tokio::time::timeout(limit, fut).await {
                Ok(Ok(got)) => Ok(got),
                Ok(Err(e)) => Err(ToolError::from(e).to_string()),
                Err(_) => Err(waited),
            };
            (label, result)
        });
    }

    fn fail(&mut self, label: String, reason: &str) {
        self.failed.push(format!("{label}: {}", clip(&one_line(reason), 200)));
    }

    async fn drain(&mut self) -> Vec<Got> {
        let mut out = Vec::new();
        while let Some(joined) = self.set.join_next().await {
            self.done += 1;
            match joined {
                Ok((label, Ok(got))) => {
                    self.ctx
                        .report_progress(self.done, self.total, format!("{label}: done"));
                    out.push(got);
                }
                Ok((label, Err(reason))) => {
                    self.ctx
                        .report_progress(self.done, self.total, format!("{label}: failed"));
                    self.fail(label, &reason);
                }
                Err(e) => self.fail("a check".into(), &format!("its task failed: {e}")),
            }
        }
        out
    }
}

/// Everything fetched; `None` where the call failed.
#[derive(Default)]
struct Facts {
    incidents: Option<Vec<Incident>>,
    views: BTreeMap<String, IncidentView>,
    apps: Option<Vec<ApplicationStatus>>,
    map: Option<Vec<MapApplication>>,
    deployments: Option<Vec<Deployment>>,
    nodes: Option<Vec<Node>>,
    events: Option<Vec<LogEntry>>,
    risks: Option<Vec<Risk>>,
    trace_errors: Option<Vec<TraceError>>,
    details: BTreeMap<String, ApplicationView>,
    logs: BTreeMap<String, Vec<LogEntry>>,
    node_reports: BTreeMap<String, AuditReport>,
}

impl Facts {
    fn absorb(&mut self, got: Vec<Got>) {
        for g in got {
            match g {
                Got::Incidents(v) => self.incidents = Some(v),
                Got::Incident(v) => {
                    self.views.insert(v.incident.key.clone(), *v);
                }
                Got::Apps(v) => self.apps = Some(v),
                Got::Map(v) => self.map = Some(v),
                Got::Deployments(v) => self.deployments = Some(v),
                Got::Nodes(v) => self.nodes = Some(v),
                Got::Events(v) => self.events = Some(v.entries),
                Got::Risks(v) => self.risks = Some(v),
                Got::TraceErrors(v) => self.trace_errors = Some(v.errors),
                Got::App(k, v) => {
                    self.details.insert(k, *v);
                }
                Got::AppLogs(k, v) => {
                    self.logs.insert(k, v.entries);
                }
                Got::Node(n, r) => {
                    self.node_reports.insert(n, *r);
                }
            }
        }
    }

    /// The status Coroot gives an app: applications view, else service map.
    fn status(&self, k: &str) -> Status {
        self.apps
            .iter()
            .flatten()
            .find(|a| key(&a.id) == k)
            .map(|a| a.status)
            .or_else(|| self.map.iter().flatten().find(|a| key(&a.id) == k).map(|a| a.status))
            .or_else(|| self.details.get(k).map(|d| d.app_map.application.status))
            .unwrap_or_default()
    }

    fn map_app(&self, k: &str) -> Option<&MapApplication> {
        self.map.iter().flatten().find(|a| key(&a.id) == k)
    }
}

/// An app id without its cluster part, so 3- and 4-part ids of one app compare equal.
fn key(id: &AppId) -> String {
    match id.parts() {
        Some(p) => format!("{}:{}:{}", p.namespace, p.kind, p.name),
        None => id.as_str().to_string(),
    }
}

fn same(a: &AppId, b: &AppId) -> bool {
    key(a) == key(b)
}

fn window_hours(r: TimeRange) -> f64 {
    (r.to_ms - r.from_ms) as f64 / 3_600_000.0
}

/// Which apps to examine and why.
struct Plan {
    /// Apps examined in detail, entry apps first.
    focus: Vec<AppId>,
    /// What the investigation started from, in words.
    started_from: String,
}

impl Plan {
    fn new(facts: &Facts, given: Option<&AppId>) -> Plan {
        let mut entries: Vec<AppId> = Vec::new();
        let push = |list: &mut Vec<AppId>, id: &AppId| {
            if !id.as_str().is_empty() && !list.iter().any(|x| same(x, id)) {
                list.push(id.clone());
            }
        };
        let incidents: Vec<String> = facts.views.keys().cloned().collect();
        // The app asked for comes first, then each incident's affected app and the failing
        // apps of its propagation map (where Coroot's RCA says the failure went).
        if let Some(id) = given {
            push(&mut entries, id);
        }
        for view in facts.views.values() {
            push(&mut entries, &view.incident.application_id);
            for a in propagation(view).iter().filter(|a| a.status.is_failing()) {
                push(&mut entries, &a.id);
            }
        }
        let started_from = match (given, incidents.is_empty()) {
            (Some(id), true) => format!("application {}", id.short()),
            (Some(id), false) => format!(
                "application {} and its open incident {}",
                id.short(),
                incidents.join(", ")
            ),
            (None, false) => format!(
                "incident{} {}",
                if incidents.len() > 1 { "s" } else { "" },
                incidents.join(", ")
            ),
            (None, true) => String::new(),
        };
        let started_from = if !started_from.is_empty() {
            started_from
        } else {
            // No incident and no app: the failing applications, CRITICAL first.
            let mut failing: Vec<(Status, AppId)> = match &facts.apps {
                Some(apps) => apps
                    .iter()
                    .filter(|a| a.status.is_failing())
                    .map(|a| (a.status, a.id.clone()))
                    .collect(),
                None => facts
                    .map
                    .iter()
                    .flatten()
                    .filter(|a| a.status.is_failing())
                    .map(|a| (a.status, a.id.clone()))
                    .collect(),
            };
            failing.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, id) in failing.iter().take(MAX_APPS) {
                push(&mut entries, id);
            }
            if failing.is_empty() {
                "no open incident and no failing application".into()
            } else {
                format!(
                    "no open incident; the {} application{} in WARNING or CRITICAL",
                    failing.len(),
                    if failing.len() > 1 { "s" } else { "" }
                )
            }
        };

        // Their upstreams, breadth first: a failing link or a failing upstream app may be
        // where the failure starts.
        let mut focus = entries;
        let mut i = 0;
        while i < focus.len() && focus.len() < MAX_APPS {
            let Some(cur) = focus.get(i).map(key) else {
                break;
            };
            if let Some(app) = facts.map_app(&cur) {
                let mut ups: Vec<_> = app
                    .upstreams
                    .iter()
                    .filter(|l| l.status.is_failing() || facts.status(&key(&l.id)).is_failing())
                    .collect();
                ups.sort_by(|a, b| b.status.cmp(&a.status).then(a.id.cmp(&b.id)));
                for l in ups {
                    if focus.len() >= MAX_APPS {
                        break;
                    }
                    let id = best_id(facts, &l.id);
                    push(&mut focus, &id);
                }
            }
            i += 1;
        }
        focus.truncate(MAX_APPS);
        Plan { focus, started_from }
    }
}

/// The 4-part id of an app when some view has it.
fn best_id(facts: &Facts, id: &AppId) -> AppId {
    if id.is_four_part() {
        return id.clone();
    }
    let k = key(id);
    facts
        .apps
        .iter()
        .flatten()
        .map(|a| &a.id)
        .chain(facts.map.iter().flatten().map(|a| &a.id))
        .find(|x| x.is_four_part() && key(x) == k)
        .cloned()
        .unwrap_or_else(|| id.clone())
}

fn propagation(view: &IncidentView) -> &[coroot_client::models::PropagationApp] {
    view.incident
        .rca
        .as_ref()
        .and_then(|r| r.propagation_map.as_ref())
        .map_or(&[], |m| m.applications.as_slice())
}

/// Instances (pod, node) of an app: the Instances table's Node column, else the `host.name`
/// of its log lines.
fn instances(facts: &Facts, k: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(view) = facts.details.get(k) {
        for table in view
            .reports
            .iter()
            .filter(|r| r.name == "Instances")
            .flat_map(|r| r.widgets.iter().filter_map(|w| w.table.as_ref()))
        {
            let Some(node_c) = table.header.iter().position(|h| h == "Node") else {
                continue;
            };
            for row in &table.rows {
                let pod = row
                    .cells
                    .first()
                    .map(|c| c.text())
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| row.id.clone());
                let node = row.cells.get(node_c).map(|c| c.text()).unwrap_or_default();
                out.push((pod, node));
            }
        }
        for i in &view.app_map.instances {
            if !out.iter().any(|(p, _)| *p == i.id) {
                out.push((i.id.clone(), String::new()));
            }
        }
    }
    for e in facts.logs.get(k).into_iter().flatten() {
        if let (Some(pod), Some(node)) = (e.attributes.get("k8s.pod.name"), e.attributes.get("host.name")) {
            match out.iter_mut().find(|(p, _)| p == pod) {
                Some((_, n)) if n.is_empty() => *n = node.clone(),
                Some(_) => {}
                None => out.push((pod.clone(), node.clone())),
            }
        }
    }
    out
}

/// Nodes under the apps examined, those under the entry apps first; down nodes are skipped
/// (they have no metrics to show) and reported from the nodes list instead.
fn nodes_to_check(facts: &Facts, plan: &Plan) -> Vec<String> {
    let down: BTreeSet<&str> = facts
        .nodes
        .iter()
        .flatten()
        .filter(|n| n.status.status.is_failing() && n.status.message.starts_with("down"))
        .map(|n| n.name.as_str())
        .collect();
    let mut out: Vec<String> = Vec::new();
    for id in &plan.focus {
        let k = key(id);
        // Only apps with something wrong: a healthy app's nodes explain nothing.
        if !facts.status(&k).is_failing() {
            continue;
        }
        for (_, node) in instances(facts, &k) {
            if !node.is_empty() && !down.contains(node.as_str()) && !out.contains(&node) {
                out.push(node);
            }
        }
    }
    out.truncate(MAX_NODES);
    out
}

// ───────────────────────────── analysis ─────────────────────────────

/// What `analyse` needs besides the facts.
struct Meta {
    project: String,
    window: Window,
    wide_hours: f64,
    now: i64,
    failed: Vec<String>,
    incident_key: Option<String>,
    given_app: Option<AppId>,
}

/// Kinds of cause, most fundamental first (the order picks a suspect's headline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    NodeDown,
    Oom,
    DiskIo,
    TcpConnect,
    Dns,
    CpuThrottling,
    NodeCpu,
    Memory,
    DiskSpace,
    Connectivity,
    NetworkLatency,
    InstancesDown,
    Restarts,
    Database,
    Runtime,
    Deploy,
    Other,
    Errors,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::NodeDown => "node_down",
            Kind::Oom => "oom",
            Kind::DiskIo => "disk_io",
            Kind::TcpConnect => "tcp_connect",
            Kind::Dns => "dns",
            Kind::CpuThrottling => "cpu_throttling",
            Kind::NodeCpu => "node_cpu",
            Kind::Memory => "memory",
            Kind::DiskSpace => "disk_space",
            Kind::Connectivity => "connectivity",
            Kind::NetworkLatency => "network_latency",
            Kind::InstancesDown => "instances_down",
            Kind::Restarts => "restarts",
            Kind::Database => "database",
            Kind::Runtime => "runtime",
            Kind::Deploy => "deploy",
            Kind::Other => "other",
            Kind::Errors => "errors",
        }
    }

    /// Kinds that the same log or event line supports.
    fn family(self) -> &'static [Kind] {
        match self {
            Kind::Oom | Kind::Memory | Kind::Restarts | Kind::InstancesDown => {
                &[Kind::Oom, Kind::Memory, Kind::Restarts, Kind::InstancesDown]
            }
            Kind::DiskIo | Kind::Database => &[Kind::DiskIo, Kind::Database],
            Kind::TcpConnect | Kind::Connectivity => &[Kind::TcpConnect, Kind::Connectivity],
            Kind::Dns => &[Kind::Dns],
            Kind::CpuThrottling | Kind::NodeCpu => &[Kind::CpuThrottling, Kind::NodeCpu],
            _ => &[],
        }
    }
}

/// The cause a failing check points at; `None` for symptoms (SLO, log errors).
fn check_kind(id: &str) -> Option<Kind> {
    Some(match id {
        "SLOAvailability" | "SLOLatency" | "LogErrors" => return None,
        "MemoryOOM" => Kind::Oom,
        "InstanceRestarts" => Kind::Restarts,
        "InstanceAvailability" => Kind::InstancesDown,
        "CPUContainer" => Kind::CpuThrottling,
        "CPUNode" => Kind::NodeCpu,
        "MemoryPressure" | "MemoryLeakPercent" => Kind::Memory,
        "StorageIOLoad" => Kind::DiskIo,
        "StorageSpace" => Kind::DiskSpace,
        "NetworkTCPConnections" => Kind::TcpConnect,
        "NetworkConnectivity" => Kind::Connectivity,
        "DeploymentStatus" => Kind::Deploy,
        id if id.starts_with("NetworkRTT") => Kind::NetworkLatency,
        id if id.starts_with("Dns") => Kind::Dns,
        id if ["Postgres", "Mysql", "Redis", "Mongodb", "Memcached"]
            .iter()
            .any(|p| id.starts_with(p)) =>
        {
            Kind::Database
        }
        id if ["Jvm", "DotNet", "Python", "Nodejs"].iter().any(|p| id.starts_with(p)) => Kind::Runtime,
        _ => Kind::Other,
    })
}

/// The cause a log line names, from the words runtimes and clients use.
fn log_kind(msg: &str) -> Option<Kind> {
    let m = msg.to_ascii_lowercase();
    let has = |s: &str| m.contains(s);
    if has("out of memory") || has("oomkill") || has("cannot allocate memory") {
        Some(Kind::Oom)
    } else if has("no such host") || has("nxdomain") || has("server misbehaving") {
        Some(Kind::Dns)
    } else if has("connection refused") || has("connect: ") || has("i/o timeout") || has("no route to host") {
        Some(Kind::TcpConnect)
    } else if (has("duration:") && has("statement")) || has("slow query") {
        Some(Kind::Database)
    } else if has("memory usage") {
        Some(Kind::Memory)
    } else {
        None
    }
}

/// A suspect being assembled.
struct Draft {
    app: Option<String>,
    node: Option<String>,
    kinds: BTreeSet<Kind>,
    worst: Status,
    rules: Vec<(String, u32)>,
    evidence: Vec<(u8, Evidence)>,
    deploy: Option<String>,
    targets: Vec<String>,
    device: Option<String>,
}

impl Draft {
    fn new(app: Option<String>, node: Option<String>) -> Draft {
        Draft {
            app,
            node,
            kinds: BTreeSet::new(),
            worst: Status::Unknown,
            rules: Vec::new(),
            evidence: Vec::new(),
            deploy: None,
            targets: Vec::new(),
            device: None,
        }
    }

    fn rule(&mut self, name: impl Into<String>, points: u32) {
        self.rules.push((name.into(), points));
    }

    fn score(&self) -> u32 {
        self.rules.iter().map(|(_, p)| p).sum()
    }

    /// Adds a fact; `prio` orders the evidence (0 first) so truncation keeps what scored.
    fn fact(&mut self, prio: u8, tool: &'static str, item: impl Into<String>, fact: impl AsRef<str>) {
        let e = Evidence {
            source_tool: tool,
            item: item.into(),
            fact: clip(&one_line(fact.as_ref()), FACT_CHARS),
        };
        if !self.evidence.iter().any(|(_, x)| *x == e) {
            self.evidence.push((prio, e));
        }
    }

    fn primary(&self) -> Kind {
        self.kinds
            .iter()
            .copied()
            .find(|k| *k != Kind::Deploy)
            .or_else(|| self.kinds.first().copied())
            .unwrap_or(Kind::Other)
    }
}

/// Log lines of one message pattern.
struct LogGroup {
    severity: String,
    sample: String,
    count: usize,
    first: i64,
    last: i64,
    trace_id: String,
    kind: Option<Kind>,
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "fatal" => 3,
        "error" => 2,
        "warning" => 1,
        _ => 0,
    }
}

/// Groups log lines by message with digits masked, worst severity and largest groups first.
fn log_groups(entries: &[LogEntry]) -> Vec<LogGroup> {
    let mut groups: Vec<(String, LogGroup)> = Vec::new();
    for e in entries {
        let msg = one_line(&e.message);
        let mask: String = msg.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
        let pattern = format!("{}|{}", e.severity, mask);
        match groups.iter_mut().find(|(p, _)| *p == pattern) {
            Some((_, g)) => {
                g.count += 1;
                if e.timestamp < g.first {
                    g.first = e.timestamp;
                }
                if e.timestamp > g.last {
                    g.last = e.timestamp;
                    g.sample = msg.clone();
                }
                if g.trace_id.is_empty() {
                    g.trace_id = e.trace_id.clone();
                }
            }
            None => groups.push((
                pattern,
                LogGroup {
                    severity: e.severity.clone(),
                    kind: log_kind(&msg),
                    sample: msg,
                    count: 1,
                    first: e.timestamp,
                    last: e.timestamp,
                    trace_id: e.trace_id.clone(),
                },
            )),
        }
    }
    let mut out: Vec<LogGroup> = groups.into_iter().map(|(_, g)| g).collect();
    out.sort_by(|a, b| {
        severity_rank(&b.severity)
            .cmp(&severity_rank(&a.severity))
            .then(b.count.cmp(&a.count))
            .then(b.last.cmp(&a.last))
    });
    out
}

/// A K8s event is about an app when its object is one of the app's pods (or the workload), or
/// when the OOM killer names the app's process.
fn event_about(e: &LogEntry, name: &str, pods: &[(String, String)]) -> bool {
    let object = e.attributes.get("object.name").map(String::as_str).unwrap_or_default();
    object == name
        || pods.iter().any(|(p, _)| p == object)
        || object.strip_prefix(name).is_some_and(|rest| rest.starts_with('-'))
        || e.message.contains(&format!("({name})"))
}

fn event_kind(reason: &str) -> Kind {
    match reason {
        "OOMKilling" | "OOMKilled" => Kind::Oom,
        "BackOff" | "CrashLoopBackOff" => Kind::Restarts,
        "Evicted" => Kind::Memory,
        _ => Kind::Other,
    }
}

/// A chart's series peaks: (series name, max, last).
fn peaks(chart: &Chart) -> Vec<(String, f64, f64)> {
    chart
        .series
        .iter()
        .filter_map(|s| {
            let vals: Vec<f64> = s.data.iter().flatten().copied().filter(|v| v.is_finite()).collect();
            let max = vals.iter().copied().fold(f64::NAN, f64::max);
            let last = vals.last().copied()?;
            Some((s.name.clone(), max, last))
        })
        .collect()
}

/// A chart of an app's report: report, title without its unit, the unit, the chart.
struct ChartRef<'a> {
    report: &'a str,
    title: String,
    unit: String,
    chart: &'a Chart,
}

/// Every chart of an app's reports (chart groups flattened, the member's title in brackets).
fn charts(view: &ApplicationView) -> Vec<ChartRef<'_>> {
    // Coroot titles read "<what> <selector>, <unit>".
    let split = |t: &str| -> (String, String) {
        let t = strip_title(t);
        match t.rsplit_once(", ") {
            Some((what, unit)) => (what.trim().to_string(), unit.trim().to_string()),
            None => (t, String::new()),
        }
    };
    let mut out = Vec::new();
    for r in &view.reports {
        for w in &r.widgets {
            if let Some(c) = &w.chart {
                let (title, unit) = split(&c.title);
                out.push(ChartRef {
                    report: &r.name,
                    title,
                    unit,
                    chart: c,
                });
            }
            if let Some(g) = &w.chart_group {
                for c in &g.charts {
                    let (what, unit) = split(&g.title.replace("<selector>", ""));
                    let member = strip_title(&c.title);
                    let title = if member.is_empty() || member == "overview" {
                        what
                    } else {
                        format!("{what} ({member})")
                    };
                    out.push(ChartRef {
                        report: &r.name,
                        title,
                        unit,
                        chart: c,
                    });
                }
            }
        }
    }
    out
}

/// A rate's unit as people write it.
fn rate_unit(unit: &str) -> &'static str {
    match unit {
        "seconds/second" => " s/s",
        _ => "/s",
    }
}

/// Chart titles carry HTML (`<var>`) and a unit after the comma.
fn strip_title(t: &str) -> String {
    let mut out = String::new();
    let mut tag = false;
    for c in t.chars() {
        match c {
            '<' => tag = true,
            '>' => tag = false,
            c if !tag => out.push(c),
            _ => {}
        }
    }
    one_line(&out)
}

/// The text of a service map link's stats, without the emoji.
fn link_text(stats: &[String]) -> String {
    stats
        .iter()
        .map(|s| s.trim_start_matches(|c: char| !c.is_alphanumeric()).trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The app Coroot's RCA points at: the propagation map's root, else the first application
/// named in bold in the root cause, else the first named in the summary.
fn rca_app(view: &IncidentView, names: &BTreeMap<String, String>) -> Option<String> {
    if let Some(root) = propagation_root(view) {
        return Some(key(&root));
    }
    let rca = view.incident.rca.as_ref()?;
    let by_name = |word: &str| names.iter().find(|(_, n)| n.as_str() == word).map(|(k, _)| k.clone());
    let mut parts = rca.root_cause.split("**");
    parts.next();
    for (i, part) in parts.enumerate() {
        if i % 2 == 0
            && let Some(k) = by_name(part.trim())
        {
            return Some(k);
        }
    }
    rca.short_summary
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .find_map(by_name)
}

/// The failing app of the propagation map with no failing upstream on the map.
fn propagation_root(view: &IncidentView) -> Option<AppId> {
    let apps = propagation(view);
    apps.iter()
        .filter(|a| a.status.is_failing())
        .find(|a| {
            !a.upstreams.iter().any(|u| {
                u.status.is_failing()
                    && !same(&u.id, &a.id)
                    && apps.iter().any(|x| same(&x.id, &u.id) && x.status.is_failing())
            })
        })
        .map(|a| a.id.clone())
}

/// The propagation map as a path from its root down to the app that shows the failure.
fn propagation_path(view: &IncidentView) -> Vec<String> {
    let apps = propagation(view);
    let Some(root) = propagation_root(view) else {
        return Vec::new();
    };
    let mut path = vec![key(&root)];
    let mut cur = root;
    while let Some(next) = apps.iter().find(|a| same(&a.id, &cur)).and_then(|a| {
        a.downstreams
            .iter()
            .filter(|d| !path.contains(&key(&d.id)))
            .filter(|d| apps.iter().any(|x| same(&x.id, &d.id) && x.status.is_failing()))
            .max_by_key(|d| d.status)
    }) {
        path.push(key(&next.id));
        cur = next.id.clone();
    }
    path
}

/// From an app, up the service map to where the failure starts: follow the worst upstream
/// that is itself failing, through a failing link, or through any link when the current app
/// has no cause of its own (latency flows through healthy connections). Returned start first.
fn map_path(facts: &Facts, entry: &str, has_cause: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut path = vec![entry.to_string()];
    let mut cur = entry.to_string();
    while let Some(app) = facts.map_app(&cur) {
        let own = has_cause(&cur);
        let next = app
            .upstreams
            .iter()
            .filter(|l| !path.contains(&key(&l.id)))
            .filter(|l| facts.status(&key(&l.id)).is_failing())
            .filter(|l| l.status.is_failing() || !own)
            .max_by(|a, b| {
                a.status
                    .cmp(&b.status)
                    .then(facts.status(&key(&a.id)).cmp(&facts.status(&key(&b.id))))
                    .then(b.id.cmp(&a.id))
            });
        match next {
            Some(l) => {
                cur = key(&l.id);
                path.push(cur.clone());
            }
            None => break,
        }
    }
    path.reverse();
    path
}

#[allow(clippy::too_many_lines)]
fn analyse(facts: &Facts, plan: &Plan, mut meta: Meta) -> Output {
    let now = meta.now;
    // Calls finish in any order; the report should not.
    meta.failed.sort();
    // Names and best ids of every app seen.
    let mut ids: BTreeMap<String, AppId> = BTreeMap::new();
    for id in facts
        .apps
        .iter()
        .flatten()
        .map(|a| &a.id)
        .chain(facts.map.iter().flatten().map(|a| &a.id))
        .chain(plan.focus.iter())
    {
        let k = key(id);
        let better = ids.get(&k).is_none_or(|old| !old.is_four_part() && id.is_four_part());
        if better {
            ids.insert(k, id.clone());
        }
    }
    let names: BTreeMap<String, String> = ids.iter().map(|(k, id)| (k.clone(), id.name().to_string())).collect();
    let short = |k: &str| ids.get(k).map_or_else(|| AppId::new(k).short(), AppId::short);
    let full = |k: &str| ids.get(k).map_or_else(|| k.to_string(), |id| id.to_string());
    let name_of = |k: &str| {
        names
            .get(k)
            .cloned()
            .unwrap_or_else(|| AppId::new(k).name().to_string())
    };
    let focus: Vec<String> = plan.focus.iter().map(key).collect();

    // Failing checks of each app, split into causes and symptoms.
    struct CheckFact {
        report: String,
        title: String,
        status: Status,
        message: String,
        kind: Option<Kind>,
    }
    let mut checks: BTreeMap<String, Vec<CheckFact>> = BTreeMap::new();
    for (k, view) in &facts.details {
        let mut list: Vec<CheckFact> = view
            .reports
            .iter()
            .flat_map(|r| {
                r.checks
                    .iter()
                    .filter(|c| c.status.is_failing())
                    .map(move |c| CheckFact {
                        report: r.name.clone(),
                        title: c.title.clone(),
                        status: c.status,
                        message: c.message.clone(),
                        kind: check_kind(&c.id),
                    })
            })
            .collect();
        list.sort_by(|a, b| b.status.cmp(&a.status).then(a.kind.cmp(&b.kind)));
        checks.insert(k.clone(), list);
    }
    let has_cause = |k: &str| checks.get(k).is_some_and(|l| l.iter().any(|c| c.kind.is_some()));
    let pods: BTreeMap<String, Vec<(String, String)>> =
        focus.iter().map(|k| (k.clone(), instances(facts, k))).collect();
    let groups: BTreeMap<String, Vec<LogGroup>> = facts.logs.iter().map(|(k, v)| (k.clone(), log_groups(v))).collect();
    let app_events: BTreeMap<String, Vec<&LogEntry>> = focus
        .iter()
        .map(|k| {
            let name = name_of(k);
            let p = pods.get(k).map(Vec::as_slice).unwrap_or_default();
            let list = facts
                .events
                .iter()
                .flatten()
                .filter(|e| event_about(e, &name, p))
                .collect();
            (k.clone(), list)
        })
        .collect();
    let events_of = |k: &str| -> Vec<&LogEntry> { app_events.get(k).cloned().unwrap_or_default() };

    // Failure paths: Coroot's propagation maps, else up the service map from each entry.
    let mut paths: Vec<Vec<String>> = Vec::new();
    let mut incident_of_path: Vec<Option<(i64, String)>> = Vec::new();
    for view in facts.views.values() {
        let mut path = propagation_path(view);
        if path.is_empty() {
            path = map_path(facts, &key(&view.incident.application_id), &has_cause);
        }
        if !paths.contains(&path) {
            paths.push(path);
            incident_of_path.push(view.incident.opened_at.map(|o| (o, view.incident.key.clone())));
        }
    }
    if facts.views.is_empty() {
        let entries: Vec<String> = match &meta.given_app {
            Some(id) => vec![key(id)],
            None => focus.iter().filter(|k| facts.status(k).is_failing()).cloned().collect(),
        };
        for e in entries {
            let path = map_path(facts, &e, &has_cause);
            // A path contained in a longer one adds nothing.
            if !paths.iter().any(|p| p.ends_with(&path) || p.starts_with(&path)) {
                paths.retain(|p| !(path.ends_with(p) || path.starts_with(p)));
                paths.push(path);
                incident_of_path.push(None);
            }
        }
        incident_of_path.truncate(paths.len());
    }
    let starts: BTreeSet<String> = paths.iter().filter_map(|p| p.first().cloned()).collect();
    let on_path: BTreeSet<String> = paths.iter().flatten().cloned().collect();
    let rca_apps: BTreeMap<String, String> = facts
        .views
        .iter()
        .filter_map(|(key, v)| rca_app(v, &names).map(|a| (a, key.clone())))
        .collect();

    // First failure signals of each app: error logs and warning events.
    let mut first: BTreeMap<String, (i64, String)> = BTreeMap::new();
    let mut note_first = |k: &str, ms: i64, what: String| {
        if first.get(k).is_none_or(|(t, _)| ms < *t) {
            first.insert(k.to_string(), (ms, what));
        }
    };
    for (k, gs) in &groups {
        for g in gs.iter().filter(|g| severity_rank(&g.severity) >= 2) {
            note_first(
                k,
                g.first,
                format!("{} {} log: {}", short(k), g.severity, clip(&g.sample, 80)),
            );
        }
    }
    for k in &focus {
        for e in events_of(k) {
            let reason = e.attributes.get("event.reason").cloned().unwrap_or_default();
            note_first(k, e.timestamp, format!("Kubernetes event {reason} about {}", short(k)));
        }
    }
    // The first failure of a path is the earliest signal of any app on it, or the incident.
    let path_first = |k: &str| -> Option<(i64, String)> {
        let mut best: Option<(i64, String)> = first.get(k).cloned();
        for (path, opened) in paths.iter().zip(&incident_of_path) {
            if !path.iter().any(|a| a == k) {
                continue;
            }
            for a in path {
                if let Some((t, w)) = first.get(a)
                    && best.as_ref().is_none_or(|(b, _)| t < b)
                {
                    best = Some((*t, w.clone()));
                }
            }
            if let Some((o, key)) = opened
                && best.as_ref().is_none_or(|(b, _)| o < b)
            {
                best = Some((*o, format!("incident {key} opened")));
            }
        }
        best
    };
    let first_failure = focus
        .iter()
        .filter_map(|k| path_first(k))
        .chain(facts.views.values().filter_map(|v| {
            v.incident
                .opened_at
                .map(|o| (o, format!("incident {} opened", v.incident.key)))
        }))
        .min_by_key(|(t, _)| *t)
        .map(|(ms, what)| FirstFailure { at: iso(ms), what, ms });

    // ── suspects of the apps examined
    let mut drafts: Vec<Draft> = Vec::new();
    for k in &focus {
        let mut d = Draft::new(Some(k.clone()), None);
        let name = name_of(k);
        let app_checks = checks.get(k).map(Vec::as_slice).unwrap_or_default();
        let causes: Vec<&CheckFact> = app_checks.iter().filter(|c| c.kind.is_some()).collect();
        if let Some(worst) = causes.iter().map(|c| c.status).max() {
            let pts = if worst == Status::Critical {
                CHECK_CRITICAL
            } else {
                CHECK_WARNING
            };
            d.rule(format!("check {} +{pts}", worst.label()), pts);
            d.worst = worst;
            for c in &causes {
                if let Some(kind) = c.kind {
                    d.kinds.insert(kind);
                }
                d.fact(
                    P_CHECK,
                    "coroot_get_app_detail",
                    format!("{name}: {} / {}", c.report, c.title),
                    format!("{}: {}", c.status.label(), c.message),
                );
            }
        }
        // The dependencies this app fails to reach, for the headline and the evidence.
        if let Some(app) = facts.map_app(k) {
            for l in app.upstreams.iter().filter(|l| l.status.is_failing()) {
                let up = name_of(&key(&l.id));
                d.targets.push(up.clone());
                d.fact(
                    P_LINK,
                    "coroot_get_service_map",
                    format!("{name} → {up}"),
                    format!("{} {}", l.status.label(), link_text(&l.stats)),
                );
            }
            for l in app.downstreams.iter() {
                let client = key(&l.id);
                let link = facts
                    .map_app(&client)
                    .and_then(|c| c.upstreams.iter().find(|u| key(&u.id) == *k));
                if let Some(link) = link.filter(|l| l.status.is_failing()) {
                    d.fact(
                        P_LINK,
                        "coroot_get_service_map",
                        format!("{} → {name}", name_of(&client)),
                        format!("{} {}", link.status.label(), link_text(&link.stats)),
                    );
                }
            }
        }

        // Deployment shortly before the first failure.
        if let Some((ff, _)) = path_first(k) {
            let deploy = facts
                .deployments
                .iter()
                .flatten()
                .filter(|dep| key(&dep.application.id) == *k)
                .filter_map(|dep| dep.started_at_ms().map(|t| (t, dep)))
                .filter(|(t, _)| *t <= ff + DEPLOY_SKEW_MS && ff - *t <= DEPLOY_BEFORE_MS)
                .max_by_key(|(t, _)| *t);
            if let Some((t, dep)) = deploy {
                let before = span_ms((ff - t).max(0));
                d.rule(format!("deploy {before} before the failure +{DEPLOY}"), DEPLOY);
                let bad: Vec<&str> = dep
                    .summary
                    .iter()
                    .filter(|s| s.status.contains('💔'))
                    .map(|s| s.message.as_str())
                    .collect();
                if dep.status.is_failing() || !bad.is_empty() {
                    d.rule(format!("rollout flagged +{DEPLOY_FLAGGED}"), DEPLOY_FLAGGED);
                }
                d.kinds.insert(Kind::Deploy);
                d.deploy = Some(dep.version.clone());
                let mut fact = format!(
                    "deployed {}, {before} before the first failure signal; rollout {}",
                    when(now, t),
                    dep.status.label()
                );
                for b in &bad {
                    fact.push_str(&format!("; {b}"));
                }
                d.fact(
                    P_DEPLOY,
                    "coroot_get_deployments",
                    format!("{name} {}", dep.version),
                    fact,
                );
            }
        }

        // Flagged rows of the app's own tables (e.g. the Storage volume) that back its checks.
        for report in facts.details.get(k).map(|v| v.reports.as_slice()).unwrap_or_default() {
            for flag in node_flags(report) {
                if !d.kinds.iter().any(|dk| dk.family().contains(&flag.kind)) {
                    continue;
                }
                if let Some(dev) = &flag.device {
                    d.device = Some(dev.clone());
                }
                d.fact(
                    P_NODE,
                    "coroot_get_app_detail",
                    format!("{name}: {} / {}", report.name, flag.row),
                    &flag.fact,
                );
            }
        }
        // A volume problem sits on a node: name it when all the app's instances share one.
        if d.kinds.contains(&Kind::DiskIo) || d.kinds.contains(&Kind::DiskSpace) {
            let list = pods.get(k).map(Vec::as_slice).unwrap_or_default();
            let nodes: BTreeSet<&str> = list.iter().map(|(_, n)| n.as_str()).filter(|n| !n.is_empty()).collect();
            if let (1, Some((pod, node))) = (nodes.len(), list.iter().find(|(_, n)| !n.is_empty())) {
                d.node = Some(node.clone());
                d.fact(
                    P_NODE,
                    "coroot_get_app_detail",
                    format!("{name}: Instances / {pod}"),
                    format!("runs on node {node}"),
                );
            }
        }

        // A flagged node resource used by this app.
        for (node, report) in &facts.node_reports {
            for flag in node_flags(report) {
                let used = flag
                    .used_by
                    .iter()
                    .any(|u| pods.get(k).is_some_and(|p| p.iter().any(|(pod, _)| pod == u)));
                if !used {
                    continue;
                }
                if d.kinds.contains(&flag.kind) {
                    d.rule(format!("node confirms +{NODE_CONFIRMS}"), NODE_CONFIRMS);
                } else {
                    d.rule(format!("node flag +{NODE_ONLY}"), NODE_ONLY);
                    d.kinds.insert(flag.kind);
                }
                d.node = Some(node.clone());
                d.device = Some(flag.row.clone());
                d.fact(
                    P_NODE,
                    "coroot_get_node_detail",
                    format!("{node} {} {}", flag.group, flag.row),
                    &flag.fact,
                );
            }
        }

        let is_start = starts.contains(k);
        if d.rules.is_empty() {
            // Only symptoms: a suspect only where the failure path starts.
            if !(is_start && facts.status(k).is_failing()) {
                continue;
            }
            d.rule(
                format!("symptoms at the path start +{SYMPTOMS_AT_START}"),
                SYMPTOMS_AT_START,
            );
            d.kinds.insert(Kind::Errors);
            for c in app_checks {
                d.fact(
                    P_OTHER,
                    "coroot_get_app_detail",
                    format!("{name}: {} / {}", c.report, c.title),
                    format!("{}: {}", c.status.label(), c.message),
                );
            }
        }
        if is_start {
            d.rule(format!("path start +{PATH_START}"), PATH_START);
        } else if on_path.contains(k) {
            d.rule(format!("on the path +{ON_PATH}"), ON_PATH);
        }
        if let Some(incident) = rca_apps.get(k) {
            d.rule(format!("Coroot RCA +{COROOT_RCA}"), COROOT_RCA);
            if let Some(view) = facts.views.get(incident) {
                let rca = view.incident.rca.clone().unwrap_or_default();
                if let Some(p) = propagation(view).iter().find(|a| key(&a.id) == *k) {
                    d.fact(
                        P_RCA,
                        "coroot_get_incident_detail",
                        format!("{incident} propagation map"),
                        format!(
                            "{name} {} is where the failure starts; issues: {}",
                            p.status.label(),
                            p.issues.join(", ")
                        ),
                    );
                }
                let text = [&rca.root_cause, &rca.short_summary]
                    .into_iter()
                    .find(|s| !s.trim().is_empty())
                    .cloned()
                    .unwrap_or_default();
                if !text.is_empty() {
                    d.fact(
                        P_RCA,
                        "coroot_get_incident_detail",
                        format!("{incident} root cause"),
                        text.replace("**", "").replace('`', ""),
                    );
                }
            }
        }
        let events = events_of(k);
        if !events.is_empty() {
            d.rule(format!("K8s events +{EVENTS}"), EVENTS);
            let mut by_reason: Vec<(String, Vec<&LogEntry>)> = Vec::new();
            for e in &events {
                let reason = e.attributes.get("event.reason").cloned().unwrap_or_default();
                match by_reason.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, l)) => l.push(e),
                    None => by_reason.push((reason, vec![e])),
                }
            }
            // Events of the suspect's own kind first.
            by_reason.sort_by_key(|(r, l)| {
                let kind = event_kind(r);
                (!d.kinds.contains(&kind), kind, std::cmp::Reverse(l.len()))
            });
            for (reason, list) in by_reason.iter().take(2) {
                let Some(last) = list.iter().max_by_key(|e| e.timestamp) else {
                    continue;
                };
                let object = format!(
                    "{} {}",
                    last.attributes.get("object.kind").cloned().unwrap_or_default(),
                    last.attributes.get("object.name").cloned().unwrap_or_default()
                );
                d.fact(
                    P_EVENTS,
                    "coroot_get_overview_logs",
                    format!("K8s event {reason} ×{} ({})", list.len(), object.trim()),
                    format!("{} (last {})", last.message, iso(last.timestamp)),
                );
            }
        }
        let own = groups.get(k).map(Vec::as_slice).unwrap_or_default();
        let agree: Vec<&LogGroup> = own
            .iter()
            .filter(|g| {
                g.kind
                    .is_some_and(|lk| d.kinds.iter().any(|dk| dk.family().contains(&lk) || *dk == lk))
            })
            .collect();
        if !agree.is_empty() {
            d.rule(format!("logs agree +{LOGS_AGREE}"), LOGS_AGREE);
        }
        for g in agree
            .iter()
            .copied()
            .chain(own.iter().filter(|g| severity_rank(&g.severity) >= 2))
            .take(2)
        {
            d.fact(
                P_LOGS,
                "coroot_get_app_logs",
                format!("{name} {} ×{}", g.severity, g.count),
                log_fact(g),
            );
        }
        if let Some(errs) = &facts.trace_errors {
            let mine: Vec<&TraceError> = errs
                .iter()
                .filter(|e| e.service_name == name || e.service_name.ends_with(&format!("/{name}")))
                .collect();
            if !mine.is_empty() {
                d.rule(format!("traces +{TRACES}"), TRACES);
            }
            for e in mine.iter().take(2) {
                d.fact(
                    P_TRACES,
                    "coroot_get_traces",
                    format!("error group {} {}", e.service_name, e.span_name),
                    format!(
                        "deepest failing span in {} of error traces: {} · sample trace {}",
                        percent(e.count * 100.0),
                        if e.sample_error.is_empty() {
                            "(no message)"
                        } else {
                            &e.sample_error
                        },
                        e.sample_trace_id
                    ),
                );
            }
        }
        drafts.push(d);
    }

    // Evidence seen from elsewhere: clients' error logs naming a suspect, and network charts
    // (retransmissions, failed connections) toward it.
    for k in &focus {
        let name = name_of(k);
        for g in groups
            .get(k)
            .into_iter()
            .flatten()
            .filter(|g| severity_rank(&g.severity) >= 2)
        {
            if let Some(d) = drafts.iter_mut().find(|d| {
                d.app
                    .as_deref()
                    .is_some_and(|a| a != k && mentions(&g.sample, &name_of(a)))
            }) {
                d.fact(
                    P_OTHER,
                    "coroot_get_app_logs",
                    format!("{name} {} ×{}", g.severity, g.count),
                    log_fact(g),
                );
            }
        }
        let Some(view) = facts.details.get(k) else {
            continue;
        };
        for ChartRef {
            report,
            title,
            unit,
            chart,
        } in charts(view)
        {
            let lower = title.to_ascii_lowercase();
            let (kind, min) = if lower.contains("retransmi") {
                (Kind::TcpConnect, 1.0)
            } else if lower.contains("failed tcp") {
                (Kind::TcpConnect, 0.01)
            } else if lower.contains("throttled") {
                (Kind::CpuThrottling, 0.05)
            } else {
                continue;
            };
            for (series, max, last) in peaks(chart) {
                // NaN (no data) compares false and is skipped with the small values.
                if max.partial_cmp(&min).is_none_or(|o| o == std::cmp::Ordering::Less) {
                    continue;
                }
                let target = series.trim_start_matches('→').to_string();
                let u = rate_unit(&unit);
                let fact = format!("peak {}{u}, last {}{u}", num(max), num(last));
                let item = if series.starts_with('→') {
                    format!("{name}: {report} / {title} {series}")
                } else {
                    format!("{name}: {report} / {title}")
                };
                // Throttling belongs to the app; a connection problem to its source if that is
                // a suspect of this kind, else to the upstream it points at.
                let holder = drafts.iter().position(|d| {
                    d.app.as_deref() == Some(k.as_str())
                        && (d.kinds.contains(&kind)
                            || (kind == Kind::TcpConnect && d.kinds.contains(&Kind::Connectivity)))
                });
                let holder = holder.or_else(|| {
                    (kind == Kind::TcpConnect)
                        .then(|| {
                            drafts
                                .iter()
                                .position(|d| d.app.as_deref().is_some_and(|a| name_of(a) == target))
                        })
                        .flatten()
                });
                if let Some(d) = holder.and_then(|i| drafts.get_mut(i)) {
                    d.fact(P_NET, "coroot_get_app_detail", item, fact);
                }
            }
        }
    }

    // ── node suspects not tied to an app suspect
    let focus_nodes: BTreeMap<String, Vec<String>> = {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, list) in &pods {
            for (_, node) in list.iter().filter(|(_, n)| !n.is_empty()) {
                let apps = m.entry(node.clone()).or_default();
                if !apps.contains(k) {
                    apps.push(k.clone());
                }
            }
        }
        m
    };
    for (node, report) in &facts.node_reports {
        for flag in node_flags(report) {
            let taken = drafts
                .iter()
                .any(|d| d.node.as_deref() == Some(node.as_str()) && d.device.as_deref() == Some(flag.row.as_str()));
            if taken {
                continue;
            }
            let mut d = Draft::new(None, Some(node.clone()));
            d.kinds.insert(flag.kind);
            d.worst = flag.status;
            d.device = Some(flag.row.clone());
            d.rule(format!("node flag +{NODE_ONLY}"), NODE_ONLY);
            d.fact(
                P_NODE,
                "coroot_get_node_detail",
                format!("{node} {} {}", flag.group, flag.row),
                &flag.fact,
            );
            drafts.push(d);
        }
    }
    for n in facts.nodes.iter().flatten().filter(|n| n.status.status.is_failing()) {
        let mut d = Draft::new(None, Some(n.name.clone()));
        d.kinds.insert(Kind::NodeDown);
        d.worst = n.status.status;
        let under: Vec<String> = focus_nodes
            .get(&n.name)
            .map(|apps| apps.iter().map(|a| short(a)).collect())
            .unwrap_or_default();
        if under.is_empty() {
            d.rule(
                format!("no investigated app on it +{NODE_DOWN_ELSEWHERE}"),
                NODE_DOWN_ELSEWHERE,
            );
        } else {
            d.rule(
                format!("runs {} +{NODE_DOWN_UNDER_APPS}", under.join(", ")),
                NODE_DOWN_UNDER_APPS,
            );
        }
        d.fact(
            P_CHECK,
            "coroot_get_nodes",
            n.name.clone(),
            format!("{}: {}", n.status.status.label(), n.status.message),
        );
        for e in facts
            .events
            .iter()
            .flatten()
            .filter(|e| e.attributes.get("object.name") == Some(&n.name))
            .take(2)
        {
            let reason = e.attributes.get("event.reason").cloned().unwrap_or_default();
            d.fact(
                P_EVENTS,
                "coroot_get_overview_logs",
                format!("K8s event {reason}"),
                &e.message,
            );
        }
        drafts.push(d);
    }

    // ── rank
    drafts.sort_by(|a, b| {
        b.score()
            .cmp(&a.score())
            .then(b.worst.cmp(&a.worst))
            .then(a.primary().cmp(&b.primary()))
            .then(a.app.cmp(&b.app))
            .then(a.node.cmp(&b.node))
    });
    let suspects: Vec<Suspect> = drafts
        .into_iter()
        .enumerate()
        .map(|(i, mut d)| {
            d.evidence.sort_by_key(|(prio, _)| *prio);
            d.evidence = keep_evidence(std::mem::take(&mut d.evidence));
            Suspect {
                rank: i + 1,
                cause: cause_text(&d, &short),
                kind: d.primary().name(),
                signals: d.kinds.iter().map(|k| k.name()).collect(),
                app: d.app.as_deref().map(&full),
                node: d.node.clone(),
                score: d.score(),
                score_rules: d.rules.iter().map(|(r, _)| r.clone()).collect(),
                evidence: d.evidence.into_iter().map(|(_, e)| e).collect(),
            }
        })
        .collect();

    // ── symptoms, risks, healthy, next
    let mut symptoms = Vec::new();
    for k in &focus {
        for c in checks.get(k).into_iter().flatten().filter(|c| c.report == "SLO") {
            symptoms.push(Evidence {
                source_tool: "coroot_get_app_detail",
                item: format!("{}: SLO / {}", name_of(k), c.title),
                fact: format!("{} {}", c.status.label(), one_line(&c.message)),
            });
        }
    }
    symptoms.truncate(4);
    let risks: Vec<String> = facts
        .risks
        .iter()
        .flatten()
        .filter(|r| r.dismissal.is_none() && r.severity.is_failing())
        .filter(|r| focus.contains(&key(&r.application_id)))
        .take(4)
        .map(|r| {
            format!(
                "{} {} {}",
                short(&key(&r.application_id)),
                r.key.risk_type,
                r.severity.label()
            )
        })
        .collect();

    let healthy = healthy_list(
        facts,
        &focus,
        &checks.iter().map(|(k, v)| (k.clone(), v.len())).collect(),
        &suspects,
        &short,
        &meta,
        &groups,
        &app_events,
    );

    let incidents: Vec<IncidentOut> = facts
        .views
        .values()
        .map(|v| {
            let i = &v.incident;
            IncidentOut {
                key: i.key.clone(),
                application_id: i.application_id.to_string(),
                severity: i.severity.into(),
                open: i.is_open(),
                opened_at: i.opened_at.map(iso),
                impact_percent: i.impact,
                rca_summary: i
                    .rca
                    .as_ref()
                    .map(|r| r.short_summary.clone())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| i.short_description.clone()),
                opened_ms: i.opened_at,
            }
        })
        .collect();

    let anything_failing = !incidents.is_empty()
        || focus.iter().any(|k| facts.status(k).is_failing())
        || facts.nodes.iter().flatten().any(|n| n.status.status.is_failing());
    let verdict = verdict(
        &suspects,
        anything_failing,
        &meta.failed,
        facts,
        &focus,
        &short,
        meta.given_app.as_ref(),
    );
    let next_calls = next_calls(&suspects, facts, &ids, &meta, &groups);

    let mut started_from = plan.started_from.clone();
    started_from.push_str(&format!(
        " (incidents and deployments searched over the last {})",
        crate::format::hours(meta.wide_hours)
    ));
    if meta.incident_key.is_none() && meta.given_app.is_none() {
        // Coroot lists the newest incidents whatever the window: count those in it.
        let from = now - (meta.wide_hours * 3_600_000.0) as i64;
        let resolved = facts
            .incidents
            .iter()
            .flatten()
            .filter(|i| i.resolved_at.is_some_and(|r| r >= from))
            .count();
        if resolved > 0 {
            started_from.push_str(&format!("; {resolved} resolved incident(s) not investigated"));
        }
    }
    let window_start = now - (meta.window.lookback_hours * 3_600_000.0) as i64;
    for i in &incidents {
        if let Some(o) = i.opened_ms.filter(|o| *o < window_start) {
            started_from.push_str(&format!(
                "; note: incident {} opened before this window, pass lookback_hours={} to cover its start",
                i.key,
                ((now - o) as f64 / 3_600_000.0).ceil() + 1.0
            ));
        }
    }

    Output {
        project: meta.project,
        window: meta.window,
        started_from,
        verdict,
        incidents,
        paths: paths
            .iter()
            .filter(|p| p.len() > 1)
            .map(|p| p.iter().map(|k| full(k)).collect())
            .collect(),
        first_failure,
        suspects,
        symptoms,
        risks,
        healthy,
        could_not_check: meta.failed,
        next_calls,
    }
}

/// At most `EVIDENCE` facts, but always the first of each kind, so every scoring rule keeps
/// the fact behind it.
fn keep_evidence(list: Vec<(u8, Evidence)>) -> Vec<(u8, Evidence)> {
    let mut seen = BTreeSet::new();
    let mut keep: Vec<bool> = list.iter().map(|(p, _)| seen.insert(*p)).collect();
    let mut budget = EVIDENCE.saturating_sub(keep.iter().filter(|k| **k).count());
    for k in keep.iter_mut().filter(|k| !**k) {
        if budget == 0 {
            break;
        }
        *k = true;
        budget -= 1;
    }
    list.into_iter().zip(keep).filter_map(|(e, k)| k.then_some(e)).collect()
}

/// True when `text` names `word` as a whole word.
fn mentions(text: &str, word: &str) -> bool {
    !word.is_empty()
        && text
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .any(|w| w == word)
}

fn log_fact(g: &LogGroup) -> String {
    let mut fact = format!("{} (last {})", clip(&g.sample, 160), iso(g.last));
    if !g.trace_id.is_empty() {
        fact.push_str(&format!(" · trace {}", g.trace_id));
    }
    fact
}

/// A flagged row of a node's report table.
struct NodeFlag {
    group: String,
    row: String,
    device: Option<String>,
    used_by: Vec<String>,
    kind: Kind,
    status: Status,
    fact: String,
}

/// The cells Coroot flags WARNING or CRITICAL in a node's tables, plus its failing checks.
fn node_flags(report: &AuditReport) -> Vec<NodeFlag> {
    let mut out = Vec::new();
    for w in &report.widgets {
        let Some(table) = &w.table else {
            continue;
        };
        let group = w.group.clone().unwrap_or_default();
        // App reports have no widget groups: the report name says what the table is about.
        let topic = if group.is_empty() {
            report.name.to_ascii_lowercase()
        } else {
            group.to_ascii_lowercase()
        };
        for row in &table.rows {
            let flagged: Vec<(String, String, Status)> = row
                .cells
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let st = c.status.filter(|s| s.is_failing())?;
                    Some((table.header.get(i).cloned().unwrap_or_default(), c.text(), st))
                })
                .collect();
            let Some(worst) = flagged.iter().map(|f| f.2).max() else {
                continue;
            };
            let name = row.cells.first().map(|c| c.text()).unwrap_or_else(|| row.id.clone());
            let used_by: Vec<String> = table
                .header
                .iter()
                .position(|h| h == "Used by")
                .and_then(|i| row.cells.get(i))
                .map(|c| {
                    if c.values.is_empty() {
                        vec![c.value.clone()]
                    } else {
                        c.values.clone()
                    }
                })
                .unwrap_or_default()
                .into_iter()
                .filter(|v| !v.is_empty())
                .collect();
            let device = table
                .header
                .iter()
                .position(|h| h == "Device")
                .and_then(|i| row.cells.get(i))
                .map(|c| c.text())
                .filter(|d| !d.is_empty());
            let cols = flagged
                .iter()
                .map(|(h, _, _)| h.to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            let g = topic.as_str();
            let kind = if cols.contains("space") {
                Kind::DiskSpace
            } else if cols.contains("i/o") || g.contains("disk") || g.contains("storage") {
                Kind::DiskIo
            } else if ["postgres", "mysql", "redis", "mongodb", "memcached"]
                .iter()
                .any(|db| g.contains(db))
            {
                Kind::Database
            } else if g.contains("dns") {
                Kind::Dns
            } else if g.contains("cpu") || cols.contains("cpu") {
                Kind::NodeCpu
            } else if g.contains("memory") || cols.contains("memory") {
                Kind::Memory
            } else {
                Kind::Other
            };
            let mut fact = flagged
                .iter()
                .map(|(h, v, _)| format!("{h} {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            fact.push_str(&format!(" ({})", worst.label()));
            if !used_by.is_empty() {
                fact.push_str(&format!("; used by {}", used_by.join(", ")));
            }
            out.push(NodeFlag {
                group: if group.is_empty() {
                    "table".into()
                } else {
                    group.clone()
                },
                row: name,
                device,
                used_by,
                kind,
                status: worst,
                fact,
            });
        }
    }
    out
}

/// The headline of a suspect, from its main kind.
fn cause_text(d: &Draft, short: &dyn Fn(&str) -> String) -> String {
    let app = d.app.as_deref().map(short).unwrap_or_default();
    let node = d.node.clone().unwrap_or_default();
    let on_node = match (&d.device, d.node.is_some()) {
        (Some(dev), true) => format!(" ({dev} on {node})"),
        (None, true) => format!(" (on {node})"),
        _ => String::new(),
    };
    let targets = if d.targets.is_empty() {
        "an upstream".to_string()
    } else {
        d.targets.join(", ")
    };
    let mut text = match (d.primary(), d.app.is_some()) {
        (Kind::NodeDown, _) => format!("Node {node} is down"),
        (Kind::Oom, _) => format!("OOM kills of {app}"),
        (Kind::DiskIo, true) => format!("Disk I/O saturation under {app}{on_node}"),
        (Kind::DiskIo, false) => format!(
            "Disk I/O saturation of {} on node {node}",
            d.device.clone().unwrap_or_default()
        ),
        (Kind::TcpConnect, _) => format!("{app} fails to connect (TCP) to {targets}"),
        (Kind::Connectivity, _) => format!("{app} cannot reach {targets}"),
        (Kind::Dns, _) => format!("DNS errors in {app}"),
        (Kind::CpuThrottling, _) => format!("CPU shortage/throttling of {app}"),
        (Kind::NodeCpu, true) => format!("Node CPU saturation under {app}{on_node}"),
        (Kind::NodeCpu, false) => format!("CPU saturation of node {node}"),
        (Kind::Memory, true) => format!("Memory pressure in {app}{on_node}"),
        (Kind::Memory, false) => format!("Memory pressure on node {node}"),
        (Kind::DiskSpace, true) => format!("Disk space of {app}{on_node}"),
        (Kind::DiskSpace, false) => format!("Disk space on node {node}"),
        (Kind::NetworkLatency, _) => format!("High network RTT from {app}"),
        (Kind::InstancesDown, _) => format!("Unavailable instances of {app}"),
        (Kind::Restarts, _) => format!("Container restarts of {app}"),
        (Kind::Database, _) => format!("Slow or failing database {app}"),
        (Kind::Runtime, _) => format!("Runtime trouble in {app}"),
        (Kind::Deploy, _) => format!("Deployment of {app}"),
        (Kind::Errors, _) => format!("Failures starting in {app} without a failing resource check"),
        (Kind::Other, true) => format!("Failing checks of {app}"),
        (Kind::Other, false) => format!("Flagged resource on node {node}"),
    };
    if let Some(v) = &d.deploy {
        if d.primary() == Kind::Deploy {
            text = format!("Deployment {v} of {app}");
        } else {
            text.push_str(&format!(" after deployment {v}"));
        }
    }
    text
}

#[allow(clippy::too_many_arguments)]
fn healthy_list(
    facts: &Facts,
    focus: &[String],
    failing_checks: &BTreeMap<String, usize>,
    suspects: &[Suspect],
    short: &dyn Fn(&str) -> String,
    meta: &Meta,
    groups: &BTreeMap<String, Vec<LogGroup>>,
    app_events: &BTreeMap<String, Vec<&LogEntry>>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(list) = &facts.incidents
        && !list.iter().any(Incident::is_open)
    {
        out.push(format!(
            "incidents (none open in the last {})",
            crate::format::hours(meta.wide_hours)
        ));
    }
    if let Some(apps) = &facts.apps {
        let ok = apps.iter().filter(|a| !a.status.is_failing()).count();
        if apps.is_empty() {
            out.push("applications (Coroot lists none)".into());
        } else if ok == apps.len() {
            out.push(format!("applications (all {ok} OK)"));
        } else if ok > 0 {
            out.push(format!("{ok} of {} applications OK", apps.len()));
        }
    }
    let ok_apps: Vec<String> = focus
        .iter()
        .filter(|k| facts.details.contains_key(*k) && failing_checks.get(*k).is_none_or(|n| *n == 0))
        .map(|k| short(k))
        .collect();
    if !ok_apps.is_empty() {
        out.push(format!("checks of {} (all OK)", ok_apps.join(", ")));
    }
    let quiet: Vec<String> = focus
        .iter()
        .filter(|k| facts.logs.contains_key(*k))
        .filter(|k| {
            groups
                .get(*k)
                .is_none_or(|g| g.iter().all(|g| severity_rank(&g.severity) < 2))
        })
        .map(|k| short(k))
        .collect();
    if !quiet.is_empty() {
        out.push(format!("error logs of {} (none)", quiet.join(", ")));
    }
    if let Some(nodes) = &facts.nodes {
        let up = nodes.iter().filter(|n| !n.status.status.is_failing()).count();
        if up == nodes.len() && up > 0 {
            out.push(format!("nodes (all {up} up)"));
        } else if up > 0 {
            out.push(format!("{up} of {} nodes up", nodes.len()));
        }
    }
    let clean: Vec<&str> = facts
        .node_reports
        .iter()
        .filter(|(_, r)| node_flags(r).is_empty())
        .map(|(n, _)| n.as_str())
        .collect();
    if !clean.is_empty() {
        out.push(format!("node detail of {} (nothing flagged)", clean.join(", ")));
    }
    if let Some(deps) = &facts.deployments {
        let correlated = suspects.iter().any(|s| s.signals.contains(&"deploy"));
        if deps.is_empty() {
            out.push(format!(
                "deployments (none in the last {})",
                crate::format::hours(meta.wide_hours)
            ));
        } else if !correlated && !focus.is_empty() {
            out.push(format!(
                "deployments ({} in the last {}, none of these apps in the 6h before the failure)",
                deps.len(),
                crate::format::hours(meta.wide_hours)
            ));
        } else if !correlated {
            out.push(format!(
                "deployments ({} in the last {})",
                deps.len(),
                crate::format::hours(meta.wide_hours)
            ));
        }
    }
    if let Some(events) = &facts.events {
        if events.is_empty() {
            out.push("Kubernetes events (no warnings)".into());
        } else if app_events.values().all(Vec::is_empty) {
            out.push(format!(
                "Kubernetes events ({} warnings, none about these apps)",
                events.len()
            ));
        }
    }
    if let Some(errs) = &facts.trace_errors
        && errs.is_empty()
    {
        out.push("traces (no error traces)".into());
    }
    if let Some(risks) = &facts.risks
        && !risks.iter().any(|r| r.dismissal.is_none() && r.severity.is_failing())
    {
        out.push("risks (none)".into());
    }
    out
}

fn verdict(
    suspects: &[Suspect],
    anything_failing: bool,
    failed: &[String],
    facts: &Facts,
    focus: &[String],
    short: &dyn Fn(&str) -> String,
    given: Option<&AppId>,
) -> String {
    match suspects.first() {
        Some(top) if top.score >= CLEAR_SCORE => {
            let mut v = format!("most likely {} (score {}", top.cause, top.score);
            if let Some(second) = suspects.get(1) {
                v.push_str(&format!("; next {}", second.score));
            }
            v.push_str(").");
            v
        }
        Some(top) => format!(
            "no clear root cause; the strongest signal is {} (score {}).",
            top.cause, top.score
        ),
        None if anything_failing => {
            let failing: Vec<String> = focus
                .iter()
                .filter(|k| facts.status(k).is_failing())
                .map(|k| short(k))
                .collect();
            format!(
                "{} failing, but no cause signal was found in checks, deployments, events, logs or nodes; see the next calls.",
                if failing.is_empty() {
                    "something is".into()
                } else {
                    format!("{} is", failing.join(", "))
                }
            )
        }
        None if failed.is_empty() => {
            let apps = facts.apps.as_deref().unwrap_or_default();
            let nodes = facts.nodes.as_deref().unwrap_or_default();
            if apps.is_empty() && nodes.is_empty() {
                return "nothing to investigate: Coroot sees no application and no node in this project (is its node agent installed?).".into();
            }
            let mut parts = Vec::new();
            match given {
                Some(id) => parts.push(format!("{} has no failing check and no open incident", id.short())),
                None => parts.push("no open incident".to_string()),
            }
            let ok = apps.iter().filter(|a| !a.status.is_failing()).count();
            if ok == apps.len() {
                parts.push(format!("all {ok} applications OK"));
            } else {
                parts.push(format!("{ok} of {} applications OK", apps.len()));
            }
            let up = nodes.iter().filter(|n| !n.status.status.is_failing()).count();
            if up == nodes.len() {
                parts.push(format!("all {up} nodes up"));
            } else {
                parts.push(format!("{up} of {} nodes up", nodes.len()));
            }
            format!("nothing is wrong: {}.", parts.join(", "))
        }
        None => format!(
            "nothing wrong found in what could be checked, but {} check(s) failed (see Could not check).",
            failed.len()
        ),
    }
}

fn next_calls(
    suspects: &[Suspect],
    facts: &Facts,
    ids: &BTreeMap<String, AppId>,
    meta: &Meta,
    groups: &BTreeMap<String, Vec<LogGroup>>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(top) = suspects.first() else {
        out.push("coroot_get_incidents(lookback_hours=168) for older incidents".into());
        out.push("coroot_get_overview_logs(severity='error', limit=50) for errors anywhere".into());
        if !meta.failed.is_empty() {
            out.push("retry coroot_investigate() for the checks that failed".into());
        }
        return out;
    };
    let app = top.app.as_deref().map(AppId::new);
    let selector = app.as_ref().and_then(|a| {
        (!a.namespace().is_empty()).then(|| format!("{{container_id=~\"/k8s/{}/{}-.*\"}}", a.namespace(), a.name()))
    });
    let metric = |m: &str, f: &str| {
        selector
            .as_ref()
            .map(|s| format!("coroot_query_metrics(promql='{f}({m}{s}[5m])')"))
    };
    match top.kind {
        "oom" => out.extend(
            selector
                .as_ref()
                .map(|s| format!("coroot_query_metrics(promql='increase(container_oom_kills_total{s}[1h])')")),
        ),
        "tcp_connect" | "connectivity" => out.extend(metric("container_net_tcp_failed_connects_total", "rate")),
        "dns" => out.extend(metric("container_dns_requests_total", "rate")),
        "cpu_throttling" => out.extend(metric("container_resources_cpu_throttled_seconds_total", "rate")),
        _ => {}
    }
    if let Some(node) = &top.node {
        out.push(format!("coroot_get_node_detail(node_name='{node}')"));
    }
    if let Some(a) = &app {
        out.push(format!("coroot_get_app_logs(app_id='{a}', severity='error')"));
        if (top.kind == "tcp_connect" || top.kind == "connectivity")
            && let Some(target) = facts
                .map_app(&key(a))
                .and_then(|m| m.upstreams.iter().find(|l| l.status.is_failing()))
        {
            let id = ids.get(&key(&target.id)).cloned().unwrap_or_else(|| target.id.clone());
            out.push(format!("coroot_get_app_detail(app_id='{id}') for the upstream"));
        }
    }
    // A trace through the suspect: from its own error logs, else from clients' logs naming it,
    // else the sample of its error-trace group.
    let trace = app.as_ref().and_then(|a| {
        let own = groups.get(&key(a)).into_iter().flatten();
        let others = groups.values().flatten().filter(|g| mentions(&g.sample, a.name()));
        own.chain(others)
            .find(|g| !g.trace_id.is_empty())
            .map(|g| g.trace_id.clone())
            .or_else(|| {
                facts
                    .trace_errors
                    .iter()
                    .flatten()
                    .find(|e| e.service_name == a.name() && !e.sample_trace_id.is_empty())
                    .map(|e| e.sample_trace_id.clone())
            })
    });
    if let Some(t) = trace {
        out.push(format!("coroot_get_traces(trace_id='{t}')"));
    }
    if let Some(key) = facts.views.keys().next() {
        out.push(format!("coroot_get_incident_detail(incident_key='{key}')"));
    }
    out.truncate(4);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit;
    use coroot_sim::Scenario;
    use serde_json::{Value, json};

    fn top(out: &crate::ToolOutput) -> &Value {
        &out.structured["suspects"][0]
    }

    fn cites(s: &Value, tool: &str, item: &str) -> bool {
        s["evidence"].as_array().is_some_and(|ev| {
            ev.iter()
                .any(|e| e["source_tool"] == tool && e["item"].as_str().is_some_and(|i| i.contains(item)))
        })
    }

    #[tokio::test]
    async fn oom_after_deploy_ranks_the_payment_oom_and_its_deploy_first() {
        let kit = testkit::start(Scenario::oom_after_deploy()).await;
        let out = testkit::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "oom", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:payment");
        assert!(
            s["cause"]
                .as_str()
                .unwrap()
                .contains("after deployment 7d9f8b6c5: payment:2.4.1"),
            "{}",
            out.text
        );
        assert!(cites(s, "coroot_get_app_detail", "payment: Memory / Out of Memory"));
        assert!(cites(s, "coroot_get_deployments", "payment 7d9f8b6c5: payment:2.4.1"));
        assert!(cites(s, "coroot_get_overview_logs", "K8s event OOMKilling"));
        assert!(cites(s, "coroot_get_incident_detail", "q8w7e6r5"));
        assert!(
            out.text
                .contains("Failure path (failure flows →): default/payment → default/checkout → default/frontend"),
            "{}",
            out.text
        );
        assert!(out.text.contains("Started from: incident q8w7e6r5"), "{}", out.text);
        assert!(out.text.chars().count() < 10_000, "{}", out.text.len());
    }

    #[tokio::test]
    async fn tcp_connect_failures_rank_catalog_to_postgres_first() {
        let kit = testkit::start(Scenario::tcp_connect_failures()).await;
        let out = testkit::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "tcp_connect", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:catalog");
        assert!(s["cause"].as_str().unwrap().contains("to postgres"), "{}", out.text);
        assert!(cites(s, "coroot_get_app_detail", "catalog: Net / TCP connections"));
        assert!(cites(s, "coroot_get_service_map", "catalog → postgres"));
        assert!(cites(s, "coroot_get_app_logs", "catalog error"));
        assert!(out.text.contains("connection refused"), "{}", out.text);
        // The upstream itself is healthy, and the report says so.
        assert!(out.text.contains("checks of default/postgres (all OK)"), "{}", out.text);
        assert!(out.text.chars().count() < 10_000);
    }

    #[tokio::test]
    async fn node_disk_saturation_ranks_postgres_volume_on_node_3_first() {
        let kit = testkit::start(Scenario::node_disk_saturation()).await;
        let out = testkit::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "disk_io", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:StatefulSet:postgres");
        assert_eq!(s["node"], "node-3");
        assert!(cites(s, "coroot_get_app_detail", "postgres: Storage / Disk I/O load"));
        assert!(cites(s, "coroot_get_node_detail", "node-3 Disks /dev/nvme1n1"));
        assert!(out.text.contains("Latency 120 ms"), "{}", out.text);
        assert!(out.text.chars().count() < 10_000);
    }

    #[tokio::test]
    async fn a_slow_call_times_out_alone() {
        let mut kit = testkit::start(Scenario::oom_after_deploy()).await;
        let mut config = coroot_client::ClientConfig::new(kit.sim.base_url()).with_password("admin", "sim-password");
        config.timeout = Duration::from_secs(1);
        kit.ctx.client = coroot_client::Client::new(config).unwrap();
        kit.sim.inject(coroot_sim::FaultRule {
            path_contains: "/overview/risks".into(),
            fault: coroot_sim::Fault::Latency(Duration::from_secs(3)),
            times: None,
        });
        let started = std::time::Instant::now();
        let out = testkit::run::<Investigate>(&kit, json!({})).await;
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "{:?}",
            started.elapsed()
        );
        assert!(
            out.text.contains("Could not check: risks: no answer within 900ms"),
            "{}",
            out.text
        );
        assert_eq!(top(&out)["kind"], "oom");
    }

    #[tokio::test]
    async fn a_healthy_cluster_is_reported_as_healthy() {
        let kit = testkit::start(Scenario::healthy()).await;
        let out = testkit::run::<Investigate>(&kit, json!({})).await;
        assert_eq!(out.structured["suspects"].as_array().unwrap().len(), 0, "{}", out.text);
        assert!(
            out.text.contains("Verdict: nothing is wrong: no open incident"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("Checked and healthy: incidents (none open"),
            "{}",
            out.text
        );
        assert!(out.text.contains("nodes (all 4 up)"), "{}", out.text);
        assert!(!out.text.contains("Could not check"), "{}", out.text);
        let out = testkit::run::<Investigate>(&kit, json!({"app_id": "catalog"})).await;
        assert!(
            out.text
                .contains("Verdict: nothing is wrong: default/catalog has no failing check and no open incident"),
            "{}",
            out.text
        );
        assert!(out.text.contains("checks of default/catalog (all OK)"), "{}", out.text);
    }

    #[tokio::test]
    async fn ecommerce_ranks_the_payment_oom_after_deploy_first() {
        let kit = testkit::ecommerce().await;
        let out = testkit::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "oom", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:payment");
        assert!(s["cause"].as_str().unwrap().contains("payment:2.4.1"));
        let second = out.structured["suspects"][1]["score"].as_u64().unwrap();
        assert!(s["score"].as_u64().unwrap() > second, "{}", out.text);
        assert!(out.text.chars().count() < 10_000, "{}", out.text.len());
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn an_incident_key_start_investigates_that_incident() {
        let kit = testkit::start(Scenario::node_disk_saturation()).await;
        let out = testkit::run::<Investigate>(&kit, json!({"incident_key": "a1b2c3d4"})).await;
        assert!(out.text.contains("Started from: incident a1b2c3d4"), "{}", out.text);
        assert_eq!(top(&out)["kind"], "disk_io");
        assert!(cites(top(&out), "coroot_get_incident_detail", "a1b2c3d4"));
        let err = testkit::run_err::<Investigate>(&kit, json!({"incident_key": "nope1234"})).await;
        assert!(err.contains("coroot_get_incidents"), "{err}");
    }

    #[tokio::test]
    async fn an_app_id_start_follows_the_failure_upstream() {
        let kit = testkit::start(Scenario::tcp_connect_failures()).await;
        let out = testkit::run::<Investigate>(&kit, json!({"app_id": "catalog"})).await;
        assert!(
            out.text.contains("Started from: application default/catalog"),
            "{}",
            out.text
        );
        let s = top(&out);
        assert_eq!(s["kind"], "tcp_connect");
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:catalog");
        let sent: Vec<String> = kit.sim.requests().into_iter().map(|r| r.path).collect();
        assert!(
            sent.iter().any(|p| p.contains("/app/") && p.contains("postgres")),
            "the failing upstream is examined"
        );
    }

    #[tokio::test]
    async fn a_failed_call_is_reported_and_the_ranking_stands() {
        let kit = testkit::start(Scenario::node_disk_saturation()).await;
        kit.sim.inject(coroot_sim::FaultRule {
            path_contains: "/node/".into(),
            fault: coroot_sim::Fault::Status {
                code: 500,
                body: "boom".into(),
            },
            times: None,
        });
        let out = testkit::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "disk_io", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:StatefulSet:postgres");
        assert!(
            out.text.contains("node detail node-3: Coroot returned HTTP 500"),
            "{}",
            out.text
        );
        assert!(out.text.contains("boom"), "{}", out.text);
        assert!(!out.structured["could_not_check"].as_array().unwrap().is_empty());
    }

    #[tokio::test]
    async fn progress_is_reported_as_steps_finish() {
        let mut kit = testkit::start(Scenario::oom_after_deploy()).await;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        kit.ctx.progress = Some(std::sync::Arc::new(move |done, total, msg| {
            sink.lock().unwrap().push((done, total, msg));
        }));
        testkit::run::<Investigate>(&kit, json!({})).await;
        let seen = seen.lock().unwrap();
        assert!(seen.len() >= 10, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "progress only grows");
        assert!(seen.iter().any(|(_, _, m)| m.starts_with("app detail default/payment")));
    }
}
