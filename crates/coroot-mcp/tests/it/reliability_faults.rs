//! Upstream faults through the real binary (stdio) pointed at an in-test simulator: Coroot down,
//! DNS and TLS failures, slow answers, 5xx with bounded retries, session expiry, bad
//! credentials, first-run setup, HTML, broken JSON, oversized bodies and PromQL errors. Each
//! fault is answered within a bounded time by a tool error an agent can act on, and the server
//! goes on serving: the next call succeeds once the fault is gone. `every_tool_answers_*`
//! repeats the body and status faults for every registered tool, in-process.

use std::time::{Duration, Instant};

use coroot_sim::{Auth, Fault, FaultRule, SimConfig, Simulator};
use serde_json::json;

use crate::common::{SIM_API_KEY, SIM_EMAIL, SIM_PASSWORD, Stdio_, args_for, closed_port, demo_args, sim, sim_with};

/// No fault may take longer than this to answer (the timeouts in use are 1–5 s).
const BOUND: Duration = Duration::from_secs(15);

const APPS: &str = "coroot_get_applications";

fn rule(path: &str, fault: Fault, times: Option<u32>) -> FaultRule {
    FaultRule {
        path_contains: path.into(),
        fault,
        times,
    }
}

/// Calls `tool`, asserting the answer came within [`BOUND`]; returns (isError, text).
async fn timed(s: &mut Stdio_, tool: &str, args: serde_json::Value) -> (bool, String, Duration) {
    let started = Instant::now();
    let (is_error, text) = s.call(tool, args).await;
    let took = started.elapsed();
    assert!(took < BOUND, "{tool} took {took:?}: {text}");
    (is_error, text, took)
}

/// Asserts a tool error whose text contains every one of `needles`.
async fn expect_error(s: &mut Stdio_, tool: &str, needles: &[&str]) -> String {
    let (is_error, text, _) = timed(s, tool, demo_args(tool)).await;
    assert!(is_error, "{tool} should fail: {text}");
    assert!(text.starts_with(&format!("{tool} failed: ")), "{text}");
    for n in needles {
        assert!(text.contains(n), "{tool}: expected {n:?} in: {text}");
    }
    text
}

/// The server still answers: tools/list works and `tool` succeeds.
async fn still_serving(s: &mut Stdio_, tool: &str) {
    let list = s.request("tools/list", json!({})).await;
    assert!(!list["result"]["tools"].as_array().expect("tools").is_empty());
    let (is_error, text, _) = timed(s, tool, demo_args(tool)).await;
    assert!(!is_error, "{tool} should succeed after the fault: {text}");
}

/// The server still answers protocol requests (Coroot itself is unreachable).
async fn still_answering(s: &mut Stdio_) {
    let list = s.request("tools/list", json!({})).await;
    assert!(!list["result"]["tools"].as_array().expect("tools").is_empty());
    let ping = s.request("ping", json!({})).await;
    assert!(ping.get("result").is_some(), "{ping}");
}

fn paths(sim: &Simulator, part: &str) -> usize {
    sim.requests().iter().filter(|r| r.path.contains(part)).count()
}

#[tokio::test]
async fn coroot_down_is_cannot_reach_and_the_server_keeps_serving() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let (mut s, _) = Stdio_::against(&url, &[]).await;
    let text = expect_error(&mut s, APPS, &["cannot reach Coroot at", "check COROOT_URL"]).await;
    assert!(text.to_lowercase().contains("refused"), "{text}");
    // Again: the failure is not cached and nothing hangs.
    expect_error(&mut s, "coroot_get_incidents", &["cannot reach Coroot"]).await;
    still_answering(&mut s).await;
    s.shutdown().await;
}

#[tokio::test]
async fn dns_failure_is_cannot_reach() {
    // RFC 6761: `.invalid` never resolves.
    let (mut s, _) = Stdio_::against("http://coroot.invalid:8080", &[]).await;
    let text = expect_error(&mut s, APPS, &["cannot reach Coroot at http://coroot.invalid:8080"]).await;
    assert!(
        text.to_lowercase().contains("dns") || text.contains("resolve") || text.contains("lookup"),
        "{text}"
    );
    still_answering(&mut s).await;
    s.shutdown().await;
}

#[tokio::test]
async fn tls_failure_is_a_tls_error_with_the_fix() {
    let sim = sim().await;
    let url = sim.base_url().replace("http://", "https://");
    let (mut s, _) = Stdio_::against(&url, &[]).await;
    expect_error(
        &mut s,
        APPS,
        &["TLS handshake with https://", "plain HTTP", "use http://"],
    )
    .await;
    still_answering(&mut s).await;
    s.shutdown().await;
}

