//! Authentication against the simulator: one cookie login shared by every call (and by
//! concurrent callers), re-login after the session is invalidated, and the errors of a wrong
//! password, a first-run server and a missing login.

use crate::common::*;
use coroot_client::{AppId, ClientConfig, Error, OverviewLogQuery, TraceQuery};
use coroot_sim::{Auth, Fault, FaultRule, Scenario};

#[tokio::test]
async fn one_login_serves_every_call() {
    let sim = ecommerce().await;
    let client = client(&sim);
    let range = last_hour();
    client.user().await.unwrap();
    client.project_status(PROD).await.unwrap();
    client.applications(PROD, range).await.unwrap();
    client.service_map(PROD, range).await.unwrap();
    client.nodes(PROD, range).await.unwrap();
    client.incidents(PROD, range.to_ms, 5).await.unwrap();
    client.incident(PROD, "q8w7e6r5").await.unwrap();
    client
        .app(PROD, &AppId::new(format!("{PROD}:default:Deployment:payment")), range)
        .await
        .unwrap();
    client.traces(PROD, range, &TraceQuery::default()).await.unwrap();
    client
        .overview_logs(PROD, range, &OverviewLogQuery::default())
        .await
        .unwrap();
    assert_eq!(sim.login_count(), 1);
    assert_eq!(login_attempts(&sim), 1);

    // The login posts the configured email and password as JSON.
    let login = last_request(&sim, "/api/login");
    let body: serde_json::Value = serde_json::from_str(&login.body).unwrap();
    assert_eq!(body["email"], EMAIL);
    assert_eq!(body["password"], PASSWORD);
    assert!(login.header("content-type").unwrap().starts_with("application/json"));

    // Every API request after it carries the same cookie.
    let cookies = cookies_sent(&sim);
    assert_eq!(cookies.len(), 1, "one session cookie: {cookies:?}");
    let api_calls: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/project/") || r.path == "/api/user")
        .collect();
    assert_eq!(api_calls.len(), 10);
    assert!(api_calls.iter().all(|r| r.header("cookie").is_some()));
}

#[tokio::test]
async fn expired_session_triggers_exactly_one_relogin() {
    let sim = ecommerce().await;
    let client = client(&sim);
    client.user().await.unwrap();
    assert_eq!(sim.login_count(), 1);
    sim.clear_requests();

    sim.expire_sessions();
    let apps = client.applications(PROD, last_hour()).await.unwrap();
    assert!(!apps.is_empty());
    assert_eq!(sim.login_count(), 2);
    let seq: Vec<(String, String)> = sim.requests().into_iter().map(|r| (r.method, r.path)).collect();
    let apps_path = format!("/api/project/{PROD}/overview/applications");
    assert_eq!(
        seq,
        [
            ("GET".to_string(), apps_path.clone()),
            ("POST".to_string(), "/api/login".to_string()),
            ("GET".to_string(), apps_path),
        ],
        "401, one login, one retry"
    );
    // Later calls reuse the new session.
    client.nodes(PROD, last_hour()).await.unwrap();
    assert_eq!(sim.login_count(), 2);
    assert_eq!(cookies_sent(&sim).len(), 2);
}

#[tokio::test]
async fn session_expiring_after_some_requests_is_renewed() {
    let sim = ecommerce().await;
    let client = client(&sim);
    sim.inject(FaultRule {
        path_contains: "/api/user".into(),
        fault: Fault::ExpireSessionsAfter { requests: 2 },
        times: Some(1),
    });
    for _ in 0..6 {
        client.user().await.unwrap();
    }
    assert_eq!(sim.login_count(), 2, "one login, one re-login after the expiry");
}

