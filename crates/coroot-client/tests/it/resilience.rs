//! Transient failures: 5xx retries with backoff, timeouts, refused connections, TLS against a
//! plain-HTTP server, and servers that drop or stall connections. Nothing may hang.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::*;
use coroot_client::{ClientConfig, Error};
use coroot_sim::{Fault, FaultRule};
use tokio::net::TcpListener;

fn status_fault(path: &str, code: u16, times: Option<u32>) -> FaultRule {
    FaultRule {
        path_contains: path.into(),
        fault: Fault::Status {
            code,
            body: format!("upstream answered {code}"),
        },
        times,
    }
}

fn apps_path() -> String {
    format!("/api/project/{PROD}/overview/applications")
}

#[tokio::test]
async fn two_503s_then_success_is_a_success_after_three_attempts() {
    let sim = ecommerce().await;
    let client = client(&sim);
    assert_eq!(client.config().retries, 2);
    sim.inject(status_fault("/overview/applications", 503, Some(2)));
    let apps = client.applications(PROD, last_hour()).await.unwrap();
    assert!(!apps.is_empty());
    assert_eq!(requests_to(&sim, &apps_path()).len(), 3, "two retries");
    assert_eq!(sim.login_count(), 1, "a retry reuses the session");
}

#[tokio::test]
async fn persistent_gateway_errors_fail_after_the_retries() {
    let sim = ecommerce().await;
    let client = client(&sim);
    client.user().await.unwrap();
    for code in [502u16, 503, 504] {
        sim.clear_requests();
        sim.clear_faults();
        sim.inject(status_fault("/overview/applications", code, None));
        let err = expect_err(client.applications(PROD, last_hour()).await, Some(&sim));
        match &err {
            Error::Api {
                status,
                endpoint,
                message,
            } => {
                assert_eq!(*status, code);
                assert_eq!(endpoint, &apps_path());
                assert_eq!(message, &format!("upstream answered {code}"));
            }
            other => panic!("expected Api {code}, got {other:?}"),
        }
        assert!(err.is_transient());
        assert!(err.to_string().contains(&format!("HTTP {code}")));
        assert_eq!(requests_to(&sim, &apps_path()).len(), 3, "{code}: 1 + 2 retries");
    }
}

