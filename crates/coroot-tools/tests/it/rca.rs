//! coroot_investigate on every fault class: each scenario's ground truth
//! (`Scenario::expected_causes`) against the suspects it ranks, with no arguments as an agent
//! first calls it. The benchmark (`cargo bench --bench rca`) measures the same with an app_id,
//! report sizes and Coroot requests.

use coroot_sim::Scenario;
use coroot_tools::Clock;
use coroot_tools::testing::{self, NOW_MS, names_cause as names};
use serde_json::{Value, json};

async fn investigate(scenario: Scenario, args: Value) -> (String, Value) {
    let kit = testing::start(scenario).await;
    let spec = coroot_tools::find("coroot_investigate").unwrap();
    let out = (spec.call)(&kit.ctx, args).await.unwrap();
    (out.text, out.structured)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_class_ranks_its_root_cause_first() {
    let mut runs = tokio::task::JoinSet::new();
    for &name in Scenario::NAMES {
        let scenario = Scenario::by_name(name).unwrap();
        let Some(cause) = scenario.expected_cause() else {
            continue;
        };
        runs.spawn(async move {
            let (text, out) = investigate(scenario, json!({})).await;
            (name, cause, text, out)
        });
    }
    let mut checked = 0;
    while let Some(run) = runs.join_next().await {
        let (name, cause, text, out) = run.unwrap();
        let top = &out["suspects"][0];
        assert!(
            names(top, &cause),
            "{name}: expected {} ({}) first, got {top}\n{text}",
            cause.kind,
            cause.summary
        );
        // The problem the open incidents point at is said to be theirs.
        if let Some(key) = cause.incidents.first() {
            assert!(
                top["incidents"].as_array().unwrap().iter().any(|k| k == key),
                "{name}: the top suspect explains incident {key}\n{text}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 17, "{checked} scenarios with a ground truth");
}

#[tokio::test]
async fn concurrent_faults_are_reported_as_independent_problems() {
    let scenario = Scenario::by_name("concurrent_faults").unwrap();
    let causes = scenario.expected_causes();
    assert_eq!(causes.len(), 4);
    let (text, out) = investigate(scenario, json!({})).await;
    let suspects = out["suspects"].as_array().unwrap();
    // The strongest suspect of each problem comes first: the four causes, one per problem.
    for (i, cause) in causes.iter().enumerate() {
        let at = suspects[..4].iter().position(|s| names(s, cause));
        let at = at.unwrap_or_else(|| panic!("{} not among the first four\n{text}", cause.summary));
        let s = &suspects[at];
        let expected: Vec<&str> = cause.incidents.to_vec();
        assert_eq!(s["incidents"], json!(expected), "cause {i}: {text}");
    }
    let problems: Vec<u64> = suspects[..4].iter().map(|s| s["problem"].as_u64().unwrap()).collect();
    assert_eq!(problems, vec![1, 2, 3, 4], "{text}");
    let verdict = out["verdict"].as_str().unwrap();
    assert!(verdict.contains("which open incident w3c8m1of points at"), "{verdict}");
    assert!(verdict.contains("Also 3 independent problems"), "{verdict}");
    assert_eq!(verdict.matches("no open incident covers it").count(), 3, "{verdict}");
    assert!(text.contains("· problem 4"), "{text}");
}

#[tokio::test]
async fn a_cluster_with_only_noise_has_no_suspect_and_says_what_was_checked() {
    for name in ["healthy", "healthy_with_noise"] {
        let (text, out) = investigate(Scenario::by_name(name).unwrap(), json!({})).await;
        assert_eq!(out["suspects"], json!([]), "{name}: {text}");
        let verdict = out["verdict"].as_str().unwrap();
        assert!(
            verdict.starts_with("nothing points at a cause: no open incident"),
            "{name}: {verdict}"
        );
        let checked = out["healthy"].as_array().unwrap();
        for what in ["incidents", "nodes", "deployments"] {
            assert!(
                checked.iter().any(|c| c.as_str().unwrap().contains(what)),
                "{name}: {what} listed as checked: {checked:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_open_incident_older_than_the_window_widens_it_to_its_start() {
    // Two hours after the e-commerce incidents opened (42 and 40 minutes before the
    // simulator's now), the default one-hour window no longer covers their start.
    let mut kit = testing::ecommerce().await;
    let later = NOW_MS + 2 * 3_600_000;
    kit.ctx.clock = Clock::Fixed(later);
    let spec = coroot_tools::find("coroot_investigate").unwrap();
    let before = kit.sim.requests().len();
    let out = (spec.call)(&kit.ctx, json!({})).await.unwrap();
    let opened = NOW_MS - 42 * 60_000;
    let lookback = out.structured["window"]["lookback_hours"].as_f64().unwrap();
    let from = later - (lookback * 3_600_000.0) as i64;
    assert!(
        from <= opened - 15 * 60_000,
        "window starts at the incident's start minus 15 min: {lookback}h"
    );
    assert!(lookback <= 3.25, "and no earlier than needed: {lookback}h");
    assert!(
        out.text.contains("to cover the start of incident f1r2n3t4"),
        "{}",
        out.text
    );
    // The app views were asked for the widened window.
    let app_view = kit.sim.requests()[before..]
        .iter()
        .find(|r| r.path.contains("/app/"))
        .map(|r| r.query.clone())
        .unwrap();
    assert!(app_view.contains(&format!("from={from}")), "{app_view}");
    // A lookback the caller chose is kept.
    let out = (spec.call)(&kit.ctx, json!({"lookback_hours": 1})).await.unwrap();
    assert_eq!(out.structured["window"]["lookback_hours"], 1.0);
    assert!(out.text.contains("pass lookback_hours="), "{}", out.text);
}
