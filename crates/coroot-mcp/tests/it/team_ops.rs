//! Running it for a team: two stateless replicas answer one investigation between them,
//! `/metrics` speaks Prometheus and its counters move, every tool call leaves one log line
//! without secrets or argument values, and SIGTERM lets a call in flight finish.

use std::time::Duration;

use coroot_sim::{Fault, FaultRule};
use serde_json::{Value, json};

use crate::common::{Captured, Http, against, sim};

/// `coroot-mcp serve --http` against `url` with `env`, and its stderr.
async fn server(url: &str, env: &[(&str, &str)]) -> (Http, Captured) {
    let mut cmd = against(url, env);
    cmd.arg("serve");
    Http::spawn(cmd, None).await
}

/// Sends one request to `h` and checks it succeeded; returns the JSON-RPC result.
async fn ok(h: &mut Http, method: &str, params: Value) -> Value {
    let msg = h.request(method, params.clone()).await;
    assert!(msg.get("error").is_none(), "{method}: {msg}");
    if method == "tools/call" {
        assert_eq!(msg["result"]["isError"], false, "{params}: {msg}");
    }
    msg["result"].clone()
}

#[tokio::test]
async fn two_stateless_replicas_answer_one_investigation_alternately() {
    let sim = sim().await;
    let stateless = [("COROOT_MCP_STATELESS", "true")];
    let (mut a, _) = server(&sim.base_url(), &stateless).await;
    let (mut b, _) = server(&sim.base_url(), &stateless).await;

    let init = ok(
        &mut a,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "lb", "version": "0"}}),
    )
    .await;
    assert_eq!(init["serverInfo"]["name"], "coroot-mcp");
    assert!(a.session.is_none(), "a stateless server hands out no session id");
    let (status, _) = b
        .post(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}), &[])
        .await;
    assert!(status == 202 || status == 200, "{status}");

    // The RCA workflow, each step on the other replica than the one before.
    let steps: Vec<(&str, Value)> = vec![
        ("tools/list", json!({})),
        (
            "tools/call",
            json!({"name": "coroot_get_incidents", "arguments": {"lookback_hours": 24}}),
        ),
        (
            "tools/call",
            json!({"name": "coroot_get_incident_detail", "arguments": {"incident_key": "q8w7e6r5"}}),
        ),
        (
            "tools/call",
            json!({"name": "coroot_get_app_detail", "arguments": {"app_id": "payment"}}),
        ),
        (
            "tools/call",
            json!({"name": "coroot_get_app_logs", "arguments": {"app_id": "checkout"}}),
        ),
        (
            "tools/call",
            json!({"name": "coroot_get_traces", "arguments": {"service_name": "checkout"}}),
        ),
        ("tools/call", json!({"name": "coroot_get_service_map", "arguments": {}})),
        ("tools/call", json!({"name": "coroot_get_nodes", "arguments": {}})),
        (
            "tools/call",
            json!({"name": "coroot_get_node_detail", "arguments": {"node_name": "node-3"}}),
        ),
        ("tools/call", json!({"name": "coroot_investigate", "arguments": {}})),
        ("prompts/get", json!({"name": "rca-workflow"})),
        ("resources/read", json!({"uri": "coroot://projects"})),
    ];
    for (i, (method, params)) in steps.into_iter().enumerate() {
        let replica = if i % 2 == 0 { &mut b } else { &mut a };
        let result = ok(replica, method, params.clone()).await;
        if params["name"] == "coroot_investigate" {
            let text = result["content"][0]["text"].as_str().unwrap();
            assert!(text.contains("payment"), "{text}");
        }
    }
    assert!(a.session.is_none() && b.session.is_none());
    a.stop().await;
    b.stop().await;

    // The stateful default ties a session to the replica that opened it.
    let (mut a, _) = server(&sim.base_url(), &[]).await;
    let (mut b, _) = server(&sim.base_url(), &[]).await;
    a.initialize().await;
    b.session = a.session.clone();
    let (status, _) = b
        .post(json!({"jsonrpc": "2.0", "id": 5, "method": "tools/list"}), &[])
        .await;
    assert_eq!(status, 404, "another replica does not know a stateful session");
    a.stop().await;
    b.stop().await;
}

