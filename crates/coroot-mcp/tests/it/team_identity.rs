//! A server for a team: each bearer token of the token file runs as its person's Coroot login,
//! so Coroot's RBAC decides what each sees and nothing cached for one is served to another;
//! unknown and revoked tokens get 401 with `WWW-Authenticate`; the file reloads on SIGHUP and
//! on change without logging anyone out; a Coroot session cookie works as credentials (SSO
//! users) on stdio and HTTP, and per request with pass-through.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Captured, Http, Stdio_, against};

const ALICE_TOKEN: &str = "alice-token-5f1e4c2a9b7d";
const BOB_TOKEN: &str = "bob-token-0a1b2c3d4e5f6a";
const ALICE_PASSWORD: &str = "alice-pw-73hd92";
const BOB_PASSWORD: &str = "bob-pw-k2j4h5";

/// The e-commerce simulator with two more people: alice sees everything, bob only staging's
/// catalog.
async fn team_sim() -> coroot_sim::Simulator {
    let sim = crate::common::sim().await;
    sim.add_user(coroot_sim::User::new("alice@example.com", ALICE_PASSWORD));
    sim.add_user(
        coroot_sim::User::new("bob@example.com", BOB_PASSWORD)
            .with_projects(&["p0m1n2b3"])
            .with_apps(&["catalog"]),
    );
    sim
}

fn alice() -> String {
    format!(
        "[[tokens]]\nname = \"alice\"\ntoken = \"{ALICE_TOKEN}\"\nemail = \"alice@example.com\"\npassword = \"{ALICE_PASSWORD}\"\n"
    )
}

fn bob() -> String {
    format!(
        "[[tokens]]\nname = \"bob\"\ntoken = \"{BOB_TOKEN}\"\nemail = \"bob@example.com\"\npassword = \"{BOB_PASSWORD}\"\n"
    )
}

fn token_file(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

/// `coroot-mcp serve --http --tokens FILE` against `sim`, with the response cache on (as in
/// production: the isolation must hold with it).
async fn team_server(sim: &coroot_sim::Simulator, tokens: &tempfile::NamedTempFile) -> (Http, Captured) {
    let path = tokens.path().to_str().unwrap().to_string();
    let mut cmd = against(
        &sim.base_url(),
        &[("COROOT_CACHE_SECONDS", "15"), ("COROOT_MCP_TOKENS", &path)],
    );
    cmd.arg("serve");
    Http::spawn(cmd, None).await
}

/// A session of `server` carrying `token`.
async fn session(server: &Http, token: &str) -> Http {
    let mut h = server.fork(None);
    h.token = Some(token.into());
    h.initialize().await;
    h
}

/// POSTs a ping with `token` (none: no header); returns status, `WWW-Authenticate` and body.
async fn ping_with(server: &Http, token: Option<&str>) -> (u16, String, String) {
    let mut req = server
        .client
        .post(format!("{}/mcp", server.base))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}}).to_string());
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, challenge, r.text().await.unwrap())
}

fn logins_of(sim: &coroot_sim::Simulator, email: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path == "/api/login" && r.body.contains(email))
        .count()
}

