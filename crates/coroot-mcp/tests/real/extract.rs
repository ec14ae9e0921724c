//! Each tool's structured answer as facts (see `facts`): what the comparison reads, tool by
//! tool. What a fresh Coroot cannot know is left out here, each with its reason
//! (docs/coroot-compat.md, "Differential tests").

use serde_json::Value;

use crate::facts::{BURN, Facts, LATENCY, MONEY, PERCENT, Put, Tol, app, arr, link_stats, s};

fn put<'a>(facts: &'a mut Facts, prefix: impl Into<String>) -> Put<'a> {
    Put {
        facts,
        prefix: prefix.into(),
    }
}

/// `coroot_get_applications`: each app's status, type and the cells Coroot flags.
pub fn applications(out: &Value, f: &mut Facts) {
    for a in arr(out, "applications") {
        let mut p = put(f, format!("applications/{}", app(s(a, "id"))));
        p.text("status", s(a, "status"));
        p.text("type", s(a, "type"));
        p.text("category", s(a, "category"));
        for c in arr(a, "cells") {
            let name = s(c, "name");
            p.text(&format!("{name}.status"), s(c, "status"));
            let tol = match name {
                "errors" | "disk_usage" => PERCENT,
                "latency" | "network" | "dns" => LATENCY,
                "disk_io_load" => Tol::Near(0.5, 0.15),
                _ => Tol::Exact,
            };
            p.value(&format!("{name}.value"), s(c, "value"), tol);
        }
    }
}

/// `coroot_get_service_map`: every link's status and stats, every app's own status, failing
/// reports and link counts.
pub fn service_map(out: &Value, f: &mut Facts) {
    for l in arr(out, "links") {
        let mut p = put(f, format!("map/{}->{}", app(s(l, "client")), app(s(l, "upstream"))));
        p.text("status", s(l, "status"));
        link_stats(&mut p, arr(l, "stats"));
    }
    for a in arr(out, "apps") {
        let mut p = put(f, format!("map/{}", app(s(a, "id"))));
        p.text("status", s(a, "status"));
        p.text("category", s(a, "category"));
        let reports: Vec<&str> = arr(a, "failing_reports").iter().filter_map(Value::as_str).collect();
        p.text("failing_reports", reports.join(", "));
        for k in ["upstreams", "downstreams"] {
            p.num(k, a[k].as_f64().unwrap_or(-1.0), Tol::Exact);
        }
    }
}

/// `coroot_get_nodes`: each node's status and hardware, CPU and memory within 3 points.
pub fn nodes(out: &Value, f: &mut Facts) {
    for n in arr(out, "nodes") {
        let mut p = put(f, format!("nodes/{}", s(n, "name")));
        for k in [
            "status",
            "message",
            "availability_zone",
            "cloud_provider",
            "instance_type",
            "compute",
            "kernel_version",
            "os",
        ] {
            p.text(k, s(n, k));
        }
        let ips: Vec<&str> = arr(n, "ips").iter().filter_map(Value::as_str).collect();
        p.text("ips", ips.join(","));
        for k in ["cpu_percent", "memory_percent"] {
            match n[k].as_f64() {
                Some(v) => p.num(k, v, Tol::Near(3.0, 0.0)),
                None => p.text(k, "none"),
            }
        }
        for k in ["network_rx_bits", "network_tx_bits"] {
            if let Some(v) = n[k].as_f64() {
                p.num(k, v, Tol::Near(0.0, 0.1));
            }
        }
    }
}