/// The value of the sample `series` (a metric with its labels) in `text`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn metrics_are_prometheus_text_and_their_counters_move() {
    let sim = sim().await;
    let token = "metrics-token-0123456789";
    let mut cmd = against(&sim.base_url(), &[("COROOT_CACHE_SECONDS", "15")]);
    cmd.arg("serve");
    let (mut h, _) = Http::spawn(cmd, Some(token)).await;

    let r = h.client.get(format!("{}/metrics", h.base)).send().await.unwrap();
    assert_eq!(r.status(), 200, "metrics need no token: scrapers carry none");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let before = r.text().await.unwrap();
    assert_eq!(sample(&before, "coroot_mcp_tool_calls_in_flight"), 0.0);
    assert!(!before.contains("coroot_mcp_tool_calls_total{"), "{before}");

    h.initialize().await;
    let incidents = json!({"lookback_hours": 24});
    assert!(!h.call("coroot_get_incidents", incidents.clone()).await.0);
    assert!(!h.call("coroot_get_incidents", incidents).await.0);
    assert!(
        h.call("coroot_get_app_detail", json!({"app_id": "no-such-app"}))
            .await
            .0
    );
    h.token = None;
    let (status, _) = h.post(json!({"jsonrpc": "2.0", "id": 9, "method": "ping"}), &[]).await;
    assert_eq!(status, 401);

    let (_, text) = h.get("/metrics").await;
    let series = |s: &str| sample(&text, s);
    assert_eq!(
        series("coroot_mcp_tool_calls_total{tool=\"coroot_get_incidents\",outcome=\"ok\"}"),
        2.0
    );
    assert_eq!(
        series("coroot_mcp_tool_calls_total{tool=\"coroot_get_app_detail\",outcome=\"error\"}"),
        1.0
    );
    assert_eq!(
        series("coroot_mcp_tool_errors_total{tool=\"coroot_get_app_detail\",class=\"resolve\"}"),
        1.0
    );
    assert_eq!(
        series("coroot_mcp_tool_call_duration_seconds_count{tool=\"coroot_get_incidents\"}"),
        2.0
    );
    assert_eq!(
        series("coroot_mcp_tool_call_duration_seconds_bucket{tool=\"coroot_get_incidents\",le=\"+Inf\"}"),
        2.0
    );
    assert_eq!(
        series("coroot_mcp_coroot_requests_total{endpoint=\"/api/login\",status=\"200\"}"),
        1.0
    );
    assert!(
        series("coroot_mcp_coroot_requests_total{endpoint=\"/api/project/{project}/incidents\",status=\"200\"}") >= 1.0
    );
    assert!(series("coroot_mcp_coroot_request_duration_seconds_count{endpoint=\"/api/user\"}") >= 1.0);
    assert_eq!(series("coroot_mcp_coroot_logins_total{outcome=\"ok\"}"), 1.0);
    assert!(
        series("coroot_mcp_cache_hits_total{cache=\"response\"}") >= 1.0,
        "the second call hit the cache"
    );
    assert!(series("coroot_mcp_cache_misses_total") >= 1.0);
    assert_eq!(series("coroot_mcp_unauthorized_requests_total"), 1.0);
    assert_eq!(series("coroot_mcp_tool_calls_in_flight"), 0.0);
    // Prometheus' grammar: every sample line is `name{labels} value` of a declared family.
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (name, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let bare = name.split('{').next().unwrap();
        assert!(bare.starts_with("coroot_mcp_"), "{line}");
        assert!(
            !name.contains("k3h2x9qa") && !name.contains("no-such-app"),
            "ids stay out of labels: {line}"
        );
    }
    h.stop().await;
}

