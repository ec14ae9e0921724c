//! Bad input from agents, through the real binary (stdio and HTTP) pointed at an in-test
//! simulator: missing, unknown and mistyped parameters, out-of-range lookbacks, empty and
//! 10 MB strings, control characters, path traversal in ids, unknown tools and invalid
//! JSON-RPC. Each gets an error that says what to fix, the server keeps serving, and the
//! simulator's request log proves no unsafe path reached Coroot.

use coroot_sim::Simulator;
use serde_json::{Value, json};

use crate::common::{Http, Stdio_, sim, tool_result};

/// Asserts `tool(args)` fails with a text holding every needle; returns the text.
async fn rejects(s: &mut Stdio_, tool: &str, args: Value, needles: &[&str]) -> String {
    let (is_error, text) = s.call(tool, args.clone()).await;
    assert!(is_error, "{tool}({}) should fail: {text}", short(&args));
    for n in needles {
        assert!(text.contains(n), "{tool}({}): expected {n:?} in: {text}", short(&args));
    }
    text
}

/// Asserts `tool(args)` succeeds; returns the text.
async fn accepts(s: &mut Stdio_, tool: &str, args: Value) -> String {
    let (is_error, text) = s.call(tool, args.clone()).await;
    assert!(!is_error, "{tool}({}) should succeed: {text}", short(&args));
    text
}

fn short(v: &Value) -> String {
    v.to_string().chars().take(120).collect()
}

/// No recorded request path has a `.`/`..` segment (raw or percent-encoded) or more segments
/// than Coroot's deepest route: an id never split or climbed out of its path segment.
fn assert_safe_paths(sim: &Simulator) {
    for r in sim.requests() {
        let segments: Vec<&str> = r.path.split('/').collect();
        for seg in &segments {
            let lower = seg.to_ascii_lowercase().replace("%2e", ".");
            assert!(lower != "." && lower != "..", "dot segment reached Coroot: {}", r.path);
        }
        assert!(!r.path.contains("/../") && !r.path.contains('\\'), "{}", r.path);
        // `/api/project/{p}/app/{id}/logs` is the deepest route: 7 segments after the leading "".
        assert!(segments.len() <= 7, "an id added path segments: {}", r.path);
        assert!(
            r.path.starts_with("/api/") || r.path == "/" || r.path == "/health",
            "{}",
            r.path
        );
    }
}

