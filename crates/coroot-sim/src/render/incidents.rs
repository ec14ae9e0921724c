//! Incidents: the list (`GET /incidents`, v1.12.5+, never filtered by time; unresolved first,
//! then newest), the incident view (`GET /incident/{key}`), and the v1.12.0–v1.12.4 shapes
//! (the overview view `incidents` and the `Summary` + `heatmap` detail).

use serde_json::{Value, json};

use super::app_widgets::{heatmap, rca_widget};
use super::audit::first_firing;
use super::{chart, series, set};
use crate::gofmt::format_percentage;
use crate::model::Status;
use crate::util::{HOUR, MIN, TimeCtx};
use crate::world::{Burn, Incident, Project};

/// The window of an incident (`getTimeContext`): v1.12.0–v1.12.4 from opened − 2h15m to the
/// request's `to`, cut at resolved + 2h15m (v1.12.0:api/api.go:1522-1546); v1.12.5+
/// ±`IncidentTimeOffset` = 1h05m, `to` = now while open (v1.12.5:api/api.go:1568-1591);
/// v1.17.4+ capped at 24 hours with `truncated` (1f3a1f3, v1.24.5:api/api.go:2420-2443).
pub(crate) fn incident_ctx(p: &Project, i: &Incident, req_to: i64) -> TimeCtx {
    let v = p.env.version;
    let now = p.now_ms;
    if !v.has_incidents_route() {
        let margin = 2 * HOUR + 15 * MIN;
        let to = match i.resolved_at {
            Some(r) if r + margin < req_to => r + margin,
            _ => req_to,
        };
        return TimeCtx::new(i.opened_at - margin, to);
    }
    let from = i.opened_at - 65 * MIN;
    let to = i.resolved_at.map(|r| r + 65 * MIN).unwrap_or(now).min(now);
    if v.at_least((1, 17, 4)) && to - from > 24 * HOUR {
        let mut ctx = TimeCtx::new(to - 24 * HOUR, to);
        ctx.truncated = true;
        return ctx;
    }
    TimeCtx::new(from, to)
}

/// The two `BurnRate`s of an SLO (v1.24.5:model/alert.go:49-58), one per alert rule.
fn burn_json(b: &Option<Burn>) -> Value {
    let Some(b) = b else {
        return Value::Null;
    };
    let rule = |(long, short): (f64, f64), lw: i64, sw: i64, thr: f64| {
        let firing = long > thr && short > thr;
        json!({"long_window_percentage": long, "short_window_percentage": short,
               "long_window_burn_rate": long, "short_window_burn_rate": short,
               "long_window": lw, "short_window": sw,
               "severity": if firing { "critical" } else { "ok" }, "threshold": thr})
    };
    json!([rule(b.fast, HOUR, 5 * MIN, 14.4), rule(b.slow, 6 * HOUR, 15 * MIN, 6.0)])
}

/// The incident's severity: the worst burn rate while open, OK once resolved (watchers/incidents.go).
fn severity(i: &Incident) -> Status {
    if i.resolved_at.is_some() {
        return Status::Ok;
    }
    let firing = [i.availability, i.latency]
        .iter()
        .flatten()
        .any(|b| first_firing(b).is_some());
    if firing { Status::Critical } else { Status::Ok }
}

