//! Evidence a person can click and pin: a window given as `from`/`to` is the window Coroot is
//! asked about (seen on the wire, in the simulator's request log), every answer states it, and
//! the calls an answer suggests carry it; every answer links into Coroot's UI at the URL people
//! open it at.

use coroot_tools::testing::{self, NOW_MS};
use coroot_tools::{TOOLS, ToolContext};
use serde_json::{Value, json};

/// Every tool with arguments that make it answer on the e-commerce story.
const CALLS: &[(&str, &str)] = &[
    ("coroot_get_incidents", "{}"),
    ("coroot_get_incident_detail", r#"{"incident_key": "q8w7e6r5"}"#),
    ("coroot_get_applications", "{}"),
    ("coroot_get_app_detail", r#"{"app_id": "payment"}"#),
    ("coroot_get_app_logs", r#"{"app_id": "payment"}"#),
    ("coroot_get_overview_logs", r#"{"severity": "error"}"#),
    ("coroot_get_traces", "{}"),
    ("coroot_get_service_map", "{}"),
    ("coroot_query_metrics", r#"{"promql": "up"}"#),
    ("coroot_get_deployments", "{}"),
    ("coroot_get_nodes", "{}"),
    ("coroot_get_node_detail", r#"{"node_name": "node-3"}"#),
    ("coroot_get_costs", "{}"),
    ("coroot_get_risks", "{}"),
    ("coroot_investigate", "{}"),
];

async fn call(ctx: &ToolContext, tool: &str, args: Value) -> coroot_tools::ToolOutput {
    let spec = coroot_tools::find(tool).unwrap();
    (spec.call)(ctx, args).await.unwrap_or_else(|e| panic!("{tool}: {e}"))
}

fn with(args: &str, extra: Value) -> Value {
    let mut args: Value = serde_json::from_str(args).unwrap();
    args.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    args
}

#[tokio::test]
async fn a_pinned_window_is_what_coroot_is_asked_and_what_every_answer_states() {
    assert_eq!(CALLS.len(), TOOLS.len(), "every tool is called");
    let kit = testing::ecommerce().await;
    // Two hours ending 40 minutes before the test clock's now, in the forms an agent may send:
    // ISO 8601 in UTC, epoch ms, and an offset time with epoch seconds as a string.
    let to = NOW_MS - 40 * 60_000;
    let from = to - 2 * 3_600_000;
    for (first, (from_arg, to_arg)) in [
        (json!("2025-11-24T13:20:00Z"), json!("2025-11-24T15:20:00Z")),
        (json!(from), json!(to)),
        (json!("2025-11-24T15:20:00+02:00"), json!(format!("{}", to / 1000))),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, w)| (i == 0, w))
    {
        for (tool, args) in CALLS {
            let before = kit.sim.requests().len();
            let out = call(&kit.ctx, tool, with(args, json!({"from": from_arg, "to": to_arg}))).await;
            if *tool == "coroot_get_incident_detail" {
                // Coroot picks an incident's window itself, and the answer says so.
                assert!(out.text.contains("from and to are not used here"), "{}", out.text);
                continue;
            }
            let window = &out.structured["window"];
            assert_eq!(window["pinned"], true, "{tool}: {window}");
            let (f, t) = (window["from"].as_str().unwrap(), window["to"].as_str().unwrap());
            assert_eq!(
                (f, t),
                ("2025-11-24T13:20:00Z", "2025-11-24T15:20:00Z"),
                "{tool} {from_arg} {to_arg}"
            );
            assert!(
                out.text.contains(&format!("{f} → {t}")),
                "{tool} states its window: {}",
                out.text
            );
            // PromQL goes to Prometheus with its own start/end; every view is asked about ours.
            // The three forms name the same minutes, so after the first the client's response
            // cache answers: the request is the one already on the wire.
            if *tool != "coroot_query_metrics" {
                let sent = kit.sim.requests()[if first { before } else { 0 }..]
                    .iter()
                    .filter(|r| r.query.contains("from="))
                    .map(|r| r.query.clone())
                    .collect::<Vec<_>>();
                let from_ms = jiff_ms(f);
                let to_ms = jiff_ms(t);
                assert!(
                    sent.iter()
                        .any(|q| q.contains(&format!("from={from_ms}")) && q.contains(&format!("to={to_ms}"))),
                    "{tool} asked Coroot about {f} → {t}: {sent:?}"
                );
            }
            // Every call the answer suggests looks at the same minutes.
            for hint in out.text.lines().filter(|l| l.starts_with("next:")) {
                let calls = hint.split("coroot_").skip(1).filter_map(|c| {
                    let (name, args) = c.split_once('(')?;
                    name.chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch == '_')
                        .then_some(args)
                });
                for args in calls {
                    assert!(
                        args.contains(&format!("from='{f}', to='{t}'")) || args.contains("lookback_hours="),
                        "{tool}: a suggested call without the window: {hint}"
                    );
                }
            }
        }
    }
}

fn jiff_ms(iso: &str) -> i64 {
    iso.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

#[tokio::test]
async fn the_suggested_call_asks_coroot_about_the_same_minutes() {
    let kit = testing::ecommerce().await;
    let first = call(&kit.ctx, "coroot_get_applications", json!({"lookback_hours": 3})).await;
    let hint = first
        .text
        .lines()
        .find(|l| l.starts_with("next: coroot_get_app_detail("))
        .unwrap();
    // Run the hint as an agent would: its arguments, parsed.
    let args = &hint[hint.find('(').unwrap() + 1..hint.find(')').unwrap()];
    let args: serde_json::Map<String, Value> = args
        .split(", ")
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), Value::from(v.trim_matches('\'')))
        })
        .collect();
    let before = kit.sim.requests().len();
    let out = call(&kit.ctx, "coroot_get_app_detail", Value::Object(args)).await;
    assert_eq!(out.structured["window"]["from"], first.structured["window"]["from"]);
    assert_eq!(out.structured["window"]["to"], first.structured["window"]["to"]);
    let from = jiff_ms(first.structured["window"]["from"].as_str().unwrap());
    let sent = &kit.sim.requests()[before..];
    assert!(
        sent.iter()
            .any(|r| r.path.contains("/app/") && r.query.contains(&format!("from={from}"))),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_window_that_cannot_be_is_refused_or_adjusted_and_said_so() {
    let kit = testing::ecommerce().await;
    let spec = coroot_tools::find("coroot_get_nodes").unwrap();
    let ctx = &kit.ctx;
    let err = |args: Value| async move { (spec.call)(ctx, args).await.unwrap_err().to_string() };
    let e = err(json!({"from": "2025-11-24T15:00:00Z", "to": "2025-11-24T14:00:00Z"})).await;
    assert!(
        e.contains("from=2025-11-24T15:00:00Z is not before to=2025-11-24T14:00:00Z"),
        "{e}"
    );
    let e = err(json!({"from": "2025-11-24T15:00:00Z", "lookback_hours": 2})).await;
    assert!(e.contains("from and lookback_hours were both given"), "{e}");
    let e = err(json!({"from": "yesterday"})).await;
    assert!(e.contains("from: expected an ISO 8601 time"), "{e}");
    let out = (spec.call)(&kit.ctx, json!({"from": "2025-01-01", "to": "2025-11-24T00:00:00Z"}))
        .await
        .unwrap();
    assert_eq!(out.structured["window"]["lookback_hours"], 720.0);
    assert!(
        out.text
            .contains("note: from=2025-01-01T00:00:00Z is more than 30d before to"),
        "{}",
        out.text
    );
    let out = (spec.call)(&kit.ctx, json!({"to": "2030-01-01T00:00:00Z"}))
        .await
        .unwrap();
    assert!(
        out.text
            .contains("note: to=2030-01-01T00:00:00Z is in the future; used now"),
        "{}",
        out.text
    );
    // Both ends adjusted: the note names both.
    let out = (spec.call)(&kit.ctx, json!({"to": "2030-01-01T00:00:00Z", "lookback_hours": 1000}))
        .await
        .unwrap();
    let both =
        "note: to=2030-01-01T00:00:00Z is in the future; used now; lookback_hours=1000 is outside (0, 720]; used 30d";
    assert!(out.text.contains(both), "{}", out.text);
    // `to` alone pins the end; lookback_hours counts back from it.
    let out = (spec.call)(&kit.ctx, json!({"to": "2025-11-24T12:00:00Z", "lookback_hours": 2}))
        .await
        .unwrap();
    assert_eq!(out.structured["window"]["from"], "2025-11-24T10:00:00Z");
}

#[tokio::test]
async fn every_answer_links_into_coroot_at_the_url_people_open_it_at() {
    let mut kit = testing::ecommerce().await;
    for public in [None, Some("https://coroot.example.com/coroot")] {
        kit.ctx.public_url = public.map(String::from);
        let base = public.map_or_else(|| kit.sim.base_url(), String::from);
        for (tool, args) in CALLS.iter().filter(|(t, _)| *t != "coroot_query_metrics") {
            let out = call(&kit.ctx, tool, serde_json::from_str(args).unwrap()).await;
            let url = out.structured["url"]
                .as_str()
                .or_else(|| out.structured["incident"]["url"].as_str())
                .or_else(|| out.structured["suspects"][0]["url"].as_str())
                .or_else(|| out.structured["deployments"][0]["url"].as_str())
                .unwrap_or_else(|| panic!("{tool}: no url in {}", out.structured));
            assert!(url.starts_with(&format!("{base}/p/k3h2x9qa/")), "{tool}: {url}");
            assert!(out.text.contains(url), "{tool}: the text carries {url}");
            assert!(
                out.resources.iter().any(|r| r.uri.starts_with(&base)),
                "{tool}: resource links {:?}",
                out.resources
            );
        }
    }
    // A Coroot served under a base path (`--url-base-path`) is linked under it.
    let sub = testing::start_with(
        coroot_sim::Scenario::ecommerce(),
        coroot_sim::SimConfig {
            base_path: "/coroot/".into(),
            ..coroot_sim::SimConfig::default()
        },
    )
    .await;
    let mut ctx = sub.ctx.clone();
    ctx.public_url = None;
    let base = sub.sim.base_url();
    assert!(base.ends_with("/coroot"), "{base}");
    let out = call(&ctx, "coroot_get_nodes", json!({})).await;
    let url = out.structured["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{base}/p/k3h2x9qa/nodes?from=")), "{url}");
    // Objects in lists carry their own pages.
    let out = call(&kit.ctx, "coroot_get_applications", json!({})).await;
    let payment = out.structured["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"].as_str().unwrap().ends_with(":payment"))
        .unwrap();
    assert_eq!(
        payment["url"],
        "https://coroot.example.com/coroot/p/k3h2x9qa/applications/k3h2x9qa:default:Deployment:payment?from=1763996400000&to=1764000000000"
    );
    let out = call(&kit.ctx, "coroot_get_incidents", json!({})).await;
    assert!(
        out.text
            .contains("https://coroot.example.com/coroot/p/k3h2x9qa/incidents?incident=q8w7e6r5")
    );
}

