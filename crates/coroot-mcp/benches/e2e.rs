//! End to end, through MCP over stdio, side by side with a peer server.
//!
//! Starts the simulator's large synthetic cluster in this process (5,000 apps, 500 nodes,
//! 100,000 log lines, 1,000 traces, 14 days of metrics at 30 s), then drives the release
//! `coroot-mcp serve` binary over stdio with raw JSON-RPC, exactly as an MCP client would:
//!
//! * startup: process start to the `tools/list` answer (after `initialize`), and the idle RSS;
//! * per tool, twice. First against the live simulator: a fresh server, one warm-up call (login,
//!   project and app-id caches), then timed calls; every GET it made is recorded with its body.
//!   Then against a loopback responder that answers those recorded bodies as constant bytes
//!   (no work): a fresh server again, warm-up, timed calls. The responder's own time (moving
//!   the bytes over loopback) is measured by replaying one call's GETs with a plain HTTP client
//!   and subtracted: what is left is the server's overhead (MCP framing, tool layer, its HTTP
//!   client), without the simulator's time or its noise. Also the server's peak RSS (VmHWM)
//!   against the bytes Coroot answered, and the characters of the text content the model reads.
//!
//! Then the heavy answers real clusters send and the simulator's bodies do not reach (20,000
//! log lines, a 10,000-span trace, 20 open incidents, a node with 64 disks): the bodies each
//! server fetched are grown in place as in the tool-layer bench, and the call is measured
//! against the responder only (`e2e/heavy.rs`). Every row also gives the answer's size: the
//! whole `tools/call` response line as the server wrote it to stdout.
//!
//! `--peer CMD` runs the same measurements for another stdio MCP server (the PyPI
//! `mcp-coroot`, whose env vars are `COROOT_BASE_URL`, `COROOT_USERNAME`, `COROOT_PASSWORD`)
//! with its equivalent tools, and prints the ratios. Nothing of the peer is built here.
//! `--cases a,b` runs only those cases (to profile one: the startup rows still run);
//! `--ours-env KEY=VALUE` sets a variable for our server (`LD_PRELOAD` of another allocator).
//!
//! ```sh
//! cargo bench -p coroot-mcp --bench e2e -- [--peer /tmp/peer/bin/mcp-coroot] [--runs 10] [--peer-runs 5] [--cases nodes,risks]
//! ```
//! The table is printed and written to `target/bench/e2e.json`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coroot_client::{Client, ClientConfig};
use coroot_sim::{RecordedRequest, Scenario, SimConfig, Simulator, SyntheticSpec};
use serde_json::{Value, json};

// The heavy bodies are grown as the tool-layer bench grows them.
#[path = "../../coroot-tools/benches/heavy.rs"]
mod grow;
#[path = "e2e/heavy.rs"]
mod heavy;
#[path = "e2e/server.rs"]
mod server;

use server::Server;

const PROJECT: &str = "s7n7h3t1";
const TIMEOUT: Duration = Duration::from_secs(120);

/// Which server: ours or the peer.
#[derive(Clone)]
struct ServerKind {
    program: String,
    args: Vec<String>,
    /// The variable that carries the Coroot URL.
    url_var: &'static str,
    env: Vec<(String, String)>,
}

/// Answers recorded GET bodies as constant bytes, and any login with a session cookie.
#[derive(Clone, Default)]
struct Responder {
    bodies: Arc<Mutex<HashMap<String, Arc<Vec<u8>>>>>,
}

/// What identifies a recorded GET: the raw path and the decoded query without `from`/`to`
/// (which follow the wall clock; the recorded body stands for any window of the same size).
fn tape_key(path: &str, params: &[(String, String)]) -> String {
    let mut params: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "from" && k != "to").collect();
    params.sort();
    let mut key = path.to_string();
    for (k, v) in params {
        key.push_str(&format!("&{k}={v}"));
    }
    key
}

impl Responder {
    async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(respond).with_state(self.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        url
    }

    fn insert(&self, key: String, body: Vec<u8>) {
        self.bodies.lock().unwrap().insert(key, Arc::new(body));
    }
}