/// The served RCA: the AI RCA with the Cloud RCA option, else what an open-source Coroot
/// stores (v1.14.0+: `{"status": "AI disabled"}`, cloud/rca.go:51-58; null before).
fn rca_json(p: &Project, i: &Incident, full: bool) -> Value {
    let v = p.env.version;
    let ai = i.rca.as_ref().filter(|_| p.env.cloud_rca);
    if !v.at_least((1, 14, 0)) {
        // v1.12.5–v1.13.x: `{ai_integration_enabled, …}`, and nothing without Coroot Cloud.
        return match ai {
            None => Value::Null,
            Some(r) => {
                json!({"ai_integration_enabled": true, "short_summary": r.short_summary, "root_cause": r.root_cause,
                               "immediate_fixes": r.immediate_fixes, "detailed_root_cause_analysis": r.detailed, "widgets": null})
            }
        };
    }
    let list_only = !full && v.at_least((1, 21, 0));
    let mut o = match ai {
        None => {
            json!({"status": "AI disabled", "error": "", "short_summary": "", "root_cause": "", "immediate_fixes": "",
                       "detailed_root_cause_analysis": "", "widgets": null})
        }
        Some(_) if list_only => {
            json!({"status": "OK", "error": "", "short_summary": i.rca.as_ref().map(|r| r.short_summary.as_str()),
                                      "root_cause": "", "immediate_fixes": "", "detailed_root_cause_analysis": "", "widgets": null})
        }
        Some(r) => {
            let ctx = incident_ctx(p, i, p.now_ms);
            let widgets: Vec<Value> = r.widgets.iter().map(|(t, m, o)| rca_widget(p, &ctx, t, m, o)).collect();
            json!({"status": "OK", "error": "", "short_summary": r.short_summary, "root_cause": r.root_cause,
                   "immediate_fixes": r.immediate_fixes, "detailed_root_cause_analysis": r.detailed,
                   "widgets": if widgets.is_empty() { Value::Null } else { Value::Array(widgets) }})
        }
    };
    if v.at_least((1, 14, 4)) {
        let pm = ai
            .filter(|r| !list_only && !r.propagation.is_empty())
            .map(propagation_map)
            .unwrap_or(Value::Null);
        set(&mut o, "propagation_map", pm);
    }
    o
}

fn propagation_map(r: &crate::world::Rca) -> Value {
    let links = |v: &[(String, Status, Vec<String>)]| -> Value {
        if v.is_empty() {
            return Value::Null;
        }
        Value::Array(v.iter().map(|(id, s, st)| json!({"id": id, "status": s.as_str(), "stats": if st.is_empty() { Value::Null } else { json!(st) }})).collect())
    };
    let apps: Vec<Value> = r
        .propagation
        .iter()
        .map(|a| {
            let mut o = json!({"id": a.id, "icon": a.icon, "labels": {"ns": "default"}, "status": a.status.as_str(),
                               "upstreams": links(&a.upstreams), "downstreams": links(&a.downstreams)});
            if !a.issues.is_empty() {
                set(&mut o, "issues", json!(a.issues));
            }
            o
        })
        .collect();
    json!({"applications": apps})
}

/// `ApplicationIncident.ShortDescription` (v1.24.5:model/application_incident.go:82-106).
fn short_description(p: &Project, i: &Incident) -> String {
    if let Some(r) = i
        .rca
        .as_ref()
        .filter(|_| p.env.cloud_rca && p.env.version.at_least((1, 12, 5)))
        && !r.short_summary.is_empty()
    {
        return r.short_summary.clone();
    }
    match (i.availability_impact > 0.0, i.latency_impact > 0.0) {
        (true, true) => "High latency and errors",
        (false, true) => "High latency",
        (true, false) => "Elevated error rate",
        _ => "SLO violation",
    }
    .into()
}

fn category(p: &Project, i: &Incident) -> String {
    p.app_index
        .get(&i.app_id)
        .map(|&k| p.apps[k].category.clone())
        .unwrap_or_else(|| "application".into())
}

/// An `Incident` (v1.24.5:api/views/incident/incident.go:9-50); `cluster` from v1.24.1.
fn incident_json(p: &Project, i: &Incident, full: bool) -> Value {
    let mut o = json!({
        "application_id": i.app_id, "key": i.key, "opened_at": i.opened_at, "resolved_at": i.resolved_at,
        "severity": severity(i).as_str(),
        "details": {"availability_burn_rates": burn_json(&i.availability), "latency_burn_rates": burn_json(&i.latency),
                    "availability_impact": {"percentage": i.availability_impact}, "latency_impact": {"percentage": i.latency_impact}},
        "rca": rca_json(p, i, full),
        "impact": i.availability_impact.max(i.latency_impact),
        "short_description": short_description(p, i),
        "application_category": category(p, i),
        "duration": i.resolved_at.unwrap_or(p.now_ms / 1000 * 1000) - i.opened_at,
    });
    if p.env.version.at_least((1, 24, 1)) {
        let cluster = p
            .app_index
            .get(&i.app_id)
            .map(|&k| p.app_cluster(&p.apps[k]))
            .unwrap_or(&p.name);
        set(&mut o, "cluster", json!(cluster));
    }
    o
}

