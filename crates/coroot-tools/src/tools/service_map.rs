//! `coroot_get_service_map`: who talks to whom, and which connections are failing?
//!
//! Coroot discovers the map from eBPF-observed TCP connections. Its order of apps and links is
//! not stable (Go map iteration), so links are sorted here: problem links first (CRITICAL,
//! then WARNING), then the rest by client and upstream. Apps follow: the unhealthy ones with
//! the reports that fail, then healthy ones by name, 20 per line.

use coroot_client::models::MapApplication;
use coroot_client::{AppId, AppIdParts, Status};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::severity::attention_rank;
use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::links::Ui;
use crate::params::tool_params;
use crate::render::{Answer, Frame, Health};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetServiceMap;

/// The structured lists the answer's items stand for.
const LINKS: &str = "/links";
const APPS: &str = "/apps";
/// Healthy (or unknown) apps listed per text line.
const NAMES_PER_LINE: usize = 20;

tool_params! {
    /// Parameters.
    pub struct Params {
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
    /// Links per status.
    pub link_counts: LinkCounts,
    /// Every client → upstream link: problems first (worst first), then by client and upstream.
    pub links: Vec<LinkOut>,
    /// Apps on the map: unhealthy first (worst first), then UNKNOWN and OK, by name.
    pub apps: Vec<AppOut>,
}

/// Links per status.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct LinkCounts {
    /// All links.
    pub total: usize,
    /// CRITICAL.
    pub critical: usize,
    /// WARNING.
    pub warning: usize,
}

/// A connection from a client app to an upstream app.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LinkOut {
    /// Calling application id.
    pub client: String,
    /// Called application id.
    pub upstream: String,
    /// Worst connection status.
    #[serde(flatten)]
    pub status: Health,
    /// e.g. "📈 12 rps ⏱️ 5ms" or "⚠️ connection reset by peer".
    pub stats: Vec<String>,
    /// Requests per second (Coroot's link weight; 0 if unknown).
    pub rps: f64,
}

/// An application on the map.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AppOut {
    /// Application id.
    pub id: String,
    /// The app's page in Coroot's UI.
    pub url: String,
    /// Status.
    #[serde(flatten)]
    pub status: Health,
    /// Category, e.g. `application`.
    pub category: String,
    /// Reports that are WARNING or CRITICAL, e.g. "Memory WARNING".
    pub failing_reports: Vec<String>,
    /// Number of apps it calls.
    pub upstreams: usize,
    /// Number of apps calling it.
    pub downstreams: usize,
}

