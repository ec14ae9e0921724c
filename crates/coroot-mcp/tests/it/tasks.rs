//! `coroot_investigate` as an MCP task (the tasks extension, SEP-2663), end to end through the
//! real binary: a client that declares the extension gets a task at once, sees it working with
//! a status message, and fetches the result a plain call gives; `tasks/cancel` stops the
//! Coroot requests; a client without the extension gets today's plain answer; a task is its
//! creator's alone; a stateless server keeps none.

use std::time::{Duration, Instant};

use coroot_sim::{Fault, FaultRule, Simulator};
use serde_json::{Value, json};

use crate::common::{Http, Stdio_, against, sim};

const EXTENSION: &str = "io.modelcontextprotocol/tasks";
const INVESTIGATE: &str = "coroot_investigate";
const ALICE_TOKEN: &str = "alice-token-7c1d2e3f4a5b";
const BOB_TOKEN: &str = "bob-token-9e8d7c6b5a4f3e";

/// Client capabilities that declare the tasks extension.
fn with_tasks() -> Value {
    json!({"extensions": {EXTENSION: {}}})
}

/// Makes every request whose path contains `path` answer `delay` late, `times` times (forever
/// with `None`).
fn slow(sim: &Simulator, path: &str, delay: Duration, times: Option<u32>) {
    sim.inject(FaultRule {
        path_contains: path.into(),
        fault: Fault::Latency(delay),
        times,
    });
}

/// A JSON-RPC connection of either transport.
trait Rpc {
    async fn rpc(&mut self, method: &str, params: Value) -> Value;
}

impl Rpc for Stdio_ {
    async fn rpc(&mut self, method: &str, params: Value) -> Value {
        self.request(method, params).await
    }
}

impl Rpc for Http {
    async fn rpc(&mut self, method: &str, params: Value) -> Value {
        self.request(method, params).await
    }
}

/// `tools/call coroot_investigate` (with `meta` as `_meta`); the task it answered with.
async fn create(c: &mut impl Rpc, meta: Value) -> Value {
    let msg = c
        .rpc(
            "tools/call",
            json!({"name": INVESTIGATE, "arguments": {}, "_meta": meta}),
        )
        .await;
    let task = msg["result"].clone();
    assert_eq!(task["resultType"], "task", "a task, not a plain result: {msg}");
    assert_eq!(task["status"], "working", "{msg}");
    assert!(task["taskId"].as_str().is_some_and(|id| !id.is_empty()), "{msg}");
    assert!(task["ttlMs"].as_u64().is_some_and(|ttl| ttl > 0), "{msg}");
    assert!(task["pollIntervalMs"].as_u64().is_some_and(|p| p > 0), "{msg}");
    task
}

