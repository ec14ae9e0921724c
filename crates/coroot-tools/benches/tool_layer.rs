//! The tool layer's own cost, against the physical floor.
//!
//! Every tool runs once against the simulator's large synthetic cluster (5,000 apps, 500
//! nodes, 100,000 log lines, 1,000 traces, 14 days of metrics) while the client records each
//! upstream body. The tools then run again on a client that replays those bodies from memory
//! (no network, no simulator), so what is measured is exactly parameter parsing, typed decoding,
//! building the output, rendering the text and writing the structured JSON as its text (the
//! form the stdio server sends). The floor is a plain `serde_json::from_slice::<serde_json::Value>`
//! of the same bytes: nothing that reads those responses can do less than parse them once.
//!
//! Modes (`cargo bench -p coroot-tools --bench tool_layer -- [MODE]`):
//! * no argument / criterion filters: a summary table (interleaved medians, peak heap, output
//!   size) printed and written to `target/bench/tool_layer.json`, then criterion's benchmarks
//!   (`<tool>/tool` and `<tool>/json_floor`);
//! * `--summary`: the summary only;
//! * `--callgrind CASE tool|floor|base N`: loads the case's recorded bodies from
//!   `target/bench/fixtures/CASE.json` (written by the other modes), warms up, then runs the
//!   tool (or the floor, or nothing) N times: under `valgrind --tool=callgrind`,
//!   `(tool - base) / N` instructions per call, against `(floor - base) / N`
//!   (`scripts/bench.sh` does this).
//!
//! Caches are warm in every mode, as in a long-running server: the project list and the
//! application ids (which `app_detail` and `app_logs` resolve names against) are fetched by the
//! first call and reused, so the steady-state bodies are those of the second call.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod heavy;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use coroot_client::{Client, ClientConfig};
use coroot_sim::{Scenario, SimConfig, Simulator, SyntheticSpec};
use coroot_tools::{Clock, Limits, Structured, ToolContext};
use criterion::{Criterion, Throughput};
use serde_json::{Value, json};

#[global_allocator]
static PEAK: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

/// 2025-11-24T16:00:00Z, as in the tools' tests: every run sees the same world.
const NOW_MS: i64 = 1_764_000_000_000;

/// One benchmarked call: a label, the tool and its arguments.
#[derive(Clone)]
struct Case {
    label: String,
    tool: &'static str,
    args: Value,
}

/// What a case fetched: every body (cold caches) and the bodies of the steady-state call.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Recorded {
    label: String,
    tool: String,
    args: Value,
    /// Every body either call fetched, by the client's request key.
    bodies: BTreeMap<String, String>,
    /// Keys of the bodies the second (warm) call fetched: the bytes the floor parses.
    steady: Vec<String>,
}

fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("..").join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn context(client: Client) -> ToolContext {
    ToolContext {
        clock: Clock::Fixed(NOW_MS),
        limits: Limits::default(),
        ..ToolContext::new(client)
    }
}

fn config(url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(url).with_password("admin", "sim-password");
    config.api_key = Some("sim-api-key".into());
    // Steady state for the whole run: criterion takes minutes, longer than the TTLs.
    config.projects_ttl = Duration::from_secs(24 * 3600);
    config.app_ids_ttl = Duration::from_secs(24 * 3600);
    // Every call reads its bodies: the response cache would answer the recording's second
    // call from memory, leaving nothing on the tape to measure.
    config.response_ttl = Duration::ZERO;
    config
}

async fn call(ctx: &ToolContext, tool: &str, args: &Value) -> coroot_tools::ToolOutput {
    let spec = coroot_tools::find(tool).unwrap_or_else(|| panic!("no tool {tool}"));
    match (spec.call)(ctx, args.clone()).await {
        Ok(out) => out,
        Err(e) => panic!("{tool} {args} failed: {e}"),
    }
}

