//! Incidents: the list (§6.6, never filtered by time; unresolved first, then newest) and
//! the incident view (§6.7) with its full RCA, SLOs and widgets.

use serde_json::{Value, json};

use super::{chart, series};
use crate::util::TimeCtx;
use crate::world::{BurnRate, Incident, Project, Rca};

const MIN: i64 = 60_000;

/// The time window of an incident: 65 minutes either side, capped at 24 hours.
pub(crate) fn incident_ctx(i: &Incident, now: i64) -> TimeCtx {
    let from = i.opened_at - 65 * MIN;
    let to = i.resolved_at.map(|r| r + 65 * MIN).unwrap_or(now).min(now);
    let mut ctx = if to - from > 24 * 60 * MIN {
        TimeCtx::new(to - 24 * 60 * MIN, to)
    } else {
        TimeCtx::new(from, to)
    };
    ctx.truncated = to - from > 24 * 60 * MIN;
    ctx
}

fn burn(b: &Option<BurnRate>) -> Value {
    match b {
        None => Value::Null,
        Some(b) => {
            json!([{"long_window_percentage": b.long_pct, "short_window_percentage": b.short_pct,
                           "long_window_burn_rate": b.long_rate, "short_window_burn_rate": b.short_rate,
                           "long_window": 3_600_000, "short_window": 300_000, "severity": b.severity.as_str(), "threshold": b.threshold}])
        }
    }
}

fn pm_links(v: &[(String, crate::model::Status, Vec<String>)]) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    Value::Array(v.iter().map(|(id, s, st)| json!({"id": id, "status": s.as_str(), "stats": if st.is_empty() { Value::Null } else { json!(st) }})).collect())
}

fn rca_json(r: &Rca, full: bool) -> Value {
    if !full {
        return json!({"status": r.status, "error": "", "short_summary": r.short_summary, "root_cause": "", "immediate_fixes": "",
                      "detailed_root_cause_analysis": "", "propagation_map": null, "widgets": null});
    }
    let apps: Vec<Value> = r
        .propagation
        .iter()
        .map(|a| {
            let mut o = json!({"id": a.id, "icon": a.icon, "labels": {"ns": "default"}, "status": a.status.as_str(),
                               "upstreams": pm_links(&a.upstreams), "downstreams": pm_links(&a.downstreams)});
            if !a.issues.is_empty() {
                super::set(&mut o, "issues", json!(a.issues));
            }
            o
        })
        .collect();
    json!({"status": r.status, "error": "", "short_summary": r.short_summary, "root_cause": r.root_cause, "immediate_fixes": r.immediate_fixes,
           "detailed_root_cause_analysis": r.detailed,
           "propagation_map": if apps.is_empty() { Value::Null } else { json!({"applications": apps}) }, "widgets": null})
}

fn incident_json(p: &Project, i: &Incident, now: i64, full: bool) -> Value {
    let category = p
        .app_index
        .get(&i.app_id)
        .map(|&k| p.apps[k].category.clone())
        .unwrap_or_else(|| "application".into());
    json!({
        "application_id": i.app_id, "key": i.key, "opened_at": i.opened_at, "resolved_at": i.resolved_at, "severity": i.severity.as_str(),
        "details": {"availability_burn_rates": burn(&i.availability_burn), "latency_burn_rates": burn(&i.latency_burn),
                    "availability_impact": {"percentage": i.availability_impact}, "latency_impact": {"percentage": i.latency_impact}},
        "rca": i.rca.as_ref().map(|r| rca_json(r, full)),
        "impact": i.availability_impact.max(i.latency_impact),
        "short_description": i.short_description,
        "application_category": category,
        "duration": i.resolved_at.unwrap_or(now) - i.opened_at,
        "cluster": p.name
    })
}

/// `data` of `/incidents`.
pub(crate) fn list(p: &Project, limit: usize, now: i64) -> Value {
    let mut v: Vec<&Incident> = p.incidents.iter().collect();
    v.sort_by(|a, b| {
        a.resolved_at
            .is_some()
            .cmp(&b.resolved_at.is_some())
            .then(b.opened_at.cmp(&a.opened_at))
    });
    Value::Array(
        v.into_iter()
            .take(limit)
            .map(|i| incident_json(p, i, now, false))
            .collect(),
    )
}

/// `data` of `/incident/{key}`.
pub(crate) fn detail(p: &Project, i: &Incident, now: i64) -> Value {
    let mut v = incident_json(p, i, now, true);
    let slo = |s: &(String, String, bool, f64)| json!({"objective": s.0, "compliance": s.1, "violated": s.2, "threshold": s.3});
    if let Some(s) = &i.availability_slo {
        super::set(&mut v, "availability_slo", slo(s));
    }
    if let Some(s) = &i.latency_slo {
        super::set(&mut v, "latency_slo", slo(s));
    }
    let ctx = incident_ctx(i, now);
    super::set(&mut v, "actual_from", json!(i.opened_at));
    super::set(&mut v, "actual_to", json!(i.resolved_at.unwrap_or(now)));
    let end = i.resolved_at.unwrap_or(now);
    let app = p.app_index.get(&i.app_id).map(|&k| &p.apps[k]);
    let rps = app.map(|a| a.rps).unwrap_or(1.0).max(1.0);
    let in_incident = |t: i64| t >= i.opened_at && t <= end;
    let errors: Vec<f64> = ctx
        .times()
        .map(|t| {
            if in_incident(t) {
                rps * i.availability_impact.max(0.5) / 100.0
            } else {
                0.0
            }
        })
        .collect();
    let lat_bump = if i.latency_impact > 0.0 { 6.0 } else { 1.0 };
    let base_lat = app.map(|a| a.latency_ms).unwrap_or(20.0) / 1000.0;
    let mut widgets = Vec::new();
    let mut lat_series = Vec::new();
    for (name, mult) in [("p25", 0.5), ("p50", 0.8), ("p75", 1.2), ("p95", 2.5), ("p99", 4.0)] {
        lat_series.push(series(
            name,
            None,
            ctx.times()
                .map(|t| base_lat * mult * if in_incident(t) { lat_bump } else { 1.0 })
                .collect(),
        ));
    }
    let ann = json!([{"name": "incident", "x1": i.opened_at, "x2": end, "icon": ""}]);
    let suffix = if ctx.truncated { " (truncated range)" } else { "" };
    let mut lat = chart(&ctx, &format!("Latency, seconds{suffix}"), lat_series);
    super::set(&mut lat, "annotations", ann.clone());
    widgets.push(json!({"chart": lat, "width": "50%"}));
    let mut err = chart(
        &ctx,
        &format!("Errors, per second{suffix}"),
        vec![series("errors", Some("black"), errors)],
    );
    super::set(&mut err, "stacked", json!(true));
    super::set(&mut err, "annotations", ann);
    widgets.push(json!({"chart": err, "width": "50%"}));
    super::set(&mut v, "widgets", Value::Array(widgets));
    v
}