/// `coroot_get_deployments`: rollouts at or after `since` (ISO) with status and summary. A
/// fresh Coroot's deployment watcher looks at its first hour only (watchers/deployments.go on
/// the world of [cache to − 1 h, cache to]), so older rollouts are the simulator's alone.
pub fn deployments(out: &Value, f: &mut Facts, since: &str) {
    for d in arr(out, "deployments") {
        if s(d, "deployed_at") < since {
            continue;
        }
        let mut p = put(
            f,
            format!("deployments/{}/{}", app(s(d, "application_id")), s(d, "version")),
        );
        p.text("status", s(d, "status"));
        for (i, m) in arr(d, "summary").iter().enumerate() {
            p.message(&format!("summary{i}"), s(m, "message"), PERCENT);
            p.text(&format!("summary{i}.result"), s(m, "result"));
        }
    }
}

/// The alert rules that fire at their first evaluation (`For` 0 in model/alerting_rule.go):
/// the others wait `For` (2 to 15 minutes) of a running Coroot's watcher before they open.
const IMMEDIATE_RULES: &[&str] = &["Out of memory kills", "Instance restarts"];

/// `coroot_get_incidents`: open incidents by app (an incident opened and resolved before a
/// fresh Coroot started is the simulator's alone) and the alerts that fire at once. When
/// and for how long are not facts a fresh Coroot shares (it opens incidents when it
/// starts), nor the impact, measured from the opening. Returns the open incidents'
/// (app, key).
pub fn incidents(out: &Value, f: &mut Facts) -> Vec<(String, String)> {
    let mut open = Vec::new();
    for i in arr(out, "incidents") {
        if i["open"] != Value::Bool(true) {
            continue;
        }
        let id = app(s(i, "application_id"));
        let mut p = put(f, format!("incidents/{id}"));
        p.text("status", s(i, "status"));
        p.text("description", s(i, "description"));
        p.text("rca_status", s(i, "rca_status"));
        open.push((id, s(i, "key").to_string()));
    }
    for a in arr(out, "firing_alerts") {
        if !IMMEDIATE_RULES.contains(&s(a, "rule")) {
            continue;
        }
        let mut p = put(f, format!("alerts/{}/{}", app(s(a, "application_id")), s(a, "rule")));
        p.text("status", s(a, "status"));
        p.text("report", s(a, "report"));
        // Coroot re-evaluates alerts at every refresh, over the hour before it, so the real
        // summary counts up to a few minutes past the comparison clock: an OOM kill near
        // the window's start may have left it.
        p.message("summary", s(a, "summary"), Tol::Near(1.0, 0.0));
    }
    open
}

/// `coroot_get_incident_detail`: burn rates per SLO and rule, SLO compliance, description.
pub fn incident_detail(out: &Value, f: &mut Facts, app_id: &str) {
    let mut p = put(f, format!("incident/{app_id}"));
    p.text("status", s(out, "status"));
    p.text("description", s(out, "description"));
    p.text("root_cause_app", app(s(out, "root_cause_app")));
    for b in arr(out, "burn_rates") {
        let k = format!(
            "{}/{}h",
            s(b, "kind"),
            b["long_window_ms"].as_i64().unwrap_or(0) / 3_600_000
        );
        p.text(&format!("{k}.status"), s(b, "status"));
        p.num(
            &format!("{k}.long"),
            b["long_window_burn_rate"].as_f64().unwrap_or(-1.0),
            BURN,
        );
        p.num(
            &format!("{k}.short"),
            b["short_window_burn_rate"].as_f64().unwrap_or(-1.0),
            BURN,
        );
    }
    for slo in arr(out, "slos") {
        let k = s(slo, "kind");
        p.text(&format!("slo.{k}.objective"), s(slo, "objective"));
        p.text(&format!("slo.{k}.violated"), slo["violated"].to_string());
        p.value(
            &format!("slo.{k}.compliance"),
            s(slo, "compliance"),
            Tol::Near(3.0, 0.0),
        );
    }
}

