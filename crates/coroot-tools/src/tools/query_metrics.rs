//! `coroot_query_metrics`: what a PromQL expression over Coroot's eBPF metrics looked like
//! over the window, per series, with the latest points.
//!
//! Uses Coroot's `panel/data` (session auth, v1.12+); on servers without it, falls back to the
//! Prometheus-compatible `/api/v1/query_range`, which needs the project API key. PromQL errors
//! come back as Coroot's own message (the Python original reported only "HTTP 400"). Each
//! series keeps its latest 120 points and the output says when, and from how many, it trimmed.

use coroot_client::TimeRange;
use coroot_client::models::Chart;
use coroot_client::{Error as CorootError, Object};
use schemars::JsonSchema;
use serde::Serialize;

use crate::context::{Scope, ToolContext, Window};
use crate::error::ToolError;
use crate::params::{opt_string, req_string, tool_params};
use crate::render::units::{iso, num, push_num, span_ms};
use crate::render::{Answer, Frame};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct QueryMetrics;

/// Points per window the `query_range` fallback aims for (Coroot's UI gets about as many).
const TARGET_POINTS: i64 = 240;
/// Smallest `query_range` step: Coroot's default scrape interval.
const MIN_STEP_SECS: i64 = 30;
/// Coroot's key eBPF metrics, for the hint on an empty result.
const KEY_METRICS: &str = "container_resources_cpu_usage_seconds_total, container_resources_memory_rss_bytes, container_oom_kills_total, container_restarts_total, container_http_requests_total, container_net_tcp_failed_connects_total, container_net_tcp_retransmits_total, container_net_latency_seconds, container_dns_requests_total";

tool_params! {
    /// Parameters.
    pub struct Params {
        /// PromQL, e.g. `sum by (pod) (rate(container_resources_cpu_usage_seconds_total[5m]))`.
        #[serde(alias = "query", deserialize_with = "req_string")]
        pub promql: String,
        /// Series name template with {{label}} placeholders; default: the label set.
        #[serde(default, deserialize_with = "opt_string")]
        pub legend: Option<String>,
        /// In a multi-cluster project: the cluster (member project) whose Prometheus to query.
        #[serde(default, deserialize_with = "opt_string")]
        pub cluster: Option<String>,
    }
    lookback_hours = "Hours to look back (default 1, max 720)."
}

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window queried.
    pub window: Window,
    /// The query.
    pub promql: String,
    /// The legend template, empty when none.
    pub legend: String,
    /// `panel/data`, or `query_range` (with the API key) when panel/data does not answer.
    pub source: String,
    /// The clusters queried, in a multi-cluster project; each series name starts with its
    /// cluster when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<String>,
    /// Seconds between points.
    pub step_seconds: f64,
    /// Points kept per series (the latest).
    pub max_points: usize,
    /// True when at least one series had more points than `max_points`.
    pub trimmed: bool,
    /// Series, highest max first.
    pub series: Vec<SeriesOut>,
}

/// One series: statistics over the whole window plus its latest points.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SeriesOut {
    /// Name from the legend, else `{label=value,...}`.
    pub name: String,
    /// Latest non-empty value.
    pub last: Option<f64>,
    /// When `last` was measured, UTC ISO-8601.
    pub last_at: Option<String>,
    /// Minimum over the window.
    pub min: Option<f64>,
    /// Maximum over the window.
    pub max: Option<f64>,
    /// Mean of the non-empty points.
    pub avg: Option<f64>,
    /// Points in the window before trimming.
    pub total_points: usize,
    /// Time of `values[0]`, UTC ISO-8601.
    pub start: String,
    /// Seconds between values.
    pub step_seconds: f64,
    /// The latest points, oldest first; null where there was no data.
    pub values: Vec<Option<f64>>,
    #[serde(skip)]
    trailing_gap: bool,
}

