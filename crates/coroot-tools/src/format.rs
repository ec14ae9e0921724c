//! Units and times for people: UTC ISO-8601 with ages, ms/s, MiB, %, dollars per month.

/// `2026-11-24T22:10:00Z` from epoch ms.
pub fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `40m ago`, `3d 2h ago`, `just now`.
pub fn age(now_ms: i64, ms: i64) -> String {
    let delta = now_ms - ms;
    if delta.abs() < 60_000 {
        return "just now".into();
    }
    let span = span_ms(delta.abs());
    if delta > 0 {
        format!("{span} ago")
    } else {
        format!("in {span}")
    }
}

/// `2026-11-24T22:10:00Z (40m ago)`.
pub fn when(now_ms: i64, ms: i64) -> String {
    format!("{} ({})", iso(ms), age(now_ms, ms))
}

/// A duration in ms as `45s`, `40m`, `1h 10m`, `3d 2h`.
pub fn span_ms(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => match s % 3600 / 60 {
            0 => format!("{}h", s / 3600),
            m => format!("{}h {m}m", s / 3600),
        },
        s => match s % 86_400 / 3600 {
            0 => format!("{}d", s / 86_400),
            h => format!("{}d {h}h", s / 86_400),
        },
    }
}

/// A latency in ms as `0.4ms`, `350ms`, `1.25s`.
pub fn latency_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{}s", num(ms / 1000.0))
    } else {
        format!("{}ms", num(ms))
    }
}

/// Hours as `30m`, `1h`, `24h`, `30d`.
pub fn hours(h: f64) -> String {
    if h < 1.0 {
        format!("{}m", num(h * 60.0))
    } else if h >= 48.0 && (h / 24.0).fract() == 0.0 {
        format!("{}d", num(h / 24.0))
    } else {
        format!("{}h", num(h))
    }
}

/// Bytes in binary units: `512 B`, `1.5 KiB`, `256 MiB`.
pub fn bytes(b: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b;
    let mut i = 0;
    while v.abs() >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{} {}", num(v), UNITS.get(i).copied().unwrap_or("B"))
}

/// `4.2%`.
pub fn percent(p: f64) -> String {
    format!("{}%", num(p))
}

/// US dollars per month: `$140.16/mo`.
pub fn money(usd: f64) -> String {
    format!("${usd:.2}/mo")
}

/// A compact number: at most 3 significant decimals, no trailing zeros, `k`/`M` past 10,000.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let a = v.abs();
    let s = if a >= 1e7 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else if a >= 0.001 {
        format!("{v:.3}")
    } else if a == 0.0 {
        "0".into()
    } else {
        format!("{v:.2e}")
    };
    trim_zeros(s)
}

fn trim_zeros(s: String) -> String {
    if let Some((mantissa, suffix)) = split_suffix(&s)
        && mantissa.contains('.')
        && !mantissa.contains('e')
    {
        let m = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}{suffix}");
    }
    s
}

fn split_suffix(s: &str) -> Option<(&str, &str)> {
    let idx = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    Some((s.get(..idx)?, s.get(idx..)?))
}

/// A check threshold with its unit, as Coroot's UI shows it.
pub fn threshold(value: f64, unit: &str) -> String {
    match unit {
        "percent" => percent(value),
        "second" => latency_ms(value * 1000.0),
        "seconds/second" => format!("{} s/s", num(value)),
        "byte" => bytes(value),
        _ => num(value),
    }
}

/// Cuts `s` to at most `max` characters at a character boundary, marking the cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Collapses whitespace runs (newlines in log bodies) to single spaces.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_are_utc() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn ages_read_naturally() {
        let now = 1_700_000_000_000;
        assert_eq!(age(now, now - 40 * 60_000), "40m ago");
        assert_eq!(age(now, now - 26 * 3_600_000), "1d 2h ago");
        assert_eq!(age(now, now - 5_000), "just now");
        assert_eq!(when(now, now - 3_600_000), "2023-11-14T21:13:20Z (1h ago)");
    }

    #[test]
    fn units_for_people() {
        assert_eq!(bytes(268_435_456.0), "256 MiB");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(latency_ms(1250.0), "1.25s");
        assert_eq!(latency_ms(0.5), "0.5ms");
        assert_eq!(percent(4.2), "4.2%");
        assert_eq!(money(140.155), "$140.16/mo");
        assert_eq!(num(12345.0), "12.3k");
        assert_eq!(num(0.0001234), "1.23e-4");
        assert_eq!(num(2.0), "2");
        assert_eq!(hours(720.0), "30d");
        assert_eq!(hours(0.5), "30m");
        assert_eq!(threshold(0.1, "second"), "100ms");
        assert_eq!(threshold(80.0, "percent"), "80%");
    }

    #[test]
    fn clip_respects_characters() {
        assert_eq!(clip("héllo wörld", 5), "héll…");
        assert_eq!(clip("short", 10), "short");
    }
}