/// `coroot_get_app_detail`: own status, report statuses, failing checks (ids, statuses,
/// messages with numbers compared loosely), clients and dependencies with their links,
/// instances with their statuses.
pub fn app_detail(out: &Value, f: &mut Facts) {
    let id = app(s(out, "app_id"));
    let mut p = put(f, format!("app/{id}"));
    p.text("status", s(out, "status"));
    for r in arr(out, "reports") {
        p.text(&format!("report.{}", s(r, "report")), s(r, "status"));
    }
    for c in arr(out, "failing_checks") {
        let k = format!("check.{}", s(c, "id"));
        p.text(&format!("{k}.status"), s(c, "status"));
        // Log counts get the log patterns' tolerance: under load a real Coroot has been seen
        // short of what its counters hold, by up to half (docs/coroot-compat.md).
        let tol = if s(c, "id") == "LogErrors" {
            LOG_COUNT
        } else {
            Tol::Near(1.0, 0.1)
        };
        p.message(&format!("{k}.message"), s(c, "message"), tol);
    }
    for (side, key) in [("client", "clients"), ("dependency", "dependencies")] {
        for c in arr(out, key) {
            let mut p = put(f, format!("app/{id}/{side}/{}", app(s(c, "id"))));
            p.text("link", s(c, "status"));
            p.text("reason", s(c, "reason"));
            p.text("app_status", s(c, "app_status"));
            link_stats(&mut p, arr(c, "stats"));
        }
    }
    for i in arr(out, "instances") {
        let mut p = put(f, format!("app/{id}/instance/{}", s(i, "name")));
        p.text("status", s(i, "status"));
        p.text("node", s(i, "node"));
        p.value("restarts", s(i, "restarts"), Tol::Exact);
    }
}

/// Log line counts: how many lines each pattern counted moves with scrape timing, and a loaded
/// real Coroot has been seen up to half short (3 of 6, 19 of 23; and once a warning pattern of
/// a single line missing altogether), so counts agree within 3 lines or 50 %.
const LOG_COUNT: Tol = Tol::Near(3.0, 0.5);
/// Which patterns exist is compared exactly for those above the tolerance: a pattern of at
/// most 3 lines may be wholly missing within it.
const LOG_PATTERN_MIN: f64 = 3.0;

/// `coroot_get_app_logs` without ClickHouse: Coroot's message and the patterns it still has
/// from the node agent's log counters: per severity, how many of more than 3 lines and their
/// counts, largest first (within a few lines: a line near the window's edge may fall on either
/// side). Not
/// the samples: a pattern merged from several agent patterns shows the sample of whichever
/// counter Coroot met first, and that order changes from one run to the next
/// (constructor/logs.go `logMessage`).
pub fn app_logs(out: &Value, f: &mut Facts) {
    let id = app(s(out, "app_id"));
    let mut p = put(f, format!("logs/{id}"));
    p.text("message", s(out, "coroot_message"));
    p.num("entries", out["total_entries"].as_f64().unwrap_or(-1.0), Tol::Exact);
    let mut by: std::collections::BTreeMap<&str, Vec<f64>> = std::collections::BTreeMap::new();
    for pat in arr(out, "patterns") {
        by.entry(s(pat, "severity"))
            .or_default()
            .push(pat["count"].as_f64().unwrap_or(-1.0));
    }
    for (severity, mut counts) in by {
        counts.retain(|n| *n > LOG_PATTERN_MIN);
        if counts.is_empty() {
            continue;
        }
        counts.sort_by(|a, b| b.total_cmp(a));
        p.num(&format!("patterns.{severity}"), counts.len() as f64, Tol::Exact);
        for (i, n) in counts.into_iter().enumerate() {
            p.num(&format!("pattern.{severity}#{i}"), n, LOG_COUNT);
        }
    }
}

/// `coroot_get_traces` and `coroot_get_overview_logs` without ClickHouse: what Coroot says.
pub fn no_clickhouse(tool: &str, out: &Value, f: &mut Facts) {
    let mut p = put(f, tool.to_string());
    p.text("message", s(out, "coroot_message"));
    for k in ["returned", "total_entries"] {
        if let Some(n) = out[k].as_f64() {
            p.num(k, n, Tol::Exact);
        }
    }
}