impl Tool for QueryMetrics {
    const NAME: &'static str = names::QUERY_METRICS;
    const TITLE: &'static str = "Coroot PromQL query";
    const DESCRIPTION: &'static str = "Runs a PromQL range query over Coroot's eBPF metrics (CPU, memory RSS, OOM kills, restarts, HTTP requests, TCP connect failures and retransmits, network RTT, DNS). Per series: last/min/max/avg and the latest 120 points.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let Scope {
            project, range, window, ..
        } = p.scope(ctx, Self::NAME, 1.0).await?;
        let legend = p.legend.unwrap_or_default();
        let cluster = p.cluster.unwrap_or_default();
        // One chart, or one per member cluster.
        let (charts, source): (Vec<ClusterChart>, &str) = match ctx
            .client
            .panel_data(&project.id, range, &p.promql, &legend, &cluster)
            .await
        {
            Ok(data) => {
                let first = first_point(&data, range);
                (vec![ClusterChart::new(&cluster, data.chart, first)], "panel/data")
            }
            // A multi-cluster project has one Prometheus per member project, and panel/data
            // needs to be told which (api/views/dashboards/panel.go, v1.17+): without a cluster
            // every member is asked and each series named after its cluster.
            Err(CorootError::BadQuery { message, .. }) if message.contains("invalid datasource") => {
                let members = ctx.client.member_projects(&project.id).await.unwrap_or_default();
                if !cluster.is_empty() || members.is_empty() {
                    return Err(ToolError::params(
                        Self::NAME,
                        if members.is_empty() {
                            format!(
                                "Coroot has no cluster '{cluster}' in project {}; omit cluster",
                                project.name
                            )
                        } else {
                            format!(
                                "project {} has no cluster '{cluster}'; pass one of: {}, or omit cluster for all",
                                project.name,
                                members.join(", ")
                            )
                        },
                    ));
                }
                (
                    each_cluster(ctx, &project.id, range, &p.promql, &legend, members).await?,
                    "panel/data",
                )
            }
            // `/api/v1/query_range` exists from v1.17.7 on (main.go, 129e101).
            Err(e) if lacks_panel_data(&e) && ctx.client.version().await.is_none_or(|v| v.at_least(1, 17, 7)) => {
                let chart = ctx
                    .client
                    .query_range(range, fallback_step(range), &p.promql, &legend)
                    .await?;
                (vec![ClusterChart::new("", Some(chart), range.from_ms)], "query_range")
            }
            // Without a working Prometheus Coroot answers 500 with an empty body; its project
            // status says why (api/ctx.go renderStatus).
            Err(e @ CorootError::Api { status: 500.., .. }) => {
                let problems = match ctx.client.project_status(&project.id).await {
                    Ok(status) => status.problems(),
                    Err(_) => Vec::new(),
                };
                return Err(if problems.is_empty() {
                    e.into()
                } else {
                    ToolError::Unavailable {
                        message: format!(
                            "Coroot cannot run PromQL for project {}: {}",
                            project.name,
                            problems.join("; ")
                        ),
                    }
                });
            }
            Err(e) => return Err(e.into()),
        };
        let max_points = ctx.limits.max_points;
        let step_ms = charts
            .iter()
            .find_map(|c| c.chart.as_ref().map(|c| c.ctx.step.max(0)))
            .unwrap_or(0);
        let clusters: Vec<String> = charts
            .iter()
            .map(|c| c.cluster.clone())
            .filter(|c| !c.is_empty())
            .collect();
        let several = charts.len() > 1;
        let mut series: Vec<SeriesOut> = charts
            .into_iter()
            .flat_map(|c| {
                let mut list = summarise(c.chart, c.first_ms, max_points);
                if several {
                    list.iter_mut()
                        .for_each(|s| s.name = format!("{} · {}", c.cluster, s.name));
                }
                list
            })
            .collect();
        series.sort_by(|a, b| {
            b.max
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.max.unwrap_or(f64::NEG_INFINITY))
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(Output {
            project: project.name,
            window,
            promql: p.promql,
            legend,
            source: source.into(),
            clusters,
            step_seconds: step_ms as f64 / 1000.0,
            max_points,
            trimmed: series.iter().any(|s| s.total_points > max_points),
            series,
        })
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let mut t = Answer::new(
            frame,
            "series",
            "narrow the PromQL with label matchers, sum by (...) or topk",
        );
        t.header("PromQL", &out.project, &out.window);
        t.line(format!("query: {}", out.promql));
        match out.clusters.as_slice() {
            [] => {}
            [one] => {
                t.line(format!("cluster: {one}"));
            }
            many => {
                t.line(format!(
                    "clusters: {} (a multi-cluster project: each was asked, each series starts with its cluster)",
                    many.join(", ")
                ));
            }
        }
        if out.source == "query_range" {
            t.line("note: panel/data did not answer; queried /api/v1/query_range with the API key");
        }
        if out.series.is_empty() {
            t.line(format!(
                "The query returned no series for the last {} ({} → {}).",
                crate::render::units::hours(out.window.lookback_hours),
                out.window.from,
                out.window.to
            ));
            t.footer(format!(
                "next: check the metric name and label matchers; Coroot's eBPF metrics include {KEY_METRICS}"
            ));
            return t;
        }
        let longest = out.series.iter().map(|s| s.total_points).max().unwrap_or(0);
        let mut summary = format!(
            "{} series, highest max first · step {}",
            out.series.len(),
            span_ms((out.step_seconds * 1000.0) as i64)
        );
        if out.trimmed {
            summary.push_str(&format!(
                " · trimmed to the latest {} points per series (of up to {longest}); min/max/avg cover the whole window",
                out.max_points
            ));
        }
        t.line(summary);
        t.each("/series", &out.series, series_text);
        if out.trimmed {
            t.footer("next: a shorter lookback_hours gives finer points for the recent past");
        }
        t
    }
}