/// `data` of `/incidents` (db/incident.go:188: `ORDER BY (resolved_at = 0) DESC, opened_at DESC`).
pub(crate) fn list(p: &Project, limit: usize) -> Value {
    let mut v: Vec<&Incident> = p.incidents.iter().collect();
    v.sort_by(|a, b| {
        a.resolved_at
            .is_some()
            .cmp(&b.resolved_at.is_some())
            .then(b.opened_at.cmp(&a.opened_at))
    });
    Value::Array(v.into_iter().take(limit).map(|i| incident_json(p, i, false)).collect())
}

/// `actual_from` (incident.go:79-117): opened minus the short window of the latest firing
/// availability burn rate; the latency loop first sets it from the first latency burn rate
/// when still unset (whatever its severity), then from a firing one.
fn actual_from(i: &Incident, has_sli: bool) -> Option<i64> {
    if !has_sli {
        return None;
    }
    let short = |k: usize| if k == 0 { 5 * MIN } else { 15 * MIN };
    let fires = |b: &Burn, k: usize| {
        let (l, s) = if k == 0 { b.fast } else { b.slow };
        let thr = if k == 0 { 14.4 } else { 6.0 };
        l > thr && s > thr
    };
    let mut from: Option<i64> = None;
    if let Some(b) = &i.availability
        && let Some(k) = (0..2).find(|&k| fires(b, k))
    {
        from = Some(i.opened_at - short(k));
    }
    if let Some(b) = &i.latency {
        if from.is_none() {
            from = Some(i.opened_at - short(0));
        }
        if let Some(k) = (0..2).find(|&k| fires(b, k)) {
            let t = i.opened_at - short(k);
            from = Some(from.map_or(t, |f| f.max(t)));
        }
    }
    from
}

/// `data` of `/incident/{key}` (v1.12.5+): the list fields, the SLO details, the actual
/// window and the SLI charts ("Latency, seconds" p25–p99, "Errors, per second") annotated
/// with the incident.
pub(crate) fn detail(p: &Project, i: &Incident) -> Value {
    let mut v = incident_json(p, i, true);
    let app = p.app_index.get(&i.app_id).map(|&k| &p.apps[k]);
    let has_sli = p.app_index.get(&i.app_id).is_some_and(|&k| p.has_sli(k));
    let end = i.resolved_at.unwrap_or(p.now_ms / 1000 * 1000);
    let slo = |b: &Option<Burn>, latency: bool| {
        let violated = b.as_ref().and_then(first_firing);
        let mut o = json!({"objective": if latency { "99% of requests should be served faster than 500ms" } else { "99% of requests should not fail" },
               "compliance": "100%", "violated": violated.is_some(), "threshold": if latency { 0.5 } else { 0.0 }});
        if let Some((_, rate)) = violated {
            set(&mut o, "compliance", json!(format_percentage(100.0 - rate)));
        }
        o
    };
    let from = actual_from(i, has_sli);
    if has_sli {
        set(&mut v, "availability_slo", slo(&i.availability, false));
        set(&mut v, "latency_slo", slo(&i.latency, true));
    }
    set(&mut v, "actual_from", json!(from));
    set(&mut v, "actual_to", json!(end));
    let mut widgets = Vec::new();
    if let Some(a) = app.filter(|_| has_sli) {
        let ctx = incident_ctx(p, i, p.now_ms);
        let ann = json!([{"name": "incident", "x1": from, "x2": end, "icon": ""}]);
        let during = |t: i64| t >= i.opened_at && t <= end;
        let bump = if i.latency_impact > 0.0 { 6.0 } else { 1.0 };
        let lat_series = [("p25", 0.5), ("p50", 0.8), ("p75", 1.2), ("p95", 2.5), ("p99", 4.0)]
            .iter()
            .map(|(name, mult)| {
                let d = ctx
                    .times()
                    .map(|t| a.latency_ms / 1000.0 * mult * if during(t) { bump } else { 1.0 } / 4.0);
                series(name, None, d.collect())
            })
            .collect();
        let mut lat = chart(&ctx, "Latency, seconds", lat_series);
        set(&mut lat, "annotations", ann.clone());
        widgets.push(json!({"chart": lat}));
        let errors = ctx
            .times()
            .map(|t| {
                if during(t) {
                    a.rps * i.availability_impact.max(0.5) / 100.0
                } else {
                    0.0
                }
            })
            .collect();
        let mut err = chart(
            &ctx,
            "Errors, per second",
            vec![series("errors", Some("black"), errors)],
        );
        set(&mut err, "stacked", json!(true));
        set(&mut err, "annotations", ann);
        widgets.push(json!({"chart": err}));
    }
    set(
        &mut v,
        "widgets",
        if widgets.is_empty() {
            Value::Null
        } else {
            Value::Array(widgets)
        },
    );
    v
}