/// The calls, with ids picked from the synthetic world itself.
async fn cases(ctx: &ToolContext) -> Vec<Case> {
    let incidents = call(ctx, "coroot_get_incidents", &json!({"lookback_hours": 24}))
        .await
        .structured;
    let first = &incidents["incidents"][0];
    let incident = first["key"].as_str().unwrap().to_string();
    let app_id = first["application_id"].as_str().unwrap();
    // namespace/name, as coroot_get_applications prints it: resolved through the app-id index.
    let parts: Vec<&str> = app_id.split(':').collect();
    let app = format!("{}/{}", parts[1], parts[3]);
    let traces = call(ctx, "coroot_get_traces", &json!({})).await.structured;
    let trace = traces["traces"][0]["trace_id"].as_str().unwrap().to_string();
    let nodes = call(ctx, "coroot_get_nodes", &json!({})).await.structured;
    // An up node: a down one (listed first) has no disks or charts to measure.
    let list = nodes["nodes"].as_array().unwrap();
    let up = list.iter().find(|n| n["status"] == "OK").unwrap_or(&list[0]);
    let node = up["name"].as_str().unwrap().to_string();
    let case = |label: &str, tool: &'static str, args: Value| Case {
        label: label.into(),
        tool,
        args,
    };
    let mut cases = vec![
        case("incidents", "coroot_get_incidents", json!({"lookback_hours": 24})),
        case(
            "incident_detail",
            "coroot_get_incident_detail",
            json!({"incident_key": incident}),
        ),
        case("applications", "coroot_get_applications", json!({})),
        case("app_detail", "coroot_get_app_detail", json!({"app_id": app})),
        case(
            "app_logs",
            "coroot_get_app_logs",
            json!({"app_id": app, "lookback_hours": 24}),
        ),
        case("traces", "coroot_get_traces", json!({})),
        case("traces_one_trace", "coroot_get_traces", json!({"trace_id": trace})),
        case("service_map", "coroot_get_service_map", json!({})),
        case(
            "query_metrics",
            "coroot_query_metrics",
            json!({"promql": "sum by (namespace) (rate(container_resources_cpu_usage_seconds_total[5m]))", "lookback_hours": 24}),
        ),
        case(
            "query_metrics_10k_series",
            "coroot_query_metrics",
            json!({"promql": "rate(container_resources_cpu_usage_seconds_total[5m])", "lookback_hours": 24}),
        ),
        case("deployments", "coroot_get_deployments", json!({"lookback_hours": 24})),
        case("nodes", "coroot_get_nodes", json!({})),
        case("overview_logs", "coroot_get_overview_logs", json!({})),
        case("node_detail", "coroot_get_node_detail", json!({"node_name": node})),
        case("costs", "coroot_get_costs", json!({})),
        case("risks", "coroot_get_risks", json!({})),
    ];
    if coroot_tools::find("coroot_investigate").is_some() {
        cases.push(case("investigate", "coroot_investigate", json!({})));
    }
    cases
}

/// Runs every case twice against the live simulator, recording the bodies.
fn record() -> Vec<Recorded> {
    let rt = runtime();
    rt.block_on(async {
        let spec = SyntheticSpec::default();
        let sim_config = SimConfig {
            now_ms: Some(NOW_MS),
            ..SimConfig::default()
        };
        let sim = Simulator::start(Scenario::synthetic(spec), sim_config).await.unwrap();
        let mut out = Vec::new();
        let cases = cases(&context(Client::new(config(&sim.base_url())).unwrap())).await;
        for case in cases {
            // A fresh client per case: the cold call fetches what an idle server would.
            let ctx = context(Client::new(config(&sim.base_url())).unwrap());
            ctx.client.recording(true);
            call(&ctx, case.tool, &case.args).await;
            let cold = ctx.client.recording(true);
            call(&ctx, case.tool, &case.args).await;
            let warm = ctx.client.recording(false);
            let steady = warm.iter().map(|(k, _)| k.clone()).collect();
            let bodies = cold
                .into_iter()
                .chain(warm)
                .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
                .collect();
            out.push(Recorded {
                label: case.label,
                tool: case.tool.to_string(),
                args: case.args,
                bodies,
                steady,
            });
        }
        sim.shutdown().await;
        out
    })
}