#[tokio::test]
async fn session_refused_after_relogin_is_unauthorized_without_looping() {
    let sim = ecommerce().await;
    let client = client(&sim);
    client.user().await.unwrap();
    // Every request to the overview invalidates all sessions before it is checked.
    sim.inject(FaultRule {
        path_contains: "/overview/".into(),
        fault: Fault::ExpireSessionsAfter { requests: 0 },
        times: None,
    });
    let err = expect_err(client.applications(PROD, last_hour()).await, Some(&sim));
    match &err {
        Error::Unauthorized { endpoint, hint } => {
            assert_eq!(endpoint, &format!("/api/project/{PROD}/overview/applications"));
            assert!(hint.contains("session was refused"), "{hint}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert_eq!(sim.login_count(), 2, "exactly one re-login, then give up");
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn wrong_password_is_invalid_credentials() {
    let sim = ecommerce().await;
    let client = client_with(config(&sim.base_url()).with_password(EMAIL, "not-the-password"));
    let err = expect_err(client.user().await, Some(&sim));
    assert!(matches!(err, Error::InvalidCredentials), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("invalid email or password"), "{shown}");
    assert!(!shown.contains("not-the-password"));
    assert!(!format!("{err:?}").contains("not-the-password"));
    assert_eq!(sim.login_count(), 0);
    // No retry loop on a rejected login.
    assert_eq!(login_attempts(&sim), 1);

    let unknown_user = client_with(config(&sim.base_url()).with_password("nobody", PASSWORD));
    let err = expect_err(unknown_user.projects().await, Some(&sim));
    assert!(matches!(err, Error::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn first_run_server_needs_the_admin_password() {
    let sim = sim_with_auth(Scenario::ecommerce(), Auth::FirstRun).await;
    let client = client(&sim);
    let err = expect_err(client.user().await, Some(&sim));
    assert!(matches!(err, Error::AdminPasswordNotSet), "{err:?}");
    assert!(err.to_string().contains("set the admin password"));

    // Without credentials the 401 `set_admin_password` says the same.
    let anonymous = client_with(ClientConfig::new(sim.base_url()));
    let err = expect_err(anonymous.applications(PROD, last_hour()).await, Some(&sim));
    assert!(matches!(err, Error::AdminPasswordNotSet), "{err:?}");
    assert_eq!(sim.login_count(), 0);
}

#[tokio::test]
async fn anonymous_server_works_without_credentials() {
    let sim = sim_with_auth(Scenario::ecommerce(), Auth::Anonymous { role: "Viewer".into() }).await;
    let client = client_with(ClientConfig::new(sim.base_url()));
    let user = client.user().await.unwrap();
    assert!(user.anonymous);
    assert_eq!(user.role, "Viewer");
    assert!(user.readonly);
    assert_eq!(client.resolve_project(None).await.unwrap().id, PROD);
    assert!(!client.applications(PROD, last_hour()).await.unwrap().is_empty());
    assert_eq!(login_attempts(&sim), 0, "no login is attempted");
    assert!(sim.requests().iter().all(|r| r.header("cookie").is_none()));
    assert!(!client.has_session());
}

#[tokio::test]
async fn protected_server_without_credentials_is_unauthorized() {
    let sim = ecommerce().await;
    let client = client_with(ClientConfig::new(sim.base_url()));
    let err = expect_err(client.user().await, Some(&sim));
    match &err {
        Error::Unauthorized { endpoint, .. } => assert_eq!(endpoint, "/api/user"),
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(
        shown.contains("COROOT_EMAIL") && shown.contains("COROOT_PASSWORD"),
        "{shown}"
    );
    assert_eq!(login_attempts(&sim), 0);
    assert_eq!(requests_to(&sim, "/api/user").len(), 1, "no retry without credentials");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_share_one_login_and_one_relogin() {
    let sim = ecommerce().await;
    let client = client(&sim);
    let range = last_hour();

    let calls = (0..50).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            match i % 3 {
                0 => client.user().await.map(|_| ()),
                1 => client.applications(PROD, range).await.map(|_| ()),
                _ => client.project_status(PROD).await.map(|_| ()),
            }
        })
    });
    for result in futures_join(calls).await {
        result.unwrap();
    }
    assert_eq!(sim.login_count(), 1, "50 concurrent calls, one login");
    assert_eq!(login_attempts(&sim), 1);

    sim.expire_sessions();
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.project_status(PROD).await.map(|_| ()) })
    });
    for result in futures_join(calls).await {
        result.unwrap();
    }
    assert_eq!(sim.login_count(), 2, "after expiry, exactly one new login");
    assert_eq!(login_attempts(&sim), 2);
}

/// Awaits spawned tasks in order.
async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let handles: Vec<_> = handles.collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task completes"));
    }
    out
}