#[tokio::test]
async fn each_tool_call_logs_one_line_without_secrets_or_arguments() {
    let sim = sim().await;
    let tokens = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    let token = "log-token-8a7b6c5d4e3f2a1b";
    std::fs::write(
        tokens.path(),
        format!("[[tokens]]\nname = \"alice\"\ntoken = \"{token}\"\nemail = \"admin\"\npassword = \"sim-password\"\n"),
    )
    .unwrap();
    let path = tokens.path().to_str().unwrap().to_string();
    let mut cmd = against(&sim.base_url(), &[("COROOT_MCP_TOKENS", &path)]);
    cmd.arg("serve");
    let (mut h, stderr) = Http::spawn(cmd, Some(token)).await;
    h.initialize().await;
    assert!(!h.call("coroot_get_nodes", json!({})).await.0);
    let secret_arg = "sk-live-arg-value-55aa";
    assert!(h.call("coroot_get_app_detail", json!({"app_id": secret_arg})).await.0);
    // Whatever the answer, a PromQL argument that looks like a secret is not logged.
    let _ = h
        .call("coroot_query_metrics", json!({"promql": "up{password=\"x-9f8e\"}"}))
        .await;

    let logs = stderr.wait_for("coroot_query_metrics").await;
    let calls: Vec<&str> = logs.lines().filter(|l| l.contains("tool call")).collect();
    assert_eq!(calls.len(), 3, "{logs}");
    assert!(
        calls[0].contains("tool=\"coroot_get_nodes\"") && calls[0].contains("outcome=\"ok\""),
        "{}",
        calls[0]
    );
    for line in &calls {
        for field in ["identity=\"alice\"", "duration_ms=", "result_bytes=", "error_class="] {
            assert!(line.contains(field), "{field} missing: {line}");
        }
    }
    assert!(calls[1].contains("error_class=\"resolve\""), "{}", calls[1]);
    let cookies = sim.session_cookies();
    let mut secrets = vec![token, "sim-password", secret_arg, "x-9f8e"];
    secrets.extend(cookies.iter().map(String::as_str));
    for secret in secrets {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
    h.stop().await;
}

#[tokio::test]
async fn sigterm_lets_the_call_in_flight_finish_then_exits() {
    let sim = sim().await;
    let (mut h, stderr) = server(&sim.base_url(), &[]).await;
    h.initialize().await;
    sim.inject(FaultRule {
        path_contains: "/overview/applications".into(),
        fault: Fault::Latency(Duration::from_secs(4)),
        times: Some(1),
    });
    let mut caller = h.fork(None);
    caller.session = h.session.clone();
    let call = tokio::spawn(async move { caller.call("coroot_get_applications", json!({})).await });
    // Until the call is inside Coroot's slow answer.
    for _ in 0..600 {
        if sim.requests().iter().any(|r| r.path.contains("/overview/applications")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    h.signal("TERM");
    // New connections are refused while the call is still running.
    let mut refused = false;
    for _ in 0..100 {
        let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        if fresh.get(format!("{}/healthz", h.base)).send().await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "the server still accepts connections after SIGTERM");
    assert!(
        !call.is_finished(),
        "the call was still in flight when connections were refused"
    );
    let (is_error, text) = call.await.unwrap();
    assert!(!is_error, "the call in flight finished: {text}");
    assert!(text.contains("checkout"), "{text}");
    let status = h.wait_exit().await;
    assert!(status.success(), "{status:?}: {}", stderr.text());
    let logs = stderr.wait_for("coroot-mcp: stopped").await;
    assert!(logs.contains("stopping; 1 call(s) in flight"), "{logs}");
    assert!(
        h.client.get(format!("{}/healthz", h.base)).send().await.is_err(),
        "nothing listens any more"
    );
}

#[tokio::test]
async fn the_drain_is_bounded() {
    let sim = sim().await;
    let (mut h, stderr) = server(&sim.base_url(), &[("COROOT_MCP_SHUTDOWN_TIMEOUT", "0.5")]).await;
    h.initialize().await;
    sim.inject(FaultRule {
        path_contains: "/overview/applications".into(),
        fault: Fault::Latency(Duration::from_secs(60)),
        times: Some(1),
    });
    let mut caller = h.fork(None);
    caller.session = h.session.clone();
    let _stuck = tokio::spawn(async move {
        let _ = caller.call("coroot_get_applications", json!({})).await;
    });
    for _ in 0..600 {
        if sim.requests().iter().any(|r| r.path.contains("/overview/applications")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    h.signal("TERM");
    let status = h.wait_exit().await;
    assert!(status.success(), "{status:?}");
    stderr.wait_for("1 call(s) did not finish").await;
}
