//! Charts of Coroot's reports: titles with their units, and what a series did over the window.

use coroot_client::models::{ApplicationView, AuditReport, Chart};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::markup::{split_unit, title};

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
