//! Coroot's endpoints, one method each, plus project discovery.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Object, Result};
use crate::ids::{AppId, TimeRange, encode_segment};
use crate::models::*;
use crate::query::{AppLogQuery, OverviewLogQuery, TraceQuery, panel_query};
use crate::transport::{Auth, Request};
use crate::version::Version;

/// What the server's index page says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerInfo {
    /// e.g. `1.24.5`, when the page exposes it.
    pub version: Option<String>,
    /// e.g. `Community`.
    pub edition: Option<String>,
}

/// A project's application ids, and whether they came from the cache.
#[derive(Debug, Clone)]
pub struct AppIds {
    /// Sorted, without duplicates.
    pub ids: Arc<Vec<AppId>>,
    /// True when served from the cache (so possibly up to `app_ids_ttl` old).
    pub cached: bool,
}

impl Client {
    /// `GET /health`: liveness, no credentials. It sits on the root router, outside any base
    /// path, so it proves the server is up, not that the base path is right (`/api/user` does).
    pub async fn health(&self) -> Result<()> {
        let url = format!("{}/health", root_of(self.base_url()));
        let (status, body) = self.fetch_text(&url, "/health").await?;
        match status {
            200..=299 => Ok(()),
            code => Err(Error::Api {
                status: code,
                endpoint: "/health".into(),
                message: body.trim().chars().take(200).collect(),
            }),
        }
    }

    /// The version and edition from the UI's index page (`window.coroot = {...}`), the only
    /// place Coroot exposes them. `None` fields when the page does not say.
    pub async fn server_info(&self) -> Result<ServerInfo> {
        let url = format!("{}/", self.base_url());
        let (_, body) = self.fetch_text(&url, "/").await?;
        Ok(parse_server_info(&body))
    }

    /// An error for a Coroot older than [`Version::OLDEST_SUPPORTED`]: before v1.12.5 there is
    /// no `/incidents` route (`v1.12.4:main.go`) and its UI page would answer instead.
    pub async fn supported(&self) -> Result<()> {
        match self.version().await {
            Some(v) if v < Version::OLDEST_SUPPORTED => Err(Error::UnsupportedVersion { version: v.to_string() }),
            _ => Ok(()),
        }
    }

    /// `GET /api/user`: the current user and every project.
    pub async fn user(&self) -> Result<User> {
        let user: User = self.get_json(Request::new("/api/user", &[], Auth::Session)).await?;
        self.cache().store_projects(user.projects.clone());
        Ok(user)
    }

    /// The visible projects, from a short-lived cache of `/api/user`.
    pub async fn projects(&self) -> Result<Arc<Vec<Project>>> {
        if let Some(cached) = self.cache().projects() {
            return Ok(cached);
        }
        let user: User = self.get_json(Request::new("/api/user", &[], Auth::Session)).await?;
        Ok(self.cache().store_projects(user.projects))
    }

