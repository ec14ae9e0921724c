//! Coroot's markup: messages carry `<i>`/`<b>` for its UI, chart titles `<var>` and a
//! `<selector>` placeholder, RCA texts markdown emphasis.

use crate::render::units::one_line;

/// The text without HTML tags, trimmed.
pub fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// A chart title for people: tags gone, whitespace collapsed; `<selector>` (where a chart
/// group puts each member's name) kept.
pub fn title(s: &str) -> String {
    let kept = s.replace("<selector>", "\u{1}");
    one_line(&strip_tags(&kept).replace('\u{1}', "<selector>"))
}

/// `CPU usage, %` → (`CPU usage`, `%`): Coroot writes the unit after the title's last comma.
/// A tail with spaces is part of the title, except `per second`-style rates.
pub fn split_unit(title: &str) -> (String, String) {
    match title.rsplit_once(", ") {
        Some((base, unit)) if !unit.contains(' ') || unit.starts_with("per ") => {
            (base.trim().to_string(), unit.trim().to_string())
        }
        _ => (title.to_string(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_removed_and_units_split() {
        assert_eq!(
            strip_tags("Using OpenTelemetry logs of <i>catalog</i>"),
            "Using OpenTelemetry logs of catalog"
        );
        assert_eq!(
            split_unit(&title("Average I/O latency <selector>, seconds")),
            ("Average I/O latency <selector>".to_string(), "seconds".to_string())
        );
        assert_eq!(title("Queries to <var>db</var>"), "Queries to db");
        assert_eq!(split_unit("IOPS <selector>").1, "");
        assert_eq!(split_unit("Failed TCP connections, per second").1, "per second");
    }
}
