//! Ports of the Go formatting Coroot's text goes through: `utils/format.go`, go-humanize
//! (`english.Plural`, `humanize.Bytes`), durafmt's first unit, and the node agent's
//! container-id → service-name rule, so the simulator's strings are Coroot's strings.

/// `utils.FormatFloat` (v1.24.5:utils/format.go:18-31).
pub(crate) fn format_float(v: f64) -> String {
    match v {
        v if v.is_nan() => String::new(),
        0.0 => "0".into(),
        v if v >= 1.0 => format!("{v:.0}"),
        v if v >= 0.1 => format!("{v:.1}"),
        v if v >= 0.01 => format!("{v:.2}"),
        v => format!("{v:.3}"),
    }
}

/// `utils.FormatLatency` of seconds (v1.24.5:utils/format.go:61-69): `<0.1ms`, `14ms`, `1.2s`.
pub(crate) fn format_latency(secs: f64) -> String {
    if secs < 0.0001 {
        "<0.1ms".into()
    } else if secs < 1.0 {
        format!("{}ms", format_float(secs * 1000.0))
    } else {
        format!("{}s", format_float(secs))
    }
}

/// `utils.FormatBytes` joined (v1.24.5:utils/format.go:41-51): `13kB`, `303kB`.
pub(crate) fn format_bytes(v: f64) -> String {
    const SIZES: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let e = (v.ln() / 1000f64.ln()).floor();
    if !(0.0..=6.0).contains(&e) {
        return format!("{v:.0}");
    }
    format!("{:.0}{}", (v / 1000f64.powf(e)).round(), SIZES[e as usize])
}