    /// Resolves a project given by id or name (exact, then case-insensitive). Without one, the
    /// configured default project, else the first project Coroot lists (sorted by name).
    pub async fn resolve_project(&self, wanted: Option<&str>) -> Result<Project> {
        let projects = self.projects().await?;
        let wanted = wanted.map(str::trim).filter(|w| !w.is_empty());
        let wanted = wanted.or(self
            .config()
            .default_project
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty()));
        let Some(wanted) = wanted else {
            return projects.first().cloned().ok_or(Error::NoProjects);
        };
        let found = projects
            .iter()
            .find(|p| p.id == wanted)
            .or_else(|| projects.iter().find(|p| p.name == wanted))
            .or_else(|| projects.iter().find(|p| p.name.eq_ignore_ascii_case(wanted)));
        match found {
            Some(p) => Ok(p.clone()),
            None if projects.is_empty() => Err(Error::NoProjects),
            None => Err(Error::UnknownProject {
                given: wanted.to_string(),
                available: projects
                    .iter()
                    .map(|p| format!("{} ({})", p.name, p.id))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The member projects of a multi-cluster project (v1.17+), whose names are the
    /// `datasource` values `panel/data` takes; empty for a project with one cluster.
    pub async fn member_projects(&self, project: &str) -> Result<Vec<String>> {
        let path = format!("{}/status", project_path(project)?);
        let env: Envelope<serde::de::IgnoredAny> = self.get_json(session(&path, &[], Object::Project)).await?;
        Ok(env.context.member_projects)
    }

    /// `GET /api/project/{p}/status`: Prometheus and agent health.
    pub async fn project_status(&self, project: &str) -> Result<ProjectStatus> {
        let path = format!("{}/status", project_path(project)?);
        Ok(self.data(project, session(&path, &[], Object::Project)).await?.data)
    }

    /// `GET /api/project/{p}/overview/{view}` with an optional view query, as the envelope.
    pub async fn overview(
        &self,
        project: &str,
        view: &str,
        range: TimeRange,
        query: Option<String>,
    ) -> Result<(Context, Overview)> {
        self.overview_of(project, view, range, query, Object::Project).await
    }

    /// [`Client::overview`], reading `object` (one trace, in the traces view).
    async fn overview_of(
        &self,
        project: &str,
        view: &str,
        range: TimeRange,
        query: Option<String>,
        object: Object,
    ) -> Result<(Context, Overview)> {
        let path = format!("{}/overview/{}", project_path(project)?, encode_segment(view));
        let mut params: Vec<(&str, String)> = range.params().into();
        if let Some(q) = query {
            params.push(("query", q));
        }
        let env: Envelope<Overview> = self.get_json(session(&path, &params, object)).await?;
        let data = env.data.ok_or_else(|| Error::NoProjectData {
            project: project.to_string(),
        })?;
        Ok((env.context, data))
    }

    /// Every application id of `project` (sorted, without duplicates), from a short-lived cache
    /// (`app_ids_ttl`): resolving the names an agent passes needs them on almost every call,
    /// and on a large cluster the list costs a multi-megabyte overview. `range` is the window
    /// asked for when the cache is cold. The ids come from the envelope's search index, which
    /// every world endpoint carries, else from the applications themselves.
    pub async fn application_ids(&self, project: &str, range: TimeRange) -> Result<AppIds> {
        if let Some(ids) = self.cache().app_ids(project) {
            return Ok(AppIds { ids, cached: true });
        }
        let path = format!("{}/overview/applications", project_path(project)?);
        let env: Envelope<Overview, Indexed> = self.get_json(session(&path, &range.params(), Object::Project)).await?;
        let overview = env.data.ok_or_else(|| Error::NoProjectData {
            project: project.to_string(),
        })?;
        let mut ids: Vec<AppId> = env.context.search.applications.into_iter().map(|a| a.id).collect();
        if ids.is_empty() {
            ids = overview
                .applications
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.id)
                .collect();
        }
        ids.sort();
        ids.dedup();
        Ok(AppIds {
            ids: self.cache().store_app_ids(project, ids),
            cached: false,
        })
    }

    /// One overview view without a query: the part `pick` takes, with the project status.
    async fn view<T: Default>(
        &self,
        project: &str,
        view: &str,
        range: TimeRange,
        pick: impl FnOnce(Overview) -> Option<T>,
    ) -> Result<Viewed<T>> {
        let (context, overview) = self.overview(project, view, range, None).await?;
        Ok(Viewed {
            data: pick(overview).unwrap_or_default(),
            status: context.status,
        })
    }

    /// Applications with their health, CRITICAL first (Coroot sorts them).
    pub async fn applications(&self, project: &str, range: TimeRange) -> Result<Viewed<Vec<ApplicationStatus>>> {
        self.view(project, "applications", range, |o| o.applications).await
    }

    /// The service map: apps with at least one link.
    pub async fn service_map(&self, project: &str, range: TimeRange) -> Result<Viewed<Vec<MapApplication>>> {
        self.view(project, "map", range, |o| o.map).await
    }

    /// Nodes, converted from the pre-v1.17 table when needed.
    pub async fn nodes(&self, project: &str, range: TimeRange) -> Result<Viewed<Vec<Node>>> {
        self.view(project, "nodes", range, |o| o.nodes.map(NodesView::into_nodes))
            .await
    }

    /// Rollouts, newest first.
    pub async fn deployments(&self, project: &str, range: TimeRange) -> Result<Viewed<Vec<Deployment>>> {
        self.view(project, "deployments", range, |o| o.deployments).await
    }

    /// Traces: root spans, one trace, or error groups.
    pub async fn traces(&self, project: &str, range: TimeRange, query: &TraceQuery) -> Result<Viewed<Traces>> {
        let object = if query.trace_id.is_some() {
            Object::Trace
        } else {
            Object::Project
        };
        let (context, overview) = self
            .overview_of(project, "traces", range, Some(query.to_json()), object)
            .await?;
        Ok(Viewed {
            data: overview.traces.unwrap_or_default(),
            status: context.status,
        })
    }

    /// Logs of every application, plus Kubernetes events.
    pub async fn overview_logs(
        &self,
        project: &str,
        range: TimeRange,
        query: &OverviewLogQuery,
    ) -> Result<Viewed<Logs>> {
        let (context, overview) = self.overview(project, "logs", range, Some(query.to_json())).await?;
        Ok(Viewed {
            data: overview.logs.unwrap_or_default(),
            status: context.status,
        })
    }

    /// Costs per node and application.
    pub async fn costs(&self, project: &str, range: TimeRange) -> Result<Viewed<Costs>> {
        self.view(project, "costs", range, |o| o.costs).await
    }

    /// Availability and security risks.
    pub async fn risks(&self, project: &str, range: TimeRange) -> Result<Viewed<Vec<Risk>>> {
        self.view(project, "risks", range, |o| o.risks).await
    }

    /// The newest `limit` incidents, open ones first. Coroot does not filter the list by time
    /// but builds its world for the window it is given, so the last minutes are asked for
    /// whatever window the caller looks at (`api/api.go` Incidents).
    pub async fn incidents(&self, project: &str, now_ms: i64, limit: u32) -> Result<Viewed<Vec<Incident>>> {
        let path = format!("{}/incidents", project_path(project)?);
        self.supported().await?;
        let window = TimeRange {
            from_ms: now_ms - INCIDENTS_WINDOW_MS,
            to_ms: now_ms,
        };
        let mut params: Vec<(&str, String)> = window.params().into();
        params.push(("limit", limit.to_string()));
        let env: Envelope<Vec<Incident>> = self.get_json(session(&path, &params, Object::Project)).await?;
        Ok(Viewed {
            data: env.data.unwrap_or_default(),
            status: env.context.status,
        })
    }

    /// One incident with its full RCA. Coroot sets the window from the incident itself.
    pub async fn incident(&self, project: &str, key: &str) -> Result<Viewed<IncidentView>> {
        let path = format!("{}/incident/{}", project_path(project)?, segment("incident key", key)?);
        self.supported().await?;
        self.data(project, session(&path, &[], Object::Incident)).await
    }

    /// The firing alerts (v1.18+; `include_resolved` adds the resolved ones). `None` on an
    /// older Coroot, which has no alerts: its UI page answers the path instead.
    pub async fn alerts(
        &self,
        project: &str,
        range: TimeRange,
        include_resolved: bool,
    ) -> Result<Option<Viewed<Alerts>>> {
        if self.version().await.is_some_and(|v| !v.at_least(1, 18, 0)) {
            return Ok(None);
        }
        let path = format!("{}/alerts", project_path(project)?);
        let mut params: Vec<(&str, String)> = range.params().into();
        if include_resolved {
            params.push(("include_resolved", "true".into()));
        }
        match self.data(project, session(&path, &params, Object::Project)).await {
            Ok(v) => Ok(Some(v)),
            // A server whose page does not tell its version: no alerts route means no alerts.
            Err(Error::NotCorootApi { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The requests `app` served (`app/{app}/tracing`): its server spans at any depth, from
    /// OpenTelemetry or the eBPF tracer (`source` `otel`/`agent`, or `""` for Coroot's choice),
    /// failed ones only with `errors_only` (the heatmap's error bucket).
    pub async fn app_tracing(
        &self,
        project: &str,
        app: &AppId,
        range: TimeRange,
        source: &str,
        errors_only: bool,
    ) -> Result<Viewed<AppTraces>> {
        let path = format!(
            "{}/app/{}/tracing",
            project_path(project)?,
            segment("application id", app.as_str())?
        );
        // `<source>:<trace id>:<from>-<to>:<duration from>-<duration to>`, parts left empty for
        // the defaults (api/views/tracing/tracing.go Render).
        let durations = if errors_only { "inf-err" } else { "" };
        let mut params: Vec<(&str, String)> = range.params().into();
        params.push(("trace", format!("{source}:::{durations}")));
        let viewed: Viewed<Option<AppTraces>> = self.data_or_null(session(&path, &params, Object::Application)).await?;
        // Before v1.17.0 a Coroot without ClickHouse answered `null` here.
        Ok(viewed.map(|t| {
            t.unwrap_or_else(|| AppTraces {
                status: Status::Warning,
                message: "Clickhouse integration is not configured".into(),
                ..AppTraces::default()
            })
        }))
    }

    /// One application: its map and audit reports.
    pub async fn app(&self, project: &str, app: &AppId, range: TimeRange) -> Result<Viewed<ApplicationView>> {
        let path = format!(
            "{}/app/{}",
            project_path(project)?,
            segment("application id", app.as_str())?
        );
        self.data(project, session(&path, &range.params(), Object::Application))
            .await
    }

    /// One application's logs.
    pub async fn app_logs(
        &self,
        project: &str,
        app: &AppId,
        range: TimeRange,
        query: &AppLogQuery,
    ) -> Result<Viewed<AppLogs>> {
        let path = format!(
            "{}/app/{}/logs",
            project_path(project)?,
            segment("application id", app.as_str())?
        );
        let mut params: Vec<(&str, String)> = range.params().into();
        params.push(("query", query.to_json()));
        self.data(project, session(&path, &params, Object::Application)).await
    }

    /// One node's audit report.
    pub async fn node(&self, project: &str, name: &str, range: TimeRange) -> Result<Viewed<AuditReport>> {
        let path = format!("{}/node/{}", project_path(project)?, segment("node name", name)?);
        self.data(project, session(&path, &range.params(), Object::Node)).await
    }

    /// The data of a project endpoint's `{context, data}` envelope, which Coroot leaves `null`
    /// for a project it has no world for, with the project status.
    async fn data<T: DeserializeOwned>(&self, project: &str, req: Request<'_>) -> Result<Viewed<T>> {
        let env: Envelope<T> = self.get_json(req).await?;
        let data = env.data.ok_or_else(|| Error::NoProjectData {
            project: project.to_string(),
        })?;
        Ok(Viewed {
            data,
            status: env.context.status,
        })
    }

    /// The envelope's data, `None` when Coroot sent `null`, with the project status.
    async fn data_or_null<T: DeserializeOwned>(&self, req: Request<'_>) -> Result<Viewed<Option<T>>> {
        let env: Envelope<T> = self.get_json(req).await?;
        Ok(Viewed {
            data: env.data,
            status: env.context.status,
        })
    }

    /// PromQL through the session (`panel/data`, Coroot v1.12+). Coroot picks the step.
    pub async fn panel_data(
        &self,
        project: &str,
        range: TimeRange,
        promql: &str,
        legend: &str,
        datasource: &str,
    ) -> Result<PanelData> {
        let path = format!("{}/panel/data", project_path(project)?);
        let mut params = vec![("query", panel_query(promql, legend, datasource))];
        params.extend(range.params());
        self.get_json(Request::new(&path, &params, Auth::Session).promql())
            .await
    }

    /// PromQL through the project API key (`/api/v1/query_range`), as a chart.
    pub async fn query_range(&self, range: TimeRange, step_secs: u32, promql: &str, legend: &str) -> Result<Chart> {
        let path = "/api/v1/query_range";
        let step_secs = step_secs.max(1);
        let params = [
            ("query", promql.to_string()),
            ("start", (range.from_ms / 1000).to_string()),
            ("end", (range.to_ms / 1000).to_string()),
            ("step", step_secs.to_string()),
        ];
        // Prometheus errors arrive as JSON `{status:"error", error}` with 400/422; the
        // client's error mapping already lifts `error` into the message.
        let response: PromResponse = self
            .get_json(Request::new(path, &params, Auth::ApiKey).promql())
            .await?;
        if response.status == "error" {
            return Err(Error::BadQuery {
                endpoint: path.into(),
                message: response.error,
            });
        }
        Ok(response.into_chart(range.from_ms, range.to_ms, i64::from(step_secs) * 1000, legend))
    }
}

/// The window sent with the incident list, which Coroot does not filter by time.
const INCIDENTS_WINDOW_MS: i64 = 5 * 60_000;

/// A session GET of `path` that reads `object`.
fn session<'a>(path: &'a str, query: &'a [(&'a str, String)], object: Object) -> Request<'a> {
    Request::new(path, query, Auth::Session).about(object)
}

/// `/api/project/{id}` with the id checked: project ids are short `[0-9a-z]` strings, and a
/// stray `/` or `..` must never reach the path.
fn project_path(project: &str) -> Result<String> {
    Ok(format!("/api/project/{}", segment("project id", project)?))
}

/// A path segment from user input, percent-encoded; empty or control characters are refused.
fn segment(what: &str, raw: &str) -> Result<String> {
    if raw.trim().is_empty() {
        return Err(Error::InvalidInput(format!("the {what} is empty")));
    }
    if raw.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!("the {what} contains control characters")));
    }
    if raw.len() > 1024 {
        return Err(Error::InvalidInput(format!(
            "the {what} is longer than 1024 characters"
        )));
    }
    if raw == "." || raw == ".." {
        return Err(Error::InvalidInput(format!("'{raw}' is not a valid {what}")));
    }
    Ok(encode_segment(raw))
}