/// panel/data points start at `from` rounded down to the step.
fn first_point(data: &coroot_client::models::PanelData, range: TimeRange) -> i64 {
    data.chart
        .as_ref()
        .map_or(range.from_ms, |c| c.ctx.from - c.ctx.from.rem_euclid(c.ctx.step.max(1)))
}

/// The query on every member cluster of a multi-cluster project, concurrently. A cluster that
/// fails is left out unless all do.
async fn each_cluster(
    ctx: &ToolContext,
    project: &str,
    range: TimeRange,
    promql: &str,
    legend: &str,
    members: Vec<String>,
) -> Result<Vec<ClusterChart>, ToolError> {
    let mut set = tokio::task::JoinSet::new();
    for (i, member) in members.into_iter().enumerate() {
        let (client, project, promql, legend) = (
            ctx.client.clone(),
            project.to_string(),
            promql.to_string(),
            legend.to_string(),
        );
        set.spawn(async move {
            let answer = client.panel_data(&project, range, &promql, &legend, &member).await;
            (i, member, answer)
        });
    }
    let mut out = Vec::new();
    let mut last_error = None;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, member, Ok(data))) => {
                let first = first_point(&data, range);
                out.push((i, member, data.chart, first));
            }
            Ok((.., Err(e))) => last_error = Some(e),
            Err(_) => {}
        }
    }
    if out.is_empty()
        && let Some(e) = last_error
    {
        return Err(e.into());
    }
    out.sort_by_key(|(i, ..)| *i);
    Ok(out
        .into_iter()
        .map(|(_, member, chart, first)| ClusterChart::new(&member, chart, first))
        .collect())
}

/// One chart and where it came from.
struct ClusterChart {
    /// The member cluster asked, empty when none was.
    cluster: String,
    chart: Option<Chart>,
    /// Time of the chart's first point, epoch ms.
    first_ms: i64,
}

impl ClusterChart {
    fn new(cluster: &str, chart: Option<Chart>, first_ms: i64) -> ClusterChart {
        ClusterChart {
            cluster: cluster.to_string(),
            chart,
            first_ms,
        }
    }
}

/// A 404 or the UI's HTML page: a Coroot older than v1.12, which has no `panel/data`.
fn lacks_panel_data(e: &CorootError) -> bool {
    match e {
        CorootError::NotCorootApi { .. } => true,
        CorootError::NotFound { object, .. } => *object != Object::Project,
        CorootError::Api { status: 404, .. } => true,
        _ => false,
    }
}

/// About 240 points per window, in whole multiples of 30 s.
fn fallback_step(range: TimeRange) -> u32 {
    let secs = ((range.to_ms - range.from_ms) / 1000).max(1);
    let step = (secs / TARGET_POINTS).max(MIN_STEP_SECS);
    let step = (step + MIN_STEP_SECS - 1) / MIN_STEP_SECS * MIN_STEP_SECS;
    u32::try_from(step).unwrap_or(u32::MAX)
}