/// The app ids a `coroot_get_applications` answer lists.
async fn apps(h: &mut Http, args: Value) -> Vec<String> {
    let msg = h
        .request(
            "tools/call",
            json!({"name": "coroot_get_applications", "arguments": args}),
        )
        .await;
    assert_eq!(msg["result"]["isError"], false, "{msg}");
    let mut ids: Vec<String> = msg["result"]["structuredContent"]["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn each_token_runs_as_its_person_and_sees_only_what_coroot_lets_them() {
    let sim = team_sim().await;
    let tokens = token_file(&(alice() + &bob()));
    let (server, stderr) = team_server(&sim, &tokens).await;
    let mut a = session(&server, ALICE_TOKEN).await;
    let mut b = session(&server, BOB_TOKEN).await;

    // The same request, first by alice, then by bob, then alice again: with a shared cache bob
    // would read alice's answer.
    let staging = json!({"project_id": "staging"});
    let stg_all = [
        "p0m1n2b3:default:Deployment:catalog",
        "p0m1n2b3:default:Deployment:frontend",
    ];
    assert_eq!(apps(&mut a, staging.clone()).await, stg_all);
    assert_eq!(
        apps(&mut b, staging.clone()).await,
        ["p0m1n2b3:default:Deployment:catalog"]
    );
    assert_eq!(apps(&mut a, staging).await, stg_all);

    // Their default projects differ: alice's is production, bob sees only staging.
    let alice_default = apps(&mut a, json!({})).await;
    assert!(
        alice_default.iter().any(|id| id.starts_with("k3h2x9qa:")),
        "{alice_default:?}"
    );
    assert_eq!(apps(&mut b, json!({})).await, ["p0m1n2b3:default:Deployment:catalog"]);
    let (is_error, text) = b
        .call("coroot_get_applications", json!({"project_id": "production"}))
        .await;
    assert!(is_error && text.contains("unknown Coroot project"), "{text}");
    assert!(
        text.contains("staging") && !text.contains("k3h2x9qa"),
        "bob is told only his projects: {text}"
    );
    let (is_error, text) = b
        .call(
            "coroot_get_app_detail",
            json!({"app_id": "frontend", "project_id": "staging"}),
        )
        .await;
    assert!(is_error, "{text}");
    let (is_error, text) = a
        .call(
            "coroot_get_app_detail",
            json!({"app_id": "frontend", "project_id": "staging"}),
        )
        .await;
    assert!(!is_error, "{text}");

    // Resources are per person too.
    let projects = b.request("resources/read", json!({"uri": "coroot://projects"})).await;
    let text = projects["result"]["contents"][0]["text"].as_str().unwrap().to_string();
    assert!(text.contains("staging") && !text.contains("production"), "{text}");
    let projects = a.request("resources/read", json!({"uri": "coroot://projects"})).await;
    let text = projects["result"]["contents"][0]["text"].as_str().unwrap().to_string();
    assert!(text.contains("staging") && text.contains("production"), "{text}");

    // One login each; the server's own account never logged in.
    assert_eq!(logins_of(&sim, "alice@example.com"), 1);
    assert_eq!(logins_of(&sim, "bob@example.com"), 1);
    assert_eq!(logins_of(&sim, "\"admin\""), 0);
    let logs = stderr.text();
    for secret in [ALICE_TOKEN, BOB_TOKEN, ALICE_PASSWORD, BOB_PASSWORD] {
        assert!(!logs.contains(secret), "a secret in the logs:\n{logs}");
    }
    server.stop().await;
}

#[tokio::test]
async fn stateless_requests_run_as_their_token_too() {
    let sim = team_sim().await;
    let tokens = token_file(&(alice() + &bob()));
    let path = tokens.path().to_str().unwrap().to_string();
    let env = [
        ("COROOT_CACHE_SECONDS", "15"),
        ("COROOT_MCP_TOKENS", path.as_str()),
        ("COROOT_MCP_STATELESS", "true"),
    ];
    let mut cmd = against(&sim.base_url(), &env);
    cmd.arg("serve");
    let (server, _) = Http::spawn(cmd, None).await;
    let mut a = session(&server, ALICE_TOKEN).await;
    let mut b = session(&server, BOB_TOKEN).await;
    assert!(a.session.is_none() && b.session.is_none());
    for _ in 0..2 {
        assert_eq!(apps(&mut a, json!({"project_id": "staging"})).await.len(), 2);
        assert_eq!(apps(&mut b, json!({"project_id": "staging"})).await.len(), 1);
    }
    assert_eq!(logins_of(&sim, "alice@example.com"), 1);
    assert_eq!(logins_of(&sim, "bob@example.com"), 1);
    server.stop().await;
}

#[tokio::test]
async fn unknown_missing_and_revoked_tokens_get_401_with_a_challenge() {
    let sim = team_sim().await;
    let tokens = token_file(&alice());
    let (server, stderr) = team_server(&sim, &tokens).await;

    let (status, challenge, body) = ping_with(&server, None).await;
    assert_eq!((status, challenge.as_str()), (401, "Bearer realm=\"coroot-mcp\""));
    assert!(body.contains("missing bearer token"), "{body}");
    let (status, challenge, body) = ping_with(&server, Some(BOB_TOKEN)).await;
    assert_eq!(status, 401);
    assert_eq!(challenge, "Bearer realm=\"coroot-mcp\", error=\"invalid_token\"");
    assert!(
        body.contains("unknown or revoked") && !body.contains(BOB_TOKEN),
        "{body}"
    );
    // One character off is as unknown as any other token.
    let (status, _, _) = ping_with(&server, Some(&ALICE_TOKEN.replace('5', "6"))).await;
    assert_eq!(status, 401);
    let (status, _, _) = ping_with(&server, Some(ALICE_TOKEN)).await;
    assert_eq!(status, 200);
    assert!(!stderr.text().contains(BOB_TOKEN));
    server.stop().await;
}

/// Waits (polling, with a generous bound) until `token`'s status is `want`.
async fn until_status(server: &Http, token: &str, want: u16) {
    for _ in 0..300 {
        if ping_with(server, Some(token)).await.0 == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{token} never got {want}");
}

#[tokio::test]
async fn the_token_file_reloads_on_sighup_and_on_change_without_logging_anyone_out() {
    let sim = team_sim().await;
    let tokens = token_file(&alice());
    let (server, stderr) = team_server(&sim, &tokens).await;
    let mut a = session(&server, ALICE_TOKEN).await;
    assert_eq!(apps(&mut a, json!({"project_id": "staging"})).await.len(), 2);
    assert_eq!(ping_with(&server, Some(BOB_TOKEN)).await.0, 401);

    // Bob is added; SIGHUP makes the server read the file.
    std::fs::write(tokens.path(), alice() + &bob()).unwrap();
    server.signal("HUP");
    until_status(&server, BOB_TOKEN, 200).await;
    let mut b = session(&server, BOB_TOKEN).await;
    assert_eq!(apps(&mut b, json!({})).await.len(), 1);
    // Alice's MCP session and Coroot login outlived the reload.
    assert_eq!(apps(&mut a, json!({"project_id": "staging"})).await.len(), 2);
    assert_eq!(logins_of(&sim, "alice@example.com"), 1);

    // A file that does not parse changes nothing.
    std::fs::write(tokens.path(), "[[tokens]\nname = ").unwrap();
    server.signal("HUP");
    for _ in 0..300 {
        if stderr.text().contains("token file not reloaded") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(stderr.text().contains("the previous tokens stay"), "{}", stderr.text());
    assert_eq!(apps(&mut b, json!({})).await.len(), 1);

    // Alice is revoked by editing the file alone (no signal): her open session is refused.
    std::fs::write(tokens.path(), bob()).unwrap();
    until_status(&server, ALICE_TOKEN, 401).await;
    let (status, _) = a
        .post(json!({"jsonrpc": "2.0", "id": 99, "method": "tools/list"}), &[])
        .await;
    assert_eq!(status, 401, "a revoked token is refused inside its open session");
    assert_eq!(apps(&mut b, json!({})).await.len(), 1);
    assert_eq!(logins_of(&sim, "bob@example.com"), 1);
    server.stop().await;
}

/// A session cookie of `email`, as a browser holds it after signing in.
async fn cookie_of(sim: &coroot_sim::Simulator, email: &str, password: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/api/login", sim.base_url()))
        .header("Content-Type", "application/json")
        .body(json!({"email": email, "password": password}).to_string())
        .send()
        .await
        .unwrap();
    let set = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    set.split(';')
        .next()
        .unwrap()
        .strip_prefix("coroot_session=")
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_coroot_session_cookie_is_credentials_on_stdio_and_http() {
    let sim = team_sim().await;
    let cookie = cookie_of(&sim, "bob@example.com", BOB_PASSWORD).await;
    let logins = sim.login_count();
    let env = [
        ("COROOT_EMAIL", ""),
        ("COROOT_PASSWORD", ""),
        ("COROOT_SESSION_COOKIE", cookie.as_str()),
    ];

    let (mut s, _) = Stdio_::against(&sim.base_url(), &env).await;
    let (is_error, text) = s.call("coroot_get_applications", json!({})).await;
    assert!(
        !is_error && text.contains("catalog") && !text.contains("frontend"),
        "{text}"
    );
    let stdio_logs = s.stderr.text();
    s.shutdown().await;

    let (mut h, http_logs) = Http::against(&sim.base_url(), &env, None).await;
    h.initialize().await;
    let (is_error, text) = h.call("coroot_get_applications", json!({})).await;
    assert!(
        !is_error && text.contains("catalog") && !text.contains("frontend"),
        "{text}"
    );
    assert_eq!(sim.login_count(), logins, "a session cookie needs no login");

    // When Coroot refuses the cookie, the agent is told what to do.
    sim.expire_sessions();
    let (is_error, text) = h.call("coroot_get_nodes", json!({"project_id": "staging"})).await;
    assert!(is_error && text.contains("sign in to Coroot again"), "{text}");
    for logs in [stdio_logs, http_logs.text()] {
        assert!(!logs.contains(&cookie), "the cookie in the logs:\n{logs}");
    }
    h.stop().await;
}

/// A new session on `server` whose requests carry `cookie` in `X-Coroot-Session`: how many
/// staging apps `coroot_get_applications` lists.
async fn staging_apps_as(server: &Http, cookie: Option<&str>) -> usize {
    let mut h = server.fork(None);
    let headers: Vec<(&str, &str)> = cookie.iter().map(|c| ("X-Coroot-Session", *c)).collect();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}});
    let (status, _) = h.post(init, &headers).await;
    assert_eq!(status, 200);
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "coroot_get_applications", "arguments": {"project_id": "staging"}}});
    let (_, msg) = h.post(call, &headers).await;
    let msg = msg.unwrap();
    msg["result"]["structuredContent"]["applications"]
        .as_array()
        .unwrap_or_else(|| panic!("{msg}"))
        .len()
}

