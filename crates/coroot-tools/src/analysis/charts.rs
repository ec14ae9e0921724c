//! Charts of Coroot's reports: titles with their units, and what a series did over the window.

use coroot_client::models::{ApplicationView, AuditReport, Chart, Widget};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::markup::{split_unit, title};
use crate::render::units::{latency_ms, num};

/// What a series did over the window: its last, highest and average value.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct SeriesStats {
    /// Series name (e.g. a device, a destination).
    pub name: String,
    /// Latest value.
    pub last: f64,
    /// Highest value.
    pub max: f64,
    /// Average.
    pub avg: f64,
}

/// Statistics of a series' finite points; `None` when it has none (no data in the window).
pub fn stats(name: &str, data: &[Option<f64>]) -> Option<SeriesStats> {
    let mut last = None;
    let (mut max, mut sum, mut n) = (f64::MIN, 0.0, 0usize);
    for v in data.iter().flatten().copied().filter(|v| v.is_finite()) {
        last = Some(v);
        max = max.max(v);
        sum += v;
        n += 1;
    }
    Some(SeriesStats {
        name: name.to_string(),
        last: last?,
        max,
        avg: sum / n as f64,
    })
}

/// Statistics of every series of a chart that has data.
pub fn series_stats(chart: &Chart) -> Vec<SeriesStats> {
    chart.series.iter().filter_map(|s| stats(&s.name, &s.data)).collect()
}

/// The highest value of any series of a chart (0 without data).
pub fn peak(chart: &Chart) -> f64 {
    chart
        .series
        .iter()
        .flat_map(|s| s.data.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v))
}

/// The workload that uses most of a node resource, from the node's consumers chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Consumer {
    /// Workload name as the chart has it (the app's name).
    pub name: String,
    /// Its latest use, in the chart's unit.
    pub last: f64,
    /// The node's capacity (the chart's `total` line), else the sum of every consumer.
    pub total: f64,
    /// The chart's unit (`cores`).
    pub unit: String,
}

/// The top consumer of a node report's "`resource` consumers" chart (`auditor/node.go`:
/// "CPU consumers, cores", "Memory consumers, bytes"), by latest use; `None` without the chart,
/// and for Coroot's aggregate of the small ones (`other`).
pub fn top_consumer(report: &AuditReport, resource: &str) -> Option<Consumer> {
    let want = format!("{} consumers", resource.to_ascii_lowercase());
    let c = report_charts(report)
        .into_iter()
        .find(|c| c.title.to_ascii_lowercase().starts_with(&want))?;
    let all = series_stats(c.chart);
    let sum: f64 = all.iter().map(|s| s.last).sum();
    let total = c
        .chart
        .threshold
        .as_ref()
        .and_then(|t| stats(&t.name, &t.data))
        .map_or(sum, |t| t.last);
    let top = all
        .into_iter()
        .filter(|s| s.name != "other")
        .max_by(|a, b| a.last.total_cmp(&b.last))?;
    Some(Consumer {
        name: top.name,
        last: top.last,
        total,
        unit: c.unit,
    })
}

/// A chart of a report, with its title for people and its unit.
#[derive(Debug)]
pub struct ChartRef<'a> {
    /// The report it belongs to (`Net`, `CPU`, …).
    pub report: &'a str,
    /// Title without markup and unit; a chart group's member in brackets.
    pub title: String,
    /// Coroot's unit word (`seconds/second`, `%`, …), empty when the title has none.
    pub unit: String,
    /// The chart.
    pub chart: &'a Chart,
}

/// Every chart of an app's reports (chart groups flattened, the member's title in brackets).
pub fn app_charts(view: &ApplicationView) -> Vec<ChartRef<'_>> {
    view.reports.iter().flat_map(report_charts).collect()
}

/// Every chart of one report.
pub fn report_charts(r: &AuditReport) -> Vec<ChartRef<'_>> {
    let mut out = Vec::new();
    for w in &r.widgets {
        if let Some(c) = &w.chart {
            let (title, unit) = split_unit(&title(&c.title));
            out.push(ChartRef {
                report: &r.name,
                title,
                unit,
                chart: c,
            });
        }
        if let Some(g) = &w.chart_group {
            let (what, unit) = split_unit(&title(&g.title.replace("<selector>", "")));
            for c in &g.charts {
                let member = title(&c.title);
                let title = if member.is_empty() || member == "overview" {
                    what.clone()
                } else {
                    format!("{what} ({member})")
                };
                out.push(ChartRef {
                    report: &r.name,
                    title,
                    unit: unit.clone(),
                    chart: c,
                });
            }
        }
    }
    out
}

/// One line for a chart: its title, then each series' peak and last value, busiest first
/// (`Errors, per second: errors peak 12, last 8.1`). Values in seconds read as latencies.
pub fn chart_summary(chart: &Chart) -> String {
    let (what, unit) = split_unit(&title(&chart.title));
    let value = |v: f64| match unit.as_str() {
        "seconds" | "second" => latency_ms(v * 1000.0),
        _ => num(v),
    };
    let mut series = series_stats(chart);
    series.sort_by(|a, b| b.max.total_cmp(&a.max));
    let parts: Vec<String> = series
        .iter()
        .take(SUMMARY_SERIES)
        .map(|s| format!("{} peak {}, last {}", s.name, value(s.max), value(s.last)))
        .collect();
    let label = if unit.is_empty() {
        what
    } else {
        format!("{what}, {unit}")
    };
    if parts.is_empty() {
        format!("{label}: no data")
    } else {
        format!("{label}: {}", parts.join("; "))
    }
}

/// One line for any widget Coroot can reference: a chart, each chart of a group, a table's
/// size; `None` for layout widgets.
pub fn widget_summary(w: &Widget) -> Option<String> {
    if let Some(c) = &w.chart {
        return Some(chart_summary(c));
    }
    if let Some(g) = &w.chart_group {
        let charts: Vec<String> = g.charts.iter().take(SUMMARY_SERIES).map(chart_summary).collect();
        return Some(format!("{}: {}", title(&g.title), charts.join(" | ")));
    }
    w.table
        .as_ref()
        .map(|t| format!("table {} ({} rows)", t.header.join(" | "), t.rows.len()))
}

/// Series named per chart summary.
const SUMMARY_SERIES: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_skip_gaps_and_non_finite_points() {
        let s = stats("eth0", &[None, Some(1.0), Some(f64::NAN), Some(3.0), None]).unwrap();
        assert_eq!((s.last, s.max, s.avg), (3.0, 3.0, 2.0));
        assert!(stats("x", &[None, Some(f64::INFINITY)]).is_none());
    }
}
