//! Causes that several suspects share: a node whose fault shows in the apps running on it (a
//! down node, a CPU taken by a noisy neighbour, an interface that loses packets). Such a cause
//! explains the apps' own signals, so it takes their weight: an app that is only a victim of
//! its node must not outrank the node.

use std::collections::{BTreeMap, BTreeSet};

use coroot_client::models::AuditReport;

use super::draft::{Draft, NODE_DOWN_ELSEWHERE, NODE_DOWN_UNDER_APPS, NODE_ONLY, Prio, node_fact};
use super::evidence::Case;
use super::output::Evidence;
use crate::analysis::charts::top_consumer;
use crate::analysis::signals::{Kind, flags};
use crate::render::units::num;
use crate::tools::names;

/// A consumer taking at least this share of a saturated node resource is named as its cause.
const CONSUMER_SHARE: f64 = 0.5;
/// Apps with network trouble that must share one node before the node is suspected.
const NETWORK_APPS: usize = 2;

/// Node suspects not tied to an app suspect: flagged node resources (+3) and down nodes (+3
/// when investigated apps run on them, +1 otherwise).
pub(super) fn node_suspects(case: &Case<'_>, app_drafts: &[Draft]) -> Vec<Draft> {
    let facts = case.facts;
    let mut out = Vec::new();
    for (node, report) in &facts.node_reports {
        for flag in flags(report) {
            let taken = app_drafts
                .iter()
                .any(|d| d.node.as_deref() == Some(node.as_str()) && d.device.as_deref() == Some(flag.row.as_str()));
            if taken {
                continue;
            }
            let mut d = Draft::new(None, Some(node.clone()));
            d.node_level = true;
            d.kinds.insert(flag.kind);
            d.worst = flag.status;
            d.device = Some(flag.row.clone());
            d.rule(format!("node flag +{NODE_ONLY}"), NODE_ONLY);
            d.fact(
                Prio::Node,
                names::NODE_DETAIL,
                format!("{node} {} {}", flag.group, flag.row),
                node_fact(&flag),
            );
            top_consumer_of(case, report, flag.kind, &mut d);
            out.push(d);
        }
    }
    let mut apps_on: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, list) in &case.pods {
        for (_, node) in list.iter().filter(|(_, n)| !n.is_empty()) {
            let apps = apps_on.entry(node.as_str()).or_default();
            if !apps.contains(&k.as_str()) {
                apps.push(k);
            }
        }
    }
    for n in facts.nodes.iter().flatten().filter(|n| n.status.status.is_failing()) {
        let mut d = Draft::new(None, Some(n.name.clone()));
        d.node_level = true;
        d.kinds.insert(Kind::NodeDown);
        d.worst = n.status.status;
        let on_it: Vec<&str> = apps_on.get(n.name.as_str()).cloned().unwrap_or_default();
        d.explains = on_it.iter().map(|a| a.to_string()).collect();
        let under: Vec<String> = on_it.iter().map(|a| case.short(a)).collect();
        if under.is_empty() {
            d.rule(
                format!("no investigated app on it +{NODE_DOWN_ELSEWHERE}"),
                NODE_DOWN_ELSEWHERE,
            );
        } else {
            d.rule(
                format!("runs {} +{NODE_DOWN_UNDER_APPS}", under.join(", ")),
                NODE_DOWN_UNDER_APPS,
            );
        }
        d.fact(
            Prio::Check,
            names::NODES,
            n.name.clone(),
            format!("{}: {}", n.status.status.label(), n.status.message),
        );
        for e in facts
            .events
            .iter()
            .flatten()
            .filter(|e| e.attributes.get("object.name") == Some(n.name.as_str()))
            .take(2)
        {
            let reason = e.attributes.get("event.reason").map(str::to_string).unwrap_or_default();
            d.fact(
                Prio::Events,
                names::OVERVIEW_LOGS,
                format!("K8s event {reason}"),
                &e.message,
            );
        }
        out.push(d);
    }
    out
}

/// A saturated CPU (or memory) names the workload that takes most of it, from the node's
/// consumers chart: the noisy neighbour is the cause, the apps short of CPU beside it are not.
fn top_consumer_of(case: &Case<'_>, report: &AuditReport, kind: Kind, d: &mut Draft) {
    let resource = match kind {
        Kind::NodeCpu => "CPU",
        Kind::Memory => "Memory",
        _ => return,
    };
    let Some(c) = top_consumer(report, resource) else {
        return;
    };
    if c.total <= 0.0 || c.last < CONSUMER_SHARE * c.total {
        return;
    }
    let node = d.node.clone().unwrap_or_default();
    let share = format!("{} of {} {}", num(c.last), num(c.total), c.unit);
    // The chart names workloads; the app with that name, when there is exactly one.
    let mut same_name = case.ids.iter().filter(|(_, id)| id.name() == c.name);
    if let (Some((k, _)), None) = (same_name.next(), same_name.next()) {
        d.app = Some(k.clone());
    }
    d.consumer = Some(format!("{} ({share})", c.name));
    d.fact(
        Prio::Node,
        names::NODE_DETAIL,
        format!("{node} {resource} consumers"),
        format!("{} uses {share}", c.name),
    );
}