/// The heavy cases, grown from the recorded ones (see `heavy.rs`).
fn grow(recorded: &[Recorded]) -> Vec<Recorded> {
    let mut out = Vec::new();
    for h in &heavy::CASES {
        let Some(source) = recorded.iter().find(|r| r.label == h.from) else {
            continue;
        };
        let mut rec = source.clone();
        rec.label = h.label.to_string();
        for (_, body) in rec.bodies.iter_mut().filter(|(k, _)| k.contains(h.endpoint)) {
            let mut value: Value = serde_json::from_str(body).unwrap();
            (h.grow)(&mut value);
            *body = value.to_string();
        }
        if h.from == "incidents" {
            rec.steady.retain(|k| !k.contains("/incident/"));
            rec.steady.extend(heavy::complete_details(&mut rec.bodies));
        }
        out.push(rec);
    }
    out
}

/// A context replaying `rec`'s bodies, caches warmed by one call.
fn replay(rt: &tokio::runtime::Runtime, rec: &Recorded) -> ToolContext {
    let bodies = rec.bodies.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes()));
    // The structured result as the stdio server asks for it: its JSON text, written once.
    let ctx = ToolContext {
        structured: Structured::Text,
        ..context(Client::replaying(config("http://127.0.0.1:9"), bodies).unwrap())
    };
    rt.block_on(call(&ctx, tool_name(rec), &rec.args));
    ctx
}

fn tool_name(rec: &Recorded) -> &'static str {
    coroot_tools::find(&rec.tool).unwrap().name
}

fn steady_bodies(rec: &Recorded) -> Vec<&[u8]> {
    rec.steady.iter().map(|k| rec.bodies[k].as_bytes()).collect()
}

#[inline(never)]
fn floor(bodies: &[&[u8]]) -> usize {
    bodies
        .iter()
        .map(|b| match serde_json::from_slice::<Value>(b).unwrap() {
            Value::Object(m) => m.len(),
            _ => 0,
        })
        .sum()
}

#[inline(never)]
fn tool(rt: &tokio::runtime::Runtime, ctx: &ToolContext, rec: &Recorded) -> usize {
    let out = rt.block_on(call(ctx, tool_name(rec), &rec.args));
    out.text.len()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[derive(serde::Serialize)]
struct Row {
    case: String,
    tool: String,
    response_bytes: usize,
    output_chars: usize,
    structured_bytes: usize,
    tool_us: f64,
    floor_us: f64,
    ratio: f64,
    tool_peak_heap_bytes: usize,
    floor_peak_heap_bytes: usize,
}

/// Interleaved medians (tool, floor, tool, floor...) so machine noise hits both alike.
fn summary(rt: &tokio::runtime::Runtime, recorded: &[Recorded]) -> Vec<Row> {
    let mut rows = Vec::new();
    for rec in recorded {
        let ctx = replay(rt, rec);
        let bodies = steady_bodies(rec);
        let response_bytes: usize = bodies.iter().map(|b| b.len()).sum();
        let out = rt.block_on(call(&ctx, tool_name(rec), &rec.args));
        let output_chars = out.text.chars().count();
        let structured_bytes = Structured::text_of(&out.structured).map_or(0, str::len);
        drop(out);
        let base = PEAK.current_usage();
        PEAK.reset_peak_usage();
        std::hint::black_box(tool(rt, &ctx, rec));
        let tool_peak = PEAK.peak_usage().saturating_sub(base);
        let base = PEAK.current_usage();
        PEAK.reset_peak_usage();
        std::hint::black_box(floor(&bodies));
        let floor_peak = PEAK.peak_usage().saturating_sub(base);
        // About a second per case, at least 15 pairs.
        let mut t = Vec::new();
        let mut f = Vec::new();
        let started = Instant::now();
        while t.len() < 15 || (started.elapsed() < Duration::from_secs(1) && t.len() < 500) {
            let s = Instant::now();
            std::hint::black_box(tool(rt, &ctx, rec));
            t.push(s.elapsed());
            let s = Instant::now();
            std::hint::black_box(floor(&bodies));
            f.push(s.elapsed());
        }
        let (tm, fm) = (median(t), median(f));
        rows.push(Row {
            case: rec.label.clone(),
            tool: rec.tool.clone(),
            response_bytes,
            output_chars,
            structured_bytes,
            tool_us: tm.as_secs_f64() * 1e6,
            floor_us: fm.as_secs_f64() * 1e6,
            ratio: tm.as_secs_f64() / fm.as_secs_f64().max(1e-9),
            tool_peak_heap_bytes: tool_peak,
            floor_peak_heap_bytes: floor_peak,
        });
    }
    rows
}

fn print_summary(rows: &[Row]) {
    println!(
        "\n| case | response bytes | output chars | tool layer µs | JSON floor µs | ratio | peak heap tool | peak heap floor |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.0} | {:.0} | {:.2}x | {:.2} MB ({:.1}x resp) | {:.2} MB ({:.1}x resp) |",
            r.case,
            r.response_bytes,
            r.output_chars,
            r.tool_us,
            r.floor_us,
            r.ratio,
            r.tool_peak_heap_bytes as f64 / 1e6,
            r.tool_peak_heap_bytes as f64 / r.response_bytes.max(1) as f64,
            r.floor_peak_heap_bytes as f64 / 1e6,
            r.floor_peak_heap_bytes as f64 / r.response_bytes.max(1) as f64,
        );
    }
    println!();
}

