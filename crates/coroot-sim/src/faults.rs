//! Fault injection rules: make chosen requests slow, fail, or answer with broken bodies.

use std::time::Duration;

/// A fault applied to requests whose raw path contains `path_contains`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// Substring of the raw (still percent-encoded) request path; `""` matches every request.
    pub path_contains: String,
    /// What to do.
    pub fault: Fault,
    /// How many requests it applies to; `None` = forever.
    pub times: Option<u32>,
}

/// The kinds of injected faults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait, then answer normally.
    Latency(Duration),
    /// Answer with this status and a `text/plain` body (a trailing `\n` is added like Go's `http.Error`).
    Status {
        /// HTTP status code.
        code: u16,
        /// Error message.
        body: String,
    },
    /// 200 `application/json` whose body is not JSON.
    MalformedJson,
    /// 200 `application/json` with the real body cut in half.
    TruncatedJson,
    /// 200 `text/html` index page, as a proxy or the SPA catch-all would answer.
    Html,
    /// 200 `application/json`: the real JSON object plus a `"padding"` key, at least `bytes` long.
    OversizedBody {
        /// Minimum body size.
        bytes: usize,
    },
    /// Answers with exactly this status, `Content-Type` and body (no trailing newline added):
    /// a test can serve any bytes on any endpoint, e.g. mutated copies of its real body to
    /// fuzz a client's decoders.
    Body {
        /// HTTP status code.
        status: u16,
        /// The `Content-Type` header value.
        content_type: String,
        /// The body, verbatim (need not be UTF-8).
        body: Vec<u8>,
    },
    /// Arms a countdown: after this many authenticated requests (counting the one that
    /// matched), every session cookie is invalidated; 0 invalidates them at once.
    ExpireSessionsAfter {
        /// Number of authenticated requests still served.
        requests: u32,
    },
}

/// Picks the first matching rule with remaining uses and consumes one use.
pub(crate) fn take(rules: &mut Vec<FaultRule>, path: &str) -> Option<Fault> {
    let idx = rules
        .iter()
        .position(|r| path.contains(r.path_contains.as_str()) && r.times.is_none_or(|t| t > 0))?;
    let rule = &mut rules[idx];
    if let Some(t) = rule.times.as_mut() {
        *t -= 1;
    }
    let fault = rule.fault.clone();
    if rule.times == Some(0) {
        rules.remove(idx);
    }
    Some(fault)
}