impl Tool for GetServiceMap {
    const NAME: &'static str = names::SERVICE_MAP;
    const TITLE: &'static str = "Coroot service map";
    const DESCRIPTION: &'static str = "Dependencies between apps, discovered from eBPF-observed TCP connections, failing links first (connection resets, failed connects, timeouts) with request rate and latency per link. Use to trace how a failure spreads between services.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, 1.0).await?.parts();
        let map = ctx.client.service_map(&project.id, range).await?;
        let mut out = build(project.name, window, &ui, map.data);
        out.coroot_status = map.status.problems();
        Ok(out)
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let mut t = Answer::new(
            frame,
            "entries (one per link or unhealthy app, 20 names per OK line)",
            "pass a shorter lookback_hours, or call coroot_get_app_detail for one app's clients and dependencies",
        );
        t.header("Service map", &out.project, &out.window);
        t.ui("service map", &out.url);
        t.coroot_status(&out.coroot_status);
        if out.links.is_empty() && out.apps.is_empty() {
            t.line("No connections observed: Coroot's map holds only apps with at least one link in the window.");
            t.footer("next: a longer lookback_hours, or coroot_get_applications() to see app health");
            return t;
        }
        let c = &out.link_counts;
        let mut counts = Vec::new();
        if c.critical > 0 {
            counts.push(format!("{} CRITICAL", c.critical));
        }
        if c.warning > 0 {
            counts.push(format!("{} WARNING", c.warning));
        }
        t.line(format!(
            "{} apps, {} links{}",
            out.apps.len(),
            c.total,
            if counts.is_empty() {
                ", none failing".to_string()
            } else {
                format!(" ({} failing: {})", c.critical + c.warning, counts.join(", "))
            }
        ));
        let problems = out
            .links
            .iter()
            .take_while(|l| l.status.status_code >= Status::Warning.code())
            .count();
        for (i, l) in out.links.iter().enumerate() {
            // Past the cap everything else would be dropped: counted, not rendered.
            if t.full() {
                t.skip(LINKS, i..out.links.len(), out.links.len() - i);
                break;
            }
            if i == 0 && problems > 0 {
                t.heading("PROBLEM LINKS (client → upstream)");
            }
            if i == problems {
                t.heading(if problems > 0 {
                    "OTHER LINKS"
                } else {
                    "LINKS (client → upstream)"
                });
            }
            let mut line = format!(
                "{} → {}: {}",
                AppId::new(l.client.as_str()).short(),
                AppId::new(l.upstream.as_str()).short(),
                l.status.status
            );
            if !l.stats.is_empty() {
                line.push(' ');
                line.push_str(&l.stats.join(" "));
            }
            t.item(LINKS, i, line);
        }
        // `apps` is sorted by status: the ones not OK, then UNKNOWN, then OK.
        let unhealthy = out
            .apps
            .iter()
            .take_while(|a| Status::parse(a.status.status) >= Status::Info)
            .count();
        if t.full() {
            t.skip(APPS, 0..unhealthy, unhealthy);
        } else if unhealthy > 0 {
            t.heading("APPS NOT OK");
            t.each(APPS, out.apps.get(..unhealthy).unwrap_or_default(), |a| {
                let mut line = format!("{} {}", a.status.status, AppId::new(a.id.as_str()).short());
                if !a.failing_reports.is_empty() {
                    line.push_str(&format!(" ({})", a.failing_reports.join(", ")));
                }
                line
            });
        }
        let mut start = unhealthy;
        for status in [Status::Unknown, Status::Ok] {
            let count = out
                .apps
                .iter()
                .skip(start)
                .take_while(|a| Status::parse(a.status.status) == status)
                .count();
            if count > 0 {
                if !t.full() {
                    t.heading(format!("apps {} ({count}):", status.label()));
                }
                t.name_lines(APPS, start..start + count, NAMES_PER_LINE, |i| {
                    out.apps
                        .get(i)
                        .map(|a| AppId::new(a.id.as_str()).short())
                        .unwrap_or_default()
                });
            }
            start += count;
        }
        match out.links.first() {
            Some(l) if problems > 0 => t.footer(format!(
                "next: {}(app_id='{}') for the upstream of the worst link",
                names::APP_DETAIL,
                l.upstream
            )),
            _ => t.footer(format!("next: {}() for per-app health", names::APPLICATIONS)),
        };
        t
    }
}

/// The workload name of an id string, as [`AppId::name`] gives it, without copying the id.
fn name_of(id: &str) -> &str {
    AppIdParts::parse(id).map_or(id, |p| p.name)
}

