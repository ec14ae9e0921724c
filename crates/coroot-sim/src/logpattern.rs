//! Log message patterns as the node agent and Coroot compute them (github.com/coroot/logparser
//! `pattern.go`): a message's pattern is its words without quoted parts, bracketed parts,
//! numbers, hex ids and UUIDs; the agent counts messages per pattern (`pattern_hash`), and
//! Coroot merges patterns of one severity that differ in at most one word (`WeakEqual`,
//! constructor/logs.go). "GET /api/cart 200 9ms" and "POST /api/checkout 200 143ms" are one
//! pattern to Coroot.

/// The pattern hash the node agent gives a message: a hash of its pattern's words (the
/// agent's is the MD5 of the same words), so messages that differ in numbers, ids or quoted
/// values share it.
pub(crate) fn hash(msg: &str) -> String {
    format!("{:016x}", crate::prng::hash_str(&Pattern::new(msg).words()))
}

/// Words kept at most.
const MAX_WORDS: usize = 100;

/// A message's pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    words: Vec<String>,
}

impl Pattern {
    /// `NewPattern`.
    pub(crate) fn new(input: &str) -> Pattern {
        let mut words = Vec::new();
        for w in remove_quoted_and_brackets(input).split_whitespace() {
            let w = w.trim_end_matches(['=', ':', ']', ',', ';']);
            if w.len() < 2 || is_hex_id(w) {
                continue;
            }
            let w: String = w.chars().filter(|c| !c.is_ascii_digit()).collect();
            if !is_word(&w) {
                continue;
            }
            words.push(w);
            if words.len() >= MAX_WORDS {
                break;
            }
        }
        Pattern { words }
    }

    /// `WeakEqual`: as many words, at most one different.
    pub(crate) fn weak_equal(&self, other: &Pattern) -> bool {
        self.words.len() == other.words.len()
            && self.words.iter().zip(&other.words).filter(|(a, b)| a != b).count() <= 1
    }

    /// The words, space-separated (what the agent hashes).
    pub(crate) fn words(&self) -> String {
        self.words.join(" ")
    }
}

/// `0x…` hex, a 4+ digit hex run, or a UUID.
fn is_hex_id(w: &str) -> bool {
    let hex = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit());
    if let Some(rest) = w.strip_prefix("0x") {
        return hex(rest);
    }
    if w.len() >= 4 && hex(w) {
        return true;
    }
    let parts: Vec<&str> = w.split('-').collect();
    parts.len() == 5 && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && hex(p))
}

/// `isWord`: letters at both ends, letters, `.`, `_` or `-` between.
fn is_word(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_alphabetic() && l.is_ascii_alphabetic() => b
            .iter()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, b'.' | b'_' | b'-')),
        _ => false,
    }
}

/// `removeQuotedAndBrackets`: drops quoted strings and (nested) bracketed parts.
fn remove_quoted_and_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote: Option<char> = None;
    let mut brackets: Vec<char> = Vec::new();
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let before = prev;
        prev = Some(c);
        match c {
            '[' | '(' | '{' if quote.is_none() => brackets.push(c),
            ']' | ')' | '}' => {
                let open = match c {
                    ']' => '[',
                    ')' => '(',
                    _ => '{',
                };
                if brackets.last() == Some(&open) {
                    brackets.pop();
                    continue;
                }
            }
            '"' | '\'' if before != Some('\\') && brackets.is_empty() => match quote {
                None => quote = Some(c),
                Some(q) if q == c => {
                    quote = None;
                    continue;
                }
                _ => {}
            },
            _ => {}
        }
        if quote.is_some() || !brackets.is_empty() {
            continue;
        }
        out.push(c);
    }
    out
}

/// Groups messages as Coroot does: by severity, messages of one agent pattern (`hash`)
/// together, and a new pattern joins the first group (in the given order) whose pattern it
/// weakly equals. Returns each item's group number; groups are numbered in order of first
/// appearance.
pub(crate) fn group<'a>(items: impl Iterator<Item = (&'a str, &'a str, &'a str)>) -> Vec<usize> {
    let mut groups: Vec<(&str, Pattern, Vec<&str>)> = Vec::new();
    let mut out = Vec::new();
    for (severity, hash, message) in items {
        let found = groups
            .iter()
            .position(|(s, _, hashes)| *s == severity && hashes.contains(&hash))
            .or_else(|| {
                let p = Pattern::new(message);
                let i = groups.iter().position(|(s, q, _)| *s == severity && q.weak_equal(&p))?;
                groups[i].2.push(hash);
                Some(i)
            });
        match found {
            Some(i) => out.push(i),
            None => {
                groups.push((severity, Pattern::new(message), vec![hash]));
                out.push(groups.len() - 1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_drop_numbers_ids_quotes_and_brackets() {
        assert_eq!(Pattern::new("GET /api/products 200 12ms").words(), "GET ms");
        assert_eq!(
            Pattern::new("user 'bob' [id=7f3a9c2e] failed: timeout (after 3s) 0x1f").words(),
            "user failed timeout"
        );
        assert_eq!(
            Pattern::new("request 3f1c9a52-8d7e-4b1a-9c6f-2e5d4a7b8c90 done").words(),
            "request done"
        );
    }

    #[test]
    fn coroot_merges_patterns_one_word_apart() {
        let rows = [
            ("info", "a", "GET /api/cart 200 9ms"),
            ("info", "b", "POST /api/checkout 200 143ms"),
            ("error", "c", "POST /api/checkout 500 12ms"),
            ("info", "d", "charge request received"),
        ];
        assert_eq!(group(rows.iter().copied()), vec![0, 0, 1, 2]);
    }
}
