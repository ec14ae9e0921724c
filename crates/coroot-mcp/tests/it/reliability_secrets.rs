//! Secrets through the real binary, with every log at trace level: the Coroot password, the
//! session cookies Coroot issued, the project API key, a proxy header, a password in the URL
//! and the HTTP bearer token never appear in the server's logs, its errors or its tool output,
//! whatever happens (successful calls, the API-key route, session expiry, faults, a wrong
//! password, wrong bearer tokens). And secrets in Coroot's log lines are redacted before an
//! agent reads them, unless COROOT_REDACT_SECRETS / --redact-secrets turns that off.

use coroot_sim::testing::assert_no_secret;
use coroot_sim::{Auth, Fault, FaultRule, SimConfig, Simulator};
use serde_json::{Value, json};

use crate::common::{Http, Stdio_, against, args_for, closed_port, sim_with, tool_result};

const PASSWORD: &str = "S3cret-Pa55word-7731";
const API_KEY: &str = "key-4f9d2c7e1a8b6d3f";
const PROXY_HEADER: &str = "proxy-9d8c7b6a5f4e3d2c";
const URL_PASSWORD: &str = "url-pa55-6e5d4c3b";
const BEARER: &str = "bearer-0a1b2c3d4e5f6a7b8c9d";

/// Trace-level logs from every crate (rmcp, reqwest, hyper, rustls included).
const TRACE: (&str, &str) = ("RUST_LOG", "trace");

async fn secret_sim() -> Simulator {
    sim_with(SimConfig {
        auth: Auth::Password {
            email: "admin".into(),
            password: PASSWORD.into(),
        },
        api_key: Some(API_KEY.into()),
        ..SimConfig::default()
    })
    .await
}

fn env(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("COROOT_PASSWORD", PASSWORD),
        ("COROOT_API_KEY", API_KEY),
        ("COROOT_HEADERS", "X-Proxy-Token: proxy-9d8c7b6a5f4e3d2c"),
        TRACE,
    ];
    v.extend_from_slice(extra);
    v
}