fn build(project: String, window: Window, ui: &Ui, map: Vec<MapApplication>) -> Output {
    let mut links: Vec<(Status, LinkOut)> = map
        .iter()
        .flat_map(|a| {
            a.upstreams.iter().map(move |u| {
                (
                    u.status,
                    LinkOut {
                        client: a.id.as_str().to_owned(),
                        upstream: u.id.as_str().to_owned(),
                        status: u.status.into(),
                        stats: u.stats.clone(),
                        rps: u.weight,
                    },
                )
            })
        })
        .collect();
    // Borrowed names: the map of a large cluster has thousands of links to compare.
    let by_names = |x: &LinkOut, y: &LinkOut| {
        name_of(&x.client)
            .cmp(name_of(&y.client))
            .then_with(|| name_of(&x.upstream).cmp(name_of(&y.upstream)))
            .then_with(|| x.client.cmp(&y.client))
            .then_with(|| x.upstream.cmp(&y.upstream))
    };
    links.sort_by(|(xs, x), (ys, y)| {
        let (xp, yp) = (xs.is_failing(), ys.is_failing());
        yp.cmp(&xp)
            .then_with(|| if xp { ys.cmp(xs) } else { std::cmp::Ordering::Equal })
            .then_with(|| by_names(x, y))
    });
    let link_counts = LinkCounts {
        total: links.len(),
        critical: links.iter().filter(|l| l.0 == Status::Critical).count(),
        warning: links.iter().filter(|l| l.0 == Status::Warning).count(),
    };
    let mut apps: Vec<(Status, AppOut)> = map
        .iter()
        .map(|a| {
            (
                a.status,
                AppOut {
                    url: ui.app(a.id.as_str()),
                    id: a.id.as_str().to_owned(),
                    status: a.status.into(),
                    category: a.category.clone(),
                    failing_reports: a
                        .indicators
                        .iter()
                        .filter(|i| i.status.is_failing())
                        .map(|i| format!("{} {}", i.message, i.status))
                        .collect(),
                    upstreams: a.upstreams.len(),
                    downstreams: a.downstreams.len(),
                },
            )
        })
        .collect();
    apps.sort_by(|(xs, x), (ys, y)| {
        attention_rank(*xs)
            .cmp(&attention_rank(*ys))
            .then_with(|| name_of(&x.id).cmp(name_of(&y.id)))
            .then_with(|| x.id.cmp(&y.id))
    });
    Output {
        project,
        window,
        url: ui.view("map"),
        coroot_status: Vec::new(),
        link_counts,
        links: links.into_iter().map(|l| l.1).collect(),
        apps: apps.into_iter().map(|a| a.1).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    #[tokio::test]
    async fn failing_links_come_first() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetServiceMap>(&kit, json!({})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        assert!(
            lines[0].starts_with("Service map · project production · last 1h"),
            "{}",
            out.text
        );
        assert_eq!(lines[1], "9 apps, 9 links (2 failing: 2 CRITICAL)", "{}", out.text);
        assert_eq!(lines[2], "PROBLEM LINKS (client → upstream)");
        assert_eq!(
            lines[3],
            "default/catalog → default/postgres: CRITICAL ⚠️ failed connections"
        );
        assert_eq!(
            lines[4],
            "default/checkout → default/payment: CRITICAL ⚠️ failed connections"
        );
        assert_eq!(lines[5], "OTHER LINKS");
        assert!(
            out.text
                .contains("default/frontend → default/catalog: OK 📈 40 rps ⏱️ 12ms"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("APPS NOT OK\nCRITICAL default/checkout"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("default/payment → external/api.stripe.com:443: OK"),
            "external services are on the map: {}",
            out.text
        );
        assert!(testing::unpinned(&out.text).ends_with(
            "next: coroot_get_app_detail(app_id='k3h2x9qa:default:StatefulSet:postgres') for the upstream of the worst link"
        ));
        let s = &out.structured;
        assert_eq!(s["links"][0]["client"], "k3h2x9qa:default:Deployment:catalog");
        assert_eq!(s["links"][0]["upstream"], "k3h2x9qa:default:StatefulSet:postgres");
        assert_eq!(s["links"][0]["status_code"], 4);
        assert_eq!(s["links"][1]["stats"][0], "⚠️ failed connections");
        assert_eq!(s["links"].as_array().unwrap().len(), 9);
        assert_eq!(s["link_counts"]["critical"], 2);
        let frontend_catalog = s["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["upstream"] == "k3h2x9qa:default:Deployment:catalog")
            .unwrap();
        assert_eq!(frontend_catalog["rps"], 40.0);
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn an_empty_map_says_what_was_searched() {
        let kit = testing::start(coroot_sim::Scenario::empty()).await;
        let out = testing::run::<GetServiceMap>(&kit, json!({"lookback_hours": "2"})).await;
        assert!(out.text.contains("last 2h"), "{}", out.text);
        assert!(out.text.contains("No connections observed"), "{}", out.text);
        assert!(testing::unpinned(&out.text).contains("next: "), "{}", out.text);
    }
}
