//! Every tool name a text mentions is a registered tool: the server's instructions, every
//! prompt, the demo's calls and what it prints, each tool's description, and the hints and
//! next steps the tools write into their results and errors on the e-commerce scenario. An
//! agent told to call a tool that does not exist wastes a turn, or gives up.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{BIN, Stdio_, args_for};

/// Every `coroot_[a-z_]+` word of `text`.
fn tool_words(text: &str) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for (at, _) in text.match_indices("coroot_") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest: String = text[at + "coroot_".len()..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let rest = rest.trim_end_matches('_');
        if !rest.is_empty() {
            words.insert(format!("coroot_{rest}"));
        }
    }
    words
}

/// The string values of `v`, one a line: what an agent reads, without the keys (a key such as
/// `coroot_message` names a field, not a tool).
fn string_values(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(string_values).collect::<Vec<_>>().join("\n"),
        Value::Object(map) => map.values().map(string_values).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// The server's instructions and every prompt's description and text, as a client reads them.
async fn server_texts() -> Vec<(String, String)> {
    let (mut s, init) = Stdio_::start(&[]).await;
    let mut texts = vec![(
        "the server's instructions".to_string(),
        init["result"]["instructions"].as_str().unwrap().to_string(),
    )];
    let prompts = s.request("prompts/list", json!({})).await;
    for prompt in prompts["result"]["prompts"].as_array().unwrap() {
        let name = prompt["name"].as_str().unwrap();
        let got = s.request("prompts/get", json!({"name": name})).await;
        texts.push((format!("prompt {name}"), format!("{prompt}\n{}", got["result"])));
    }
    s.shutdown().await;
    assert!(texts.len() > 5, "the instructions and five prompts: {texts:?}");
    texts
}

/// What the demo prints: each call (`→ coroot_…(…)`) and each tool's output, in full.
fn demo_text() -> (String, String) {
    let out = Command::new(BIN)
        .args(["demo", "--full"])
        .env_remove("COROOT_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("→ coroot_investigate("), "{stdout}");
    ("the demo".to_string(), stdout)
}

/// Each tool's description, its answer on the e-commerce scenario (the text, and the strings of
/// the structured result), and the errors it gives for an unknown project and for made-up
/// required values.
async fn tool_texts() -> Vec<(String, String)> {
    let kit = coroot_tools::testing::ecommerce().await;
    let mut texts = Vec::new();
    for spec in &coroot_tools::TOOLS {
        let schema = (spec.input_schema)();
        texts.push((format!("{}'s description", spec.name), spec.description.to_string()));
        let out = (spec.call)(&kit.ctx, args_for(spec.name, &schema))
            .await
            .unwrap_or_else(|e| panic!("{} fails on the e-commerce scenario: {e}", spec.name));
        texts.push((format!("{}'s text", spec.name), out.text));
        texts.push((
            format!("{}'s structured result", spec.name),
            string_values(&out.structured),
        ));

        let mut made_up = serde_json::Map::new();
        for name in schema["required"].as_array().into_iter().flatten() {
            made_up.insert(name.as_str().unwrap().to_string(), json!("nope-0000"));
        }
        let mut unknown_project = args_for(spec.name, &schema);
        unknown_project["project_id"] = json!("nope-project");
        for (what, args) in [
            ("made-up values", Value::Object(made_up)),
            ("an unknown project", unknown_project),
        ] {
            if let Err(e) = (spec.call)(&kit.ctx, args).await {
                texts.push((format!("{}'s error for {what}", spec.name), e.to_string()));
            }
        }
    }
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_name_mentioned_anywhere_is_a_registered_tool() {
    let registered: BTreeSet<&str> = coroot_tools::TOOLS.iter().map(|t| t.name).collect();
    let mut texts = server_texts().await;
    texts.push(demo_text());
    texts.extend(tool_texts().await);

    let mut mentioned = BTreeSet::new();
    for (where_, text) in &texts {
        for word in tool_words(text) {
            assert!(
                registered.contains(word.as_str()),
                "{where_} mentions `{word}`, which is not a registered tool; registered: {registered:?}"
            );
            mentioned.insert(word);
        }
    }
    // The scan finds what it looks for: the texts point at most of the tools.
    assert!(mentioned.len() >= 10, "only {mentioned:?} mentioned");
    assert!(texts.iter().any(|(w, _)| w.ends_with("error for made-up values")));
}

#[test]
fn tool_words_are_whole_words() {
    let words = tool_words("call coroot_get_nodes(), then coroot_investigate; not my_coroot_x nor coroot_");
    assert_eq!(
        words.into_iter().collect::<Vec<_>>(),
        ["coroot_get_nodes", "coroot_investigate"]
    );
}
