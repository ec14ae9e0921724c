//! Secrets masked in third-party text before an agent reads it: log lines, span URLs and
//! statements. Applications write credentials into their logs more often than anyone admits.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// Key names whose values are secrets in `key=value`, `key: value` and JSON forms.
const SECRET_KEYS: [&str; 17] = [
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "access_key",
    "accesskey",
    "private_key",
    "authorization",
    "credential",
    "x-api-key",
    "cookie",
    "signature",
];

/// Prefixes of well-known API tokens (GitHub, GitLab, Slack, Stripe, Google, npm), masked
/// wherever they stand when the rest of the word is long enough to be a token.
const TOKEN_PREFIXES: [&str; 16] = [
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "npm_",
];
/// What a redacted value becomes.
const REDACTED: &str = "[REDACTED]";

/// Every word one of the maskers below starts from, found in one case-insensitive pass.
/// Most log lines hold none, and then cost that pass and nothing else.
static TRIGGERS: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    let words = SECRET_KEYS
        .iter()
        .chain(TOKEN_PREFIXES.iter())
        .chain(&["bearer ", "basic ", "://", "eyj", "akia", "asia", "aiza"]);
    AhoCorasick::builder().ascii_case_insensitive(true).build(words).ok()
});

/// Whether `s` holds anything a masker would look at.
fn may_hold_secret(s: &str) -> bool {
    TRIGGERS.as_ref().is_none_or(|t| t.is_match(s))
}

/// Masks secrets an application wrote into a log line (or a span's URL or statement):
/// values of password/token/key fields, `Bearer`/`Basic` credentials, passwords in URLs,
/// JWTs and AWS access key ids. It errs towards masking, since a masked value costs an agent
/// nothing it needs for a diagnosis. A line with nothing to mask is returned as it is.
pub fn redact(s: &str) -> Cow<'_, str> {
    if !may_hold_secret(s) {
        return Cow::Borrowed(s);
    }
    let s = redact_schemes(s);
    let s = redact_url_passwords(&s);
    let s = redact_keyed_values(&s);
    Cow::Owned(redact_tokens(&s))
}

/// [`redact`] in place: no allocation unless something is masked.
pub fn redact_mut(s: &mut String) {
    if let Cow::Owned(masked) = redact(s) {
        *s = masked;
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn is_value_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '&' | '}' | ']' | ')' | '>')
}