/// `coroot_get_node_detail`: status, what it flags, its groups and charts, the Disks table's
/// devices with latency and I/O load.
pub fn node_detail(out: &Value, f: &mut Facts) {
    let mut p = put(f, format!("node/{}", s(out, "node")));
    p.text("status", s(out, "status"));
    let flagged: Vec<String> = arr(out, "flagged").iter().map(|v| v.to_string()).collect();
    p.text("flagged", flagged.join("; "));
    for g in arr(out, "groups") {
        let charts: Vec<&str> = arr(g, "charts").iter().map(|c| s(c, "title")).collect();
        p.text(&format!("group.{}", s(g, "name")), charts.join(", "));
        for t in arr(g, "tables") {
            let header: Vec<&str> = arr(t, "header").iter().filter_map(Value::as_str).collect();
            for row in arr(t, "rows") {
                let cells: Vec<&str> = row.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let Some(dev) = cells.first() else {
                    continue;
                };
                for (h, c) in header.iter().zip(&cells).skip(1) {
                    match *h {
                        "Latency" => p.value(&format!("disk.{dev}.latency"), &c.replace(' ', ""), LATENCY),
                        "I/O Load" => p.value(&format!("disk.{dev}.io_load"), c, Tol::Near(0.3, 0.15)),
                        _ => {}
                    }
                }
            }
        }
    }
}

/// `coroot_get_costs`: node prices, each app's allocation (requests) and usage costs and
/// its requests.
pub fn costs(out: &Value, f: &mut Facts) {
    for n in arr(out, "nodes") {
        let mut p = put(f, format!("costs/node/{}", s(n, "name")));
        p.num("price", n["price"].as_f64().unwrap_or(-1.0), MONEY);
    }
    for a in arr(out, "applications") {
        let mut p = put(f, format!("costs/app/{}", app(s(a, "application_id"))));
        p.num("allocation", a["allocation_costs"].as_f64().unwrap_or(-1.0), MONEY);
        p.num("usage", a["usage_costs"].as_f64().unwrap_or(-1.0), Tol::Near(0.5, 0.3));
        for c in arr(a, "components") {
            p.text(&format!("{}.cpu_request", s(c, "name")), s(c, "cpu_request"));
            p.text(&format!("{}.memory_request", s(c, "name")), s(c, "memory_request"));
        }
    }
}

/// `coroot_get_risks`: each risk by app and type, with its severity and description.
pub fn risks(out: &Value, f: &mut Facts) {
    for r in arr(out, "risks") {
        let mut p = put(f, format!("risks/{}/{}", app(s(r, "application_id")), s(r, "type")));
        p.text("status", s(r, "status"));
        p.text("category", s(r, "category"));
        p.text("description", s(r, "description"));
    }
}

/// `coroot_query_metrics`: how many series a query returns and their last values summed.
pub fn query(out: &Value, f: &mut Facts, name: &str) {
    let mut p = put(f, format!("query/{name}"));
    let series = arr(out, "series");
    p.num("series", series.len() as f64, Tol::Exact);
    let last: f64 = series.iter().filter_map(|x| x["last"].as_f64()).sum();
    p.num("last", last, Tol::Near(0.0, 0.15));
}

/// `coroot_investigate`: the top suspects (app and kind of fault) and the failure paths.
pub fn investigate(out: &Value, f: &mut Facts) {
    let mut p = put(f, "investigate");
    for (i, sus) in arr(out, "suspects").iter().take(2).enumerate() {
        p.text(&format!("suspect{i}.app"), app(s(sus, "app")));
        p.text(&format!("suspect{i}.kind"), s(sus, "kind"));
    }
    for (i, path) in arr(out, "paths").iter().enumerate() {
        let apps: Vec<String> = path
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(app)
            .collect();
        p.text(&format!("path{i}"), apps.join(" <- "));
    }
}
