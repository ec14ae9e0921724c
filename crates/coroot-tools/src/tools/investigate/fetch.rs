//! What an investigation reads from Coroot: the workflow's calls, run concurrently in rounds,
//! each with its own timeout. A call that fails or times out becomes a "could not check" line,
//! never a failed tool; what the calls return is gathered in [`Facts`].

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use coroot_client::models::{
    AppLogs, ApplicationStatus, ApplicationView, AuditReport, Deployment, Incident, IncidentView, LogEntry, Logs,
    MapApplication, Node, Risk, TraceError, Traces, Viewed,
};
use coroot_client::query::TraceView;
use coroot_client::{
    AppId, AppLogQuery, Error as CorootError, LogFilter, OverviewLogQuery, Status, TimeRange, TraceQuery,
};
use tokio::task::JoinSet;

use crate::analysis::app_key;
use crate::analysis::storage::unavailable;
use crate::context::ToolContext;
use crate::error::ToolError;
use crate::render::units::{clip, latency_ms, one_line};
use crate::tools::names;

/// Longest wait for one Coroot call; a slower one is reported as not checked.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Log and event lines fetched per call.
const LOG_LIMIT: u32 = 100;

/// Everything fetched; `None` where the call failed.
#[derive(Default)]
pub(super) struct Facts {
    pub incidents: Option<Vec<Incident>>,
    pub views: BTreeMap<String, IncidentView>,
    pub apps: Option<Vec<ApplicationStatus>>,
    pub map: Option<Vec<MapApplication>>,
    pub deployments: Option<Vec<Deployment>>,
    pub nodes: Option<Vec<Node>>,
    pub events: Option<Vec<LogEntry>>,
    pub risks: Option<Vec<Risk>>,
    pub trace_errors: Option<Vec<TraceError>>,
    pub details: BTreeMap<String, ApplicationView>,
    pub logs: BTreeMap<String, Vec<LogEntry>>,
    pub node_reports: BTreeMap<String, AuditReport>,
    /// The applications view, the service map and the error lines of the window before, and
    /// the error lines of this one: what changed (see `changes`).
    pub apps_before: Option<Vec<ApplicationStatus>>,
    pub map_before: Option<Vec<MapApplication>>,
    pub errors_now: Option<Vec<LogEntry>>,
    pub errors_before: Option<Vec<LogEntry>>,
    /// Why log lines (of the apps by key, or Kubernetes events under `""`) and traces could
    /// not be read, when Coroot has no ClickHouse.
    pub logs_unavailable: BTreeMap<String, String>,
    /// Why traces could not be read.
    pub traces_unavailable: Option<String>,
    /// What Coroot said is wrong with the project's data sources, once each.
    pub problems: Vec<String>,
}

impl Facts {
    fn absorb(&mut self, got: Vec<Viewed<Got>>) {
        for Viewed { data, status } in got {
            for p in status.problems() {
                if !self.problems.contains(&p) {
                    self.problems.push(p);
                }
            }
            match data {
                Got::Incidents(v) => self.incidents = Some(v),
                Got::Incident(v) => {
                    self.views.insert(v.incident.key.clone(), *v);
                }
                Got::Apps(v) => self.apps = Some(v),
                Got::Map(v) => self.map = Some(v),
                Got::Deployments(v) => self.deployments = Some(v),
                Got::Nodes(v) => self.nodes = Some(v),
                Got::Events(v) => {
                    if let Some(why) = unavailable(&v.message, &v.error) {
                        self.logs_unavailable.insert(String::new(), why);
                    }
                    self.events = Some(v.entries);
                }
                Got::Risks(v) => self.risks = Some(v),
                Got::TraceErrors(v) => {
                    self.traces_unavailable = unavailable(&v.message, &v.error);
                    self.trace_errors = Some(v.errors);
                }
                Got::App(k, v) => {
                    self.details.insert(k, *v);
                }
                Got::AppLogs(k, v) => {
                    if let Some(why) = unavailable(&v.message, "") {
                        self.logs_unavailable.insert(k.clone(), why);
                    }
                    self.logs.insert(k, v.entries);
                }
                Got::Node(n, r) => {
                    self.node_reports.insert(n, *r);
                }
                Got::AppsBefore(v) => self.apps_before = Some(v),
                Got::MapBefore(v) => self.map_before = Some(v),
                Got::Errors(v) => self.errors_now = Some(v.entries),
                Got::ErrorsBefore(v) => self.errors_before = Some(v.entries),
            }
        }
    }