/// True when byte `at` of `line` is inside a `⟦ ⟧` fence.
fn fenced_at(line: &str, at: usize) -> bool {
    let before = &line[..at];
    before.matches('⟦').count() > before.matches('⟧').count()
}

/// Every place `text` repeats what the hostile logs say sits inside a fence, on its line.
fn assert_fenced(tool: &str, text: &str) {
    const SAID: &[&str] = &[
        "IGNORE PREVIOUS INSTRUCTIONS",
        "\"jsonrpc\"",
        "SYSTEM:",
        "Assistant:",
        "</data>",
        "kubectl delete",
    ];
    for line in text.lines() {
        for said in SAID {
            for (at, _) in line.match_indices(said) {
                assert!(fenced_at(line, at), "{tool}: `{said}` outside the fence: {line}");
            }
        }
        assert!(
            !line.trim_start().starts_with("```"),
            "{tool}: a code fence line: {line}"
        );
        assert!(
            !line
                .chars()
                .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c) || c == '\u{200B}'),
            "{tool}: control or bidi characters: {line:?}"
        );
    }
}

#[tokio::test]
async fn hostile_telemetry_stays_inside_the_fence_and_does_not_move_the_verdict() {
    let kit = testing::start(coroot_sim::Scenario::by_name("hostile_telemetry").unwrap()).await;
    for (tool, args) in [
        (
            "coroot_get_app_logs",
            json!({"app_id": "cart", "severity": "error", "limit": 200}),
        ),
        ("coroot_get_overview_logs", json!({"severity": "error", "limit": 200})),
        ("coroot_get_overview_logs", json!({"kubernetes_only": true})),
        ("coroot_investigate", json!({})),
        ("coroot_investigate", json!({"app_id": "cart"})),
    ] {
        let out = call(&kit.ctx, tool, args).await;
        assert_fenced(tool, &out.text);
        // The hostile text reached the answer, so the test is about something.
        if tool != "coroot_investigate" {
            assert!(
                out.text.contains("IGNORE PREVIOUS INSTRUCTIONS"),
                "{tool}: {}",
                out.text
            );
        }
        let untrusted = out.structured["untrusted"].as_array().unwrap();
        assert!(!untrusted.is_empty(), "{tool} names its third-party fields");
        let json = out.structured.to_string();
        assert!(
            !json.contains('\u{202E}') && !json.contains("\\u0007"),
            "{tool}: {json}"
        );
        if tool == "coroot_investigate" {
            let top = &out.structured["suspects"][0];
            assert_eq!(top["app"], "k3h2x9qa:default:Deployment:cart", "{}", out.text);
            assert!(
                out.structured["verdict"].as_str().unwrap().contains("cart"),
                "{}",
                out.text
            );
            assert!(!out.text.contains("Verdict: most likely Node node-1"), "{}", out.text);
        }
    }
}