#[tokio::test]
async fn slow_coroot_past_the_timeout_is_a_timeout_then_recovers() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[("COROOT_TIMEOUT", "1")]).await;
    sim.inject(rule(
        "/overview/applications",
        Fault::Latency(Duration::from_secs(30)),
        Some(1),
    ));
    let (is_error, text, took) = timed(&mut s, APPS, json!({})).await;
    assert!(is_error, "{text}");
    assert!(
        text.contains("did not answer") && text.contains("within 1s") && text.contains("COROOT_TIMEOUT"),
        "{text}"
    );
    assert!(took < Duration::from_secs(5), "the 1 s timeout took {took:?}");
    still_serving(&mut s, APPS).await;
    s.shutdown().await;
}

#[tokio::test]
async fn http_500_is_not_retried_and_keeps_coroots_message() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    still_serving(&mut s, APPS).await;
    sim.clear_requests();
    sim.inject(rule(
        "/overview/applications",
        Fault::Status {
            code: 500,
            body: "clickhouse: code 241 memory limit".into(),
        },
        Some(1),
    ));
    expect_error(
        &mut s,
        APPS,
        &[
            "HTTP 500",
            "/overview/applications",
            "clickhouse: code 241 memory limit",
        ],
    )
    .await;
    assert_eq!(paths(&sim, "/overview/applications"), 1, "a 500 is not retried");
    still_serving(&mut s, APPS).await;
    s.shutdown().await;
}

#[tokio::test]
async fn gateway_errors_are_retried_a_bounded_number_of_times() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    still_serving(&mut s, APPS).await;
    for code in [502u16, 503, 504] {
        // Transient: two failures, then the third attempt succeeds.
        sim.clear_requests();
        sim.inject(rule(
            "/overview/applications",
            Fault::Status {
                code,
                body: "bad gateway".into(),
            },
            Some(2),
        ));
        let (is_error, text, _) = timed(&mut s, APPS, json!({})).await;
        assert!(!is_error, "{code} twice then OK should succeed: {text}");
        assert_eq!(
            paths(&sim, "/overview/applications"),
            3,
            "{code}: 2 failures + 1 success"
        );
        // Persistent: three attempts, then a clear error.
        sim.clear_requests();
        sim.inject(rule(
            "/overview/applications",
            Fault::Status {
                code,
                body: "upstream unavailable".into(),
            },
            None,
        ));
        let text = expect_error(&mut s, APPS, &[&format!("HTTP {code}"), "upstream unavailable"]).await;
        assert_eq!(
            paths(&sim, "/overview/applications"),
            3,
            "{code}: bounded retries: {text}"
        );
        sim.clear_faults();
    }
    still_serving(&mut s, APPS).await;
    s.shutdown().await;
}

#[tokio::test]
async fn session_expiry_mid_run_logs_in_again_once() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    still_serving(&mut s, APPS).await;
    assert_eq!(sim.login_count(), 1);
    sim.expire_sessions();
    let (is_error, text, _) = timed(&mut s, "coroot_get_nodes", json!({})).await;
    assert!(!is_error, "{text}");
    assert_eq!(sim.login_count(), 2, "exactly one new login");
    // Expiry in the middle of a multi-request tool call (app detail resolves the id first).
    sim.inject(rule(
        "/api/project/",
        Fault::ExpireSessionsAfter { requests: 1 },
        Some(1),
    ));
    let (is_error, text, _) = timed(&mut s, "coroot_get_app_detail", json!({"app_id": "payment"})).await;
    assert!(!is_error, "{text}");
    assert_eq!(sim.login_count(), 3);
    s.shutdown().await;
}

#[tokio::test]
async fn wrong_password_says_so_without_echoing_it() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[("COROOT_PASSWORD", "not-the-password-42")]).await;
    let text = expect_error(&mut s, APPS, &["invalid email or password", "COROOT_PASSWORD"]).await;
    assert!(!text.contains("not-the-password-42"), "{text}");
    expect_error(&mut s, "coroot_get_incidents", &["invalid email or password"]).await;
    still_answering(&mut s).await;
    assert_eq!(sim.login_count(), 0);
    s.shutdown().await;
}

#[tokio::test]
async fn first_run_coroot_asks_for_the_admin_password() {
    let sim = sim_with(SimConfig {
        auth: Auth::FirstRun,
        ..SimConfig::default()
    })
    .await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    expect_error(&mut s, APPS, &["no admin password yet", "set the admin password"]).await;
    still_answering(&mut s).await;
    s.shutdown().await;
}

#[tokio::test]
async fn html_instead_of_json_is_a_wrong_url() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    still_serving(&mut s, APPS).await;
    sim.inject(rule("/overview/applications", Fault::Html, Some(1)));
    expect_error(&mut s, APPS, &["does not serve the Coroot API", "check COROOT_URL"]).await;
    still_serving(&mut s, APPS).await;
    s.shutdown().await;
}

