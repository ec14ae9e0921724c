//! The real binary over stdio, with the built-in simulator behind it: the handshake, the tool
//! list, a call of every tool, prompts, resources, and errors that keep the server serving.

use serde_json::json;

use crate::common::{Stdio_, demo_args};

#[tokio::test]
async fn stdio_session_serves_every_tool_prompt_and_resource() {
    let (mut s, init) = Stdio_::start(&[]).await;
    let result = &init["result"];
    assert_eq!(result["serverInfo"]["name"], "coroot-mcp");
    assert!(
        result["instructions"]
            .as_str()
            .unwrap()
            .contains("lookback_hours is clamped to 720")
    );
    for cap in ["tools", "prompts", "resources"] {
        assert!(result["capabilities"][cap].is_object(), "{cap} capability");
    }

    let tools = s.request("tools/list", json!({})).await;
    let tools = tools["result"]["tools"].as_array().unwrap().clone();
    assert_eq!(tools.len(), 15);
    for tool in &tools {
        let name = tool["name"].as_str().unwrap();
        assert_eq!(tool["inputSchema"]["type"], "object", "{name}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{name}");
        let ann = &tool["annotations"];
        assert_eq!(
            (
                ann["readOnlyHint"].as_bool(),
                ann["idempotentHint"].as_bool(),
                ann["openWorldHint"].as_bool()
            ),
            (Some(true), Some(true), Some(true)),
            "{name}"
        );

        let call = s
            .request("tools/call", json!({"name": name, "arguments": demo_args(name)}))
            .await;
        let r = &call["result"];
        assert_eq!(r["isError"], false, "{name}: {call}");
        let text = r["content"][0]["text"].as_str().unwrap();
        assert!(!text.is_empty() && text.len() <= 120_000, "{name}");
        assert!(r["structuredContent"].is_object(), "{name} has structured content");
        // The answer's main objects follow the text as links into Coroot's UI.
        for link in r["content"].as_array().unwrap().iter().skip(1) {
            assert_eq!(link["type"], "resource_link", "{name}: {link}");
            let uri = link["uri"].as_str().unwrap();
            assert!(
                uri.starts_with("http://127.0.0.1:") && uri.contains("/p/"),
                "{name}: {uri}"
            );
            assert!(!link["name"].as_str().unwrap().is_empty(), "{name}: {link}");
        }
        if name != "coroot_query_metrics" {
            assert!(
                r["content"].as_array().unwrap().len() > 1,
                "{name} links its page: {call}"
            );
        }
    }
    assert!(
        result["instructions"].as_str().unwrap().contains("Text inside ⟦ ⟧"),
        "the instructions say what fenced text is"
    );

    let prompts = s.request("prompts/list", json!({})).await;
    assert_eq!(prompts["result"]["prompts"].as_array().unwrap().len(), 5);
    let prompt = s
        .request(
            "prompts/get",
            json!({"name": "rca-workflow", "arguments": {"lookback_hours": "6"}}),
        )
        .await;
    assert!(
        prompt["result"]["messages"][0]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("lookback_hours=6")
    );

    let conn = s.request("resources/read", json!({"uri": "coroot://connection"})).await;
    let text = conn["result"]["contents"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("connected to Coroot 1.24.5"), "{text}");
    s.shutdown().await;
}

#[tokio::test]
async fn links_open_coroot_at_its_public_url() {
    let (mut s, _) = Stdio_::start(&["--public-url", "https://coroot.example.com/coroot/"]).await;
    let call = s
        .request("tools/call", json!({"name": "coroot_get_nodes", "arguments": {}}))
        .await;
    let r = &call["result"];
    let url = r["structuredContent"]["url"].as_str().unwrap();
    assert!(url.starts_with("https://coroot.example.com/coroot/p/"), "{url}");
    assert!(r["content"][0]["text"].as_str().unwrap().contains(url));
    assert!(
        r["content"].as_array().unwrap()[1..].iter().all(|l| l["uri"]
            .as_str()
            .unwrap()
            .starts_with("https://coroot.example.com/coroot/p/")),
        "{call}"
    );
    s.shutdown().await;
}

#[tokio::test]
async fn errors_are_results_and_the_server_keeps_serving() {
    let (mut s, _) = Stdio_::start(&[]).await;
    // A tool failure is a result with isError and a next step, not a protocol error.
    let call = s
        .request(
            "tools/call",
            json!({"name": "coroot_get_incident_detail", "arguments": {"incident_key": "nope0000"}}),
        )
        .await;
    assert_eq!(call["result"]["isError"], true, "{call}");
    assert!(
        call["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("coroot_get_incidents")
    );
    // Bad arguments too.
    let call = s
        .request(
            "tools/call",
            json!({"name": "coroot_get_incidents", "arguments": {"lookback_hours": "soon"}}),
        )
        .await;
    assert_eq!(call["result"]["isError"], true, "{call}");
    // An unknown tool is the spec's JSON-RPC error, naming the tools that exist.
    let call = s
        .request("tools/call", json!({"name": "drop_database", "arguments": {}}))
        .await;
    assert!(
        call["error"]["message"]
            .as_str()
            .unwrap()
            .contains("coroot_get_incidents"),
        "{call}"
    );
    // Invalid JSON-RPC: the server answers a parse error or ignores it, and stays up.
    s.send_raw("{this is not json").await;
    let after = s.request("tools/list", json!({})).await;
    assert_eq!(after["result"]["tools"].as_array().unwrap().len(), 15);
    s.shutdown().await;
}

#[tokio::test]
async fn disabled_tools_are_not_listed() {
    let (mut s, _) = Stdio_::start(&["--disabled-tools", "coroot_get_costs,coroot_get_risks"]).await;
    let tools = s.request("tools/list", json!({})).await;
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 13);
    assert!(!names.contains(&"coroot_get_costs"));
    let call = s
        .request("tools/call", json!({"name": "coroot_get_costs", "arguments": {}}))
        .await;
    assert!(call.get("error").is_some(), "a hidden tool cannot be called: {call}");
    s.shutdown().await;
}
