//! Coalescing and caching: concurrent identical GETs share one upstream request (its body or
//! its error), different or sequential ones do not, the session logic still works under
//! coalescing, and the project and application-id caches expire after their TTL.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::*;
use coroot_client::models::ApplicationStatus;
use coroot_client::{Client, ClientConfig, Error, TimeRange};
use coroot_sim::{Fault, FaultRule};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CALLS: usize = 8;

fn apps_path() -> String {
    format!("/api/project/{PROD}/overview/applications")
}

/// [`CALLS`] identical calls for the last hour's applications, started together.
fn concurrent_applications(
    client: &Client,
) -> Vec<tokio::task::JoinHandle<coroot_client::Result<Vec<ApplicationStatus>>>> {
    (0..CALLS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.applications(PROD, last_hour()).await.map(|v| v.data) })
        })
        .collect()
}

/// Every request to the applications overview waits `ms`, so concurrent calls overlap.
fn slow_apps(ms: u64) -> FaultRule {
    FaultRule {
        path_contains: "/overview/applications".into(),
        fault: Fault::Latency(Duration::from_millis(ms)),
        times: None,
    }
}

#[tokio::test]
async fn concurrent_identical_calls_send_one_request() {
    let sim = ecommerce().await;
    let client = client(&sim);
    client.user().await.unwrap();
    sim.inject(slow_apps(300));
    let calls = concurrent_applications(&client);
    let mut lengths = Vec::new();
    for call in calls {
        lengths.push(call.await.unwrap().unwrap().len());
    }
    assert_eq!(requests_to(&sim, &apps_path()).len(), 1, "{CALLS} callers, one request");
    assert!(
        lengths[0] > 0 && lengths.iter().all(|&n| n == lengths[0]),
        "{lengths:?}"
    );
}

#[tokio::test]
async fn without_the_response_cache_only_requests_in_flight_are_shared() {
    let sim = ecommerce().await;
    let client = client(&sim);
    client.applications(PROD, last_hour()).await.unwrap();
    client.applications(PROD, last_hour()).await.unwrap();
    assert_eq!(
        requests_to(&sim, &apps_path()).len(),
        2,
        "nothing is kept once answered"
    );
}

#[tokio::test]
async fn an_answer_is_reused_for_the_response_ttl_then_asked_again() {
    let sim = ecommerce().await;
    let mut config = config(&sim.base_url());
    config.response_ttl = Duration::from_millis(400);
    let client = client_with(config);
    let first = client.applications(PROD, last_hour()).await.unwrap();
    let again = client.applications(PROD, last_hour()).await.unwrap();
    assert_eq!(
        requests_to(&sim, &apps_path()).len(),
        1,
        "the repeat is answered from the cache"
    );
    assert_eq!(first.data.len(), again.data.len());
    // Another window is another question.
    let other = TimeRange {
        from_ms: last_hour().from_ms - 60_000,
        to_ms: last_hour().to_ms,
    };
    client.applications(PROD, other).await.unwrap();
    assert_eq!(requests_to(&sim, &apps_path()).len(), 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    client.applications(PROD, last_hour()).await.unwrap();
    assert_eq!(requests_to(&sim, &apps_path()).len(), 3, "expired: asked again");
}

#[tokio::test]
async fn errors_are_never_reused_and_large_answers_are_not_kept() {
    let sim = ecommerce().await;
    let mut config = config(&sim.base_url());
    config.response_ttl = Duration::from_secs(60);
    let client = client_with(config.clone());
    sim.inject(FaultRule {
        path_contains: "/overview/applications".into(),
        fault: Fault::Status {
            code: 500,
            body: "boom".into(),
        },
        times: Some(1),
    });
    assert!(client.applications(PROD, last_hour()).await.is_err());
    client.applications(PROD, last_hour()).await.unwrap();
    assert_eq!(requests_to(&sim, &apps_path()).len(), 2, "the error was not kept");

    // A bound smaller than four times the answer keeps nothing.
    config.response_cache_bytes = 1024;
    let small = client_with(config);
    small.applications(PROD, last_hour()).await.unwrap();
    small.applications(PROD, last_hour()).await.unwrap();
    assert_eq!(requests_to(&sim, &apps_path()).len(), 4);
}

#[tokio::test]
async fn a_rejected_session_is_renewed_once_for_all_coalesced_callers() {
    let sim = ecommerce().await;
    let client = client(&sim);
    client.user().await.unwrap();
    assert_eq!(login_attempts(&sim), 1);
    sim.expire_sessions();
    sim.clear_requests();
    sim.inject(slow_apps(200));
    let calls = concurrent_applications(&client);
    for call in calls {
        assert!(!call.await.unwrap().unwrap().is_empty());
    }
    assert_eq!(login_attempts(&sim), 1, "one login again, not one per caller");
    assert_eq!(
        requests_to(&sim, &apps_path()).len(),
        2,
        "the refused request and its retry"
    );
}

/// A server that counts requests and answers each, after `delay`, with 403 and Coroot's text.
async fn slow_forbidding_server(delay: Duration) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    head.extend_from_slice(&buf[..n]);
                    while let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                        head.drain(..end + 4);
                        seen.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(delay).await;
                        let body = "You are not allowed to view this project.\n";
                        let reply = format!(
                            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if socket.write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, count)
}