fn all_secrets(sim: &Simulator) -> Vec<String> {
    let mut s: Vec<String> = [PASSWORD, API_KEY, PROXY_HEADER, URL_PASSWORD, BEARER]
        .map(String::from)
        .to_vec();
    let found = sim.session_cookies();
    assert!(!found.is_empty(), "the test should have seen session cookies");
    s.extend(found);
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_errors_or_output_over_stdio() {
    let sim = secret_sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &env(&[("COROOT_MCP_LOG", "trace")])).await;
    // Every tool, successfully.
    let list = s.request("tools/list", json!({})).await;
    for tool in list["result"]["tools"].as_array().unwrap() {
        let name = tool["name"].as_str().unwrap();
        let (is_error, text) = s.call(name, args_for(name, &tool["inputSchema"])).await;
        assert!(!is_error, "{name}: {text}");
    }
    // The API-key route (a Coroot without panel/data).
    sim.inject(FaultRule {
        path_contains: "/panel/data".into(),
        fault: Fault::Html,
        times: Some(1),
    });
    let (is_error, text) = s
        .call(
            "coroot_query_metrics",
            json!({"promql": "container_resources_memory_rss_bytes"}),
        )
        .await;
    assert!(!is_error && text.contains("query_range"), "{text}");
    assert!(
        sim.requests().iter().any(|r| r.header("x-api-key") == Some(API_KEY)),
        "the key was used"
    );
    // Session expiry and re-login; faults with Coroot's messages; resources.
    sim.expire_sessions();
    let (is_error, text) = s.call("coroot_get_nodes", json!({})).await;
    assert!(!is_error, "{text}");
    for fault in [
        Fault::Status {
            code: 500,
            body: "boom".into(),
        },
        Fault::Status {
            code: 401,
            body: String::new(),
        },
        Fault::Status {
            code: 403,
            body: "You are not allowed to view this project.".into(),
        },
        Fault::MalformedJson,
        Fault::Html,
    ] {
        sim.inject(FaultRule {
            path_contains: "/api/project/".into(),
            fault,
            times: Some(3),
        });
        let (is_error, _) = s.call("coroot_get_applications", json!({})).await;
        assert!(is_error);
        sim.clear_faults();
    }
    for uri in ["coroot://connection", "coroot://projects"] {
        let r = s.request("resources/read", json!({"uri": uri})).await;
        assert!(r.get("result").is_some(), "{r}");
    }
    assert!(sim.login_count() >= 2);
    let stdout = s.stdout_lines.join("\n");
    let stderr = s.stderr.clone();
    s.shutdown().await;
    let secrets = all_secrets(&sim);
    let logs = stderr.text();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "trace logs were on: {}",
        &logs[..logs.len().min(500)]
    );
    assert_no_secret("stderr (trace logs)", &logs, &secrets);
    assert_no_secret("stdout (tool output)", &stdout, &secrets);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_when_the_login_fails_or_coroot_is_unreachable() {
    let sim = secret_sim().await;
    // A wrong password: neither it nor the right one shows.
    let wrong = "Wr0ng-Pa55word-4411";
    let (mut s, _) = Stdio_::against(
        &sim.base_url(),
        &[("COROOT_PASSWORD", wrong), ("COROOT_API_KEY", API_KEY), TRACE],
    )
    .await;
    let (is_error, text) = s.call("coroot_get_incidents", json!({})).await;
    assert!(is_error && text.contains("invalid email or password"), "{text}");
    let r = s.request("resources/read", json!({"uri": "coroot://connection"})).await;
    let stdout = format!("{}\n{r}", s.stdout_lines.join("\n"));
    let logs = s.stderr.clone();
    s.shutdown().await;
    let secrets = [wrong, PASSWORD, API_KEY].map(String::from);
    assert_no_secret("stderr", &logs.text(), &secrets);
    assert_no_secret("stdout", &stdout, &secrets);

    // Unreachable, with credentials in the URL itself (a proxy's basic auth).
    let url = format!("http://proxyuser:{URL_PASSWORD}@127.0.0.1:{}", closed_port());
    let (mut s, _) = Stdio_::against(&url, &env(&[])).await;
    let (is_error, text) = s.call("coroot_get_incidents", json!({})).await;
    assert!(is_error && text.contains("cannot reach Coroot"), "{text}");
    let r = s.request("resources/read", json!({"uri": "coroot://connection"})).await;
    let stdout = format!("{}\n{r}", s.stdout_lines.join("\n"));
    let logs = s.stderr.clone();
    s.shutdown().await;
    let secrets = [URL_PASSWORD, PASSWORD, API_KEY, PROXY_HEADER].map(String::from);
    assert_no_secret("stderr", &logs.text(), &secrets);
    assert_no_secret("stdout", &stdout, &secrets);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_in_the_url_is_used_but_never_shown() {
    let sim = secret_sim().await;
    let url = sim
        .base_url()
        .replace("http://", &format!("http://proxyuser:{URL_PASSWORD}@"));
    let (mut s, _) = Stdio_::against(&url, &env(&[])).await;
    let (is_error, text) = s.call("coroot_get_incidents", json!({})).await;
    assert!(!is_error, "{text}");
    let r = s.request("resources/read", json!({"uri": "coroot://connection"})).await;
    let shown = r["result"]["contents"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        shown.contains(&format!("url: {}", sim.base_url())),
        "the URL is shown without its user info: {shown}"
    );
    // Coroot still received the credentials, as HTTP basic auth.
    let basic = sim
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_string))
        .next();
    assert!(
        basic.is_some_and(|b| b.starts_with("Basic ")),
        "basic auth from the URL was sent"
    );
    sim.inject(FaultRule {
        path_contains: "".into(),
        fault: Fault::Html,
        times: None,
    });
    let (is_error, _) = s.call("coroot_get_nodes", json!({})).await;
    assert!(is_error);
    let stdout = s.stdout_lines.join("\n");
    let logs = s.stderr.clone();
    s.shutdown().await;
    let secrets = all_secrets(&sim);
    assert_no_secret("stderr", &logs.text(), &secrets);
    assert_no_secret("stdout", &stdout, &secrets);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_token_never_shows_over_http() {
    let sim = secret_sim().await;
    let (mut h, stderr) = Http::against(&sim.base_url(), &env(&[]), Some(BEARER)).await;
    h.initialize().await;
    let (is_error, text) = h.call("coroot_get_incidents", json!({})).await;
    assert!(!is_error, "{text}");
    let mut answers = vec![text];
    // Wrong and missing tokens are refused without echoing anything back.
    for wrong in [Some("bearer-0a1b2c3d4e5f6a7b8c9X"), Some(""), None] {
        let mut req = h
            .client
            .post(format!("{}/mcp", h.base))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .body(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}).to_string());
        if let Some(t) = wrong {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        answers.push(r.text().await.unwrap());
    }
    let (is_error, text) = h.call("coroot_get_app_detail", json!({"app_id": "nope"})).await;
    assert!(is_error);
    answers.push(text);
    h.stop().await;
    let secrets = all_secrets(&sim);
    assert_no_secret("stderr", &stderr.text(), &secrets);
    assert_no_secret("HTTP answers", &answers.join("\n"), &secrets);
}

/// Secret-bearing log lines: what applications really write.
const LEAKY_LINES: [(&str, &str); 10] = [
    ("connecting with password=hunter2-9f8e to db", "hunter2-9f8e"),
    ("dial postgres://shop:Pa55w0rd-XYZ@db:5432/shop failed", "Pa55w0rd-XYZ"),
    (
        "upstream said 401 for Authorization: Bearer abcdef0123456789abcdef",
        "abcdef0123456789abcdef",
    ),
    (
        "GET /oauth/callback?code=1&access_token=tok-9f8e7d6c5b4a3921&state=x",
        "tok-9f8e7d6c5b4a3921",
    ),
    ("using key AKIAIOSFODNN7EXAMPLE for s3", "AKIAIOSFODNN7EXAMPLE"),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl expired",
        "c2lnbmF0dXJlLXZhbHVl",
    ),
    (
        r#"{"level":"error","api_key":"ak-31f9c2d4e5b6","msg":"quota"}"#,
        "ak-31f9c2d4e5b6",
    ),
    ("set-cookie: session=s3ss10n-v4lu3-0042; Path=/", "s3ss10n-v4lu3-0042"),
    (
        "git clone failed with token ghp_0123456789abcdefABCDEF0123456789abcd",
        "ghp_0123456789abcdefABCDEF0123456789abcd",
    ),
    (
        "slack post failed xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
        "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
    ),
];

