//! The test kit every crate's tests share, behind the `testing` feature: the fixed instant
//! tests and snapshots run at, and the check that no secret shows in text a user or an agent
//! can see (errors, logs, tool output).
//!
//! ```
//! use coroot_sim::testing::{NOW_MS, assert_no_secret};
//! assert_eq!(NOW_MS % 86_400_000, 16 * 3_600_000);
//! let secrets = vec!["sim-password".to_string(), "eyJpZCI6MX0=.c2lnbmF0dXJlLW9mLXRoZS1jb29raWU=".to_string()];
//! assert_no_secret("an error", "login failed: 404 Invalid email or password.", &secrets);
//! ```

/// The fixed "now" of every test and snapshot, in epoch ms: 2025-11-24T16:00:00Z. Give it to
/// the simulator as `SimConfig::now_ms` and to the code under test as its clock, so that
/// relative times ("40 minutes ago") and windows come out the same on every run.
pub const NOW_MS: i64 = 1_764_000_000_000;

/// Fails when `haystack` contains any of `secrets`, or any `.`-separated part of one that is
/// at least 12 characters long: session cookies are signed as `value.signature`, so the
/// signature alone is a leak too, while short parts would match by chance. Empty secrets
/// are skipped, since every text contains them. The failure names `what` and shows the
/// leak with some context.
#[track_caller]
pub fn assert_no_secret(what: &str, haystack: &str, secrets: &[String]) {
    let leak = find_secret(haystack, secrets);
    assert!(leak.is_none(), "{what} leaks a secret: …{}…", leak.unwrap_or_default());
}

/// The first place a secret (or a long enough part of one) shows, with up to 120 bytes
/// before it and 40 after, cut at character boundaries.
fn find_secret<'a>(haystack: &'a str, secrets: &[String]) -> Option<&'a str> {
    let needles = secrets.iter().filter(|s| !s.is_empty()).flat_map(|s| {
        let parts = s.split('.').filter(|p| p.len() >= 12);
        std::iter::once(s.as_str()).chain(parts)
    });
    for needle in needles {
        if let Some(at) = haystack.find(needle) {
            let mut from = at.saturating_sub(120);
            while !haystack.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (at + needle.len() + 40).min(haystack.len());
            while !haystack.is_char_boundary(to) {
                to += 1;
            }
            return haystack.get(from..to);
        }
    }
    None
}

/// Where [`free_port`] looks: below the kernel's ephemeral range (32768 and up by default),
/// where neither an outgoing connection nor a `:0` bind takes a port between its pick and the
/// moment the server under test binds it. The kernel's own pick was taken that way, once for
/// a real Coroot under seven fleets' traffic and once for `coroot-mcp --http` in the suite.
const PORTS: std::ops::Range<u16> = 20_000..32_000;

/// A free loopback port for a server a test starts, never handed out twice by this process;
/// processes started side by side begin at different places.
pub fn free_port() -> Result<u16, String> {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let span = PORTS.end - PORTS.start;
    let start = (std::process::id() % u32::from(span)) as u16;
    for _ in 0..span {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % span;
        let port = PORTS.start + (start + n) % span;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err(format!("no free loopback port in {PORTS:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Vec<String> {
        vec![
            "sim-password".into(),
            String::new(),
            "eyJpZCI6MX0=.Ahel4P06pLCxnC-vP5-z_qo6kdHS9U8517qNQfqQna8=".into(),
        ]
    }

    #[test]
    fn finds_a_whole_secret_or_a_long_part_of_one() {
        assert_eq!(
            find_secret("password=sim-password;", &secrets()),
            Some("password=sim-password;")
        );
        let sig = "signature Ahel4P06pLCxnC-vP5-z_qo6kdHS9U8517qNQfqQna8= alone";
        assert_eq!(find_secret(sig, &secrets()), Some(sig));
        // The cookie's value half is 12 characters: long enough to count.
        assert!(find_secret("eyJpZCI6MX0=", &secrets()).is_some());
    }

    #[test]
    fn short_parts_and_empty_secrets_do_not_count() {
        let short = vec!["abc.defghijklmnop".to_string()];
        assert_eq!(find_secret("abc and more", &short), None);
        assert_eq!(find_secret("a clean text", &secrets()), None);
    }

    #[test]
    fn the_context_is_cut_at_character_boundaries() {
        let text = format!("{}sim-password{}", "📈".repeat(40), "⏱️".repeat(20));
        let shown = find_secret(&text, &secrets()).unwrap_or_default();
        assert!(
            shown.contains("sim-password") && shown.len() <= 120 + 12 + 40 + 6,
            "{shown}"
        );
    }

    #[test]
    #[should_panic(expected = "the reply leaks a secret: …login sim-password…")]
    fn assert_no_secret_names_the_text() {
        assert_no_secret("the reply", "login sim-password", &secrets());
    }

    #[test]
    fn assert_no_secret_passes_clean_text() {
        assert_no_secret("the reply", "Invalid email or password.", &secrets());
    }
}
