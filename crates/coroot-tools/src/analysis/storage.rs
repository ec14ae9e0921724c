//! Where Coroot keeps log lines, traces and profiles: ClickHouse. Without it (or when it
//! fails) those views answer with a message and no data, and that is "could not be checked",
//! never "nothing found".

/// The reason a logs or traces answer carries no data because ClickHouse is missing or failed,
/// from Coroot's message or error: "Clickhouse integration is not configured" (app logs,
/// tracing and profiling; with a final period in overview logs), "no_clickhouse" (overview
/// traces), "Failed to load logs: ClickHouse is not available", "Clickhouse error: …"
/// (`api/views/logs/logs.go`, `overview/logs.go`, `overview/traces.go`, `api/api.go`).
pub fn unavailable(message: &str, error: &str) -> Option<String> {
    let message = message.trim();
    let error = error.trim();
    if message == "no_clickhouse" {
        return Some("Clickhouse integration is not configured".into());
    }
    let lower = message.to_ascii_lowercase();
    if lower.contains("clickhouse integration is not configured")
        || lower.contains("clickhouse is not available")
        || lower.starts_with("clickhouse error")
    {
        return Some(message.trim_end_matches('.').to_string());
    }
    (!error.is_empty()).then(|| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three spellings a real Coroot v1.24.5 without ClickHouse answers with.
    #[test]
    fn every_spelling_of_no_clickhouse_is_unavailable() {
        for m in [
            "Clickhouse integration is not configured",
            "Clickhouse integration is not configured.",
            "no_clickhouse",
            "Failed to load logs: ClickHouse is not available",
        ] {
            assert!(unavailable(m, "").is_some(), "{m}");
        }
        assert_eq!(
            unavailable("", "Clickhouse error: timeout").as_deref(),
            Some("Clickhouse error: timeout")
        );
        assert_eq!(unavailable("Using container logs", ""), None);
        assert_eq!(unavailable("not_found", ""), None);
    }
}