/// Serves the real logs body of `path` with its messages replaced by [`LEAKY_LINES`].
async fn serve_leaky_logs(sim: &Simulator, path: &str, query: &[(&str, String)]) {
    let mut config = coroot_client::ClientConfig::new(sim.base_url()).with_password("admin", PASSWORD);
    config.api_key = Some(API_KEY.into());
    let client = coroot_client::Client::new(config).unwrap();
    let raw = client.get_raw(path, query).await.unwrap();
    let mut body: Value = serde_json::from_slice(&raw).unwrap();
    let entries = match body["data"]["entries"].as_array_mut() {
        Some(e) => e,
        None => body["data"]["logs"]["entries"].as_array_mut().expect("log entries"),
    };
    assert!(entries.len() >= LEAKY_LINES.len(), "{path}: {} entries", entries.len());
    for (entry, (line, _)) in entries.iter_mut().zip(LEAKY_LINES) {
        entry["message"] = json!(line);
        entry["severity"] = json!("Error");
    }
    entries.truncate(LEAKY_LINES.len());
    sim.inject(FaultRule {
        path_contains: path.into(),
        fault: Fault::Body {
            status: 200,
            content_type: "application/json".into(),
            body: serde_json::to_vec(&body).unwrap(),
        },
        times: None,
    });
}

async fn leaky_sim() -> Simulator {
    let sim = secret_sim().await;
    let now = sim.now_ms();
    let range = [("from", (now - 3_600_000).to_string()), ("to", now.to_string())];
    let app = "/api/project/k3h2x9qa/app/k3h2x9qa%3Adefault%3ADeployment%3Acheckout/logs";
    let mut q = range.to_vec();
    q.push((
        "query",
        json!({"source": "", "view": "messages", "filters": [], "limit": 100}).to_string(),
    ));
    serve_leaky_logs(&sim, app, &q).await;
    let mut q = range.to_vec();
    q.push((
        "query",
        json!({"view": "messages", "agent": true, "otel": true, "filters": [], "limit": 100}).to_string(),
    ));
    serve_leaky_logs(&sim, "/api/project/k3h2x9qa/overview/logs", &q).await;
    sim
}

async fn log_texts(s: &mut Stdio_) -> Vec<String> {
    let mut out = Vec::new();
    for (tool, args) in [
        ("coroot_get_app_logs", json!({"app_id": "checkout", "limit": 100})),
        ("coroot_get_overview_logs", json!({"limit": 100})),
    ] {
        let reply = s.request("tools/call", json!({"name": tool, "arguments": args})).await;
        let (is_error, text) = tool_result(&reply);
        assert!(!is_error, "{tool}: {text}");
        out.push(format!("{text}\n{}", reply["result"]["structuredContent"]));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_in_coroots_log_lines_are_redacted_by_default() {
    let sim = leaky_sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &env(&[])).await;
    for text in log_texts(&mut s).await {
        assert!(text.contains("[REDACTED]"), "{text}");
        for (line, secret) in LEAKY_LINES {
            assert!(!text.contains(secret), "not redacted: {line}\n{text}");
        }
        // What a diagnosis needs stays.
        assert!(
            text.contains("dial postgres://shop:[REDACTED]@db:5432/shop failed"),
            "{text}"
        );
    }
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redaction_can_be_turned_off_by_env_or_flag() {
    let sim = leaky_sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &env(&[("COROOT_REDACT_SECRETS", "false")])).await;
    for text in log_texts(&mut s).await {
        for (line, secret) in LEAKY_LINES {
            assert!(
                text.contains(secret),
                "COROOT_REDACT_SECRETS=false should keep: {line}\n{text}"
            );
        }
    }
    s.shutdown().await;
    let mut cmd = against(&sim.base_url(), &env(&[]));
    cmd.args(["--redact-secrets", "false", "serve"]);
    let (mut s, _) = Stdio_::spawn(cmd).await;
    for text in log_texts(&mut s).await {
        assert!(text.contains("hunter2-9f8e") && !text.contains("[REDACTED]"), "{text}");
    }
    s.shutdown().await;
    let mut cmd = against(&sim.base_url(), &env(&[("COROOT_REDACT_SECRETS", "false")]));
    cmd.args(["--redact-secrets", "true", "serve"]);
    let (mut s, _) = Stdio_::spawn(cmd).await;
    for text in log_texts(&mut s).await {
        assert!(
            !text.contains("hunter2-9f8e") && text.contains("[REDACTED]"),
            "the flag wins over the env: {text}"
        );
    }
    s.shutdown().await;
}