    /// The status Coroot gives an app: applications view, else service map, else its page.
    pub fn status(&self, k: &str) -> Status {
        self.apps
            .iter()
            .flatten()
            .find(|a| app_key(&a.id) == k)
            .map(|a| a.status)
            .or_else(|| self.map_app(k).map(|a| a.status))
            .or_else(|| self.details.get(k).map(|d| d.app_map.application.status))
            .unwrap_or_default()
    }

    /// The app's entry on the service map.
    pub fn map_app(&self, k: &str) -> Option<&MapApplication> {
        self.map.iter().flatten().find(|a| app_key(&a.id) == k)
    }
}

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
    AppsBefore(Vec<ApplicationStatus>),
    MapBefore(Vec<MapApplication>),
    Errors(Logs),
    ErrorsBefore(Logs),
}

type Job = (String, Result<Viewed<Got>, String>);

/// Concurrent calls with a timeout each; failures are collected, progress is reported.
pub(super) struct Fan<'a> {
    ctx: &'a ToolContext,
    project: String,
    set: JoinSet<Job>,
    done: u32,
    total: u32,
    /// `<call>: <why>` for every call that failed.
    pub failed: Vec<String>,
}

fn call_timeout(ctx: &ToolContext) -> Duration {
    // Below the client's own timeout, so the per-call limit is the one that fires and says so.
    CALL_TIMEOUT.min(ctx.client.timeout().mul_f64(0.9))
}

fn timeout_text(ctx: &ToolContext) -> String {
    format!(
        "no answer within {}",
        latency_ms(call_timeout(ctx).as_secs_f64() * 1000.0)
    )
}