/// `Bearer abc`, `Basic dXNlcg==` → `Bearer [REDACTED]`.
fn redact_schemes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = ["Bearer ", "bearer ", "Basic ", "basic "]
        .iter()
        .filter_map(|w| rest.find(w).map(|p| (p, w.len())))
        .min()
    {
        let (p, len) = pos;
        let boundary = rest[..p].chars().next_back().is_none_or(|c| !is_ident(c));
        let (head, tail) = rest.split_at(p + len);
        out.push_str(head);
        let value_len = tail.find(is_value_end).unwrap_or(tail.len());
        // `Basic auth failed` is prose: only mask what looks like a credential.
        let value = &tail[..value_len];
        if boundary && value.len() >= 8 && !value.eq_ignore_ascii_case("[redacted]") {
            out.push_str(REDACTED);
            rest = &tail[value_len..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// `postgres://user:pw@host` → `postgres://user:[REDACTED]@host`.
fn redact_url_passwords(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find("://") {
        let (head, tail) = rest.split_at(p + 3);
        out.push_str(head);
        let auth_end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '?' || c == '#')
            .unwrap_or(tail.len());
        let authority = &tail[..auth_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at && colon + 1 < at => {
                out.push_str(&authority[..=colon]);
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[auth_end..];
    }
    out.push_str(rest);
    out
}

/// `db_password=x`, `"token": "x"`, `Authorization: y` → the value masked.
fn redact_keyed_values(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(found) = lower.get(from..).and_then(|l| l.find(key)) {
            let start = from + found;
            from = start + key.len();
            // The whole identifier around the key word, e.g. `db_password`.
            let ident_end = start
                + key.len()
                + lower[start + key.len()..]
                    .find(|c: char| !is_ident(c))
                    .unwrap_or(lower.len() - start - key.len());
            let mut i = ident_end;
            let bytes = lower.as_bytes();
            let skip = |i: &mut usize, set: &[u8]| {
                while *i < bytes.len() && set.contains(&bytes[*i]) {
                    *i += 1;
                }
            };
            skip(&mut i, b"\"' ");
            if i >= bytes.len() || !matches!(bytes[i], b'=' | b':') {
                continue;
            }
            i += 1;
            skip(&mut i, b" \"'");
            // A quoted value runs to its closing quote, spaces and all.
            let quote = bytes
                .get(i.wrapping_sub(1))
                .copied()
                .filter(|q| matches!(q, b'"' | b'\''));
            let value_end = match quote {
                Some(q) => i + lower[i..].find(char::from(q)).unwrap_or(lower.len() - i),
                None => i + lower[i..].find(is_value_end).unwrap_or(lower.len() - i),
            };
            let value = &s[i..value_end];
            if value.is_empty() || value == REDACTED || value.starts_with('[') {
                continue;
            }
            // `Authorization: Bearer x` was masked after the scheme word already.
            if ["bearer", "basic"].contains(&value.to_ascii_lowercase().as_str()) {
                continue;
            }
            cuts.push((i, value_end));
            from = value_end.max(from);
        }
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (a, b) in cuts {
        if a < last {
            continue;
        }
        out.push_str(&s[last..a]);
        out.push_str(REDACTED);
        last = b;
    }
    out.push_str(&s[last..]);
    out
}

/// JWTs (`eyJ...`) and AWS access key ids (`AKIA...`) wherever they stand.
fn redact_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let jwt = word.starts_with("eyJ") && word.matches('.').count() == 2 && word.len() > 30;
        let aws = (word.starts_with("AKIA") || word.starts_with("ASIA"))
            && word.len() == 20
            && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let known = TOKEN_PREFIXES
            .iter()
            .any(|p| word.starts_with(p) && word.len() >= p.len() + 16)
            || (word.starts_with("AIza") && word.len() == 39);
        if jwt || aws || known {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Masks secrets in the entries' messages (see [`redact`]).
pub fn redact_entries(entries: &mut [coroot_client::models::LogEntry]) {
    for e in entries {
        redact_mut(&mut e.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_log_lines_are_masked() {
        for (line, want) in [
            (
                "connecting with password=hunter2 to db",
                "connecting with password=[REDACTED] to db",
            ),
            (
                r#"{"user":"app","db_password": "s3cr3t!", "port": 5432}"#,
                r#"{"user":"app","db_password": "[REDACTED]", "port": 5432}"#,
            ),
            (
                "Authorization: Bearer abcdef0123456789 rejected",
                "Authorization: Bearer [REDACTED] rejected",
            ),
            (
                "dial postgres://shop:pa55word@10.42.3.15:5432/shop failed",
                "dial postgres://shop:[REDACTED]@10.42.3.15:5432/shop failed",
            ),
            ("key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED] used"),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl ok",
                "jwt [REDACTED] ok",
            ),
            ("API_TOKEN=abc123&x=1", "API_TOKEN=[REDACTED]&x=1"),
            ("set-cookie: session=s3ss10n; Path=/", "set-cookie: [REDACTED]; Path=/"),
            ("Cookie: coroot_session=abc.def", "Cookie: [REDACTED]"),
            (
                "GET /b?X-Amz-Signature=9f8e7d6c&x=1",
                "GET /b?X-Amz-Signature=[REDACTED]&x=1",
            ),
            (
                "clone failed with ghp_0123456789abcdefABCDEF0123456789abcd",
                "clone failed with [REDACTED]",
            ),
            (
                "post xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp failed",
                "post [REDACTED] failed",
            ),
            ("charge sk_live_51HabcdefGHIJ0123456789 ok", "charge [REDACTED] ok"),
            (
                "maps key AIzaSyA-0123456789abcdefghijklmnopqrstu",
                "maps key [REDACTED]",
            ),
            ("ssh passphrase: 'open sesame'", "ssh passphrase: '[REDACTED]'"),
            (
                r#"{"password": "two words", "user": "x"}"#,
                r#"{"password": "[REDACTED]", "user": "x"}"#,
            ),
        ] {
            assert_eq!(redact(line), want, "{line}");
        }
        for prose in [
            "password authentication failed for user \"shop\"",
            "upstream payment returned 502: connection reset by peer",
            "Basic auth disabled",
            "dial tcp 10.42.3.15:5432: connect: connection refused",
            "cookie banner dismissed",
            "signature verification failed for release v1.2.3",
            "ghp_ short",
            "session expired, logging in again",
        ] {
            assert_eq!(redact(prose), prose);
        }
    }
}
