//! Units and times for people: UTC ISO-8601 with ages, ms/s, MiB, %, dollars per month.

/// `2026-11-24T22:10:00Z` from epoch ms (seconds precision; out-of-range instants read as the
/// epoch).
pub fn iso(ms: i64) -> String {
    let t = jiff::Timestamp::from_millisecond(ms)
        .unwrap_or_default()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .datetime();
    let (y, m, d) = (i64::from(t.year()), t.month(), t.day());
    let (h, min, s) = (t.hour(), t.minute(), t.second());
    if !(0..=9999).contains(&y) {
        return t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    // Written digit by digit: metric and log outputs carry thousands of timestamps.
    let mut out = String::with_capacity(20);
    for (n, sep) in [
        (y / 100, None),
        (y % 100, Some('-')),
        (i64::from(m), Some('-')),
        (i64::from(d), Some('T')),
        (i64::from(h), Some(':')),
        (i64::from(min), Some(':')),
        (i64::from(s), Some('Z')),
    ] {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
        if let Some(sep) = sep {
            out.push(sep);
        }
    }
    out
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

/// Network rates in decimal bits: `180 Mb/s`.
pub fn bits(v: f64) -> String {
    let mut out = String::new();
    push_bits(&mut out, v);
    out
}

/// [`bits`], written into `out`.
pub fn push_bits(out: &mut String, v: f64) {
    let a = v.abs();
    let (scaled, unit) = if a >= 1e9 {
        (v / 1e9, " Gb/s")
    } else if a >= 1e6 {
        (v / 1e6, " Mb/s")
    } else if a >= 1e3 {
        (v / 1e3, " Kb/s")
    } else {
        (v, " b/s")
    };
    push_num(out, scaled);
    out.push_str(unit);
}

/// `4.2%`.
pub fn percent(p: f64) -> String {
    let mut out = String::new();
    push_percent(&mut out, p);
    out
}

/// [`percent`], written into `out`.
pub fn push_percent(out: &mut String, p: f64) {
    push_num(out, p);
    out.push('%');
}

/// US dollars per month: `$140.16/mo`.
pub fn money(usd: f64) -> String {
    format!("${usd:.2}/mo")
}

/// A compact number: at most 3 significant decimals, no trailing zeros, `k`/`M` past 10,000.
pub fn num(v: f64) -> String {
    let mut out = String::new();
    push_num(&mut out, v);
    out
}

/// Appends [`num`]`(v)` to `out`. Metric outputs print thousands of numbers, so the common cases
/// are written from a rounded integer instead of through float formatting (several times
/// slower); values next to a rounding tie still go through float formatting, so the text is
/// exactly what `format!("{v:.N}")` gives.
pub fn push_num(out: &mut String, v: f64) {
    if !v.is_finite() {
        out.push_str("n/a");
        return;
    }
    let a = v.abs();
    let (scaled, decimals, suffix) = if a >= 1e7 {
        (v / 1e6, 1, "M")
    } else if a >= 1e4 {
        (v / 1e3, 1, "k")
    } else if a >= 100.0 {
        (v, 0, "")
    } else if a >= 1.0 {
        (v, 2, "")
    } else if a >= 0.001 {
        (v, 3, "")
    } else if a == 0.0 {
        out.push('0');
        return;
    } else {
        if !push_sci(out, v) {
            out.push_str(&trim_zeros(format!("{v:.2e}")));
        }
        return;
    };
    if !push_fixed(out, scaled, decimals) {
        out.push_str(&trim_zeros(format!("{scaled:.decimals$}")));
    }
    out.push_str(suffix);
}

/// `x` with `decimals` (at most 3) decimals, trailing zeros trimmed, when that is exact without
/// float formatting: |x|·10^decimals below 10^9 and not within 10^-6 of a rounding tie, and not
/// rounding to zero. Returns false, having written nothing, otherwise.
fn push_fixed(out: &mut String, x: f64, decimals: usize) -> bool {
    let Some(&scale) = [1.0, 10.0, 100.0, 1000.0].get(decimals) else {
        return false;
    };
    let Some(n) = rounded(x.abs() * scale) else {
        return false;
    };
    push_scaled(out, x < 0.0, n, decimals);
    true
}

/// `s` (at least 1, below 10^9) rounded to the nearest integer, unless it lies within 10^-6
/// of a tie, where only exact decimal formatting can tell. `s - trunc(s)` is exact below 2^53.
fn rounded(s: f64) -> Option<u64> {
    if !(1.0..1e9).contains(&s) {
        return None;
    }
    let t = s as i64;
    let frac = s - t as f64;
    if (frac - 0.5).abs() < 1e-6 {
        return None;
    }
    u64::try_from(t + i64::from(frac > 0.5)).ok()
}

/// `n / 10^decimals` in decimal, trailing zeros of the fraction (and a bare point) trimmed.
fn push_scaled(out: &mut String, negative: bool, n: u64, decimals: usize) {
    // Digits in reverse: the fraction's first.
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n;
    while rest > 0 || len <= decimals {
        if let Some(d) = digits.get_mut(len) {
            *d = (rest % 10) as u8;
        }
        rest /= 10;
        len += 1;
    }
    let mut skip = 0;
    while skip < decimals && digits.get(skip) == Some(&0) {
        skip += 1;
    }
    if negative {
        out.push('-');
    }
    for i in (skip..len).rev() {
        if i + 1 == decimals {
            out.push('.');
        }
        out.push(char::from(b'0' + digits.get(i).copied().unwrap_or(0)));
    }
}

/// `format!("{v:.2e}")` with the mantissa's trailing zeros trimmed (`1.2e-4`), from a rounded
/// integer, under the same tie rule as [`push_fixed`]. Returns false, having written nothing,
/// for values it leaves to float formatting.
fn push_sci(out: &mut String, v: f64) -> bool {
    let a = v.abs();
    if !(1e-300..1e300).contains(&a) {
        return false;
    }
    let mut e = a.log10() as i32;
    let mut m = a / 10f64.powi(e);
    while m >= 10.0 {
        m /= 10.0;
        e += 1;
    }
    while m < 1.0 {
        m *= 10.0;
        e -= 1;
    }
    let Some(mut n) = rounded(m * 100.0) else {
        return false;
    };
    if n >= 1000 {
        n /= 10;
        e += 1;
    }
    push_scaled(out, v < 0.0, n, 2);
    out.push('e');
    push_scaled(out, e < 0, u64::from(e.unsigned_abs()), 0);
    true
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
    fn iso_matches_formatting() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Years -5900 to 9800: before year 0 the formatter takes over.
            let ms = (x % 500_000_000_000_000) as i64 - 250_000_000_000_000;
            let slow = jiff::Timestamp::from_millisecond(ms)
                .unwrap()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            assert_eq!(iso(ms), slow, "{ms}");
        }
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

    /// The integer path prints exactly what float formatting prints.
    #[test]
    fn compact_numbers_match_float_formatting() {
        fn slow(v: f64) -> String {
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
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut values = vec![
            0.0,
            -0.0,
            1.005,
            2.675,
            0.125,
            0.0005,
            100.5,
            101.5,
            99.995,
            9999.5,
            10000.0,
            12345.0,
            1e7,
            2.5e7,
            -3.25159,
            -0.0015,
            1e300,
            5e-324,
            0.1 + 0.2,
            1234.5678,
            0.999_999,
            99.999_9,
            1e-4,
            9.995e-4,
            9.996e-4,
            -1.2e-7,
            1e-300,
            2.5e-301,
            1.0e-10,
            9.999_999e-5,
            1.005e-5,
        ];
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mantissa = (x >> 11) as f64 / (1u64 << 53) as f64;
            let exp = (x % 29) as i32 - 18;
            let v = mantissa * 10f64.powi(exp);
            values.push(if x.is_multiple_of(3) { -v } else { v });
            // Decimal ties and near-ties, the hard cases.
            values.push(((x % 100_000) as f64 + 0.5) / [1.0, 10.0, 100.0, 1000.0][(x % 4) as usize]);
        }
        for v in values {
            assert_eq!(num(v), slow(v), "{v:e}");
        }
    }

    #[test]
    fn clip_respects_characters() {
        assert_eq!(clip("héllo wörld", 5), "héll…");
        assert_eq!(clip("short", 10), "short");
    }
}
