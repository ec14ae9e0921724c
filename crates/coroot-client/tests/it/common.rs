//! Shared helpers of the integration tests: a simulator with a fixed clock, clients with short
//! retry backoffs, request filters, and the secret-leak check every error goes through.

use std::time::Duration;

use coroot_client::{Client, ClientConfig, Error, TimeRange};
use coroot_sim::{Auth, RecordedRequest, Scenario, SimConfig, Simulator};

/// The simulator's fixed "now" (2025-11-24T16:00:00Z), so every time assertion is exact.
pub const NOW: i64 = 1_764_000_000_000;
pub const MIN: i64 = 60_000;
pub const HOUR: i64 = 60 * MIN;
pub const DAY: i64 = 24 * HOUR;

/// The simulator's default account and API key.
pub const EMAIL: &str = "admin";
pub const PASSWORD: &str = "sim-password";
pub const API_KEY: &str = "sim-api-key";

/// The e-commerce scenario's projects.
pub const PROD: &str = "k3h2x9qa";
pub const STAGING: &str = "p0m1n2b3";
/// The error trace that ties frontend → checkout → payment together.
pub const ERROR_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// The simulator configuration with the fixed clock.
pub fn sim_config() -> SimConfig {
    SimConfig {
        now_ms: Some(NOW),
        ..SimConfig::default()
    }
}

/// A simulator of `scenario` with password auth and the fixed clock.
pub async fn sim_with(scenario: Scenario, config: SimConfig) -> Simulator {
    Simulator::start(scenario, config).await.expect("the simulator starts")
}

/// The e-commerce simulator with default settings.
pub async fn ecommerce() -> Simulator {
    sim_with(Scenario::ecommerce(), sim_config()).await
}

/// A simulator with another auth mode.
pub async fn sim_with_auth(scenario: Scenario, auth: Auth) -> Simulator {
    sim_with(scenario, SimConfig { auth, ..sim_config() }).await
}

/// Client settings for tests: the sim's credentials and key, short backoffs, a 5 s timeout,
/// and no response cache: these tests watch each request reach the simulator (the cache has
/// its own tests in `caching.rs`).
pub fn config(url: &str) -> ClientConfig {
    let mut c = ClientConfig::new(url).with_password(EMAIL, PASSWORD);
    c.response_ttl = Duration::ZERO;
    c.api_key = Some(API_KEY.into());
    c.retry_backoff = Duration::from_millis(10);
    c.timeout = Duration::from_secs(5);
    c.connect_timeout = Duration::from_secs(2);
    c
}

/// A client of `sim` with [`config`].
pub fn client(sim: &Simulator) -> Client {
    Client::new(config(&sim.base_url())).expect("the client builds")
}

/// A client built from a configuration.
pub fn client_with(config: ClientConfig) -> Client {
    Client::new(config).expect("the client builds")
}

/// The last hour before [`NOW`].
pub fn last_hour() -> TimeRange {
    TimeRange::last_hours(NOW, 1.0)
}

/// Requests whose path is exactly `path`.
pub fn requests_to(sim: &Simulator, path: &str) -> Vec<RecordedRequest> {
    sim.requests().into_iter().filter(|r| r.path == path).collect()
}

/// The last request whose path is exactly `path`.
pub fn last_request(sim: &Simulator, path: &str) -> RecordedRequest {
    requests_to(sim, path)
        .pop()
        .unwrap_or_else(|| panic!("the simulator received no request to {path}"))
}

/// The `query` parameter of the last request to `path`, parsed as JSON.
pub fn query_json(sim: &Simulator, path: &str) -> serde_json::Value {
    let req = last_request(sim, path);
    let raw = req
        .param("query")
        .unwrap_or_else(|| panic!("no query parameter on {path}"));
    serde_json::from_str(raw).expect("the query parameter is JSON")
}

/// Number of `POST /api/login` requests (successful or not).
pub fn login_attempts(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/api/login"))
        .count()
}

/// Every session cookie value the client sent to `sim`.
pub fn cookies_sent(sim: &Simulator) -> Vec<String> {
    let mut out: Vec<String> = sim
        .requests()
        .iter()
        .filter_map(|r| r.header("cookie").map(str::to_string))
        .flat_map(|h| {
            h.split(';')
                .filter_map(|c| c.trim().strip_prefix("coroot_session=").map(str::to_string))
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Asserts that neither the message nor the `Debug` form of `err` carries the password, the
/// API key or any session cookie `sim` issued, then returns the message for further checks.
pub fn secret_free(err: &Error, sim: Option<&Simulator>) -> String {
    let shown = err.to_string();
    let debug = format!("{err:?}");
    let mut secrets = vec![PASSWORD.to_string(), API_KEY.to_string()];
    if let Some(sim) = sim {
        secrets.extend(cookies_sent(sim));
    }
    for secret in &secrets {
        assert!(
            !shown.contains(secret.as_str()),
            "error message leaks a secret: {shown}"
        );
        assert!(!debug.contains(secret.as_str()), "error Debug leaks a secret: {debug}");
    }
    shown
}

/// Unwraps the error of `result`, checks it for secrets and returns it.
pub fn expect_err<T: std::fmt::Debug>(result: coroot_client::Result<T>, sim: Option<&Simulator>) -> Error {
    let err = result.expect_err("the call should fail");
    secret_free(&err, sim);
    err
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let port = listener.local_addr().expect("local addr").port();
    drop(listener);
    port
}
