//! Test support: the simulator with a fixed clock, and a tool context pointed at it.

#![allow(clippy::expect_used, clippy::panic)]

use coroot_client::{Client, ClientConfig};
use coroot_sim::{Scenario, SimConfig, Simulator};

use crate::context::{Clock, Limits, ToolContext};

pub use coroot_sim::testing::{NOW_MS, assert_no_secret};

/// The public URL the test kit's links start with.
pub const PUBLIC_URL: &str = "https://coroot.example.com";

/// Links for project `p1` over the test clock's last hour, for outputs built without a
/// simulator.
pub fn ui() -> crate::links::Ui {
    crate::links::Ui::new(PUBLIC_URL, "p1", coroot_client::TimeRange::last_hours(NOW_MS, 1.0))
}

/// `text` without the pinned window the footer adds to every suggested call, for tests about
/// what a hint suggests rather than its window.
pub fn unpinned(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("from='") {
        let value = at + "from='".len();
        let Some(mut end) = rest[value..].find('\'').map(|q| value + q + 1) else {
            break;
        };
        if let Some(to) = rest[end..].strip_prefix(", to='") {
            end = to.find('\'').map_or(end, |q| rest.len() - to.len() + q + 1);
        }
        let start = if rest[..at].ends_with(", ") { at - 2 } else { at };
        out.push_str(&rest[..start]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A running simulator and a context logged in to it.
pub struct Kit {
    /// The simulator (keep it alive for the test's duration).
    pub sim: Simulator,
    /// Context with the fixed clock.
    pub ctx: ToolContext,
}

/// Starts `scenario` on loopback and builds a context for it.
pub async fn start(scenario: Scenario) -> Kit {
    start_with(scenario, SimConfig::default()).await
}

/// Starts `scenario` with `config` (its clock set to [`NOW_MS`]), e.g. another Coroot version.
pub async fn start_with(scenario: Scenario, config: SimConfig) -> Kit {
    let config = SimConfig {
        now_ms: Some(NOW_MS),
        ..config
    };
    let sim = Simulator::start(scenario, config).await.expect("simulator starts");
    let mut client_config = ClientConfig::new(sim.base_url()).with_password("admin", "sim-password");
    // The synthetic world's 40 MB costs answer takes seconds on a loaded CI machine; a test
    // about timeouts builds its own client.
    client_config.timeout = std::time::Duration::from_secs(180);
    let client = Client::new(client_config).expect("client");
    let ctx = ToolContext {
        clock: Clock::Fixed(NOW_MS),
        limits: Limits::default(),
        // The simulator's port changes every run; the links in snapshots should not.
        public_url: Some(PUBLIC_URL.into()),
        ..ToolContext::new(client)
    };
    Kit { sim, ctx }
}

/// The realistic scenario.
pub async fn ecommerce() -> Kit {
    start(Scenario::ecommerce()).await
}

/// The e-commerce scenario as Coroot Enterprise/Cloud serves it: incidents carry an AI RCA
/// (open-source Coroot answers "AI disabled").
pub async fn cloud_rca() -> Kit {
    start(Scenario::ecommerce().with_cloud_rca()).await
}

/// Runs tool `T` with JSON arguments, panicking on error.
pub async fn run<T: crate::tool::Tool>(kit: &Kit, args: serde_json::Value) -> crate::tool::ToolOutput {
    match crate::tool::call::<T>(&kit.ctx, args).await {
        Ok(out) => out,
        Err(e) => panic!("{} failed: {e}", T::NAME),
    }
}

/// Runs tool `T` expecting an error; returns its message.
pub async fn run_err<T: crate::tool::Tool>(kit: &Kit, args: serde_json::Value) -> String {
    match crate::tool::call::<T>(&kit.ctx, args).await {
        Ok(out) => panic!("{} unexpectedly succeeded:\n{}", T::NAME, out.text),
        Err(e) => e.to_string(),
    }
}

/// The answer of tool `T` for an output built by hand, at the fixed clock and the seed's cap.
pub fn answer<T: crate::tool::Tool>(out: &T::Output) -> (String, serde_json::Value) {
    let frame = crate::render::Frame {
        cap: Limits::default().max_chars,
        now_ms: NOW_MS,
    };
    let mut structured = serde_json::to_value(out).expect("the output serialises");
    let text = T::render(out, frame).finish(&mut structured);
    (text, structured)
}

/// Asserts that `value` validates against `schema` (JSON Schema 2020-12, what MCP assumes when
/// a schema names no draft), the way the MCP SDK clients check `structuredContent`.
pub fn assert_conforms(what: &str, schema: &serde_json::Value, value: &serde_json::Value) {
    let validator = jsonschema::draft202012::new(schema)
        .unwrap_or_else(|e| panic!("{what}: the output schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(value)
        .take(5)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the structured result does not validate against its output schema: {errors:#?}"
    );
}

/// Asserts that tool `T`'s answer for `out`, as `call` would return it, validates against
/// the schema `T` publishes.
pub fn assert_output_conforms<T: crate::Tool>(out: &T::Output) {
    let (_, structured) = answer::<T>(out);
    assert_conforms(T::NAME, &(crate::tool::spec::<T>().output_schema)(), &structured);
}

/// Whether a suspect of coroot_investigate's structured result names `cause` (by its main kind
/// or any of its signals, and its app or node): how the RCA tests and benchmark score a ranking.
pub fn names_cause(suspect: &serde_json::Value, cause: &coroot_sim::ExpectedCause) -> bool {
    let kinds = std::iter::once(&suspect["kind"]).chain(suspect["signals"].as_array().into_iter().flatten());
    kinds
        .filter_map(serde_json::Value::as_str)
        .any(|k| cause.matches(suspect["app"].as_str(), k, suspect["node"].as_str()))
}