#[tokio::test]
async fn missing_unknown_and_mistyped_parameters_are_named() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    rejects(
        &mut s,
        "coroot_get_app_detail",
        json!({}),
        &["invalid arguments for coroot_get_app_detail", "missing field `app_id`"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_node_detail",
        json!({"lookback_hours": 1}),
        &["missing field `node_name`"],
    )
    .await;
    // A misspelt filter is refused, naming the valid ones.
    rejects(
        &mut s,
        "coroot_get_incidents",
        json!({"lookback": 24}),
        &["unknown field `lookback`", "lookback_hours"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_app_logs",
        json!({"app_id": "checkout", "level": "error"}),
        &["unknown field `level`", "severity"],
    )
    .await;
    // Wrong types.
    rejects(
        &mut s,
        "coroot_get_incidents",
        json!({"lookback_hours": "soon"}),
        &["expected a number, got \"soon\""],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_incidents",
        json!({"lookback_hours": [24]}),
        &["invalid arguments"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_incidents",
        json!({"lookback_hours": {"h": 1}}),
        &["invalid arguments"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_overview_logs",
        json!({"kubernetes_only": "maybe"}),
        &["expected true or false"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_overview_logs",
        json!({"limit": -3}),
        &["whole number"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_overview_logs",
        json!({"limit": 2.5}),
        &["whole number"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_app_detail",
        json!({"app_id": true}),
        &["expected a string"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_app_detail",
        json!({"app_id": ["payment"]}),
        &["invalid arguments"],
    )
    .await;
    // Forgiving forms still work: numbers and booleans as strings.
    accepts(
        &mut s,
        "coroot_get_overview_logs",
        json!({"limit": "5", "kubernetes_only": "true", "lookback_hours": "2"}),
    )
    .await;
    assert_safe_paths(&sim);
    s.shutdown().await;
}

#[tokio::test]
async fn negative_huge_and_nan_lookbacks_are_clamped_or_refused() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    let text = accepts(&mut s, "coroot_get_applications", json!({"lookback_hours": -5})).await;
    assert!(text.contains("note: lookback_hours=-5 is outside (0, 720]"), "{text}");
    let text = accepts(&mut s, "coroot_get_applications", json!({"lookback_hours": 0})).await;
    assert!(text.contains("note: lookback_hours=0 is outside (0, 720]"), "{text}");
    let text = accepts(&mut s, "coroot_get_applications", json!({"lookback_hours": 1e12})).await;
    assert!(
        text.contains("is outside (0, 720]") && text.contains("used 30d"),
        "{text}"
    );
    let text = accepts(&mut s, "coroot_get_deployments", json!({"lookback_hours": "1e308"})).await;
    assert!(text.contains("is outside (0, 720]"), "{text}");
    for bad in ["NaN", "nan", "inf", "-Infinity"] {
        rejects(
            &mut s,
            "coroot_get_applications",
            json!({"lookback_hours": bad}),
            &["finite number"],
        )
        .await;
    }
    // The window sent to Coroot never exceeds 720 h.
    for r in sim.requests() {
        if let (Some(from), Some(to)) = (r.param("from"), r.param("to")) {
            let (from, to): (i64, i64) = (from.parse().expect("from"), to.parse().expect("to"));
            assert!(to > from && to - from <= 720 * 3_600_000, "{}?{}", r.path, r.query);
        }
    }
    s.shutdown().await;
}

#[tokio::test]
async fn empty_huge_and_control_character_strings_are_refused() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    rejects(
        &mut s,
        "coroot_get_app_detail",
        json!({"app_id": ""}),
        &["app_id", "must not be empty"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_get_incident_detail",
        json!({"incident_key": "   "}),
        &["must not be empty"],
    )
    .await;
    rejects(
        &mut s,
        "coroot_query_metrics",
        json!({"promql": ""}),
        &["must not be empty"],
    )
    .await;
    // Empty optional strings mean "not set".
    accepts(
        &mut s,
        "coroot_get_applications",
        json!({"project_id": "", "lookback_hours": ""}),
    )
    .await;
    sim.clear_requests();
    let huge = "a".repeat(10 * 1024 * 1024);
    for (tool, field) in [
        ("coroot_get_app_detail", "app_id"),
        ("coroot_get_app_logs", "app_id"),
        ("coroot_get_node_detail", "node_name"),
        ("coroot_get_incident_detail", "incident_key"),
        ("coroot_query_metrics", "promql"),
        ("coroot_get_traces", "trace_id"),
        ("coroot_get_applications", "project_id"),
    ] {
        let text = rejects(
            &mut s,
            tool,
            json!({field: huge}),
            &["is 10485760 characters long; the maximum is 4096"],
        )
        .await;
        assert!(
            text.len() < 2000,
            "the error must not echo the 10 MB string ({} bytes)",
            text.len()
        );
    }
    rejects(
        &mut s,
        "coroot_get_app_logs",
        json!({"app_id": "checkout", "search": huge}),
        &["maximum is 4096"],
    )
    .await;
    for bad in [
        "pay\u{0}ment",
        "payment\r\nX-Injected: 1",
        "node-3\u{1b}[2J",
        "a\u{7f}b",
    ] {
        rejects(
            &mut s,
            "coroot_get_app_detail",
            json!({"app_id": bad}),
            &["contains control characters"],
        )
        .await;
        rejects(
            &mut s,
            "coroot_get_node_detail",
            json!({"node_name": bad}),
            &["contains control characters"],
        )
        .await;
        rejects(
            &mut s,
            "coroot_get_traces",
            json!({"trace_id": bad}),
            &["contains control characters"],
        )
        .await;
    }
    let coroot_calls: Vec<String> = sim.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        coroot_calls.is_empty(),
        "refused input must not reach Coroot: {coroot_calls:?}"
    );
    accepts(&mut s, "coroot_get_applications", json!({})).await;
    s.shutdown().await;
}

#[tokio::test]
async fn path_traversal_in_ids_never_reaches_coroot_as_a_path() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    let traversals = [
        "../../api/user",
        "..%2F..%2Fapi%2Fuser",
        "%2e%2e",
        "..",
        ".",
        "../",
        "/etc/passwd",
        "..\\..\\windows",
        "k3h2x9qa:default:Deployment:../../../api/user",
        "k3h2x9qa:..:..:..",
    ];
    for id in traversals {
        let (e1, t1) = s.call("coroot_get_app_detail", json!({"app_id": id})).await;
        let (e2, t2) = s.call("coroot_get_node_detail", json!({"node_name": id})).await;
        let (e3, t3) = s.call("coroot_get_incident_detail", json!({"incident_key": id})).await;
        let (e4, t4) = s.call("coroot_get_app_logs", json!({"app_id": id})).await;
        let (e5, t5) = s.call("coroot_get_applications", json!({"project_id": id})).await;
        for (is_error, text) in [(e1, &t1), (e2, &t2), (e3, &t3), (e4, &t4), (e5, &t5)] {
            assert!(is_error, "{id}: {text}");
            // The error says what to do next: which ids exist or how to list them.
            assert!(
                text.contains("coroot_get_applications")
                    || text.contains("coroot_get_nodes")
                    || text.contains("coroot_get_incidents")
                    || text.contains("is not a valid")
                    || text.contains("visible projects"),
                "{id}: unclear error: {text}"
            );
        }
    }
    assert_safe_paths(&sim);
    // What did reach Coroot carried the id percent-encoded inside one segment.
    let paths: Vec<String> = sim.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().any(|p| p.ends_with("/node/..%2F..%2Fapi%2Fuser")),
        "{paths:#?}"
    );
    assert!(
        paths.iter().any(|p| p.ends_with("/node/..%252F..%252Fapi%252Fuser")),
        "{paths:#?}"
    );
    assert!(paths.iter().any(|p| p.ends_with("/incident/%252e%252e")), "{paths:#?}");
    assert!(
        paths
            .iter()
            .any(|p| p.contains("/app/k3h2x9qa%3Adefault%3ADeployment%3A..%2F..%2F..%2Fapi%2Fuser")),
        "{paths:#?}"
    );
    accepts(&mut s, "coroot_get_node_detail", json!({"node_name": "node-3"})).await;
    s.shutdown().await;
}

#[tokio::test]
async fn unknown_tools_and_invalid_json_rpc_get_errors_and_the_server_keeps_serving() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    let tools = s.request("tools/list", json!({})).await;
    let count = tools["result"]["tools"].as_array().expect("tools").len();

    let call = s
        .request("tools/call", json!({"name": "drop_database", "arguments": {}}))
        .await;
    assert_eq!(call["error"]["code"], -32602, "{call}");
    let message = call["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("unknown tool 'drop_database'") && message.contains("coroot_get_incidents"),
        "{call}"
    );
    let call = s.request("tools/call", json!({"name": "", "arguments": {}})).await;
    assert!(call.get("error").is_some(), "{call}");
    let call = s
        .request("tools/call", json!({"name": "../coroot_get_incidents"}))
        .await;
    assert!(call.get("error").is_some(), "{call}");
    // `arguments` that are not an object, a missing name, no params at all: -32602 with the
    // shape expected.
    for params in [
        json!({"name": "coroot_get_incidents", "arguments": [1, 2]}),
        json!({"name": "coroot_get_incidents", "arguments": "lookback_hours=24"}),
        json!({"arguments": {}}),
        json!(null),
    ] {
        let reply = s.request("tools/call", params.clone()).await;
        assert_eq!(reply["error"]["code"], -32602, "{params}: {reply}");
        let message = reply["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("invalid params for tools/call") && message.contains("arguments is an object"),
            "{reply}"
        );
    }
    let reply = s.request("no/such/method", json!({})).await;
    assert_eq!(reply["error"]["code"], -32601, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("method not found: 'no/such/method'"),
        "{reply}"
    );

    // Not JSON: -32700 Parse error (id null). JSON that is not a JSON-RPC message (a bare
    // value, an empty batch, a wrong version, no method, an object id): -32600 Invalid request.
    for (raw, code) in [
        ("{this is not json", -32700),
        ("\u{0}\u{1}\u{2}", -32700),
        (r#"{"jsonrpc": "2.0", "id": 904, "method": "ping""#, -32700),
        ("[]", -32600),
        ("42", -32600),
        (r#"{"jsonrpc": "1.0", "id": 900, "method": "tools/list"}"#, -32600),
        (r#"{"id": 901, "method": "tools/list"}"#, -32600),
        (r#"{"jsonrpc": "2.0", "id": 902}"#, -32600),
        (
            r#"{"jsonrpc": "2.0", "id": {"nested": true}, "method": "ping"}"#,
            -32600,
        ),
    ] {
        s.send_raw(raw).await;
        let reply = s.read_message().await;
        assert_eq!(reply["error"]["code"], code, "{raw:?}: {reply}");
        assert!(reply.get("result").is_none(), "{raw:?}: {reply}");
        let after = s.request("tools/list", json!({})).await;
        assert_eq!(
            after["result"]["tools"].as_array().map(Vec::len),
            Some(count),
            "after {raw:?}: {after}"
        );
    }
    // Blank lines are skipped silently.
    s.send_raw("").await;
    s.send_raw("   ").await;
    let after = s.request("ping", json!({})).await;
    assert!(after.get("result").is_some(), "{after}");
    // A 10 MB JSON-RPC line.
    let big = json!({"jsonrpc": "2.0", "id": 903, "method": "tools/call",
        "params": {"name": "coroot_get_app_detail", "arguments": {"app_id": "x".repeat(10 * 1024 * 1024)}}});
    s.send_raw(&big.to_string()).await;
    let reply = s.read_response(Some(903)).await;
    let (is_error, text) = tool_result(&reply);
    assert!(
        is_error && text.contains("maximum is 4096"),
        "{}",
        &text[..text.len().min(300)]
    );
    accepts(&mut s, "coroot_get_incidents", json!({})).await;
    s.shutdown().await;
}

#[tokio::test]
async fn invalid_requests_over_http_are_refused_and_the_server_keeps_serving() {
    let sim = sim().await;
    let (mut h, _) = Http::against(&sim.base_url(), &[], None).await;
    h.initialize().await;
    let url = format!("{}/mcp", h.base);
    let session = h.session.clone().expect("a session id");
    let post = |body: &'static str, session: Option<&str>, ct: &'static str| {
        let mut req = h
            .client
            .post(&url)
            .header("Content-Type", ct)
            .header("Accept", "application/json, text/event-stream")
            .body(body);
        if let Some(s) = session {
            req = req.header("Mcp-Session-Id", s.to_string());
        }
        req.send()
    };
    for (body, with_session, ct) in [
        ("{not json", true, "application/json"),
        ("", true, "application/json"),
        (
            r#"{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}"#,
            true,
            "text/plain",
        ),
        (
            r#"{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}"#,
            false,
            "application/json",
        ),
    ] {
        let r = post(body, with_session.then_some(session.as_str()), ct)
            .await
            .expect("an answer");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        let refused = status >= 400 || text.contains("\"error\"");
        assert!(
            refused,
            "{body:?} (session: {with_session}, {ct}) was accepted: {status} {text}"
        );
    }
    let r = post(
        r#"{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}"#,
        Some("no-such-session"),
        "application/json",
    )
    .await
    .expect("an answer");
    assert!(r.status().as_u16() >= 400, "an unknown session id: {}", r.status());
    let (is_error, text) = h.call("coroot_get_incidents", json!({"lookback_hours": "NaN"})).await;
    assert!(is_error && text.contains("finite number"), "{text}");
    let (is_error, text) = h.call("coroot_get_incidents", json!({})).await;
    assert!(!is_error, "{text}");
    h.stop().await;
}