/// An incident `Summary` of v1.12.0–v1.12.4 (v1.12.4:api/views/incident/summary.go).
fn summary_v1_12(p: &Project, i: &Incident, ctx_to: i64) -> Value {
    let to = i.resolved_at.unwrap_or(ctx_to);
    let pct = i.availability_impact.max(i.latency_impact);
    let mut o = json!({
        "application_id": i.app_id, "key": i.key, "opened_at": i.opened_at, "resolved_at": i.resolved_at,
        "severity": severity(i).as_str(), "application_category": category(p, i), "duration": to - i.opened_at,
        "affected_request_percent": pct, "error_budget_consumed_percent": pct * 100.0,
        "actual_from": i.opened_at - 5 * MIN, "actual_to": to
    });
    let has_sli = p.app_index.get(&i.app_id).is_some_and(|&k| p.has_sli(k));
    if has_sli {
        let slo = |impact: f64, latency: bool| {
            json!({"objective": if latency { "99% of requests should be served faster than 500ms" } else { "99% of requests should not fail" },
                   "compliance": format_percentage(100.0 - impact), "violated": 100.0 - impact < 99.0,
                   "threshold": if latency { 0.5 } else { 0.0 }})
        };
        set(&mut o, "availability_slo", slo(i.availability_impact, false));
        set(&mut o, "latency_slo", slo(i.latency_impact, true));
    }
    o
}

/// The overview view `incidents` of v1.12.0–v1.12.4 (v1.12.4:api/views/overview/overview.go:32-44):
/// the incidents overlapping the window, as `Summary` items.
pub(crate) fn overview_v1_12(p: &Project, ctx: &TimeCtx) -> Value {
    let v: Vec<Value> = p
        .incidents
        .iter()
        .filter(|i| i.opened_at <= ctx.to && i.resolved_at.is_none_or(|r| r >= ctx.from))
        .map(|i| summary_v1_12(p, i, ctx.to))
        .collect();
    if v.is_empty() { Value::Null } else { Value::Array(v) }
}

/// `data` of `/incident/{key}` on v1.12.0–v1.12.4: the `Summary` plus the app's SLO heatmap
/// annotated with the incident, or null when the app has no heatmap (no SLI).
pub(crate) fn detail_v1_12(p: &Project, i: &Incident, ctx: &TimeCtx) -> Value {
    let Some(&idx) = p.app_index.get(&i.app_id).filter(|&&k| p.has_sli(k)) else {
        return Value::Null;
    };
    let mut v = summary_v1_12(p, i, ctx.to);
    let mut h = heatmap(p, idx, ctx);
    let to = i.resolved_at.unwrap_or(ctx.to);
    if let Some(hm) = h.get_mut("heatmap") {
        set(
            hm,
            "annotations",
            json!([{"name": "incident", "x1": i.opened_at - 5 * MIN, "x2": to, "icon": ""}]),
        );
    }
    set(&mut v, "heatmap", h);
    v
}
