//! The heavy shapes real clusters send and the synthetic world's bodies do not reach: a recorded
//! body grown in place, keeping Coroot's shape (the simulator's own entries, spans, incidents and
//! disks, repeated with fresh times, ids and names).

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// How one heavy case is made from a recorded one.
pub struct Heavy {
    /// The new case's label.
    pub label: &'static str,
    /// The recorded case it grows.
    pub from: &'static str,
    /// A part of the request key of the body to grow.
    pub endpoint: &'static str,
    /// Grows the decoded body.
    pub grow: fn(&mut Value),
}

/// Every heavy case.
pub const CASES: [Heavy; 7] = [
    Heavy {
        label: "app_logs_20k",
        from: "app_logs",
        endpoint: "/logs",
        grow: |b| lines(b, 20_000, false),
    },
    Heavy {
        label: "app_logs_20k_secrets",
        from: "app_logs",
        endpoint: "/logs",
        grow: |b| lines(b, 20_000, true),
    },
    Heavy {
        label: "overview_logs_20k",
        from: "overview_logs",
        endpoint: "/overview/logs",
        grow: |b| lines(b, 20_000, false),
    },
    Heavy {
        label: "overview_logs_20k_secrets",
        from: "overview_logs",
        endpoint: "/overview/logs",
        grow: |b| lines(b, 20_000, true),
    },
    Heavy {
        label: "trace_10k_spans",
        from: "traces_one_trace",
        endpoint: "/overview/traces",
        grow: |b| spans(b, 10_000),
    },
    Heavy {
        label: "incidents_20_open",
        from: "incidents",
        endpoint: "/incidents",
        grow: |b| open_incidents(b, 20),
    },
    Heavy {
        label: "node_64_disks",
        from: "node_detail",
        endpoint: "/node/",
        grow: |b| disks(b, 64),
    },
];

/// Words that vary a line the way ids and counts do, so the lines fall into a few hundred
/// distinct messages rather than one.
fn variant(i: usize) -> String {
    format!(
        " request_id={:08x} shard={}",
        (i / 50).wrapping_mul(2_654_435_761),
        i % 7
    )
}

/// `entries` grown to `n` lines, one second apart, newest first; with `secrets`, one line in
/// five carries a credential to mask.
fn lines(body: &mut Value, n: usize, secrets: bool) {
    // An app's logs are the view itself; the overview nests them under `logs`.
    let data = &mut body["data"];
    let view = if data.get("logs").is_some() {
        &mut data["logs"]
    } else {
        data
    };
    let Some(entries) = view["entries"].as_array_mut() else {
        return;
    };
    let seed: Vec<Value> = entries.clone();
    if seed.is_empty() {
        return;
    }
    let newest = seed.iter().filter_map(|e| e["timestamp"].as_i64()).max().unwrap_or(0);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut e = seed[i % seed.len()].clone();
        e["timestamp"] = json!(newest - (i as i64) * 1000);
        let mut message = e["message"].as_str().unwrap_or_default().to_string();
        message.push_str(&variant(i));
        if secrets && i % 5 == 0 {
            message.push_str(" auth=\"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl\" db=postgres://app:pa55word@db:5432/app");
        }
        e["message"] = json!(message);
        out.push(e);
    }
    *entries = out;
}

/// The trace grown to `n` spans: the recorded spans repeated under its root, ten children per
/// span, each with its own id and start.
fn spans(body: &mut Value, n: usize) {
    let Some(trace) = body["data"]["traces"]["trace"].as_array_mut() else {
        return;
    };
    let seed: Vec<Value> = trace.clone();
    let Some(root) = seed
        .iter()
        .find(|s| s["parent_id"].as_str().is_none_or(str::is_empty))
        .cloned()
    else {
        return;
    };
    let start = root["timestamp"].as_i64().unwrap_or(0);
    let mut out = vec![root];
    for i in 1..n {
        let mut s = seed[i % seed.len()].clone();
        s["id"] = json!(format!("{i:016x}"));
        s["parent_id"] = json!(if i <= 10 {
            out[0]["id"].as_str().unwrap_or_default().to_string()
        } else {
            format!("{:016x}", i / 10)
        });
        s["timestamp"] = json!(start + i as i64);
        out.push(s);
    }
    *trace = out;
}

/// The first `n` incidents of the list made open.
fn open_incidents(body: &mut Value, n: usize) {
    if let Some(list) = body["data"].as_array_mut() {
        for i in list.iter_mut().take(n) {
            i["resolved_at"] = Value::Null;
            i["severity"] = json!("critical");
        }
    }
}

/// The node's disks table grown to `n` devices, and its per-device and per-interface chart
/// groups to `n` charts each.
fn disks(body: &mut Value, n: usize) {
    let Some(widgets) = body["data"]["widgets"].as_array_mut() else {
        return;
    };
    for w in widgets {
        let is_disks = w["table"]["header"][0] == "Device";
        if let Some(rows) = w["table"]["rows"].as_array_mut()
            && is_disks
            && let Some(seed) = rows.first().cloned()
        {
            *rows = (0..n)
                .map(|i| {
                    let mut r = seed.clone();
                    r["cells"][0]["value"] = json!(format!("/dev/nvme{i}n1"));
                    r
                })
                .collect();
        }
        if let Some(charts) = w["chart_group"]["charts"].as_array_mut()
            && let Some(seed) = charts.iter().find(|c| c["title"] != "overview").cloned()
        {
            charts.retain(|c| c["title"] == "overview");
            charts.extend((0..n).map(|i| {
                let mut c = seed.clone();
                c["title"] = json!(format!("dev{i}"));
                c
            }));
        }
    }
}

/// Gives the open incidents whose detail the incidents tool reads (the three newest: all are
/// critical) the recorded detail body under their own keys, and returns those keys.
pub fn complete_details(bodies: &mut BTreeMap<String, String>) -> Vec<String> {
    let Some(list) = bodies.iter().find(|(k, _)| k.contains("/incidents")).map(|(_, v)| v) else {
        return Vec::new();
    };
    let Some((detail_key, detail)) = bodies.iter().find(|(k, _)| k.contains("/incident/")) else {
        return Vec::new();
    };
    let mut read = Vec::new();
    let list: Value = serde_json::from_str(list).unwrap_or_default();
    let detail: Value = serde_json::from_str(detail).unwrap_or_default();
    let Some(recorded) = detail["data"]["key"].as_str().map(str::to_string) else {
        return read;
    };
    let mut open: Vec<&Value> = list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["resolved_at"].is_null())
        .collect();
    open.sort_by_key(|i| std::cmp::Reverse(i["opened_at"].as_i64()));
    let mut extra = Vec::new();
    for i in open.into_iter().take(3) {
        let Some(key) = i["key"].as_str() else { continue };
        let mut d = detail.clone();
        d["data"]["key"] = json!(key);
        d["data"]["application_id"] = i["application_id"].clone();
        extra.push((detail_key.replace(&recorded, key), d.to_string()));
    }
    for (k, v) in extra {
        read.push(k.clone());
        bodies.entry(k).or_insert(v);
    }
    read
}