async fn respond(
    axum::extract::State(tape): axum::extract::State<Responder>,
    axum::extract::Query(params): axum::extract::Query<Vec<(String, String)>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let path = request.uri().path().to_string();
    if request.method() == axum::http::Method::POST && path.ends_with("/api/login") {
        return (
            StatusCode::OK,
            [(header::SET_COOKIE, "coroot_session=bench; Path=/; HttpOnly")],
        )
            .into_response();
    }
    let body = tape.bodies.lock().unwrap().get(&tape_key(&path, &params)).cloned();
    match body {
        Some(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body.as_ref().clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("not recorded: {path}\n")).into_response(),
    }
}

/// The text content of a `tools/call` answer, and whether it is an error.
fn text_of(line: &str) -> (String, bool) {
    let v: Value = serde_json::from_str(line).unwrap();
    let result = &v["result"];
    let text = result["content"]
        .as_array()
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| b["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    let error = result["isError"].as_bool().unwrap_or(false) || v.get("error").is_some();
    (text, error)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One tool call, ours and (when the peer has one) the peer's equivalent.
struct Case {
    label: &'static str,
    ours: (&'static str, Value),
    peer: Option<(&'static str, Value)>,
    /// How the recorded bodies grow for a heavy case (`e2e/heavy.rs`); `None` for the
    /// simulator's own answers.
    heavy: Option<&'static grow::Heavy>,
}

/// Ids picked from the synthetic world, through our server.
struct Ids {
    incident: String,
    app_full: String,
    app_short: String,
    /// An up node: a down one has no disks or charts.
    node: String,
    trace: String,
}

/// The peer's arguments: its tools all take the project id.
fn peer_args(extra: Value) -> Value {
    let mut m = json!({"project_id": PROJECT});
    if let (Some(m), Value::Object(extra)) = (m.as_object_mut(), extra) {
        m.extend(extra);
    }
    m
}

fn cases(ids: &Ids) -> Vec<Case> {
    let p = peer_args;
    let Ids {
        incident,
        app_full,
        app_short,
        node,
        ..
    } = ids;
    let case = |label, ours, peer| Case {
        label,
        ours,
        peer,
        heavy: None,
    };
    vec![
        case("incidents", ("coroot_get_incidents", json!({})), None),
        case(
            "incident_detail",
            ("coroot_get_incident_detail", json!({"incident_key": incident})),
            Some(("get_incident", p(json!({"incident_id": incident})))),
        ),
        case(
            "applications",
            ("coroot_get_applications", json!({})),
            Some(("get_applications_overview", p(json!({})))),
        ),
        case(
            "app_detail",
            ("coroot_get_app_detail", json!({"app_id": app_short})),
            Some(("get_application", p(json!({"app_id": app_full})))),
        ),
        case(
            "app_logs",
            ("coroot_get_app_logs", json!({"app_id": app_short})),
            Some(("get_application_logs", p(json!({"app_id": app_full})))),
        ),
        case(
            "traces",
            ("coroot_get_traces", json!({})),
            Some(("get_traces_overview", p(json!({})))),
        ),
        case("service_map", ("coroot_get_service_map", json!({})), None),
        case(
            "query_metrics",
            (
                "coroot_query_metrics",
                json!({"promql": "sum by (namespace) (rate(container_resources_cpu_usage_seconds_total[5m]))"}),
            ),
            None,
        ),
        case(
            "deployments",
            ("coroot_get_deployments", json!({})),
            Some(("get_deployments_overview", p(json!({})))),
        ),
        case(
            "nodes",
            ("coroot_get_nodes", json!({})),
            Some(("get_nodes_overview", p(json!({})))),
        ),
        case("overview_logs", ("coroot_get_overview_logs", json!({})), None),
        case(
            "node_detail",
            ("coroot_get_node_detail", json!({"node_name": node})),
            Some(("get_node", p(json!({"node_id": node})))),
        ),
        case("costs", ("coroot_get_costs", json!({})), None),
        case(
            "risks",
            ("coroot_get_risks", json!({})),
            Some(("get_risks_overview", p(json!({})))),
        ),
    ]
}

#[derive(serde::Serialize, Default, Clone)]
struct Measured {
    runs: usize,
    /// Median latency against the live simulator.
    live_latency_ms: f64,
    /// The simulator's time for the same GETs, replayed with a plain client.
    sim_ms: f64,
    /// Median latency against the constant-bytes responder.
    latency_ms: f64,
    /// The responder's time for the same GETs (bytes over loopback), replayed with a plain client.
    transfer_ms: f64,
    /// `latency_ms - transfer_ms`: the server's own time.
    overhead_ms: f64,
    upstream_requests: usize,
    upstream_bytes: usize,
    output_chars: usize,
    response_bytes: usize,
    peak_rss_bytes: u64,
    is_error: bool,
}

#[derive(serde::Serialize, Default)]
struct Startup {
    runs: usize,
    to_tools_list_ms: f64,
    min_ms: f64,
    idle_rss_bytes: u64,
    tools: usize,
}

async fn startup(kind: &ServerKind, url: &str, runs: usize) -> Startup {
    let mut times = Vec::new();
    let mut rss = Vec::new();
    let mut tools = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let mut server = Server::spawn(kind, url).await;
        let list = server.initialize().await;
        times.push(started.elapsed());
        tools = serde_json::from_str::<Value>(&list).unwrap()["result"]["tools"]
            .as_array()
            .map_or(0, Vec::len);
        tokio::time::sleep(Duration::from_millis(300)).await;
        rss.push(server.tree_status("VmRSS:"));
        server.stop().await;
    }
    rss.sort_unstable();
    Startup {
        runs,
        min_ms: times.iter().min().map_or(0.0, |d| ms(*d)),
        to_tools_list_ms: ms(median(times)),
        idle_rss_bytes: rss[rss.len() / 2],
        tools,
    }
}

/// The GETs of one call, replayed with a plain client against `client`'s server: the time
/// and the bytes.
async fn replay_time(client: &Client, gets: &[RecordedRequest], runs: usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs.max(3) {
        let started = Instant::now();
        bytes = 0;
        for r in gets {
            let query: Vec<(&str, String)> = r.params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            bytes += client.get_raw(&r.path, &query).await.map_or(0, |b| b.len());
        }
        times.push(started.elapsed());
    }
    (median(times), bytes)
}

/// Warm-up then `runs` timed calls on a fresh server: latencies, the last answer, peak RSS,
/// and the GETs of the last call (with `sim`, the live simulator's request log).
async fn timed_calls(
    kind: &ServerKind,
    url: &str,
    sim: Option<&Simulator>,
    tool: &str,
    args: &Value,
    runs: usize,
) -> (Vec<Duration>, String, u64, Vec<RecordedRequest>, Vec<RecordedRequest>) {
    let mut server = Server::spawn(kind, url).await;
    server.initialize().await;
    if let Some(sim) = sim {
        sim.clear_requests();
    }
    // Warm-up: login, project list, app ids.
    let mut last = server.call(tool, args).await;
    let mut all = sim.map(Simulator::requests).unwrap_or_default();
    let mut times = Vec::new();
    let mut gets = Vec::new();
    for _ in 0..runs {
        if let Some(sim) = sim {
            sim.clear_requests();
        }
        let started = Instant::now();
        last = server.call(tool, args).await;
        times.push(started.elapsed());
        if let Some(sim) = sim {
            gets = sim.requests().into_iter().filter(|r| r.method == "GET").collect();
            all.extend(gets.iter().cloned());
        }
    }
    let peak = server.tree_status("VmHWM:");
    server.stop().await;
    (times, last, peak, gets, all)
}

/// The constant-bytes side: the responder, its URL, and a plain client of it.
struct Tape {
    responder: Responder,
    url: String,
    client: Client,
}

/// One call against the live simulator: its latencies, the GETs of its last call, and the body
/// of every GET it made, by tape key.
struct Recording {
    live_times: Vec<Duration>,
    gets: Vec<RecordedRequest>,
    bodies: BTreeMap<String, Vec<u8>>,
}

async fn record(kind: &ServerKind, sim: &Simulator, live: &Client, case: (&str, &Value), runs: usize) -> Recording {
    let (tool, args) = case;
    let (live_times, _, _, gets, all) = timed_calls(kind, &sim.base_url(), Some(sim), tool, args, runs).await;
    let mut bodies = BTreeMap::new();
    for r in all.iter().filter(|r| r.method == "GET") {
        if let std::collections::btree_map::Entry::Vacant(slot) = bodies.entry(tape_key(&r.path, &r.params)) {
            let query: Vec<(&str, String)> = r.params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            if let Ok(body) = live.get_raw(&r.path, &query).await {
                slot.insert(body);
            }
        }
    }
    Recording {
        live_times,
        gets,
        bodies,
    }
}

/// Against the constant-bytes responder, which already holds the bodies: the server's own time.
/// The live fields stay zero.
async fn constant(
    kind: &ServerKind,
    tape: &Tape,
    case: (&str, &Value),
    runs: usize,
    gets: &[RecordedRequest],
) -> Measured {
    let (tool, args) = case;
    let (times, last, peak, _, _) = timed_calls(kind, &tape.url, None, tool, args, runs).await;
    let (tape_d, upstream_bytes) = replay_time(&tape.client, gets, runs).await;
    let (text, is_error) = text_of(&last);
    let latency = median(times);
    Measured {
        runs,
        latency_ms: ms(latency),
        transfer_ms: ms(tape_d),
        overhead_ms: ms(latency.saturating_sub(tape_d)),
        upstream_requests: gets.len(),
        upstream_bytes,
        output_chars: text.chars().count(),
        response_bytes: last.len(),
        peak_rss_bytes: peak,
        is_error,
        ..Measured::default()
    }
}

async fn measure(
    kind: &ServerKind,
    sim: &Simulator,
    live: &Client,
    tape: &Tape,
    case: (&str, &Value),
    runs: (usize, usize),
) -> Measured {
    // Live: latency against the simulator, and every GET recorded with its body.
    let rec = record(kind, sim, live, case, runs.0).await;
    for (key, body) in rec.bodies {
        tape.responder.insert(key, body);
    }
    let (sim_d, upstream_bytes) = replay_time(live, &rec.gets, 3).await;
    // Constant bytes: the server's own time.
    Measured {
        live_latency_ms: ms(median(rec.live_times)),
        sim_ms: ms(sim_d),
        upstream_bytes,
        ..constant(kind, tape, case, runs.1, &rec.gets).await
    }
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

fn ratio(peer: f64, ours: f64) -> String {
    if ours <= 0.0 {
        "—".into()
    } else {
        format!("{:.0}x", peer / ours)
    }
}

/// A measured case: label, our tool, the peer's, both measurements, and whether it is heavy.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Measured,
    Option<Measured>,
    bool,
);

fn print_rows<'a>(rows: impl Iterator<Item = &'a Row>) {
    println!(
        "| tool | upstream GETs / bytes | ours: live [sim] / const − transfer = overhead ms | ours peak RSS | ours chars | ours answer bytes | peer tool | peer: live [sim] / const − transfer = overhead ms | peer peak RSS | peer chars | peer answer bytes | overhead ratio | chars ratio |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    let cell = |m: &Measured| {
        let live = if m.live_latency_ms > 0.0 {
            format!("{:.1} [{:.1}]", m.live_latency_ms, m.sim_ms)
        } else {
            "—".into()
        };
        format!(
            "{live} / {:.1} − {:.1} = {:.1}",
            m.latency_ms, m.transfer_ms, m.overhead_ms
        )
    };
    let chars = |m: &Measured| format!("{}{}", m.output_chars, if m.is_error { " (error)" } else { "" });
    for (label, _, peer_tool, o, p, _) in rows {
        let (pt, pl, prss, pc, pb, orat, crat) = match p {
            Some(p) => (
                peer_tool.unwrap_or("—").to_string(),
                cell(p),
                mb(p.peak_rss_bytes),
                chars(p),
                p.response_bytes.to_string(),
                ratio(p.overhead_ms, o.overhead_ms),
                format!("{:.1}x", p.output_chars as f64 / o.output_chars.max(1) as f64),
            ),
            None => Default::default(),
        };
        println!(
            "| {label} | {} / {} | {} | {} | {} | {} | {pt} | {pl} | {prss} | {pc} | {pb} | {orat} | {crat} |",
            o.upstream_requests,
            o.upstream_bytes,
            cell(o),
            mb(o.peak_rss_bytes),
            chars(o),
            o.response_bytes,
        );
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut peer: Option<String> = None;
    let mut runs = 10;
    let mut peer_runs = 5;
    let mut only: Option<Vec<String>> = None;
    let mut ours_env: Vec<(String, String)> = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--peer" => peer = args.next(),
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs),
            "--peer-runs" => peer_runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(peer_runs),
            "--cases" => only = args.next().map(|l| l.split(',').map(str::to_string).collect()),
            "--ours-env" => ours_env.extend(
                args.next()
                    .and_then(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))),
            ),
            _ => {}
        }
    }
    let sim = Simulator::start(Scenario::synthetic(SyntheticSpec::default()), SimConfig::default())
        .await
        .unwrap();
    let url = sim.base_url();
    eprintln!("simulator (synthetic) at {url}");
    let mut config = ClientConfig::new(&url).with_password("admin", "sim-password");
    config.api_key = Some("sim-api-key".into());
    let live = Client::new(config).unwrap();
    let responder = Responder::default();
    let tape_url = responder.start().await;
    let tape = Tape {
        client: Client::new(ClientConfig::new(&tape_url).with_password("admin", "sim-password")).unwrap(),
        url: tape_url,
        responder,
    };
    let ours = ServerKind {
        program: env!("CARGO_BIN_EXE_coroot-mcp").into(),
        args: vec!["serve".into()],
        url_var: "COROOT_URL",
        env: vec![
            ("COROOT_EMAIL".into(), "admin".into()),
            ("COROOT_PASSWORD".into(), "sim-password".into()),
            ("COROOT_API_KEY".into(), "sim-api-key".into()),
            // Every timed call fetches its bodies, as the peer's do: the response cache would
            // answer them from memory.
            ("COROOT_CACHE_SECONDS".into(), "0".into()),
        ]
        .into_iter()
        .chain(ours_env)
        .collect(),
    };
    let peer_kind = peer.map(|program| ServerKind {
        program,
        args: Vec::new(),
        url_var: "COROOT_BASE_URL",
        env: vec![
            ("COROOT_USERNAME".into(), "admin".into()),
            ("COROOT_PASSWORD".into(), "sim-password".into()),
        ],
    });

    // Ids from the world itself, through our server.
    let mut probe = Server::spawn(&ours, &url).await;
    probe.initialize().await;
    let line = probe
        .request(
            "tools/call",
            json!({"name": "coroot_get_incidents", "arguments": {"lookback_hours": 24}}),
        )
        .await;
    let v: Value = serde_json::from_str(&line).unwrap();
    let first = &v["result"]["structuredContent"]["incidents"][0];
    let incident = first["key"].as_str().unwrap().to_string();
    let app_full = first["application_id"].as_str().unwrap().to_string();
    let parts: Vec<&str> = app_full.split(':').collect();
    let app_short = format!("{}/{}", parts[1], parts[3]);
    let line = probe
        .request("tools/call", json!({"name": "coroot_get_nodes", "arguments": {}}))
        .await;
    let v: Value = serde_json::from_str(&line).unwrap();
    let nodes = v["result"]["structuredContent"]["nodes"].as_array().unwrap();
    let up = nodes.iter().find(|n| n["status"] == "OK").unwrap_or(&nodes[0]);
    let node = up["name"].as_str().unwrap().to_string();
    let line = probe
        .request("tools/call", json!({"name": "coroot_get_traces", "arguments": {}}))
        .await;
    let v: Value = serde_json::from_str(&line).unwrap();
    let trace = v["result"]["structuredContent"]["traces"][0]["trace_id"]
        .as_str()
        .unwrap()
        .to_string();
    probe.stop().await;
    let ids = Ids {
        incident,
        app_full,
        app_short,
        node,
        trace,
    };

    let mut report = BTreeMap::new();
    let ours_start = startup(&ours, &url, 15).await;
    eprintln!(
        "startup ours: {:.1} ms, idle RSS {}",
        ours_start.to_tools_list_ms,
        mb(ours_start.idle_rss_bytes)
    );
    let peer_start = match &peer_kind {
        Some(k) => Some(startup(k, &url, 5).await),
        None => None,
    };
    let mut rows: Vec<Row> = Vec::new();
    let wanted = |c: &Case| only.as_ref().is_none_or(|o| o.iter().any(|l| l == c.label));
    for case in cases(&ids).into_iter().chain(heavy::cases(&ids)).filter(wanted) {
        let (o, p) = {
            let (grown, sim, live, tape) = (case.heavy, &sim, &live, &tape);
            let m = |kind: &ServerKind, tool: &'static str, args: &Value, runs: (usize, usize)| {
                let (kind, args) = (kind.clone(), args.clone());
                async move {
                    match grown {
                        Some(h) => heavy::measure(h, &kind, sim, live, tape, (tool, &args), runs).await,
                        None => measure(&kind, sim, live, tape, (tool, &args), runs).await,
                    }
                }
            };
            let o = m(&ours, case.ours.0, &case.ours.1, (3, runs)).await;
            let p = match (&peer_kind, &case.peer) {
                (Some(k), Some((tool, args))) => Some(m(k, tool, args, (2, peer_runs)).await),
                _ => None,
            };
            (o, p)
        };
        eprintln!(
            "{}: ours {:.1} ms (overhead {:.1}) {} chars{}",
            case.label,
            o.latency_ms,
            o.overhead_ms,
            o.output_chars,
            p.as_ref()
                .map(|p| format!(
                    " · peer {:.1} ms (overhead {:.1}) {} chars",
                    p.latency_ms, p.overhead_ms, p.output_chars
                ))
                .unwrap_or_default()
        );
        rows.push((
            case.label,
            case.ours.0,
            case.peer.as_ref().map(|p| p.0),
            o,
            p,
            case.heavy.is_some(),
        ));
    }

    println!("\n### Startup\n");
    println!("| server | process start → tools/list answer (median) | min | idle RSS | tools |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| coroot-mcp | {:.1} ms | {:.1} ms | {} | {} |",
        ours_start.to_tools_list_ms,
        ours_start.min_ms,
        mb(ours_start.idle_rss_bytes),
        ours_start.tools
    );
    if let Some(p) = &peer_start {
        println!(
            "| peer | {:.1} ms | {:.1} ms | {} | {} |",
            p.to_tools_list_ms,
            p.min_ms,
            mb(p.idle_rss_bytes),
            p.tools
        );
        println!(
            "| ratio (peer / ours) | {} | | {} | |",
            ratio(p.to_tools_list_ms, ours_start.to_tools_list_ms),
            ratio(p.idle_rss_bytes as f64, ours_start.idle_rss_bytes as f64)
        );
    }
    println!("\n### Per tool call (synthetic cluster; medians)\n");
    println!(
        "live = against the simulator (its time, replayed with a plain client, in brackets); const = against the constant-bytes responder, whose transfer time is subtracted to give the overhead; answer bytes = the whole `tools/call` response line over stdio.\n"
    );
    print_rows(rows.iter().filter(|r| !r.5));
    println!("\n### Heavy answers (recorded bodies grown in place; constant bytes only)\n");
    print_rows(rows.iter().filter(|r| r.5));
    report.insert("startup_ours", serde_json::to_value(&ours_start).unwrap());
    if let Some(p) = &peer_start {
        report.insert("startup_peer", serde_json::to_value(p).unwrap());
    }
    let calls: Vec<Value> = rows
        .iter()
        .map(|(label, tool, peer_tool, o, p, heavy)| {
            json!({"case": label, "tool": tool, "heavy": heavy, "ours": o, "peer_tool": peer_tool, "peer": p})
        })
        .collect();
    report.insert("calls", Value::Array(calls));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("..").join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("e2e.json"), serde_json::to_vec_pretty(&report).unwrap()).unwrap();
    sim.shutdown().await;
}
