//! The orders of severity: application and check statuses (what needs attention first) and
//! Coroot's log levels (what is worse).

use coroot_client::Status;

/// Order of attention for apps, links and nodes: CRITICAL, WARNING, INFO, UNKNOWN, OK. Unknown
/// comes before OK because an app without data may be the broken one.
pub fn attention_rank(s: Status) -> u8 {
    match s {
        Status::Critical => 0,
        Status::Warning => 1,
        Status::Info => 2,
        Status::Unknown => 3,
        Status::Ok => 4,
    }
}

/// Coroot's log levels, least severe first (`clickhouse/logs.go` severity names).
pub const LEVELS: [&str; 6] = ["trace", "debug", "info", "warning", "error", "fatal"];

/// A level's rank, most severe highest: fatal 6 … trace 1; `unknown`, empty and non-standard
/// levels (`severity-7`) 0.
pub fn level_rank(level: &str) -> u8 {
    LEVELS
        .iter()
        .position(|l| *l == level)
        .map_or(0, |i| u8::try_from(i + 1).unwrap_or(0))
}

/// True for `error` and `fatal`: the lines that say something failed.
pub fn is_error_level(level: &str) -> bool {
    level_rank(level) >= level_rank("error")
}

/// `ERROR`, `WARNING`, …: levels read as words, like statuses.
pub fn level_word(level: &str) -> String {
    if level.is_empty() {
        "UNKNOWN".into()
    } else {
        level.to_uppercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_rank_fatal_first_and_unknowns_last() {
        assert!(level_rank("fatal") > level_rank("error"));
        assert!(level_rank("error") > level_rank("warning"));
        assert_eq!(level_rank("trace"), 1);
        assert_eq!(level_rank("unknown"), 0);
        assert_eq!(level_rank("severity-7"), 0);
        assert!(is_error_level("fatal") && is_error_level("error") && !is_error_level("warning"));
        assert_eq!(level_word(""), "UNKNOWN");
    }

    #[test]
    fn attention_puts_unknown_before_ok() {
        let mut all = [
            Status::Ok,
            Status::Unknown,
            Status::Critical,
            Status::Info,
            Status::Warning,
        ];
        all.sort_by_key(|s| attention_rank(*s));
        assert_eq!(
            all,
            [
                Status::Critical,
                Status::Warning,
                Status::Info,
                Status::Unknown,
                Status::Ok
            ]
        );
    }
}