fn root_of(base: &str) -> &str {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    match base.get(after_scheme..).and_then(|rest| rest.find('/')) {
        Some(i) => base.get(..after_scheme + i).unwrap_or(base),
        None => base,
    }
}

/// Reads `window.coroot = {version: "...", edition: "..."}` from the index page.
pub(crate) fn parse_server_info(html: &str) -> ServerInfo {
    let Some(start) = html.find("window.coroot") else {
        return ServerInfo::default();
    };
    let rest = html.get(start..).unwrap_or_default();
    let rest = rest
        .get(..rest.find("</script>").unwrap_or(rest.len()))
        .unwrap_or_default();
    let field = |name: &str| {
        let i = rest.find(name)?;
        let after = rest.get(i + name.len()..)?;
        let after = after.trim_start_matches(['"', '\'', ' ', ':']);
        let end = after.find(['"', '\'', ',', '}'])?;
        let value = after.get(..end)?.trim();
        (!value.is_empty()).then(|| value.to_string())
    };
    ServerInfo {
        version: field("version"),
        edition: field("edition"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_info_is_read_from_the_index_page() {
        let html = r#"<script>window.coroot = {base_path: "/", version: "1.24.5", instance_uuid: "x", edition: "Community"}</script>"#;
        assert_eq!(
            parse_server_info(html),
            ServerInfo {
                version: Some("1.24.5".into()),
                edition: Some("Community".into())
            }
        );
        let json_style = r#"<script>window.coroot = {"version":"1.12.0","edition":"Community"};</script>"#;
        assert_eq!(parse_server_info(json_style).version.as_deref(), Some("1.12.0"));
        assert_eq!(parse_server_info("<html></html>"), ServerInfo::default());
    }

    #[test]
    fn path_segments_refuse_traversal_and_control_characters() {
        assert!(segment("node name", "..").is_err());
        assert!(segment("node name", "a\nb").is_err());
        assert!(segment("node name", " ").is_err());
        assert_eq!(segment("node name", "../x").unwrap(), "..%2Fx");
    }

    #[test]
    fn root_strips_the_base_path() {
        assert_eq!(root_of("http://h:8080/coroot"), "http://h:8080");
        assert_eq!(root_of("http://h:8080"), "http://h:8080");
    }
}