/// Statistics over each whole series, then its latest `max_points` points.
fn summarise(chart: Option<Chart>, first_ms: i64, max_points: usize) -> Vec<SeriesOut> {
    let Some(chart) = chart else {
        return Vec::new();
    };
    let step_ms = chart.ctx.step.max(1);
    chart
        .series
        .into_iter()
        .map(|s| {
            let total = s.data.len();
            // One pass over the points: min, max, sum, count and the last present one.
            let (mut min, mut max, mut sum, mut count, mut last) =
                (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize, None);
            for (i, v) in s.data.iter().enumerate() {
                if let Some(v) = v.filter(|x| x.is_finite()) {
                    min = min.min(v);
                    max = max.max(v);
                    sum += v;
                    count += 1;
                    last = Some((i, v));
                }
            }
            let any = count > 0;
            let skip = total.saturating_sub(max_points);
            let at = |i: usize| first_ms + i64::try_from(i).unwrap_or(0) * step_ms;
            SeriesOut {
                name: s.name,
                last: last.map(|(_, v)| v),
                last_at: last.map(|(i, _)| iso(at(i))),
                min: any.then_some(min),
                max: any.then_some(max),
                avg: any.then(|| sum / count as f64),
                total_points: total,
                start: iso(at(skip)),
                step_seconds: step_ms as f64 / 1000.0,
                values: s.data.into_iter().skip(skip).collect(),
                trailing_gap: last.is_some_and(|(i, _)| i + 1 < total),
            }
        })
        .collect()
}