fn fixture_path(case: &str) -> PathBuf {
    let dir = target_dir().join("fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{case}.json"))
}

/// `--callgrind CASE tool|floor|base N`.
fn callgrind(args: &[String]) {
    let [case, mode, n] = args else {
        panic!("usage: --callgrind CASE tool|floor|base N")
    };
    let n: usize = n.parse().unwrap();
    let text = std::fs::read_to_string(fixture_path(case)).expect("run the summary first to record the fixtures");
    let rec: Recorded = serde_json::from_str(&text).unwrap();
    drop(text);
    let rec = &rec;
    let rt = runtime();
    let ctx = replay(&rt, rec);
    let bodies = steady_bodies(rec);
    for _ in 0..n {
        match mode.as_str() {
            "tool" => std::hint::black_box(tool(&rt, &ctx, rec)),
            "floor" => std::hint::black_box(floor(&bodies)),
            "base" => 0,
            other => panic!("unknown mode {other}"),
        };
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if let Some(i) = args.iter().position(|a| a == "--callgrind") {
        callgrind(&args[i + 1..]);
        return;
    }
    let started = Instant::now();
    let mut recorded = record();
    let heavy = grow(&recorded);
    recorded.extend(heavy);
    for rec in &recorded {
        std::fs::write(fixture_path(&rec.label), serde_json::to_vec(rec).unwrap()).unwrap();
    }
    eprintln!(
        "recorded {} cases in {:.1}s",
        recorded.len(),
        started.elapsed().as_secs_f64()
    );
    let rt = runtime();
    let rows = summary(&rt, &recorded);
    print_summary(&rows);
    std::fs::write(
        target_dir().join("tool_layer.json"),
        serde_json::to_vec_pretty(&rows).unwrap(),
    )
    .unwrap();
    if args.iter().any(|a| a == "--summary") {
        return;
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    for rec in &recorded {
        let ctx = replay(&rt, rec);
        let bodies = steady_bodies(rec);
        let bytes: usize = bodies.iter().map(|b| b.len()).sum();
        let mut group = c.benchmark_group(rec.label.as_str());
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("tool", |b| b.iter(|| tool(&rt, &ctx, rec)));
        group.bench_function("json_floor", |b| b.iter(|| floor(&bodies)));
        group.finish();
    }
    c.final_summary();
}
