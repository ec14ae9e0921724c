//! Coroot's root cause analysis of an incident, and what is not one. Open-source Coroot has
//! no AI RCA: from v1.14.0 its incident watcher stores `{"status": "AI disabled"}` for every
//! incident (`watchers/incidents.go`, `cloud/rca.go`), before that `rca` is null. An incident's
//! `short_description` is Coroot's automatic wording of the SLO breach ("High latency and
//! errors", `model/application_incident.go` ShortDescription), never a root cause.

use coroot_client::models::{Rca, Widget};

use crate::analysis::charts::widget_summary;

/// True when Coroot has a root cause analysis to show: a finished RCA or one with text.
pub fn has_rca(rca: Option<&Rca>) -> bool {
    rca.is_some_and(|r| {
        r.status == "OK"
            || !r.root_cause.trim().is_empty()
            || !r.immediate_fixes.trim().is_empty()
            || !r.detailed_root_cause_analysis.trim().is_empty()
    })
}

/// The RCA's one-line summary, only when there is an RCA.
pub fn rca_summary(rca: Option<&Rca>) -> String {
    match rca {
        Some(r) if has_rca(rca) => r.short_summary.trim().to_string(),
        _ => String::new(),
    }
}

/// Why an incident has no RCA to show, from the RCA's status, in words.
pub fn why_no_rca(status: &str, error: &str) -> String {
    match status {
        "In progress" => "Coroot's RCA is in progress; call again in a minute".into(),
        "Failed" if !error.trim().is_empty() => format!("Coroot's RCA failed ({})", error.trim()),
        "Failed" => "Coroot's RCA failed".into(),
        "AI disabled" => "Coroot's AI RCA is not enabled (open-source Coroot has none)".into(),
        "Out of credits" => "Coroot's AI RCA is out of credits".into(),
        "" => "Coroot sent no root cause analysis (Coroot has RCA from v1.14 on)".into(),
        other => format!("Coroot's RCA says: {other}"),
    }
}

/// An RCA text with its `WIDGET-<n>` lines resolved. Coroot's UI draws `rca.widgets[n]`
/// (0-based) in place of a line that reads `WIDGET-<n>` (any case, `Markdown.vue`), but only in
/// the detailed analysis: the root cause and the fixes are drawn without widgets, so the line
/// disappears there. With `widgets` the line becomes `[chart: <summary>]`; without, it goes.
pub fn resolve_widget_refs(text: &str, widgets: Option<&[Widget]>) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(n) = widget_ref(line) else {
            out.push(line.to_string());
            continue;
        };
        if let Some(summary) = widgets.and_then(|w| w.get(n)).and_then(widget_summary) {
            out.push(format!("[chart: {summary}]"));
        }
    }
    out.join("\n").trim().to_string()
}

/// `n` of a line that is exactly `WIDGET-<n>`.
fn widget_ref(line: &str) -> Option<usize> {
    let t = line.trim();
    let (word, n) = t.split_at_checked(7)?;
    if !word.eq_ignore_ascii_case("WIDGET-") {
        return None;
    }
    n.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What open-source Coroot v1.24.5 stores for every incident (seen on a real server).
    fn ai_disabled() -> Rca {
        serde_json::from_value(serde_json::json!({
            "status": "AI disabled", "error": "", "short_summary": "", "root_cause": "",
            "immediate_fixes": "", "detailed_root_cause_analysis": "", "propagation_map": null, "widgets": null
        }))
        .unwrap()
    }

    #[test]
    fn ai_disabled_is_no_rca() {
        let r = ai_disabled();
        assert!(!has_rca(Some(&r)));
        assert_eq!(rca_summary(Some(&r)), "");
        assert!(why_no_rca(&r.status, &r.error).contains("not enabled"));
        assert!(!has_rca(None));
        let done = Rca {
            status: "OK".into(),
            short_summary: "OOM after deploy".into(),
            ..Rca::default()
        };
        assert_eq!(rca_summary(Some(&done)), "OOM after deploy");
    }

    /// `front/src/components/Markdown.vue`: `/^WIDGET-(\d+)$/i`, 0-based into `rca.widgets`.
    #[test]
    fn widget_lines_become_chart_summaries_or_go() {
        let widgets: Vec<Widget> = serde_json::from_value(serde_json::json!([
            {"chart": {"ctx": {"from": 0, "to": 120000, "step": 60000}, "title": "Memory usage, bytes",
                       "series": [{"name": "payment-1", "data": [1.0, 3.0, 2.0]}]}}
        ]))
        .unwrap();
        let text = "The pods ran out of memory.\n widget-0 \nWIDGET-7\nAfter the deploy.";
        assert_eq!(
            resolve_widget_refs(text, Some(&widgets)),
            "The pods ran out of memory.\n[chart: Memory usage, bytes: payment-1 peak 3, last 2]\nAfter the deploy."
        );
        assert_eq!(
            resolve_widget_refs(text, None),
            "The pods ran out of memory.\nAfter the deploy."
        );
        assert_eq!(resolve_widget_refs("WIDGETS-1 are fine", None), "WIDGETS-1 are fine");
    }
}