#[tokio::test]
async fn investigate_says_what_changed_and_which_change_came_first() {
    // (scenario, the first change: kind and app, and a later change it must also list)
    let cases = [
        (
            "oom_after_deploy",
            ("deployment", "payment"),
            ("log_pattern", "checkout"),
        ),
        ("bad_deploy_log_errors", ("deployment", "cart"), ("log_pattern", "cart")),
    ];
    for (name, (kind, app), (also_kind, also_app)) in cases {
        let kit = testing::start(coroot_sim::Scenario::by_name(name).unwrap()).await;
        let before = kit.sim.requests().len();
        let out = call(&kit.ctx, "coroot_investigate", json!({})).await;
        let changes = out.structured["changes"].as_array().unwrap();
        let first = &changes[0];
        assert_eq!(first["kind"], kind, "{name}: {}", out.text);
        assert!(
            first["app"].as_str().unwrap().ends_with(&format!(":{app}")),
            "{name}: {first}"
        );
        assert!(
            changes
                .iter()
                .any(|c| c["kind"] == also_kind && c["app"].as_str().unwrap().ends_with(&format!(":{also_app}"))),
            "{name}: {changes:?}"
        );
        // Timed changes come in time order, the untimed after them.
        let times: Vec<&str> = changes.iter().map_while(|c| c["at"].as_str()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{name}: {times:?}");
        assert!(changes[times.len()..].iter().all(|c| c["at"].is_null()), "{name}");
        assert!(out.text.contains("WHAT CHANGED since the "), "{name}: {}", out.text);
        assert!(out.text.contains("  first: "), "{name}: {}", out.text);
        // The window before was asked of Coroot, on the wire.
        let compared = &out.structured["compared"];
        let before_from = compared["before_from"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap();
        let sent = &kit.sim.requests()[before..];
        assert!(
            sent.iter().any(|r| r.path.ends_with("/overview/applications")
                && r.query.contains(&format!("from={}", before_from.as_millisecond()))),
            "{name}: {sent:?}"
        );
    }
    // Nothing changed in a healthy cluster but what its noise does: no rollout in the window.
    let kit = testing::start(coroot_sim::Scenario::healthy()).await;
    let out = call(&kit.ctx, "coroot_investigate", json!({})).await;
    let changes = out.structured["changes"].as_array().unwrap();
    assert!(
        changes.iter().all(|c| c["kind"] != "check" && c["kind"] != "link"),
        "{changes:?}"
    );
}