#[tokio::test]
async fn with_pass_through_each_request_runs_as_the_cookie_it_carries() {
    let sim = team_sim().await;
    let bob_cookie = cookie_of(&sim, "bob@example.com", BOB_PASSWORD).await;
    let alice_cookie = cookie_of(&sim, "alice@example.com", ALICE_PASSWORD).await;

    // Without --session-passthrough the header is ignored: the server's own login answers.
    let (server, _) = Http::against(&sim.base_url(), &[("COROOT_CACHE_SECONDS", "15")], None).await;
    assert_eq!(staging_apps_as(&server, Some(&bob_cookie)).await, 2);
    server.stop().await;

    let env = [
        ("COROOT_CACHE_SECONDS", "15"),
        ("COROOT_MCP_SESSION_PASSTHROUGH", "true"),
    ];
    let (server, stderr) = Http::against(&sim.base_url(), &env, None).await;
    assert_eq!(
        staging_apps_as(&server, Some(&bob_cookie)).await,
        1,
        "bob's cookie: bob's view"
    );
    assert_eq!(
        staging_apps_as(&server, Some(&alice_cookie)).await,
        2,
        "alice's cookie: alice's view"
    );
    assert_eq!(
        staging_apps_as(&server, Some(&bob_cookie)).await,
        1,
        "not alice's cached answer"
    );
    assert_eq!(
        staging_apps_as(&server, None).await,
        2,
        "no cookie on loopback: the server's own login"
    );
    let logs = stderr.text();
    assert!(!logs.contains(&bob_cookie) && !logs.contains(&alice_cookie), "{logs}");
    server.stop().await;
}
