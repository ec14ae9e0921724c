//! Each class of error the client reports, produced by the simulator over real HTTP: wrong URLs
//! that answer the UI's HTML, Coroot's 403/404/400 texts, and broken 2xx bodies.

use crate::common::*;
use coroot_client::{AppId, Client, ClientConfig, Error, Object, TraceQuery};
use coroot_sim::{Fault, FaultRule, Scenario, SimConfig};

fn fault(path: &str, fault: Fault) -> FaultRule {
    FaultRule {
        path_contains: path.into(),
        fault,
        times: None,
    }
}

#[tokio::test]
async fn unknown_api_path_is_not_the_coroot_api() {
    let sim = ecommerce().await;
    let client = client(&sim);
    let err = expect_err(client.get_raw("/api/does-not-exist", &[]).await, Some(&sim));
    match &err {
        Error::NotCorootApi { url, endpoint } => {
            assert_eq!(url, &sim.base_url());
            assert_eq!(endpoint, "/api/does-not-exist");
        }
        other => panic!("expected NotCorootApi, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("HTML") && shown.contains("COROOT_URL"), "{shown}");
}

#[tokio::test]
async fn html_answer_on_an_api_route_is_not_the_coroot_api() {
    let sim = ecommerce().await;
    let client = client(&sim);
    sim.inject(fault("/overview/applications", Fault::Html));
    let err = expect_err(client.applications(PROD, last_hour()).await, Some(&sim));
    assert!(
        matches!(&err, Error::NotCorootApi { endpoint, .. } if endpoint.ends_with("/overview/applications")),
        "{err:?}"
    );
    // An HTML page on the login route is the same mistake.
    let sim = ecommerce().await;
    sim.inject(fault("/api/login", Fault::Html));
    let err = expect_err(crate::common::client(&sim).user().await, Some(&sim));
    assert!(
        matches!(&err, Error::NotCorootApi { endpoint, .. } if endpoint == "/api/login"),
        "{err:?}"
    );
}

#[tokio::test]
async fn missing_base_path_is_reported_as_a_wrong_url() {
    let sim = sim_with(
        Scenario::ecommerce(),
        SimConfig {
            base_path: "/coroot/".into(),
            ..sim_config()
        },
    )
    .await;
    assert!(sim.base_url().ends_with("/coroot"));

    // Without the base path every route is redirected to the UI page.
    let root = format!("http://{}", sim.addr());
    let wrong = client_with(config(&root));
    let err = expect_err(wrong.user().await, Some(&sim));
    assert!(matches!(err, Error::NotCorootApi { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("base path"), "{shown}");
    let anonymous = client_with(ClientConfig::new(root.as_str()));
    let err = expect_err(anonymous.applications(PROD, last_hour()).await, Some(&sim));
    assert!(matches!(err, Error::NotCorootApi { .. }), "{err:?}");

    // With it, everything works, and /health is still found at the root.
    let right = client(&sim);
    assert_eq!(right.resolve_project(None).await.unwrap().id, PROD);
    right.health().await.unwrap();
    assert_eq!(right.server_info().await.unwrap().version.as_deref(), Some("1.24.5"));
    assert!(requests_to(&sim, "/coroot/api/user").len() == 1);
    assert!(requests_to(&sim, "/health").len() == 1);
}

#[tokio::test]
async fn not_found_keeps_coroots_message() {
    let sim = ecommerce().await;
    let client = client(&sim);
    let ghost = AppId::new(format!("{PROD}:default:Deployment:ghost"));
    let err = expect_err(client.app(PROD, &ghost, last_hour()).await, Some(&sim));
    match &err {
        Error::NotFound {
            endpoint,
            object,
            message,
        } => {
            assert_eq!(message, "Application not found");
            assert_eq!(*object, Object::Application);
            assert!(endpoint.contains("%3Aghost"), "{endpoint}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(err.to_string().contains("Application not found"));
    assert_eq!(err.status(), Some(404));

    let err = expect_err(client.incident(PROD, "nonexist").await, Some(&sim));
    assert!(
        matches!(&err, Error::NotFound { message, object: Object::Incident, .. } if message == "Incident not found"),
        "{err:?}"
    );
    let err = expect_err(client.node(PROD, "node-9", last_hour()).await, Some(&sim));
    assert!(
        matches!(&err, Error::NotFound { message, object: Object::Node, .. } if message == "Node not found"),
        "{err:?}"
    );
    // 404s are not retried.
    assert_eq!(requests_to(&sim, &format!("/api/project/{PROD}/node/node-9")).len(), 1);
}

#[tokio::test]
async fn not_found_names_the_missing_object_from_the_endpoint_and_an_unknown_project() {
    let sim = ecommerce().await;
    let client = client(&sim);
    let object = |err: Error| match err {
        Error::NotFound { object, .. } => object,
        other => panic!("expected NotFound, got {other:?}"),
    };
    // Any project endpoint can say the project itself is unknown, whatever it reads.
    let err = expect_err(
        client.incidents("nosuchproject", last_hour().to_ms, 5).await,
        Some(&sim),
    );
    assert_eq!(object(err), Object::Project);
    let err = expect_err(
        client
            .panel_data(
                "nosuchproject",
                last_hour(),
                "container_resources_memory_rss_bytes",
                "",
                "",
            )
            .await,
        Some(&sim),
    );
    assert_eq!(object(err), Object::Project);

    // One trace, the traces view, and a raw GET.
    sim.inject(fault(
        "/overview/traces",
        Fault::Status {
            code: 404,
            body: "not here".into(),
        },
    ));
    let one = TraceQuery {
        trace_id: Some(ERROR_TRACE.into()),
        ..TraceQuery::default()
    };
    let err = expect_err(client.traces(PROD, last_hour(), &one).await, Some(&sim));
    assert_eq!(object(err), Object::Trace);
    let err = expect_err(
        client.traces(PROD, last_hour(), &TraceQuery::default()).await,
        Some(&sim),
    );
    assert_eq!(object(err), Object::Project);
    let path = format!("/api/project/{PROD}/overview/traces");
    let err = expect_err(client.get_raw(&path, &[]).await, Some(&sim));
    assert_eq!(object(err), Object::Other);
}

#[tokio::test]
async fn forbidden_keeps_coroots_sentence() {
    let sim = ecommerce().await;
    let client = client(&sim);
    sim.inject(fault(
        "/overview/traces",
        Fault::Status {
            code: 403,
            body: "You are not allowed to view traces.".into(),
        },
    ));
    let err = expect_err(client.traces(PROD, last_hour(), &Default::default()).await, Some(&sim));
    match &err {
        Error::Forbidden { endpoint, message } => {
            assert_eq!(message, "You are not allowed to view traces.");
            assert!(endpoint.ends_with("/overview/traces"));
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert!(err.to_string().contains("You are not allowed to view traces."));
    assert_eq!(err.status(), Some(403));
    assert!(!err.is_transient());
}

#[tokio::test]
async fn promql_parse_error_is_a_400_with_the_parser_message() {
    let sim = ecommerce().await;
    let client = client(&sim);
    let err = expect_err(
        client
            .panel_data(
                PROD,
                last_hour(),
                "sum(rate(container_resources_memory_rss_bytes[5m])",
                "",
                "",
            )
            .await,
        Some(&sim),
    );
    match &err {
        Error::BadQuery { endpoint, message } => {
            assert_eq!(endpoint, &format!("/api/project/{PROD}/panel/data"));
            assert!(message.contains("parse error"), "{message}");
        }
        other => panic!("expected BadQuery, got {other:?}"),
    }
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("parse error"));
    assert!(
        err.to_string().starts_with("Coroot rejected the PromQL query: ")
            && err.to_string().ends_with("; fix the expression and retry"),
        "{err}"
    );
    assert_eq!(
        requests_to(&sim, &format!("/api/project/{PROD}/panel/data")).len(),
        1,
        "a 400 is not retried"
    );

    // The Prometheus route answers JSON errors; the client lifts their `error` text.
    let err = expect_err(
        client
            .query_range(last_hour(), 60, "rate(container_resources_memory_rss_bytes[5m]", "")
            .await,
        Some(&sim),
    );
    assert!(
        matches!(&err, Error::BadQuery { endpoint, message } if endpoint == "/api/v1/query_range" && message.contains("parse error")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_query_range_error_in_a_2xx_answer_is_a_bad_query() {
    let sim = ecommerce().await;
    let client = client(&sim);
    sim.inject(fault(
        "/api/v1/query_range",
        Fault::Body {
            status: 200,
            content_type: "application/json".into(),
            body: br#"{"status":"error","errorType":"bad_data","error":"invalid parameter 'query'"}"#.to_vec(),
        },
    ));
    let err = expect_err(client.query_range(last_hour(), 60, "up", "").await, Some(&sim));
    assert!(
        matches!(&err, Error::BadQuery { message, .. } if message == "invalid parameter 'query'"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Coroot rejected the PromQL query: invalid parameter 'query'; fix the expression and retry"
    );
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_naming_the_endpoint() {
    let sim = ecommerce().await;
    let client = client(&sim);
    sim.inject(fault("/overview/nodes", Fault::MalformedJson));
    let err = expect_err(client.nodes(PROD, last_hour()).await, Some(&sim));
    let endpoint = format!("/api/project/{PROD}/overview/nodes");
    assert!(
        matches!(&err, Error::Decode { endpoint: e, .. } if *e == endpoint),
        "{err:?}"
    );
    assert!(err.to_string().contains(&endpoint));
    assert_eq!(requests_to(&sim, &endpoint).len(), 1, "a decode error is not retried");
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_on_every_endpoint() {
    let sim = ecommerce().await;
    let client = client(&sim);
    // Log in first: the fault would also cut the login's answer (and drop its cookie).
    client.user().await.unwrap();
    sim.inject(fault("", Fault::TruncatedJson));
    let range = last_hour();
    let payment = AppId::new(format!("{PROD}:default:Deployment:payment"));
    let results = vec![
        ("/api/user", client.user().await.err()),
        ("/status", client.project_status(PROD).await.err()),
        ("/overview/applications", client.applications(PROD, range).await.err()),
        ("/overview/map", client.service_map(PROD, range).await.err()),
        ("/overview/costs", client.costs(PROD, range).await.err()),
        ("/incidents", client.incidents(PROD, range.to_ms, 5).await.err()),
        ("/incident/q8w7e6r5", client.incident(PROD, "q8w7e6r5").await.err()),
        ("%3Apayment", client.app(PROD, &payment, range).await.err()),
        ("/node/node-1", client.node(PROD, "node-1", range).await.err()),
        (
            "/panel/data",
            client
                .panel_data(PROD, range, "container_resources_memory_rss_bytes", "", "")
                .await
                .err(),
        ),
        (
            "/api/v1/query_range",
            client
                .query_range(range, 60, "container_resources_memory_rss_bytes", "")
                .await
                .err(),
        ),
    ];
    for (endpoint, err) in results {
        let err = err.unwrap_or_else(|| panic!("{endpoint}: a truncated body must fail"));
        secret_free(&err, Some(&sim));
        match &err {
            Error::Decode { endpoint: e, detail } => {
                assert!(e.contains(endpoint), "{e} should name {endpoint}");
                assert!(!detail.is_empty());
            }
            other => panic!("{endpoint}: expected Decode, got {other:?}"),
        }
        assert!(err.to_string().contains(endpoint));
    }
}

#[tokio::test]
async fn oversized_body_is_refused_past_the_cap() {
    let sim = ecommerce().await;
    let mut cfg = config(&sim.base_url());
    cfg.max_body_bytes = 64 * 1024;
    let client = client_with(cfg);
    sim.inject(fault("/overview/risks", Fault::OversizedBody { bytes: 256 * 1024 }));
    let err = expect_err(client.risks(PROD, last_hour()).await, Some(&sim));
    match &err {
        Error::BodyTooLarge { endpoint, limit } => {
            assert!(endpoint.ends_with("/overview/risks"));
            assert_eq!(*limit, 64 * 1024);
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
    assert!(err.to_string().contains("65536"));

    // Under the cap the padded body is just JSON with an extra key.
    sim.clear_faults();
    sim.inject(fault("/overview/risks", Fault::OversizedBody { bytes: 32 * 1024 }));
    assert_eq!(client.risks(PROD, last_hour()).await.unwrap().len(), 6);
}

#[tokio::test]
async fn invalid_input_never_reaches_the_server() {
    let sim = ecommerce().await;
    let client = client(&sim);
    let err = expect_err(client.node(PROD, "..", last_hour()).await, Some(&sim));
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = expect_err(client.incident(PROD, " ").await, Some(&sim));
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = expect_err(client.project_status("a\nb").await, Some(&sim));
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(sim.requests().is_empty());

    // A node name with a slash stays one path segment.
    let err = expect_err(client.node(PROD, "../x", last_hour()).await, Some(&sim));
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(requests_to(&sim, &format!("/api/project/{PROD}/node/..%2Fx")).len(), 1);
}

#[tokio::test]
async fn bad_configuration_is_refused_up_front() {
    for url in ["coroot:8080", "ftp://coroot", "http://coroot:8080/?x=1"] {
        let err = Client::new(ClientConfig::new(url)).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
    }
    let err = Client::new(ClientConfig::new("http://coroot").with_password("admin", "")).unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

/// A plain HTTP server that is not Coroot: it answers every request with `status`,
/// `content_type` and `body`, like Prometheus' or nginx's "not found".
async fn foreign_server(status: &'static str, content_type: &'static str, body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the head and any body (by Content-Length) before answering.
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let answer = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

#[tokio::test]
async fn a_server_that_is_not_coroot_is_not_mistaken_for_a_wrong_password() {
    // Go's default "not found", as Prometheus or another Go service answers.
    let url = foreign_server("404 Not Found", "text/plain; charset=utf-8", "404 page not found\n").await;
    let err = expect_err(client_with(config(&url)).user().await, None);
    assert!(matches!(err, Error::NotCorootApi { .. }), "{err:?}");
    assert!(err.to_string().contains("COROOT_URL"));
    let err = expect_err(client_with(ClientConfig::new(url.as_str())).user().await, None);
    assert!(
        matches!(&err, Error::NotFound { message, .. } if message == "404 page not found"),
        "{err:?}"
    );

    // A reverse proxy's HTML error page.
    let url = foreign_server(
        "404 Not Found",
        "text/html",
        "<html><body><h1>404 Not Found</h1><hr><center>nginx</center></body></html>",
    )
    .await;
    let err = expect_err(client_with(config(&url)).user().await, None);
    assert!(matches!(err, Error::NotCorootApi { .. }), "{err:?}");
}