#[tokio::test]
async fn internal_server_error_is_not_retried() {
    let sim = ecommerce().await;
    let client = client(&sim);
    sim.inject(FaultRule {
        path_contains: "/overview/logs".into(),
        fault: Fault::Status {
            code: 500,
            body: "ClickHouse is not available".into(),
        },
        times: None,
    });
    let err = expect_err(
        client.overview_logs(PROD, last_hour(), &Default::default()).await,
        Some(&sim),
    );
    assert!(
        matches!(&err, Error::Api { status: 500, message, .. } if message == "ClickHouse is not available"),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert_eq!(
        requests_to(&sim, &format!("/api/project/{PROD}/overview/logs")).len(),
        1
    );
}

#[tokio::test]
async fn retries_follow_the_configuration() {
    let sim = ecommerce().await;
    let mut cfg = config(&sim.base_url());
    cfg.retries = 0;
    let client = client_with(cfg);
    sim.inject(status_fault("/overview/applications", 503, Some(1)));
    let err = expect_err(client.applications(PROD, last_hour()).await, Some(&sim));
    assert_eq!(err.status(), Some(503));
    assert_eq!(requests_to(&sim, &apps_path()).len(), 1);
    // The fault is used up: the next call succeeds.
    client.applications(PROD, last_hour()).await.unwrap();
}

#[tokio::test]
async fn login_is_never_retried() {
    let sim = ecommerce().await;
    let client = client(&sim);
    sim.inject(status_fault("/api/login", 502, None));
    let err = expect_err(client.user().await, Some(&sim));
    assert!(
        matches!(&err, Error::Api { status: 502, endpoint, .. } if endpoint == "/api/login"),
        "{err:?}"
    );
    assert_eq!(login_attempts(&sim), 1, "a POST is sent once");
}

#[tokio::test]
async fn slow_answer_past_the_timeout_is_a_timeout() {
    let sim = ecommerce().await;
    let mut cfg = config(&sim.base_url());
    cfg.timeout = Duration::from_millis(300);
    let client = client_with(cfg);
    client.user().await.unwrap();
    sim.inject(FaultRule {
        path_contains: "/overview/costs".into(),
        fault: Fault::Latency(Duration::from_secs(3)),
        times: None,
    });
    let started = Instant::now();
    let err = expect_err(client.costs(PROD, last_hour()).await, Some(&sim));
    let took = started.elapsed();
    match &err {
        Error::Timeout { endpoint, after } => {
            assert!(endpoint.ends_with("/overview/costs"));
            assert_eq!(*after, Duration::from_millis(300));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(took < Duration::from_millis(1500), "gave up after {took:?}");
    assert!(err.to_string().contains("COROOT_TIMEOUT"));
    assert!(err.is_transient());
    assert_eq!(
        requests_to(&sim, &format!("/api/project/{PROD}/overview/costs")).len(),
        1,
        "a timeout is not retried"
    );

    // A short delay within the timeout is fine.
    sim.clear_faults();
    sim.inject(FaultRule {
        path_contains: "/overview/costs".into(),
        fault: Fault::Latency(Duration::from_millis(50)),
        times: Some(1),
    });
    client.costs(PROD, last_hour()).await.unwrap();
}

#[tokio::test]
async fn refused_connection_cannot_reach_coroot() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let client = client_with(config(&url));
    let started = Instant::now();
    let err = expect_err(client.user().await, None);
    match &err {
        Error::Connect { url: u, reason } => {
            assert_eq!(u, &url);
            assert!(!reason.is_empty());
        }
        other => panic!("expected Connect, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("cannot reach Coroot"), "{shown}");
    assert!(shown.contains("COROOT_URL"), "{shown}");
    assert!(err.is_transient());
    assert!(started.elapsed() < Duration::from_secs(3));

    // Unauthenticated routes say the same.
    let err = expect_err(client.health().await, None);
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    let anonymous = client_with(ClientConfig::new(url.as_str()));
    let err = expect_err(anonymous.applications(PROD, last_hour()).await, None);
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_error() {
    let sim = ecommerce().await;
    let url = format!("https://{}", sim.addr());
    let client = client_with(config(&url));
    let started = Instant::now();
    let err = expect_err(client.user().await, Some(&sim));
    match &err {
        Error::Tls { url: u, reason } => {
            assert_eq!(u, &url);
            assert!(reason.contains("plain HTTP") && reason.contains("http://"), "{reason}");
        }
        other => panic!("expected Tls, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("TLS"), "{shown}");
    // A handshake failure is not transient: no retry.
    assert!(!err.is_transient());
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(sim.login_count(), 0);
}

/// A TCP server that accepts connections and closes them at once; returns its URL and the
/// number of accepted connections.
async fn closing_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn connection_closed_without_an_answer_fails_after_retries() {
    let (url, accepted) = closing_server().await;
    let client = client_with(ClientConfig {
        retry_backoff: Duration::from_millis(10),
        timeout: Duration::from_secs(5),
        ..ClientConfig::new(url.as_str())
    });
    let started = Instant::now();
    let err = expect_err(client.applications(PROD, last_hour()).await, None);
    assert!(
        matches!(err, Error::Transport { .. } | Error::Connect { .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert!(started.elapsed() < Duration::from_secs(3), "no hang");
    assert_eq!(accepted.load(Ordering::SeqCst), 3, "1 + 2 retries");
    if let Error::Transport { endpoint, reason } = &err {
        assert_eq!(endpoint, &apps_path());
        assert!(!reason.is_empty());
    }

    // The login is a POST: one attempt, the same class of error.
    let client = client_with(config(&url));
    let err = expect_err(client.user().await, None);
    assert!(
        matches!(err, Error::Transport { .. } | Error::Connect { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = client_with(ClientConfig {
        timeout: Duration::from_millis(300),
        retry_backoff: Duration::from_millis(10),
        ..ClientConfig::new(url.as_str())
    });
    let started = Instant::now();
    let err = expect_err(client.user().await, None);
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(1500));
}