/// `name: last 0.5 · min 0.1 · max 0.9 · avg 0.4 · 180 points` plus the kept values.
fn series_text(s: &SeriesOut) -> String {
    let stat = |v: Option<f64>| v.map_or_else(|| "-".to_string(), num);
    let mut line = match s.last {
        None => format!("{}: no data in the window", s.name),
        Some(last) => {
            let mut l = format!("{}: last {}", s.name, num(last));
            if s.trailing_gap
                && let Some(at) = &s.last_at
            {
                l.push_str(&format!(" at {at}, no data since"));
            }
            l.push_str(&format!(
                " · min {} · max {} · avg {}",
                stat(s.min),
                stat(s.max),
                stat(s.avg)
            ));
            l
        }
    };
    line.push_str(&format!(" · {} points", s.total_points));
    if s.last.is_some() {
        let kept = if s.values.len() < s.total_points {
            format!("last {} of {}", s.values.len(), s.total_points)
        } else {
            format!("all {}", s.values.len())
        };
        line.push_str(&format!("\n  values ({kept}, from {}):", s.start));
        // Thousands of numbers per call: written in place, not one String each.
        line.reserve(s.values.len() * 6);
        for v in &s.values {
            line.push(' ');
            match v.filter(|x| x.is_finite()) {
                Some(x) => push_num(&mut line, x),
                None => line.push('-'),
            }
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    #[tokio::test]
    async fn series_are_trimmed_to_120_points_and_say_from_how_many() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<QueryMetrics>(
            &kit,
            json!({"promql": "sum by (pod) (rate(container_resources_cpu_usage_seconds_total{container=\"payment\"}[5m]))",
                   "legend": "{{pod}}", "lookback_hours": 3}),
        )
        .await;
        let series = out.structured["series"].as_array().unwrap();
        assert!(!series.is_empty(), "{}", out.text);
        for s in series {
            assert_eq!(s["values"].as_array().unwrap().len(), 120, "{s}");
            assert_eq!(s["total_points"], 180);
            assert_eq!(s["step_seconds"], 60.0);
        }
        assert_eq!(out.structured["trimmed"], true);
        assert_eq!(out.structured["source"], "panel/data");
        assert!(
            out.text
                .contains("trimmed to the latest 120 points per series (of up to 180)"),
            "{}",
            out.text
        );
        assert!(out.text.contains("values (last 120 of 180, from "), "{}", out.text);
        assert!(out.text.contains("payment-7d9f8b6c5-x2x9k: last "), "{}", out.text);
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn a_promql_syntax_error_passes_coroots_message_through() {
        let kit = testing::ecommerce().await;
        let err = testing::run_err::<QueryMetrics>(
            &kit,
            json!({"promql": "sum(rate(container_resources_memory_rss_bytes[5m])"}),
        )
        .await;
        assert!(
            err.contains("Coroot rejected the PromQL query: 1:4: parse error: unclosed left parenthesis"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn an_unknown_metric_says_what_was_queried_and_names_real_metrics() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<QueryMetrics>(
            &kit,
            json!({"promql": "rate(container_cpu_usage_seconds_total[5m])", "lookback_hours": "2"}),
        )
        .await;
        assert!(
            out.text.contains("query: rate(container_cpu_usage_seconds_total[5m])"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("The query returned no series for the last 2h ("),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains("container_resources_cpu_usage_seconds_total, container_resources_memory_rss_bytes"),
            "{}",
            out.text
        );
        assert_eq!(out.structured["series"], json!([]));
    }

    #[tokio::test]
    async fn without_panel_data_the_api_key_route_is_used() {
        let kit = testing::ecommerce().await;
        kit.sim.inject(coroot_sim::FaultRule {
            path_contains: "/panel/data".into(),
            fault: coroot_sim::Fault::Html,
            times: None,
        });
        let mut ctx = kit.ctx.clone();
        let mut config = ctx.client.config().clone();
        config.api_key = Some("sim-api-key".into());
        ctx.client = coroot_client::Client::new(config).unwrap();
        let out =
            crate::tool::call::<QueryMetrics>(&ctx, json!({"promql": "sum(rate(container_oom_kills_total[5m]))"}))
                .await
                .unwrap();
        assert_eq!(out.structured["source"], "query_range");
        assert!(out.text.contains("queried /api/v1/query_range"), "{}", out.text);
        let req = kit
            .sim
            .requests()
            .into_iter()
            .find(|r| r.path.ends_with("/api/v1/query_range"))
            .expect("fallback request");
        assert_eq!(req.param("step"), Some("30"));
        assert_eq!(req.header("x-api-key"), Some("sim-api-key"));
    }

    #[tokio::test]
    async fn a_multi_cluster_project_asks_every_cluster_or_the_one_named() {
        let config = coroot_sim::SimConfig {
            multicluster: true,
            ..Default::default()
        };
        let kit = testing::start_with(coroot_sim::Scenario::ecommerce(), config).await;
        let promql = "sum(rate(container_resources_cpu_usage_seconds_total[5m]))";
        let out = testing::run::<QueryMetrics>(&kit, json!({"promql": promql, "project_id": "all"})).await;
        assert_eq!(
            out.structured["clusters"],
            json!(["production", "staging"]),
            "{}",
            out.text
        );
        assert!(out.text.contains("clusters: production, staging"), "{}", out.text);
        let names: Vec<&str> = out.structured["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert!(names.iter().any(|n| n.starts_with("production · ")), "{names:?}");
        // Each member's Prometheus is the query's datasource (api/views/dashboards/panel.go).
        let sources: Vec<String> = kit
            .sim
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/panel/data"))
            .filter_map(|r| r.param("query").map(str::to_string))
            .filter_map(|q| serde_json::from_str::<serde_json::Value>(&q).ok())
            .filter_map(|q| {
                q["source"]["metrics"]["queries"][0]["datasource"]
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
        assert!(sources.contains(&"staging".to_string()), "{sources:?}");

        let one = testing::run::<QueryMetrics>(
            &kit,
            json!({"promql": promql, "project_id": "all", "cluster": "staging"}),
        )
        .await;
        assert_eq!(one.structured["clusters"], json!(["staging"]));
        assert!(
            one.structured["series"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| !s["name"].as_str().unwrap().contains(" · "))
        );
        let err =
            testing::run_err::<QueryMetrics>(&kit, json!({"promql": promql, "project_id": "all", "cluster": "nope"}))
                .await;
        assert!(err.contains("pass one of: production, staging"), "{err}");
    }

    #[tokio::test]
    async fn without_prometheus_the_error_says_so() {
        let config = coroot_sim::SimConfig {
            health: coroot_sim::ProjectHealth {
                prometheus: coroot_sim::PrometheusHealth::NotConfigured,
                ..Default::default()
            },
            ..Default::default()
        };
        let kit = testing::start_with(coroot_sim::Scenario::ecommerce(), config).await;
        let err = testing::run_err::<QueryMetrics>(&kit, json!({"promql": "up"})).await;
        assert!(
            err.starts_with("Coroot cannot run PromQL for project production: Prometheus is not configured"),
            "{err}"
        );
        assert!(err.contains("configure Prometheus in the project's settings"), "{err}");
    }

    #[test]
    fn fallback_steps_are_multiples_of_30s() {
        let r = |h: i64| TimeRange {
            from_ms: 0,
            to_ms: h * 3_600_000,
        };
        assert_eq!(fallback_step(r(1)), 30);
        assert_eq!(fallback_step(r(24)), 360);
        assert_eq!(fallback_step(r(720)), 10800);
    }
}
