//! Over-the-wire tests of the simulator's HTTP behaviour: login and sessions, first-run and
//! anonymous modes, the SPA catch-all, base paths, the envelope, faults and recording.

use std::time::{Duration, Instant};

use crate::common::*;
use coroot_sim::testing::assert_no_secret;
use coroot_sim::{Auth, Fault, FaultRule, Scenario, SimConfig, Simulator};

#[tokio::test]
async fn login_sets_cookie_and_user_lists_projects() {
    let sim = Simulator::start(Scenario::ecommerce(), SimConfig::default())
        .await
        .unwrap();
    let a = sim.addr();
    let r = request(
        a,
        "POST",
        "/api/login",
        &[],
        r#"{"email":"admin","password":"sim-password"}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "");
    let c = r.header("set-cookie").unwrap();
    assert!(c.starts_with("coroot_session=eyJpZCI6MX0=."), "{c}");
    assert!(c.contains("; Path=/; Expires=") && c.ends_with("; HttpOnly"), "{c}");
    let value = c.trim_start_matches("coroot_session=").split(';').next().unwrap();
    let sig = value.split('.').nth(1).unwrap();
    assert!(sig.ends_with('=') && sig.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_=".contains(ch)));
    let other = login(a, "admin", "sim-password").await;
    assert_ne!(other, value, "each login yields a distinct cookie");
    assert_eq!(sim.login_count(), 2);

    let u = get(a, "/api/user", Some(value)).await;
    assert_eq!(u.status, 200);
    assert_eq!(u.content_type(), "application/json");
    assert!(u.body.ends_with('\n'));
    let j = u.json();
    assert_eq!(j["email"], "admin");
    assert_eq!(j["role"], "Admin");
    assert!(j.get("anonymous").is_none());
    assert_eq!(
        j["projects"],
        serde_json::json!([{"id":"k3h2x9qa","name":"production"},{"id":"p0m1n2b3","name":"staging"}])
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn auth_failures_are_plain_text() {
    let sim = Simulator::start(Scenario::ecommerce(), SimConfig::default())
        .await
        .unwrap();
    let a = sim.addr();
    let r = get(a, "/api/user", None).await;
    assert_eq!((r.status, r.body.as_str()), (401, "\n"));
    assert_eq!(r.content_type(), "text/plain; charset=utf-8");
    let r = get(
        a,
        "/api/project/k3h2x9qa/overview/applications",
        Some("eyJpZCI6MX0=.bogus="),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = request(a, "POST", "/api/login", &[], r#"{"email":"admin","password":"nope"}"#).await;
    assert_eq!((r.status, r.body.as_str()), (404, "Invalid email or password.\n"));
    let r = request(a, "POST", "/api/login", &[], r#"{"email":"admin","password":""}"#).await;
    assert_eq!(r.status, 400);
    let r = request(a, "POST", "/api/login", &[], "not json").await;
    assert_eq!(r.status, 400);
    assert_eq!(sim.login_count(), 0);
}

#[tokio::test]
async fn first_run_requires_setting_the_admin_password() {
    let sim = Simulator::start(
        Scenario::empty(),
        SimConfig {
            auth: Auth::FirstRun,
            ..SimConfig::default()
        },
    )
    .await
    .unwrap();
    let a = sim.addr();
    let r = get(a, "/api/user", None).await;
    assert_eq!((r.status, r.body.as_str()), (401, "set_admin_password\n"));
    let r = request(
        a,
        "POST",
        "/api/login",
        &[],
        r#"{"email":"admin","password":"new-pass","action":"set_admin_password"}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    let c = r
        .header("set-cookie")
        .unwrap()
        .trim_start_matches("coroot_session=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(get(a, "/api/user", Some(&c)).await.status, 200);
    let r = request(
        a,
        "POST",
        "/api/login",
        &[],
        r#"{"email":"admin","password":"x","action":"set_admin_password"}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (401, "The admin password has already been set.\n")
    );
    login(a, "admin", "new-pass").await;
}

#[tokio::test]
async fn anonymous_mode_needs_no_cookie() {
    let sim = Simulator::start(
        Scenario::ecommerce(),
        SimConfig {
            auth: Auth::Anonymous { role: "Viewer".into() },
            ..SimConfig::default()
        },
    )
    .await
    .unwrap();
    let j = get(sim.addr(), "/api/user", None).await.json();
    assert_eq!(j["anonymous"], true);
    assert_eq!(j["role"], "Viewer");
    assert_eq!(j["email"], "");
    assert_eq!(j["readonly"], true);
    assert_eq!(
        get(sim.addr(), "/api/project/k3h2x9qa/incidents", None).await.status,
        200
    );
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_serve_the_index_page() {
    let sim = Simulator::start(
        Scenario::empty(),
        SimConfig {
            version: "9.9.9".into(),
            ..SimConfig::default()
        },
    )
    .await
    .unwrap();
    let a = sim.addr();
    for (m, p) in [
        ("GET", "/api/does-not-exist"),
        ("GET", "/api/login"),
        ("DELETE", "/api/user"),
        ("GET", "/"),
        ("GET", "/api/v1/query"),
        ("GET", "/api/project/d3f4u1t0/nope"),
    ] {
        let r = request(a, m, p, &[], "").await;
        assert_eq!(r.status, 200, "{m} {p}");
        assert!(r.content_type().starts_with("text/html"), "{m} {p}");
        // The template of front/public/index.html: a JS object with single quotes.
        assert!(
            r.body
                .contains("window.coroot = {\n            base_path: '/',\n            version: '9.9.9',"),
            "{}",
            r.body
        );
        assert!(r.body.contains("edition: 'Community'"));
    }
    let h = get(a, "/health", None).await;
    assert_eq!((h.status, h.body.as_str()), (200, ""));
}

#[tokio::test]
async fn base_path_prefixes_the_api_but_not_health() {
    let sim = Simulator::start(
        Scenario::ecommerce(),
        SimConfig {
            base_path: "coroot".into(),
            ..SimConfig::default()
        },
    )
    .await
    .unwrap();
    let a = sim.addr();
    assert!(sim.base_url().ends_with("/coroot"), "{}", sim.base_url());
    let r = request(
        a,
        "POST",
        "/coroot/api/login",
        &[],
        r#"{"email":"admin","password":"sim-password"}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.header("set-cookie").unwrap().contains("Path=/;"));
    let c = login_at(a, "/coroot/api/login").await;
    assert_eq!(get(a, "/coroot/api/user", Some(&c)).await.status, 200);
    assert_eq!(get(a, "/health", None).await.status, 200);
    let r = get(a, "/api/user", Some(&c)).await;
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/coroot/"));
    assert!(get(a, "/coroot/", None).await.body.contains("base_path: '/coroot/'"));
}

async fn login_at(a: std::net::SocketAddr, path: &str) -> String {
    let r = request(a, "POST", path, &[], r#"{"email":"admin","password":"sim-password"}"#).await;
    r.header("set-cookie")
        .unwrap()
        .trim_start_matches("coroot_session=")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn envelope_and_zero_context() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    let j = get(a, "/api/project/k3h2x9qa/overview/applications", Some(&c))
        .await
        .json();
    let ctx = &j["context"];
    assert_eq!(ctx["status"]["status"], "ok");
    assert_eq!(ctx["search"]["applications"].as_array().unwrap().len(), 11);
    assert_eq!(ctx["search"]["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(ctx["incidents"], serde_json::json!({"application": 2}));
    assert!(ctx["fluxcd"].is_null() && ctx["argocd"].is_null());
    assert_eq!(ctx["multicluster"], false);
    for view in [
        "applications",
        "map",
        "nodes",
        "deployments",
        "traces",
        "logs",
        "costs",
        "risks",
        "anomalies",
        "incidents",
    ] {
        let d = get(a, &format!("/api/project/k3h2x9qa/overview/{view}"), Some(&c))
            .await
            .json();
        let data = d["data"].as_object().unwrap();
        assert_eq!(data.len(), 11, "{view}");
        for (k, v) in data {
            if k != view {
                assert!(v.is_null(), "{view}: {k} should be null");
            }
        }
    }
    let z = get(a, "/api/project/nope0000/overview/applications", Some(&c))
        .await
        .json();
    assert!(z["data"].is_null());
    assert_eq!(z["context"]["status"]["status"], "unknown");
    assert!(z["context"]["search"]["applications"].is_null());
    assert!(z["context"]["incidents"].is_null());
    let r = get(a, "/api/project/nope0000/incidents", Some(&c)).await;
    assert_eq!((r.status, r.body.as_str()), (404, "project not found\n"));
    let s = get(a, "/api/project/nope0000/status", Some(&c)).await.json();
    assert_eq!(s["status"], "unknown");
    assert!(s.get("context").is_none());
    assert_eq!(
        get(a, "/api/project/nope0000/node/node-1", Some(&c)).await.json()["data"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn json_is_go_escaped_with_trailing_newline() {
    let (sim, c) = ecommerce().await;
    let r = get(
        sim.addr(),
        &format!(
            "/api/project/k3h2x9qa/app/{}",
            enc("k3h2x9qa:default:Deployment:checkout")
        ),
        Some(&c),
    )
    .await;
    assert!(r.body.ends_with("}\n"));
    assert!(
        r.body
            .contains(r"the successful request percentage \u003c \u003cthreshold\u003e")
    );
    assert!(!r.body.contains('<'));
}

#[tokio::test]
async fn every_fault_kind() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    let path = "/api/project/k3h2x9qa/incidents";
    let real = get(a, path, Some(&c)).await.body;

    sim.inject(FaultRule {
        path_contains: "incidents".into(),
        fault: Fault::Latency(Duration::from_millis(150)),
        times: Some(1),
    });
    let t = Instant::now();
    assert_eq!(get(a, path, Some(&c)).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
    let t = Instant::now();
    get(a, path, Some(&c)).await;
    assert!(t.elapsed() < Duration::from_millis(150), "times: Some(1) is used up");

    sim.inject(FaultRule {
        path_contains: "".into(),
        fault: Fault::Status {
            code: 503,
            body: "upstream down".into(),
        },
        times: Some(2),
    });
    for _ in 0..2 {
        let r = get(a, path, Some(&c)).await;
        assert_eq!(
            (r.status, r.body.as_str(), r.content_type()),
            (503, "upstream down\n", "text/plain; charset=utf-8")
        );
    }
    assert_eq!(get(a, path, Some(&c)).await.status, 200);

    sim.inject(FaultRule {
        path_contains: "incidents".into(),
        fault: Fault::MalformedJson,
        times: Some(1),
    });
    let r = get(a, path, Some(&c)).await;
    assert_eq!((r.status, r.content_type()), (200, "application/json"));
    assert!(serde_json::from_str::<serde_json::Value>(&r.body).is_err());

    sim.inject(FaultRule {
        path_contains: "incidents".into(),
        fault: Fault::TruncatedJson,
        times: Some(1),
    });
    let r = get(a, path, Some(&c)).await;
    assert_eq!(r.status, 200);
    assert!(real.starts_with(&r.body) && r.body.len() < real.len() && r.body.len() >= real.len() / 2 - 4);
    assert!(serde_json::from_str::<serde_json::Value>(&r.body).is_err());

    sim.inject(FaultRule {
        path_contains: "incidents".into(),
        fault: Fault::Html,
        times: Some(1),
    });
    let r = get(a, path, Some(&c)).await;
    assert!(r.content_type().starts_with("text/html") && r.body.contains("window.coroot"));

    sim.inject(FaultRule {
        path_contains: "incidents".into(),
        fault: Fault::Body {
            status: 202,
            content_type: "application/x-test".into(),
            body: b"{\"data\": [1, 2".to_vec(),
        },
        times: Some(1),
    });
    let r = get(a, path, Some(&c)).await;
    assert_eq!(
        (r.status, r.content_type(), r.body.as_str()),
        (202, "application/x-test", "{\"data\": [1, 2")
    );

    sim.inject(FaultRule {
        path_contains: "incidents".into(),
        fault: Fault::OversizedBody { bytes: 3_000_000 },
        times: Some(1),
    });
    let r = get(a, path, Some(&c)).await;
    assert!(r.body.len() >= 3_000_000);
    let j = r.json();
    assert_eq!(j["data"][0]["key"], "q8w7e6r5");

    sim.inject(FaultRule {
        path_contains: "/api/project/".into(),
        fault: Fault::ExpireSessionsAfter { requests: 2 },
        times: Some(1),
    });
    assert_eq!(get(a, path, Some(&c)).await.status, 200);
    assert_eq!(get(a, path, Some(&c)).await.status, 200);
    let r = get(a, path, Some(&c)).await;
    assert_eq!((r.status, r.body.as_str()), (401, "\n"));
    let c2 = login(a, "admin", "sim-password").await;
    assert_eq!(get(a, path, Some(&c2)).await.status, 200);

    sim.inject(FaultRule {
        path_contains: "".into(),
        fault: Fault::Status {
            code: 500,
            body: String::new(),
        },
        times: None,
    });
    assert_eq!(get(a, path, Some(&c2)).await.status, 500);
    assert_eq!(get(a, "/health", None).await.status, 500);
    sim.clear_faults();
    assert_eq!(get(a, path, Some(&c2)).await.status, 200);

    sim.expire_sessions();
    assert_eq!(get(a, path, Some(&c2)).await.status, 401);
}

#[tokio::test]
async fn requests_are_recorded_in_order() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    get(a, "/health", None).await;
    get(a, "/api/nope?x=1", None).await;
    let q = enc(r#"{"agent":true,"otel":true}"#);
    get(
        a,
        &format!("/api/project/k3h2x9qa/overview/logs?query={q}&from=now-2h&x=a+b"),
        Some(&c),
    )
    .await;
    let reqs = sim.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/login",
            "/health",
            "/api/nope",
            "/api/project/k3h2x9qa/overview/logs"
        ]
    );
    assert_eq!(reqs[0].method, "POST");
    assert!(reqs[0].body.contains("sim-password"));
    let last = &reqs[3];
    assert_eq!(last.param("query"), Some(r#"{"agent":true,"otel":true}"#));
    assert_eq!(last.param("from"), Some("now-2h"));
    assert_eq!(last.param("x"), Some("a b"));
    assert!(last.query.contains("query=%7B"));
    assert!(last.header("Cookie").unwrap().starts_with("coroot_session="));
    assert!(
        last.headers
            .iter()
            .all(|(k, _)| k.chars().all(|ch| !ch.is_ascii_uppercase()))
    );
    sim.clear_requests();
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn no_answer_echoes_a_secret() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    let wrong = "wrong-secret-password";
    let range = format!("start={}&end={}&step=60", NOW_MS / 1000 - 600, NOW_MS / 1000);
    let key = [("X-API-Key", "sim-api-key")];
    let answers = [
        (
            "a failed login",
            request(
                a,
                "POST",
                "/api/login",
                &[],
                &format!(r#"{{"email":"admin","password":"{wrong}"}}"#),
            )
            .await,
        ),
        ("the user", get(a, "/api/user", Some(&c)).await),
        ("the project", get(a, "/api/project/k3h2x9qa", Some(&c)).await),
        (
            "the logs",
            get(a, "/api/project/k3h2x9qa/overview/logs", Some(&c)).await,
        ),
        ("the index page", get(a, "/api/nope", Some(&c)).await),
        (
            "query_range",
            request(a, "GET", &format!("/api/v1/query_range?query=up&{range}"), &key, "").await,
        ),
        (
            "a query_range error",
            request(a, "GET", &format!("/api/v1/query_range?query=sum(up&{range}"), &key, "").await,
        ),
        (
            "a wrong API key",
            request(
                a,
                "GET",
                &format!("/api/v1/query_range?query=up&{range}"),
                &[("X-API-Key", wrong)],
                "",
            )
            .await,
        ),
    ];
    let mut secrets = vec!["sim-password".to_string(), "sim-api-key".to_string(), wrong.to_string()];
    secrets.extend(sim.session_cookies());
    for (what, r) in &answers {
        let headers: Vec<String> = r
            .headers
            .iter()
            .filter(|(k, _)| k != "set-cookie")
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        assert_no_secret(what, &format!("{}\n\n{}", headers.join("\n"), r.body), &secrets);
    }
}

#[tokio::test]
async fn session_cookies_lists_every_issued_cookie() {
    let (sim, c) = ecommerce().await;
    assert_eq!(sim.session_cookies(), std::slice::from_ref(&c));
    sim.expire_sessions();
    let c2 = login(sim.addr(), "admin", "sim-password").await;
    assert_eq!(sim.session_cookies(), [c, c2], "expired cookies are still secrets");
}

#[tokio::test]
async fn api_key_on_query_range() {
    let (sim, _) = ecommerce().await;
    let a = sim.addr();
    let q = format!(
        "/api/v1/query_range?query=up&start={}&end={}&step=60",
        NOW_MS / 1000 - 600,
        NOW_MS / 1000
    );
    let r = get(a, &q, None).await;
    assert_eq!((r.status, r.body.as_str()), (400, "no api key\n"));
    let r = request(a, "GET", &q, &[("X-API-Key", "wrong")], "").await;
    assert_eq!((r.status, r.body.as_str()), (404, "no project found\n"));
    let r = request(a, "GET", &q, &[("X-API-Key", "sim-api-key")], "").await;
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["status"], "success");
    assert_eq!(j["data"]["resultType"], "matrix");
    assert!(
        j["data"]["result"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["metric"]["node"] == "node-1" && s["metric"]["__name__"] == "up")
    );
    let r = request(a, "GET", &q, &[("X-API-Key", "p0m1n2b3")], "").await;
    assert!(
        r.json()["data"]["result"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["metric"]["node"] == "stg-node-1")
    );
}
