//! No secret ever shows: every error the client can produce, and the `Debug` of the client and
//! its configuration, are free of the password, the session cookie, the API key and custom
//! header values. Secrets are also only sent where they belong.

use std::time::Duration;

use crate::common::*;
use coroot_client::{AppId, ClientConfig, Error, Secret};
use coroot_sim::{Auth, Fault, FaultRule, Scenario, Simulator};

const PROXY_TOKEN: &str = "proxy-token-7f3a9c";

fn rule(path: &str, fault: Fault) -> FaultRule {
    FaultRule {
        path_contains: path.into(),
        fault,
        times: None,
    }
}

fn secret_config(url: &str) -> ClientConfig {
    let mut cfg = config(url);
    cfg.headers = vec![("X-Proxy-Token".into(), Secret::new(PROXY_TOKEN))];
    cfg.timeout = Duration::from_millis(300);
    cfg.max_body_bytes = 64 * 1024;
    cfg
}

fn assert_clean(text: &str, sim: &Simulator) {
    let mut secrets = vec![
        PASSWORD.to_string(),
        API_KEY.to_string(),
        PROXY_TOKEN.to_string(),
        "wrong-secret-pw".to_string(),
    ];
    secrets.extend(cookies_sent(sim));
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "'{text}' leaks a secret");
    }
}

#[tokio::test]
async fn no_error_or_debug_output_contains_a_secret() {
    let sim = ecommerce().await;
    let client = client_with(secret_config(&sim.base_url()));
    let range = last_hour();
    let mut errors: Vec<Error> = Vec::new();

    // Establish a session first so there is a cookie that could leak.
    client.user().await.unwrap();
    assert_eq!(cookies_sent(&sim).len(), 1);

    let ghost = AppId::new(format!("{PROD}:default:Deployment:ghost"));
    errors.push(client.app(PROD, &ghost, range).await.unwrap_err());
    errors.push(client.resolve_project(Some("nope")).await.unwrap_err());
    errors.push(client.get_raw("/api/nowhere", &[]).await.unwrap_err());
    errors.push(client.panel_data(PROD, range, "sum(", "", "").await.unwrap_err());
    errors.push(client.query_range(range, 60, "rate(x[5m]", "").await.unwrap_err());
    errors.push(client.node(PROD, "..", range).await.unwrap_err());

    sim.inject(rule(
        "/overview/traces",
        Fault::Status {
            code: 403,
            body: "You are not allowed to view traces.".into(),
        },
    ));
    errors.push(client.traces(PROD, range, &Default::default()).await.unwrap_err());
    sim.inject(rule(
        "/overview/applications",
        Fault::Status {
            code: 503,
            body: String::new(),
        },
    ));
    errors.push(client.applications(PROD, range).await.unwrap_err());
    sim.inject(rule("/overview/map", Fault::MalformedJson));
    errors.push(client.service_map(PROD, range).await.unwrap_err());
    sim.inject(rule("/overview/nodes", Fault::TruncatedJson));
    errors.push(client.nodes(PROD, range).await.unwrap_err());
    sim.inject(rule("/overview/risks", Fault::OversizedBody { bytes: 128 * 1024 }));
    errors.push(client.risks(PROD, range).await.unwrap_err());
    sim.inject(rule("/overview/costs", Fault::Latency(Duration::from_secs(2))));
    errors.push(client.costs(PROD, range).await.unwrap_err());
    sim.inject(rule("/overview/deployments", Fault::Html));
    errors.push(client.deployments(PROD, range).await.unwrap_err());
    sim.inject(rule("/incidents", Fault::ExpireSessionsAfter { requests: 0 }));
    errors.push(client.incidents(PROD, range.to_ms, 5).await.unwrap_err());

    let mut no_key = secret_config(&sim.base_url());
    no_key.api_key = None;
    errors.push(client_with(no_key).query_range(range, 60, "up", "").await.unwrap_err());
    errors.push(client_with(ClientConfig::new(sim.base_url())).user().await.unwrap_err());
    errors.push(
        client_with(secret_config(&sim.base_url()).with_password(EMAIL, "wrong-secret-pw"))
            .user()
            .await
            .unwrap_err(),
    );
    let first_run = sim_with_auth(Scenario::empty(), Auth::FirstRun).await;
    errors.push(
        client_with(secret_config(&first_run.base_url()))
            .user()
            .await
            .unwrap_err(),
    );
    let refused = format!("http://127.0.0.1:{}", closed_port());
    errors.push(client_with(secret_config(&refused)).user().await.unwrap_err());
    let tls = format!("https://{}", sim.addr());
    errors.push(client_with(secret_config(&tls)).user().await.unwrap_err());

    // Every class is represented.
    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|e| format!("{e:?}").split([' ', '(', '{']).next().unwrap_or("").to_string())
        .collect();
    for kind in [
        "NotFound",
        "UnknownProject",
        "NotCorootApi",
        "Api",
        "BadQuery",
        "InvalidInput",
        "Forbidden",
        "Decode",
        "BodyTooLarge",
        "Timeout",
        "Unauthorized",
        "MissingApiKey",
        "InvalidCredentials",
        "AdminPasswordNotSet",
        "Connect",
    ] {
        assert!(kinds.contains(kind), "no {kind} error among {kinds:?}");
    }
    for err in &errors {
        assert_clean(&err.to_string(), &sim);
        assert_clean(&format!("{err:?}"), &sim);
        assert_clean(&format!("{err:#?}"), &sim);
    }

    // The client and its configuration do not show their secrets either.
    assert_clean(&format!("{client:?}"), &sim);
    assert_clean(&format!("{:?}", client.config()), &sim);
    assert_clean(&format!("{:#?}", client.config()), &sim);
}

#[tokio::test]
async fn secrets_are_sent_only_where_they_belong() {
    let sim = ecommerce().await;
    let client = client_with(secret_config(&sim.base_url()));
    let range = last_hour();
    client.applications(PROD, range).await.unwrap();
    client
        .query_range(range, 60, "container_resources_memory_rss_bytes", "")
        .await
        .unwrap();
    client.health().await.unwrap();

    for req in sim.requests() {
        // The password travels only in the login body; the key only to query_range.
        assert!(!req.query.contains(PASSWORD) && !req.path.contains(PASSWORD));
        assert!(!req.query.contains(API_KEY) && !req.path.contains(API_KEY));
        let is_login = req.path == "/api/login";
        assert_eq!(req.body.contains(PASSWORD), is_login, "{} {}", req.method, req.path);
        let has_key = req.header("x-api-key").is_some();
        assert_eq!(has_key, req.path == "/api/v1/query_range", "{}", req.path);
        let has_cookie = req.header("cookie").is_some();
        assert_eq!(has_cookie, req.path.starts_with("/api/project/"), "{}", req.path);
    }
    // The custom header goes on the API requests (a proxy in front of Coroot needs it).
    let apps = last_request(&sim, &format!("/api/project/{PROD}/overview/applications"));
    assert_eq!(apps.header("x-proxy-token"), Some(PROXY_TOKEN));
}