/// Network trouble (connectivity issues, high RTT) in several apps whose pods have exactly one
/// node in common: a lossy interface or a saturated link on that node breaks every connection
/// through it, whichever app owns it. Needs at least two apps and a cluster of two nodes or
/// more, so that a single-node cluster does not blame its only node.
pub(super) fn network_node(case: &Case<'_>, drafts: &[Draft]) -> Option<Draft> {
    let troubled: Vec<&str> = drafts
        .iter()
        .filter(|d| !d.node_level)
        .filter(|d| {
            d.kinds
                .iter()
                .any(|k| matches!(k, Kind::Connectivity | Kind::NetworkLatency))
        })
        .filter_map(|d| d.app.as_deref())
        .collect();
    let nodes_in_cluster = case.facts.nodes.as_ref().map_or(0, Vec::len);
    if troubled.len() < NETWORK_APPS || nodes_in_cluster < 2 {
        return None;
    }
    let nodes_of = |k: &str| -> BTreeSet<String> {
        case.pods_of(k)
            .iter()
            .map(|(_, n)| n.clone())
            .filter(|n| !n.is_empty())
            .collect()
    };
    let mut common = nodes_of(troubled[0]);
    for k in &troubled[1..] {
        let theirs = nodes_of(k);
        common.retain(|n| theirs.contains(n));
    }
    let mut common = common.into_iter();
    let (Some(node), None) = (common.next(), common.next()) else {
        return None;
    };
    if drafts
        .iter()
        .any(|d| d.node_level && d.node.as_deref() == Some(node.as_str()))
    {
        return None;
    }
    let mut d = Draft::new(None, Some(node.clone()));
    d.node_level = true;
    d.kinds.insert(Kind::Connectivity);
    d.worst = drafts
        .iter()
        .filter(|x| x.app.as_deref().is_some_and(|a| troubled.contains(&a)))
        .map(|x| x.worst)
        .max()
        .unwrap_or_default();
    let names: Vec<String> = troubled.iter().map(|k| case.short(k)).collect();
    d.rule(
        format!("{} share only node {node} +{NODE_ONLY}", names.join(", ")),
        NODE_ONLY,
    );
    for k in &troubled {
        if let Some((pod, _)) = case.pods_of(k).iter().find(|(_, n)| *n == node) {
            d.fact(
                Prio::Node,
                names::APP_DETAIL,
                format!("{}: Instances / {pod}", case.name_of(k)),
                format!("runs on node {node}"),
            );
        }
    }
    d.explains = troubled.iter().map(|k| k.to_string()).collect();
    Some(d)
}

/// An app suspect as a node-level cause sees it: its weight, its main signal and the fact behind it.
struct AppSignal {
    score: u32,
    kind: Kind,
    first: Option<Evidence>,
}

/// A node-level cause explains the app suspects whose main signal its fault produces (see
/// [`Kind::shows_in_apps_as`]) and that run on it: it takes the strongest one's score, so the
/// shared cause ranks above each of its victims.
pub(super) fn explain(case: &Case<'_>, drafts: &mut [Draft]) {
    let scores: BTreeMap<String, AppSignal> = drafts
        .iter()
        .filter(|d| !d.node_level)
        .filter_map(|d| {
            let app = d.app.clone()?;
            let first = d.evidence.first().map(|(_, e)| e.clone());
            Some((
                app,
                AppSignal {
                    score: d.score(),
                    kind: d.primary(),
                    first,
                },
            ))
        })
        .collect();
    for d in drafts.iter_mut().filter(|d| d.node_level) {
        let Some(node) = d.node.clone() else {
            continue;
        };
        let shows_as = d.primary().shows_in_apps_as();
        let victims: Vec<(&String, &AppSignal)> = scores
            .iter()
            .filter(|(k, v)| {
                shows_as.contains(&v.kind)
                    && d.app.as_ref() != Some(*k)
                    && case.pods_of(k).iter().any(|(_, n)| *n == node)
            })
            .collect();
        let Some((k, strongest)) = victims.iter().max_by_key(|(_, v)| v.score) else {
            continue;
        };
        let mut who: Vec<String> = vec![case.short(k)];
        who.extend(victims.iter().filter(|(v, _)| v != k).map(|(v, _)| case.short(v)));
        let score = strongest.score;
        d.rule(
            format!("explains {} ({}) +{score}", who.join(", "), strongest.kind.name()),
            score,
        );
        if let Some(e) = &strongest.first {
            d.fact(Prio::Check, e.source_tool, e.item.clone(), &e.fact);
        }
        for (k, _) in &victims {
            if !d.explains.contains(k) {
                d.explains.push((*k).clone());
            }
        }
    }
}