impl<'a> Fan<'a> {
    pub fn new(ctx: &'a ToolContext, project: String) -> Self {
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
        Fut: Future<Output = Result<Viewed<Got>, CorootError>> + Send + 'static,
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

    async fn drain(&mut self) -> Vec<Viewed<Got>> {
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

    /// The incident the caller named, first: an unknown key is the caller's mistake (an error
    /// naming where the keys are), not a check that failed.
    pub async fn named_incident(&mut self, facts: &mut Facts, key: &str, project_name: &str) -> Result<(), ToolError> {
        self.total += 1;
        let call = self.ctx.client.incident(&self.project, key);
        match tokio::time::timeout(call_timeout(self.ctx), call).await {
            Ok(Ok(view)) => facts.absorb(vec![view.map(|v| Got::Incident(Box::new(v)))]),
            Ok(Err(CorootError::NotFound { .. })) => {
                return Err(ToolError::Resolve {
                    message: format!(
                        "no incident '{key}' in project {project_name}; call {} to list incident keys",
                        names::INCIDENTS
                    ),
                });
            }
            Ok(Err(e)) => self.fail(format!("incident {key}"), &ToolError::from(e).to_string()),
            Err(_) => self.fail(format!("incident {key}"), &timeout_text(self.ctx)),
        }
        self.done += 1;
        self.ctx
            .report_progress(self.done, self.total, format!("incident {key}"));
        Ok(())
    }

    /// Round 1: the incident list, alone, since an open incident may widen the window the
    /// other views are asked for.
    pub async fn incident_list(&mut self, facts: &mut Facts, wide: TimeRange) {
        self.spawn("incidents", move |c, p| async move {
            c.incidents(&p, wide.to_ms, 100).await.map(|v| v.map(Got::Incidents))
        });
        let got = self.drain().await;
        facts.absorb(got);
    }

    /// Round 1 continued: the cluster-wide views.
    pub async fn cluster(&mut self, facts: &mut Facts, range: TimeRange, wide: TimeRange, before: TimeRange) {
        self.spawn("applications", move |c, p| async move {
            c.applications(&p, range).await.map(|v| v.map(Got::Apps))
        });
        self.spawn("service map", move |c, p| async move {
            c.service_map(&p, range).await.map(|v| v.map(Got::Map))
        });
        self.spawn("deployments", move |c, p| async move {
            c.deployments(&p, wide).await.map(|v| v.map(Got::Deployments))
        });
        self.spawn("nodes", move |c, p| async move {
            c.nodes(&p, range).await.map(|v| v.map(Got::Nodes))
        });
        self.spawn("Kubernetes events", move |c, p| async move {
            let query = OverviewLogQuery {
                filters: [LogFilter::kubernetes_events()]
                    .into_iter()
                    .chain(LogFilter::severity("warning"))
                    .collect(),
                limit: LOG_LIMIT,
                ..OverviewLogQuery::default()
            };
            c.overview_logs(&p, range, &query).await.map(|v| v.map(Got::Events))
        });
        self.spawn("risks", move |c, p| async move {
            c.risks(&p, range).await.map(|v| v.map(Got::Risks))
        });
        self.spawn("applications before", move |c, p| async move {
            c.applications(&p, before).await.map(|v| v.map(Got::AppsBefore))
        });
        self.spawn("service map before", move |c, p| async move {
            c.service_map(&p, before).await.map(|v| v.map(Got::MapBefore))
        });
        for (label, window, now) in [("error logs", range, true), ("error logs before", before, false)] {
            self.spawn(label, move |c, p| async move {
                let query = OverviewLogQuery {
                    filters: LogFilter::severity("error").into_iter().collect(),
                    limit: LOG_LIMIT,
                    ..OverviewLogQuery::default()
                };
                let got = c.overview_logs(&p, window, &query).await;
                got.map(|v| v.map(if now { Got::Errors } else { Got::ErrorsBefore }))
            });
        }
        self.spawn("error traces", move |c, p| async move {
            let query = TraceQuery {
                errors_only: true,
                view: TraceView::Errors,
                ..TraceQuery::default()
            };
            c.traces(&p, range, &query).await.map(|v| v.map(Got::TraceErrors))
        });
        let got = self.drain().await;
        facts.absorb(got);
    }

    /// Round 2: the details of these incidents.
    pub async fn incidents(&mut self, facts: &mut Facts, keys: Vec<String>) {
        for key in keys {
            self.spawn(format!("incident {key}"), move |c, p| async move {
                c.incident(&p, &key)
                    .await
                    .map(|v| v.map(|v| Got::Incident(Box::new(v))))
            });
        }
        let got = self.drain().await;
        facts.absorb(got);
    }

    /// Round 3: the apps in focus, their page and their warning-or-worse logs.
    pub async fn apps(&mut self, facts: &mut Facts, focus: &[AppId], range: TimeRange) {
        for id in focus {
            let short = id.short();
            let id2 = id.clone();
            self.spawn(format!("app detail {short}"), move |c, p| async move {
                c.app(&p, &id2, range)
                    .await
                    .map(|v| v.map(|v| Got::App(app_key(&id2), Box::new(v))))
            });
            let id2 = id.clone();
            self.spawn(format!("app logs {short}"), move |c, p| async move {
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
                    .map(|v| v.map(|v| Got::AppLogs(app_key(&id2), v)))
            });
        }
        let got = self.drain().await;
        facts.absorb(got);
    }

    /// Round 4: the nodes under them.
    pub async fn nodes(&mut self, facts: &mut Facts, names: Vec<String>, range: TimeRange) {
        for name in names {
            let n = name.clone();
            self.spawn(format!("node detail {name}"), move |c, p| async move {
                c.node(&p, &n, range)
                    .await
                    .map(|r| r.map(|r| Got::Node(n, Box::new(r))))
            });
        }
        let got = self.drain().await;
        facts.absorb(got);
    }
}