#[tokio::test]
async fn malformed_and_truncated_json_are_unreadable_responses() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    still_serving(&mut s, APPS).await;
    for fault in [Fault::MalformedJson, Fault::TruncatedJson] {
        sim.inject(rule("/overview/applications", fault.clone(), Some(1)));
        let text = expect_error(&mut s, APPS, &["response to /api/project/", "could not be read"]).await;
        assert!(text.contains("not the JSON Coroot sends"), "{fault:?}: {text}");
    }
    // An empty 200 body.
    sim.inject(rule(
        "/overview/applications",
        Fault::Body {
            status: 200,
            content_type: "application/json".into(),
            body: Vec::new(),
        },
        Some(1),
    ));
    expect_error(&mut s, APPS, &["could not be read", "the body is empty"]).await;
    still_serving(&mut s, APPS).await;
    s.shutdown().await;
}

#[tokio::test]
async fn oversized_body_past_the_cap_is_refused() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[("COROOT_MAX_RESPONSE_BYTES", "1000000")]).await;
    still_serving(&mut s, APPS).await;
    sim.inject(rule(
        "/overview/applications",
        Fault::OversizedBody { bytes: 3_000_000 },
        Some(1),
    ));
    expect_error(
        &mut s,
        APPS,
        &["exceeds the 1000000-byte cap", "COROOT_MAX_RESPONSE_BYTES"],
    )
    .await;
    still_serving(&mut s, APPS).await;
    s.shutdown().await;
}

#[tokio::test]
async fn promql_syntax_error_passes_coroots_message_through() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    let (is_error, text, _) = timed(
        &mut s,
        "coroot_query_metrics",
        json!({"promql": "rate(container_cpu_usage_seconds_total[5m]"}),
    )
    .await;
    assert!(is_error, "{text}");
    assert!(
        text.contains("Coroot rejected the PromQL query") && text.contains("parse error"),
        "{text}"
    );
    assert!(text.contains("fix the expression"), "{text}");
    still_serving(&mut s, "coroot_query_metrics").await;
    s.shutdown().await;
}

/// Every registered tool, against every status and body fault on every project endpoint: an
/// error that names the problem, in bounded time, never a panic or a hang. In-process, with
/// the projects already cached so the fault hits the tool's own requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_answers_every_fault_with_a_clear_error() {
    let faults: Vec<(Fault, &[&str])> = vec![
        (
            Fault::Status {
                code: 500,
                body: "internal failure".into(),
            },
            &["HTTP 500", "internal failure"],
        ),
        (
            Fault::Status {
                code: 503,
                body: "unavailable".into(),
            },
            &["HTTP 503"],
        ),
        (Fault::Html, &["does not serve the Coroot API"]),
        (Fault::MalformedJson, &["could not be read"]),
        (Fault::TruncatedJson, &["could not be read"]),
        (
            Fault::OversizedBody { bytes: 600_000 },
            &["exceeds the 500000-byte cap"],
        ),
        (
            Fault::Latency(Duration::from_secs(20)),
            &["did not answer", "within 4s"],
        ),
    ];
    let sim = sim().await;
    let mut config = coroot_client::ClientConfig::new(sim.base_url()).with_password(SIM_EMAIL, SIM_PASSWORD);
    config.api_key = Some(SIM_API_KEY.into());
    config.retry_backoff = Duration::from_millis(5);
    // Long enough for fifteen tools at once on a busy two-core machine, short of the latency
    // fault's 20 s.
    config.timeout = Duration::from_secs(4);
    config.max_body_bytes = 500_000;
    let ctx = coroot_tools::ToolContext::new(coroot_client::Client::new(config).expect("client"));
    ctx.client.projects().await.expect("projects cached");
    for (fault, needles) in &faults {
        sim.clear_faults();
        // The PromQL fallback goes through /api/v1/, so fault that too.
        sim.inject(rule("/api/project/", fault.clone(), None));
        sim.inject(rule("/api/v1/", fault.clone(), None));
        let calls: Vec<_> = coroot_tools::TOOLS
            .iter()
            .map(|spec| {
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    let started = Instant::now();
                    let out = (spec.call)(&ctx, args_for(spec.name, &(spec.input_schema)())).await;
                    (spec.name, out, started.elapsed())
                })
            })
            .collect();
        for call in calls {
            let (name, out, took) = call.await.expect("no panic");
            assert!(took < BOUND, "{name} under {fault:?} took {took:?}");
            let err = match out {
                // An aggregate tool (coroot_investigate) answers with what it could check and
                // lists what it could not; it must not pass the failure off as health.
                Ok(o) if o.text.to_lowercase().contains("could not check") => continue,
                Ok(o) => panic!("{name} under {fault:?} should fail, got:\n{}", o.text),
                Err(e) => e.to_string(),
            };
            for n in *needles {
                assert!(err.contains(n), "{name} under {fault:?}: expected {n:?} in: {err}");
            }
        }
    }
    sim.clear_faults();
    for spec in &coroot_tools::TOOLS {
        let out = (spec.call)(&ctx, args_for(spec.name, &(spec.input_schema)())).await;
        assert!(out.is_ok(), "{} after the faults: {:?}", spec.name, out.err());
    }
}
