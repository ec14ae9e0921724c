//! The CLI for people, through the real binary against an in-test simulator: `check` exit
//! codes and one-line reasons, `tools`, `call`, the per-tool subcommands, and the demo.

use std::process::{Command, Output};

use crate::common::{BIN, sim};

fn run(url: &str, password: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("COROOT_URL", url)
        .env("COROOT_EMAIL", "admin")
        .env("COROOT_PASSWORD", password)
        .env_remove("COROOT_PROJECT")
        .env_remove("COROOT_MCP_CONFIG")
        .output()
        .expect("run coroot-mcp")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_exits_zero_when_connected_and_non_zero_with_one_line_otherwise() {
    let sim = sim().await;
    let ok = run(&sim.base_url(), "sim-password", &["check"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).starts_with("connected to Coroot 1.24.5"),
        "{}",
        text(&ok.stdout)
    );

    let bad = run(&sim.base_url(), "wrong", &["check"]);
    assert!(!bad.status.success());
    let err = text(&bad.stderr);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("invalid email or password"), "{err}");
    assert!(!err.contains("wrong"), "the password must not be echoed: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_call_and_friendly_subcommands_print_text_or_json() {
    let sim = sim().await;
    let url = sim.base_url();
    let list = run(&url, "sim-password", &["tools"]);
    assert!(text(&list.stdout).contains("coroot_get_incidents") && text(&list.stdout).contains("incidents"));

    let call = run(
        &url,
        "sim-password",
        &["call", "coroot_get_incidents", "--args", r#"{"lookback_hours": 24}"#],
    );
    assert!(call.status.success(), "{}", text(&call.stderr));
    assert!(
        text(&call.stdout).contains("OPEN CRITICAL q8w7e6r5"),
        "{}",
        text(&call.stdout)
    );

    let friendly = run(&url, "sim-password", &["app-detail", "--app-id", "payment", "--json"]);
    assert!(friendly.status.success(), "{}", text(&friendly.stderr));
    let json: serde_json::Value = serde_json::from_slice(&friendly.stdout).expect("--json prints JSON");
    assert!(json.to_string().contains("MemoryOOM"), "{json}");

    let bool_flag = run(
        &url,
        "sim-password",
        &["overview-logs", "--kubernetes-only", "--limit", "5"],
    );
    assert!(
        text(&bool_flag.stdout).contains("BackOff"),
        "{}",
        text(&bool_flag.stdout)
    );

    let bad_args = run(
        &url,
        "sim-password",
        &["call", "coroot_get_incidents", "--args", "{not json"],
    );
    assert!(!bad_args.status.success() && text(&bad_args.stderr).contains("--args is not valid JSON"));
    let unknown = run(&url, "sim-password", &["frobnicate"]);
    assert!(!unknown.status.success() && text(&unknown.stderr).contains("unknown command 'frobnicate'"));
}

#[test]
fn demo_walks_the_workflow_to_the_root_cause() {
    let out = Command::new(BIN)
        .arg("demo")
        .env_remove("COROOT_URL")
        .output()
        .expect("run demo");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Step 1: Check incidents"), "{stdout}");
    assert!(
        stdout.contains("coroot_get_node_detail"),
        "the walkthrough reaches the nodes step"
    );
    // Open-source Coroot has no RCA: the walk follows checkout's failing dependency.
    assert!(
        stdout.contains("Health checks of its failing dependency\n→ coroot_get_app_detail(app_id=\"k3h2x9qa:default:Deployment:payment\")"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Incident q8w7e6r5 on default/checkout traces back to default/payment."),
        "{stdout}"
    );
    assert!(
        stdout.contains("coroot_investigate: most likely OOM kills of default/payment"),
        "{stdout}"
    );
}

#[test]
fn a_missing_url_points_at_the_demo() {
    let out = Command::new(BIN)
        .arg("check")
        .env_remove("COROOT_URL")
        .env_remove("COROOT_MCP_CONFIG")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("coroot-mcp demo"), "{}", text(&out.stderr));
}

#[test]
fn a_reader_that_stops_early_is_not_a_crash() {
    use std::io::Read;
    let mut child = Command::new(BIN)
        .arg("demo")
        .env_remove("COROOT_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run demo");
    // Like `coroot-mcp demo | head -c 64`: take a little, then close the pipe.
    let mut first = [0u8; 64];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("some output");
    let out = child.wait_with_output().expect("demo ends");
    assert!(out.status.success(), "exit {:?}: {}", out.status, text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
}