#[tokio::test]
async fn concurrent_identical_calls_share_the_error_too() {
    let (url, count) = slow_forbidding_server(Duration::from_millis(300)).await;
    let client = client_with(ClientConfig::new(url));
    let calls = concurrent_applications(&client);
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        assert!(
            matches!(&err, Error::Forbidden { message, .. } if message.contains("not allowed")),
            "{err}"
        );
    }
    assert_eq!(count.load(Ordering::SeqCst), 1, "{CALLS} callers, one request");
}

#[tokio::test]
async fn application_ids_are_cached_until_the_ttl_expires() {
    let sim = ecommerce().await;
    let client = client_with(ClientConfig {
        app_ids_ttl: Duration::from_millis(300),
        ..config(&sim.base_url())
    });
    let first = client.application_ids(PROD, last_hour()).await.unwrap();
    assert!(!first.cached);
    assert!(
        first
            .ids
            .iter()
            .any(|id| id.as_str() == "k3h2x9qa:default:Deployment:checkout")
    );
    assert!(first.ids.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
    let second = client.application_ids(PROD, last_hour()).await.unwrap();
    assert!(second.cached);
    assert!(Arc::ptr_eq(&first.ids, &second.ids));
    assert_eq!(requests_to(&sim, &apps_path()).len(), 1);
    // Another project has its own entry.
    client.application_ids(STAGING, last_hour()).await.unwrap();
    assert_eq!(
        requests_to(&sim, &format!("/api/project/{STAGING}/overview/applications")).len(),
        1
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    let third = client.application_ids(PROD, last_hour()).await.unwrap();
    assert!(!third.cached, "expired");
    assert_eq!(requests_to(&sim, &apps_path()).len(), 2);
    client.forget_app_ids(PROD);
    assert!(!client.application_ids(PROD, last_hour()).await.unwrap().cached);
    assert_eq!(requests_to(&sim, &apps_path()).len(), 3);
}

#[tokio::test]
async fn the_project_list_is_cached_until_the_ttl_expires() {
    let sim = ecommerce().await;
    let client = client_with(ClientConfig {
        projects_ttl: Duration::from_millis(300),
        ..config(&sim.base_url())
    });
    let users = || requests_to(&sim, "/api/user").len();
    assert_eq!(client.resolve_project(Some("production")).await.unwrap().id, PROD);
    assert_eq!(client.resolve_project(Some(STAGING)).await.unwrap().name, "staging");
    assert_eq!(users(), 1);
    tokio::time::sleep(Duration::from_millis(350)).await;
    client.projects().await.unwrap();
    assert_eq!(users(), 2, "expired");
}

#[tokio::test]
async fn recorded_bodies_replay_without_a_network() {
    let sim = ecommerce().await;
    let client = client(&sim);
    client.recording(true);
    let live = client.applications(PROD, last_hour()).await.unwrap();
    let tape = client.recording(false);
    assert!(
        tape.iter()
            .any(|(key, _)| key.starts_with("Session /api/project/k3h2x9qa/overview/applications?from="))
    );
    sim.shutdown().await;
    let replay = coroot_client::Client::replaying(ClientConfig::new("http://127.0.0.1:9"), tape).unwrap();
    let replayed = replay.applications(PROD, last_hour()).await.unwrap();
    assert_eq!(replayed.len(), live.len());
    let missing = replay.applications(STAGING, last_hour()).await.unwrap_err();
    assert!(
        missing.to_string().contains("not in the recorded responses"),
        "{missing}"
    );
}
