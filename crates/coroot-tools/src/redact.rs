//! Secrets masked in third-party text before an agent reads it: log lines, span URLs and
//! statements. Applications write credentials into their logs more often than anyone admits.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

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

/// The words that start the other maskers, after the keys: a scheme, a URL, a token.
const OTHER_TRIGGERS: [&str; 7] = ["bearer ", "basic ", "://", "eyj", "akia", "asia", "aiza"];

/// Every word one of the maskers below starts from, found in one case-insensitive pass: the
/// secret keys (pattern ids `0..17`), the token prefixes, then [`OTHER_TRIGGERS`]. Most log
/// lines hold none, and then cost that pass and nothing else. A DFA, since the same few dozen
/// words are searched in every line: it scans several times faster than the default automaton.
static TRIGGERS: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    let words = SECRET_KEYS
        .iter()
        .chain(TOKEN_PREFIXES.iter())
        .chain(OTHER_TRIGGERS.iter());
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(words)
        .ok()
});

/// Which maskers a line needs: those whose trigger words it holds. A masker only ever writes
/// `[REDACTED]` in place of a value, and no trigger word holds a bracket, so masking cannot
/// bring a trigger into a line: the maskers a line skips would have found nothing.
#[derive(Default)]
struct Needs {
    /// Bit `i`: the line holds `SECRET_KEYS[i]`.
    keys: u32,
    schemes: bool,
    urls: bool,
    tokens: bool,
}

impl Needs {
    /// `None` when the line holds no trigger at all.
    fn of(s: &str) -> Option<Needs> {
        let Some(triggers) = TRIGGERS.as_ref() else {
            // No automaton (it cannot fail to build on these words): run every masker.
            return Some(Needs {
                keys: u32::MAX,
                schemes: true,
                urls: true,
                tokens: true,
            });
        };
        if !triggers.is_match(s) {
            return None;
        }
        let mut needs = Needs::default();
        let keys = SECRET_KEYS.len();
        let prefixes = keys + TOKEN_PREFIXES.len();
        for m in triggers.find_overlapping_iter(s) {
            match m.pattern().as_usize() {
                i if i < keys => needs.keys |= 1 << i,
                i if i < prefixes => needs.tokens = true,
                i => match OTHER_TRIGGERS.get(i - prefixes) {
                    Some(&"bearer " | &"basic ") => needs.schemes = true,
                    Some(&"://") => needs.urls = true,
                    _ => needs.tokens = true,
                },
            }
        }
        Some(needs)
    }
}

/// Masks secrets an application wrote into a log line (or a span's URL or statement):
/// values of password/token/key fields, `Bearer`/`Basic` credentials, passwords in URLs,
/// JWTs and AWS access key ids. It errs towards masking, since a masked value costs an agent
/// nothing it needs for a diagnosis. A line with nothing to mask is returned as it is.
pub fn redact(s: &str) -> Cow<'_, str> {
    let Some(needs) = Needs::of(s) else {
        return Cow::Borrowed(s);
    };
    let mut out = Cow::Borrowed(s);
    if needs.schemes {
        out = Cow::Owned(redact_schemes(&out));
    }
    if needs.urls {
        out = Cow::Owned(redact_url_passwords(&out));
    }
    if needs.keys != 0 {
        out = Cow::Owned(redact_keyed_values(&out, needs.keys));
    }
    if needs.tokens {
        out = Cow::Owned(redact_tokens(&out));
    }
    out
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
    while let Some((p, len)) = next_scheme(rest) {
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

/// Where the first `Bearer `, `bearer `, `Basic ` or `basic ` in `s` starts, and its length:
/// one pass over the bytes, where a search per word built a searcher for each of them.
fn next_scheme(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes.get(from..)?.iter().position(|&b| b == b'B' || b == b'b') {
        let at = from + i;
        let after = bytes.get(at + 1..).unwrap_or_default();
        if after.starts_with(b"earer ") {
            return Some((at, "Bearer ".len()));
        }
        if after.starts_with(b"asic ") {
            return Some((at, "Basic ".len()));
        }
        from = at + 1;
    }
    None
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

/// `db_password=x`, `"token": "x"`, `Authorization: y` → the value masked, for the keys in
/// `keys` (bit `i`: `SECRET_KEYS[i]`).
fn redact_keyed_values(s: &str, keys: u32) -> String {
    let lower = s.to_ascii_lowercase();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let wanted = SECRET_KEYS.iter().enumerate().filter(|(i, _)| keys & (1 << i) != 0);
    for (_, key) in wanted {
        let mut from = 0;
        // Every occurrence, with one searcher for the key; those inside a value just masked
        // are passed over (no key overlaps itself, so they are the ones a search from the
        // value's end would skip).
        for (start, _) in lower.match_indices(key) {
            if start < from {
                continue;
            }
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

/// JWTs (`eyJ...`) and AWS access key ids (`AKIA...`) wherever they stand: words (runs of
/// ASCII letters, digits, `_`, `-` and `.`) that look like a token.
fn redact_tokens(s: &str) -> String {
    let word_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        if !word_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && word_byte(bytes[i]) {
            i += 1;
        }
        // Word bytes are ASCII, so both ends are character boundaries.
        let word = &s[start..i];
        if is_token(word) {
            out.push_str(&s[copied..start]);
            out.push_str(REDACTED);
            copied = i;
        }
    }
    out.push_str(&s[copied..]);
    out
}

/// Whether a word is a JWT, an AWS access key id or a known API token.
fn is_token(word: &str) -> bool {
    let jwt = word.starts_with("eyJ") && word.matches('.').count() == 2 && word.len() > 30;
    let aws = (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word.len() == 20
        && word.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let known = TOKEN_PREFIXES
        .iter()
        .any(|p| word.starts_with(p) && word.len() >= p.len() + 16)
        || (word.starts_with("AIza") && word.len() == 39);
    jwt || aws || known
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
            // A key word inside a masked value is passed over; the next key is masked.
            (
                "password=password123 password=x token=a token=b",
                "password=[REDACTED] password=[REDACTED] token=[REDACTED] token=[REDACTED]",
            ),
            (
                "bearer abcdefgh1234 then Basic dXNlcjpwYXNzd29yZA== and xBearer abcdefgh1234",
                "bearer [REDACTED] then Basic [REDACTED] and xBearer abcdefgh1234",
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
