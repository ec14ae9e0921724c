//! Many tool calls at once through the real binary: they share one login with a single login
//! in flight, a session expiry under load costs exactly one new login, and a failing login
//! (wrong password, a Coroot that hangs) is tried once for all the waiting calls instead of
//! once per call, so every call is answered in about one timeout.

use std::time::{Duration, Instant};

use coroot_sim::{Fault, FaultRule, Simulator};
use serde_json::{Value, json};

use crate::common::{Http, Stdio_, sim, tool_result};

/// Calls in flight at once.
const CONCURRENT: usize = 48;

fn login_posts(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/api/login"))
        .count()
}

/// The tools and their arguments, round-robin over every registered tool.
async fn tool_mix(s: &mut Stdio_) -> Vec<(String, Value)> {
    let list = s.request("tools/list", json!({})).await;
    crate::common::tool_mix(&list)
}

/// The mix without the aggregate tool, which reports failed checks inside a successful
/// result (its own documented partial-results behaviour) rather than failing.
fn single_endpoint_tools(mut mix: Vec<(String, Value)>) -> Vec<(String, Value)> {
    mix.retain(|(name, _)| name != "coroot_investigate");
    mix
}

/// Sends `n` calls without waiting, then reads every answer: (isError, text) per call.
async fn burst(s: &mut Stdio_, mix: &[(String, Value)], n: usize) -> Vec<(bool, String)> {
    let mut ids = Vec::new();
    for i in 0..n {
        let (tool, args) = &mix[i % mix.len()];
        ids.push(
            s.send_request("tools/call", json!({"name": tool, "arguments": args}))
                .await,
        );
    }
    let answers = s.read_responses(n).await;
    ids.iter().map(|id| tool_result(&answers[id])).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_login() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    let mix = tool_mix(&mut s).await;
    // Slow the login down so every call is waiting on it.
    sim.inject(FaultRule {
        path_contains: "/api/login".into(),
        fault: Fault::Latency(Duration::from_millis(300)),
        times: Some(1),
    });
    for (i, (is_error, text)) in burst(&mut s, &mix, CONCURRENT).await.into_iter().enumerate() {
        assert!(!is_error, "call {i} ({}): {text}", mix[i % mix.len()].0);
    }
    assert_eq!(sim.login_count(), 1, "one login for {CONCURRENT} concurrent calls");
    assert_eq!(login_posts(&sim), 1);
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_expiry_under_load_costs_exactly_one_new_login() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[]).await;
    let mix = tool_mix(&mut s).await;
    let (is_error, text) = s.call("coroot_get_applications", json!({})).await;
    assert!(!is_error, "{text}");
    assert_eq!(sim.login_count(), 1);
    for round in 2..=3 {
        sim.expire_sessions();
        for (i, (is_error, text)) in burst(&mut s, &mix, CONCURRENT).await.into_iter().enumerate() {
            assert!(!is_error, "round {round}, call {i}: {text}");
        }
        assert_eq!(sim.login_count(), round, "exactly one new login per expiry");
        assert_eq!(login_posts(&sim), round);
    }
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_tried_once_for_all_waiting_calls() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[("COROOT_PASSWORD", "wrong-password-123")]).await;
    let mix = single_endpoint_tools(tool_mix(&mut s).await);
    sim.inject(FaultRule {
        path_contains: "/api/login".into(),
        fault: Fault::Latency(Duration::from_millis(300)),
        times: Some(1),
    });
    for (is_error, text) in burst(&mut s, &mix, CONCURRENT).await {
        assert!(is_error && text.contains("invalid email or password"), "{text}");
    }
    // Not one login per call: Coroot could lock the account after a storm of failures.
    let posts = login_posts(&sim);
    assert!(posts <= 2, "{posts} login attempts for {CONCURRENT} concurrent calls");
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_login_answers_every_waiting_call_in_about_one_timeout() {
    let sim = sim().await;
    let (mut s, _) = Stdio_::against(&sim.base_url(), &[("COROOT_TIMEOUT", "1")]).await;
    let mix = single_endpoint_tools(tool_mix(&mut s).await);
    sim.inject(FaultRule {
        path_contains: "/api/login".into(),
        fault: Fault::Latency(Duration::from_secs(60)),
        times: None,
    });
    let started = Instant::now();
    for (is_error, text) in burst(&mut s, &mix, CONCURRENT).await {
        assert!(
            is_error && text.contains("did not answer /api/login within 1s"),
            "{text}"
        );
    }
    let took = started.elapsed();
    // Serialised logins would take CONCURRENT × 1 s.
    assert!(
        took < Duration::from_secs(10),
        "{CONCURRENT} calls waiting on a hanging login took {took:?}"
    );
    assert!(login_posts(&sim) <= 2, "{} login attempts", login_posts(&sim));
    // Once Coroot answers again, the next call logs in.
    sim.clear_faults();
    let (is_error, text) = s.call("coroot_get_nodes", json!({})).await;
    assert!(!is_error, "{text}");

    // The same with the projects cached and the session expiring under load: every call
    // gets its 401 on its own endpoint and waits for the new login.
    sim.clear_requests();
    sim.expire_sessions();
    sim.inject(FaultRule {
        path_contains: "/api/login".into(),
        fault: Fault::Latency(Duration::from_secs(60)),
        times: None,
    });
    let started = Instant::now();
    for (is_error, text) in burst(&mut s, &mix, CONCURRENT).await {
        assert!(
            is_error && text.contains("did not answer /api/login within 1s"),
            "{text}"
        );
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "{CONCURRENT} calls waiting on a hanging re-login took {took:?}"
    );
    assert!(login_posts(&sim) <= 2, "{} login attempts", login_posts(&sim));
    sim.clear_faults();
    let (is_error, text) = s.call("coroot_get_nodes", json!({})).await;
    assert!(!is_error, "{text}");
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_http_sessions_share_one_login() {
    let sim = sim().await;
    let (h, _) = Http::against(&sim.base_url(), &[], None).await;
    let sessions: Vec<_> = (0..16)
        .map(|i| {
            let mut c = h.fork(None);
            tokio::spawn(async move {
                c.initialize().await;
                for tool in ["coroot_get_incidents", "coroot_get_nodes", "coroot_get_applications"] {
                    let (is_error, text) = c.call(tool, json!({})).await;
                    assert!(!is_error, "session {i} {tool}: {text}");
                }
                c.close().await;
            })
        })
        .collect();
    for s in sessions {
        s.await.expect("session task");
    }
    assert_eq!(sim.login_count(), 1);
    h.stop().await;
}
