//! The real binary over Streamable HTTP: a session, tool calls, the bearer token, and the
//! Host/Origin checks against DNS rebinding.

use serde_json::json;

use crate::common::{BIN, Http, demo_args};

#[tokio::test]
async fn http_session_lists_and_calls_tools() {
    let mut h = Http::start(&[], None).await;
    let init = h.initialize().await;
    assert_eq!(init["result"]["serverInfo"]["name"], "coroot-mcp");
    let tools = h.request("tools/list", json!({})).await;
    assert_eq!(tools["result"]["tools"].as_array().unwrap().len(), 15);
    for name in ["coroot_get_incidents", "coroot_get_app_detail", "coroot_query_metrics"] {
        let call = h
            .request("tools/call", json!({"name": name, "arguments": demo_args(name)}))
            .await;
        assert_eq!(call["result"]["isError"], false, "{name}: {call}");
    }
    let call = h
        .request(
            "tools/call",
            json!({"name": "coroot_get_app_detail", "arguments": {"app_id": "paymnt"}}),
        )
        .await;
    assert_eq!(call["result"]["isError"], true);
    assert!(
        call["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("k3h2x9qa:default:Deployment:payment")
    );
    let prompts = h.request("prompts/list", json!({})).await;
    assert_eq!(prompts["result"]["prompts"].as_array().unwrap().len(), 5);
    let health = h.client.get(format!("{}/healthz", h.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    h.stop().await;
}

#[tokio::test]
async fn the_bearer_token_guards_mcp() {
    let token = "e2e-token-0123456789abcdef";
    let mut h = Http::start(&[], Some(token)).await;
    h.token = None;
    let (status, _) = h
        .post(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}}), &[])
        .await;
    assert_eq!(status, 401, "no token");
    h.token = Some("wrong-token-0123456789abcdef".into());
    let (status, _) = h.post(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}), &[]).await;
    assert_eq!(status, 401, "wrong token");
    h.token = Some(token.into());
    let init = h.initialize().await;
    assert_eq!(init["result"]["serverInfo"]["name"], "coroot-mcp");
    // Health stays open for probes.
    let health = h.client.get(format!("{}/healthz", h.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    h.stop().await;
}

#[tokio::test]
async fn foreign_hosts_and_origins_are_refused() {
    let mut h = Http::start(&[], None).await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}});
    let (status, _) = h.post(body.clone(), &[("Host", "evil.example.com")]).await;
    assert!(status >= 400, "foreign Host accepted: {status}");
    let (status, _) = h.post(body.clone(), &[("Origin", "https://evil.example.com")]).await;
    assert!(status >= 400, "foreign Origin accepted: {status}");
    let (status, _) = h.post(body, &[("Origin", "http://localhost:5173")]).await;
    assert_eq!(status, 200, "a local origin is fine");
    h.stop().await;
}

#[test]
fn an_exposed_bind_without_a_token_is_refused() {
    let out = std::process::Command::new(BIN)
        .args(["serve", "--demo", "--http", "0.0.0.0:0"])
        .env_remove("COROOT_MCP_AUTH_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--auth-token"));
}

#[test]
fn http_only_options_on_stdio_are_refused_with_the_fix() {
    let out = std::process::Command::new(BIN)
        .args(["serve", "--demo", "--stateless"])
        .env_remove("COROOT_MCP_HTTP")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --http ADDR"));
}
