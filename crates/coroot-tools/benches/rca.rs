//! How well `coroot_investigate` finds the cause: every simulator scenario, each with its ground
//! truth (`Scenario::expected_causes`), investigated as an agent would, with no arguments and
//! with the app an incident names (or, with no incident, the app the cause shows in).
//!
//! `cargo bench -p coroot-tools --bench rca` prints one row per run: whether the first suspect
//! is the cause behind the open incidents (top-1) and whether every independent cause is among
//! the first three suspects (or, with more causes than three, among the first as many as there
//! are causes: top-3; with an app_id, only the cause behind that app is expected), how many characters the report has, how many requests it sent Coroot
//! (login aside, with the client's response cache on as in a real server) and its wall time.
//! On a scenario with nothing wrong, "correct" means no suspect at all. The table is also written
//! to `target/bench/rca.md`. `-- --synthetic` adds the 5,000-app synthetic cluster (no ground
//! truth: only size, requests and time). Targets: top-1 on every scenario, no cause on the
//! healthy ones, reports ≤ 8,000 characters, ≤ 40 requests per investigation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::fmt::Write as _;
use std::time::Instant;

use coroot_sim::{Scenario, SyntheticSpec};
use coroot_tools::testing::{self, names_cause};
use serde_json::{Value, json};

/// One investigation's score.
struct Row {
    scenario: String,
    args: String,
    top1: Option<bool>,
    top3: Option<bool>,
    found: String,
    chars: usize,
    requests: usize,
    ms: u128,
    first: String,
}

async fn investigate(name: &str, scenario: Scenario, args: Value) -> (Value, Row) {
    let kit = testing::start(scenario.clone()).await;
    let before = kit.sim.requests().len();
    let started = Instant::now();
    let spec = coroot_tools::find("coroot_investigate").unwrap();
    let (text, structured) = match (spec.call)(&kit.ctx, args.clone()).await {
        Ok(out) => (out.text, out.structured),
        Err(e) => (format!("ERROR {e}"), Value::Null),
    };
    let ms = started.elapsed().as_millis();
    let requests = kit.sim.requests()[before..]
        .iter()
        .filter(|r| !r.path.ends_with("/api/login"))
        .count();
    // Asked about one app, the investigation narrows to it: only the cause behind that app's
    // incident is expected, not the scenario's independent problems elsewhere.
    let mut causes = scenario.expected_causes();
    if args.get("app_id").is_some() {
        causes.truncate(1);
    }
    let suspects: Vec<Value> = structured["suspects"].as_array().cloned().unwrap_or_default();
    let first = suspects.first().map_or_else(
        || "(none)".to_string(),
        |s| {
            format!(
                "{} {}",
                s["kind"].as_str().unwrap_or("?"),
                s["app"].as_str().or(s["node"].as_str()).unwrap_or("")
            )
        },
    );
    let is_synthetic = name == "synthetic";
    let (top1, top3, found) = if is_synthetic {
        (None, None, "-".to_string())
    } else if causes.is_empty() {
        (Some(suspects.is_empty()), Some(suspects.is_empty()), "0/0".to_string())
    } else {
        let top1 = suspects.first().is_some_and(|s| names_cause(s, &causes[0]));
        let head = suspects.len().min(causes.len().max(3));
        let in_head = causes
            .iter()
            .filter(|c| suspects[..head].iter().any(|s| names_cause(s, c)))
            .count();
        let anywhere = causes
            .iter()
            .filter(|c| suspects.iter().any(|s| names_cause(s, c)))
            .count();
        (
            Some(top1),
            Some(in_head == causes.len()),
            format!("{anywhere}/{}", causes.len()),
        )
    };
    let row = Row {
        scenario: name.to_string(),
        args: if args == json!({}) {
            "{}".into()
        } else {
            args.to_string()
        },
        top1,
        top3,
        found,
        chars: text.chars().count(),
        requests,
        ms,
        first,
    };
    (structured, row)
}

fn mark(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "-",
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let synthetic = std::env::args().any(|a| a == "--synthetic");
    let mut rows = Vec::new();
    for &name in Scenario::NAMES {
        if name == "empty" || name == "synthetic" {
            continue;
        }
        let scenario = Scenario::by_name(name).unwrap();
        let (out, row) = investigate(name, scenario.clone(), json!({})).await;
        rows.push(row);
        // The app an agent would ask about: the open incident's, else where the cause shows.
        let app = out["incidents"]
            .as_array()
            .and_then(|i| i.iter().find(|i| i["open"] == true))
            .and_then(|i| i["application_id"].as_str().map(String::from))
            .or_else(|| {
                scenario
                    .expected_cause()
                    .and_then(|c| c.app_id.or(c.seen_in.first().copied()))
                    .map(String::from)
            });
        if let Some(app) = app {
            let (_, row) = investigate(name, scenario, json!({ "app_id": app })).await;
            rows.push(row);
        }
    }
    if synthetic {
        let (_, row) = investigate("synthetic", Scenario::synthetic(SyntheticSpec::default()), json!({})).await;
        rows.push(row);
    }

    let mut table = String::from(
        "| scenario | arguments | top-1 | top-3 | causes found | first suspect | chars | requests | ms |\n|---|---|---|---|---|---|---:|---:|---:|\n",
    );
    for r in &rows {
        let _ = writeln!(
            table,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} |",
            r.scenario,
            r.args,
            mark(r.top1),
            mark(r.top3),
            r.found,
            r.first,
            r.chars,
            r.requests,
            r.ms
        );
    }
    let scored: Vec<&Row> = rows.iter().filter(|r| r.top1.is_some()).collect();
    let _ = writeln!(
        table,
        "\ntop-1 {}/{}, top-3 {}/{}, max chars {}, max requests {}",
        scored.iter().filter(|r| r.top1 == Some(true)).count(),
        scored.len(),
        scored.iter().filter(|r| r.top3 == Some(true)).count(),
        scored.len(),
        rows.iter().map(|r| r.chars).max().unwrap_or(0),
        rows.iter().map(|r| r.requests).max().unwrap_or(0),
    );
    print!("{table}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("rca.md"), table);
}