/// `utils.FormatPercentage` (v1.24.5:utils/format.go:71-73): `99%`, `80.96%`.
pub(crate) fn format_percentage(v: f64) -> String {
    let s = format!("{v:.2}");
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

/// The applications overview's `formatPercent` (v1.24.5:api/views/overview/applications.go:303-308).
pub(crate) fn overview_percent(v: f64) -> String {
    if v < 1.0 { "<1%".into() } else { format!("{v:.0}%") }
}

/// go-humanize `english.PluralWord(n, singular, "")` for the regular words Coroot uses.
pub(crate) fn plural_word(n: u64, singular: &str) -> String {
    if n == 1 {
        return singular.into();
    }
    let consonant_y = singular.ends_with('y')
        && !singular.ends_with("ay")
        && !singular.ends_with("ey")
        && !singular.ends_with("oy")
        && !singular.ends_with("uy");
    if consonant_y {
        format!("{}ies", &singular[..singular.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"].iter().any(|e| singular.ends_with(e)) {
        format!("{singular}es")
    } else {
        format!("{singular}s")
    }
}

/// go-humanize `english.Plural(n, singular, "")`: the count with thousands separators and
/// the word, `1 volume`, `26,430 errors`.
pub(crate) fn plural(n: u64, singular: &str) -> String {
    format!("{} {}", comma(n), plural_word(n, singular))
}

/// `humanize.Comma`.
pub(crate) fn comma(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `humanize.Bytes` (SI): `19 GB`, `5.4 GB`, `512 MB`.
pub(crate) fn humanize_bytes(v: f64) -> String {
    const SIZES: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if v < 10.0 {
        return format!("{v:.0} B");
    }
    let e = (v.ln() / 1000f64.ln()).floor().clamp(0.0, 6.0);
    let val = (v / 1000f64.powf(e) * 10.0 + 0.5).floor() / 10.0;
    if val < 10.0 {
        format!("{val:.1} {}", SIZES[e as usize])
    } else {
        format!("{val:.0} {}", SIZES[e as usize])
    }
}

/// `utils.HumanBits` (v1.24.5:utils/format.go:53-58): `humanize.Bytes` with bits, `180 Mbps`.
pub(crate) fn humanize_bits(v: f64) -> String {
    format!("{}ps", humanize_bytes(v).replace('B', "b"))
}

/// durafmt's `LimitFirstN(1)`: the largest unit only, `2 hours`, `12 minutes`.
pub(crate) fn duration_first_unit(ms: i64) -> String {
    let ms = ms.max(0);
    let units: [(i64, &str); 7] = [
        (365 * 86_400_000, "year"),
        (7 * 86_400_000, "week"),
        (86_400_000, "day"),
        (3_600_000, "hour"),
        (60_000, "minute"),
        (1_000, "second"),
        (1, "millisecond"),
    ];
    for (size, name) in units {
        if ms >= size {
            let n = (ms / size) as u64;
            return format!("{n} {}", plural_word(n, name));
        }
    }
    "0 seconds".into()
}

const K8S_SUFFIX: &str = "bcdfghjklmnpqrstvwxz2456789";

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The workload of a pod name by the node agent's rules, if the name has a Deployment
/// (`-<hash>-<5>`), DaemonSet (`-<5>`) or StatefulSet (`-<n>`) suffix.
fn workload_of(pod: &str) -> Option<&str> {
    let (rest, last) = pod.rsplit_once('-')?;
    let suffix5 = last.len() == 5 && last.chars().all(|c| K8S_SUFFIX.contains(c));
    if suffix5
        && let Some((w, hash)) = rest.rsplit_once('-')
        && (1..=10).contains(&hash.len())
        && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && is_name(w)
    {
        return Some(w);
    }
    if suffix5 && is_name(rest) {
        return Some(rest);
    }
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) && is_name(rest) {
        return Some(rest);
    }
    None
}

/// `model.ContainerIdToServiceName` (v1.24.5:model/container.go:65-81), the node agent's
/// `ContainerIdToOtelServiceName`: `/k8s/<ns>/<pod>/<container>` → `/k8s/<ns>/<workload>`;
/// any other id is its own service name.
pub(crate) fn container_service_name(container_id: &str) -> String {
    let Some(rest) = container_id.strip_prefix("/k8s/") else {
        return container_id.into();
    };
    let mut parts = rest.splitn(3, '/');
    let (Some(ns), Some(pod), Some(c)) = (parts.next(), parts.next(), parts.next()) else {
        return container_id.into();
    };
    match workload_of(pod) {
        Some(w) if is_name(ns) && !c.is_empty() => format!("/k8s/{ns}/{w}"),
        _ => container_id.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coroot_number_formats() {
        assert_eq!(format_float(13.2), "13");
        assert_eq!(format_float(0.25), "0.2");
        assert_eq!(format_float(0.034), "0.03");
        assert_eq!(format_latency(0.014), "14ms");
        assert_eq!(format_latency(0.0007), "0.7ms");
        assert_eq!(format_latency(1.25), "1s");
        assert_eq!(format_bytes(13_400.0), "13kB");
        assert_eq!(format_bytes(303_000.0), "303kB");
        assert_eq!(format_percentage(80.964_98), "80.96%");
        assert_eq!(format_percentage(99.0), "99%");
        assert_eq!(overview_percent(0.4), "<1%");
        assert_eq!(humanize_bytes(19.4e9), "19 GB");
        assert_eq!(humanize_bytes(5.43e9), "5.4 GB");
        assert_eq!(plural(26_430, "error"), "26,430 errors");
        assert_eq!(plural(1, "upstream service"), "1 upstream service");
        assert_eq!(duration_first_unit(12 * 60_000 + 5_000), "12 minutes");
    }

    #[test]
    fn container_ids_map_to_workloads() {
        assert_eq!(
            container_service_name("/k8s/shop/catalog-7b9c4d6e58-h2vbn/catalog"),
            "/k8s/shop/catalog"
        );
        assert_eq!(
            container_service_name("/k8s/kube-system/kube-proxy-4xk2m/kube-proxy"),
            "/k8s/kube-system/kube-proxy"
        );
        assert_eq!(
            container_service_name("/k8s/db/postgres-0/postgres"),
            "/k8s/db/postgres"
        );
        // `a` and `e` are not in Kubernetes' suffix alphabet: no workload.
        assert_eq!(
            container_service_name("/k8s/default/web-6c8f9d7b5-abcde/web"),
            "/k8s/default/web-6c8f9d7b5-abcde/web"
        );
        assert_eq!(
            container_service_name("/system.slice/nginx.service"),
            "/system.slice/nginx.service"
        );
    }
}