/// Polls `tasks/get` until `done` holds for the task (a generous bound turns a hang into a
/// failure); returns that state.
async fn poll(c: &mut impl Rpc, id: &str, meta: &Value, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let msg = c.rpc("tasks/get", json!({"taskId": id, "_meta": meta})).await;
        assert!(msg.get("error").is_none(), "tasks/get: {msg}");
        let task = msg["result"].clone();
        assert_eq!(task["taskId"], id, "{msg}");
        if done(&task) {
            return task;
        }
        assert!(Instant::now() < deadline, "the task never got there; last: {task}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The investigation is under way: some checks done, at least one still out.
fn mid_run(task: &Value) -> bool {
    task["status"] != "working"
        || task["statusMessage"]
            .as_str()
            .is_some_and(|m| m.contains("checks done"))
}

fn finished(task: &Value) -> bool {
    task["status"] != "working"
}

/// What an investigation concluded: its verdict line, its suspects, the parts of its
/// structured answer. Two runs seconds apart against the simulator (on the wall clock) differ
/// in ages and the latest metric points, not in this.
fn conclusion(result: &Value) -> Value {
    let text = result["content"][0]["text"].as_str().unwrap_or_default();
    let verdict = text.lines().find(|l| l.starts_with("Verdict:"));
    let structured = &result["structuredContent"];
    let parts: Vec<&String> = structured.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    let suspects: Vec<&Value> = structured["suspects"]
        .as_array()
        .map(|s| s.iter().map(|s| &s["cause"]).collect())
        .unwrap_or_default();
    assert!(
        verdict.is_some() && !suspects.is_empty(),
        "not an investigation: {result}"
    );
    json!({"verdict": verdict, "parts": parts, "suspects": suspects, "structured_verdict": structured["verdict"]})
}

/// `serve` over stdio against `sim`, declaring `capabilities`.
async fn stdio(sim: &Simulator, env: &[(&str, &str)], capabilities: Value) -> (Stdio_, Value) {
    let mut cmd = against(&sim.base_url(), env);
    cmd.arg("serve");
    Stdio_::spawn_with(cmd, capabilities).await
}

#[tokio::test]
async fn investigate_as_a_task_shows_progress_and_ends_with_the_plain_calls_result() {
    let sim = sim().await;
    // Keep one cluster view slow, so the task is caught working with the other checks done.
    slow(&sim, "/overview/risks", Duration::from_secs(3), Some(1));
    let (mut s, init) = stdio(&sim, &[], with_tasks()).await;
    assert!(
        init["result"]["capabilities"]["extensions"][EXTENSION].is_object(),
        "the server advertises the tasks extension: {init}"
    );

    let task = create(&mut s, json!({"progressToken": "rca-1"})).await;
    let id = task["taskId"].as_str().unwrap().to_string();
    let mid = poll(&mut s, &id, &json!({}), mid_run).await;
    assert_eq!(mid["status"], "working", "caught while running: {mid}");
    let done = poll(&mut s, &id, &json!({}), finished).await;
    assert_eq!(done["status"], "completed", "{done}");
    let result = &done["result"];
    assert_eq!(result["isError"], false, "{done}");
    assert!(result["structuredContent"].is_object(), "{done}");

    // The progress token still gets MCP progress notifications.
    while !s
        .stdout_lines
        .iter()
        .any(|l| l.contains("notifications/progress") && l.contains("rca-1"))
    {
        s.read_message().await;
    }

    // A client without the extension: the plain answer, as before, and the same one.
    let (mut plain, init) = stdio(&sim, &[], json!({})).await;
    assert!(init["result"]["capabilities"]["tools"].is_object(), "{init}");
    let answer = plain
        .request("tools/call", json!({"name": INVESTIGATE, "arguments": {}}))
        .await;
    let answer = &answer["result"];
    assert!(
        answer.get("taskId").is_none(),
        "no task for a client without tasks: {answer}"
    );
    assert_eq!(answer["isError"], false, "{answer}");
    assert_eq!(conclusion(answer), conclusion(result));

    // Other tools stay plain calls, even for a client that takes tasks.
    let incidents = s
        .request("tools/call", json!({"name": "coroot_get_incidents", "arguments": {}}))
        .await;
    assert_eq!(incidents["result"]["isError"], false, "{incidents}");
    assert!(incidents["result"].get("taskId").is_none(), "{incidents}");
    s.shutdown().await;
    plain.shutdown().await;
}

#[tokio::test]
async fn cancelling_a_task_stops_its_coroot_requests() {
    let sim = sim().await;
    // A view that never answers in time: uncancelled, the investigation would give up on it
    // after the 2 s timeout and go on with its next round of requests.
    slow(&sim, "/overview/risks", Duration::from_secs(60), None);
    let (mut s, _) = stdio(&sim, &[("COROOT_TIMEOUT", "2")], with_tasks()).await;

    let task = create(&mut s, json!({})).await;
    let id = task["taskId"].as_str().unwrap().to_string();
    let mid = poll(&mut s, &id, &json!({}), mid_run).await;
    assert_eq!(mid["status"], "working", "{mid}");

    let ack = s.request("tasks/cancel", json!({"taskId": id})).await;
    assert!(ack.get("error").is_none(), "{ack}");
    let end = poll(&mut s, &id, &json!({}), finished).await;
    assert_eq!(end["status"], "cancelled", "{end}");
    assert!(end.get("result").is_none(), "{end}");

    let before = sim.requests().len();
    // Longer than the timeout after which the uncancelled run would have sent more.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let after: Vec<String> = sim.requests()[before..].iter().map(|r| r.path.clone()).collect();
    assert!(after.is_empty(), "Coroot requests after the cancel: {after:?}");
    let later = poll(&mut s, &id, &json!({}), |_| true).await;
    assert_eq!(later["status"], "cancelled", "{later}");

    // The server goes on serving.
    let (failed, text) = s.call("coroot_get_incidents", json!({})).await;
    assert!(!failed, "{text}");
    s.shutdown().await;
}

/// A token file of two people on the server's own Coroot login.
fn alice_and_bob() -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    let text = format!(
        "[[tokens]]\nname = \"alice\"\ntoken = \"{ALICE_TOKEN}\"\n[[tokens]]\nname = \"bob\"\ntoken = \"{BOB_TOKEN}\"\n"
    );
    std::fs::write(f.path(), text).unwrap();
    f
}

#[tokio::test]
async fn over_http_a_task_is_its_creators_alone() {
    let sim = sim().await;
    slow(&sim, "/overview/risks", Duration::from_secs(2), Some(1));
    let tokens = alice_and_bob();
    let mut cmd = against(
        &sim.base_url(),
        &[("COROOT_MCP_TOKENS", tokens.path().to_str().unwrap())],
    );
    cmd.arg("serve");
    let (mut alice, _) = Http::spawn(cmd, None).await;
    alice.token = Some(ALICE_TOKEN.into());
    alice.initialize_with(with_tasks()).await;
    let task = create(&mut alice, json!({})).await;
    let id = task["taskId"].as_str().unwrap().to_string();

    let mut bob = alice.fork(None);
    bob.token = Some(BOB_TOKEN.into());
    bob.initialize_with(with_tasks()).await;
    for method in ["tasks/get", "tasks/cancel"] {
        let msg = bob.request(method, json!({"taskId": id})).await;
        assert_eq!(msg["error"]["code"], -32602, "{method} of another's task: {msg}");
        let message = msg["error"]["message"].as_str().unwrap();
        assert!(message.contains("unknown task"), "{message}");
    }

    // Alice reads it from another session, as after a reconnect; bob's cancel did nothing.
    let mut again = alice.fork(None);
    again.initialize_with(with_tasks()).await;
    let done = poll(&mut again, &id, &json!({}), finished).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["isError"], false, "{done}");

    // Without the extension: the plain result, and no tasks to ask about.
    let mut plain = alice.fork(None);
    plain.token = Some(BOB_TOKEN.into());
    plain.initialize().await;
    let (failed, text) = plain.call(INVESTIGATE, json!({})).await;
    assert!(!failed, "{text}");
    assert!(text.contains("payment"), "{text}");
    let refused = plain.request("tasks/get", json!({"taskId": id})).await;
    assert!(refused.get("error").is_some(), "{refused}");
    alice.stop().await;
}

#[tokio::test]
async fn a_stateless_server_answers_plainly_even_to_clients_that_take_tasks() {
    let sim = sim().await;
    let mut cmd = against(&sim.base_url(), &[("COROOT_MCP_STATELESS", "true")]);
    cmd.arg("serve");
    let (mut h, _) = Http::spawn(cmd, None).await;
    // Any replica answers any request there, and a task would live in one of them only.
    let init = h.initialize_with(with_tasks()).await;
    assert!(
        init["result"]["capabilities"].get("extensions").is_none(),
        "no tasks advertised: {init}"
    );
    let meta = json!({"io.modelcontextprotocol/clientCapabilities": with_tasks()});
    let msg = h
        .request(
            "tools/call",
            json!({"name": INVESTIGATE, "arguments": {}, "_meta": meta}),
        )
        .await;
    let result = &msg["result"];
    assert!(result.get("taskId").is_none(), "{msg}");
    assert_eq!(result["isError"], false, "{msg}");
    conclusion(result);
    h.stop().await;
}
