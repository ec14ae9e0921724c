//! A suspect while it is assembled: the rules that scored and the facts behind them, and how
//! it reads as a headline once ranked.

use std::collections::BTreeSet;

use coroot_client::Status;

use super::evidence::Case;
use super::output::Evidence;
use crate::analysis::signals::Kind;
use crate::render::units::{clip, one_line};

/// Points of the node rules, which both the app rules (`score`) and the node causes (`shared`)
/// give (see the module doc of `coroot_investigate` for why).
pub(super) const NODE_ONLY: u32 = 3;
pub(super) const NODE_DOWN_UNDER_APPS: u32 = 3;
pub(super) const NODE_DOWN_ELSEWHERE: u32 = 1;

/// Evidence lines per suspect.
const EVIDENCE: usize = 10;
/// Longest fact text.
const FACT_CHARS: usize = 220;

/// Evidence order within a suspect: what scored first, corroboration last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prio {
    Check,
    Deploy,
    Node,
    Link,
    Rca,
    Events,
    Logs,
    Traces,
    Net,
    Other,
}

/// A suspect being assembled.
pub(super) struct Draft {
    /// Key of the app the cause is in.
    pub app: Option<String>,
    /// The node the cause involves.
    pub node: Option<String>,
    pub kinds: BTreeSet<Kind>,
    pub worst: Status,
    pub rules: Vec<(String, u32)>,
    pub evidence: Vec<(Prio, Evidence)>,
    pub deploy: Option<String>,
    /// Names of the dependencies the app fails to reach.
    pub targets: Vec<String>,
    pub device: Option<String>,
    /// True for a cause in a node (down, a flagged resource, a lossy network) rather than in
    /// an app, even when the app that loads the node is named.
    pub node_level: bool,
    /// The workload that uses most of a saturated node resource, as a phrase.
    pub consumer: Option<String>,
    /// Keys of the apps whose signals this cause explains (the apps on a down node, the victims
    /// of a noisy neighbour).
    pub explains: Vec<String>,
}

impl Draft {
    pub(super) fn new(app: Option<String>, node: Option<String>) -> Draft {
        Draft {
            app,
            node,
            kinds: BTreeSet::new(),
            worst: Status::Unknown,
            rules: Vec::new(),
            evidence: Vec::new(),
            deploy: None,
            targets: Vec::new(),
            device: None,
            node_level: false,
            consumer: None,
            explains: Vec::new(),
        }
    }

    pub(super) fn rule(&mut self, name: impl Into<String>, points: u32) {
        self.rules.push((name.into(), points));
    }

    pub(super) fn score(&self) -> u32 {
        self.rules.iter().map(|(_, p)| p).sum()
    }

    /// Adds a fact; `prio` orders the evidence so truncation keeps what scored.
    pub(super) fn fact(&mut self, prio: Prio, tool: &'static str, item: impl Into<String>, fact: impl AsRef<str>) {
        let e = Evidence {
            source_tool: tool,
            item: item.into(),
            fact: clip(&one_line(fact.as_ref()), FACT_CHARS),
        };
        // One line per chart series: two pods' series of one chart say the same thing.
        let same = |x: &Evidence| *x == e || (prio == Prio::Net && x.source_tool == e.source_tool && x.item == e.item);
        if !self.evidence.iter().any(|(_, x)| same(x)) {
            self.evidence.push((prio, e));
        }
    }

    pub(super) fn primary(&self) -> Kind {
        self.kinds
            .iter()
            .copied()
            .find(|k| *k != Kind::Deploy)
            .or_else(|| self.kinds.first().copied())
            .unwrap_or(Kind::Other)
    }

    pub(super) fn supports(&self, signal: Kind) -> bool {
        self.kinds.iter().any(|k| k.supported_by(signal))
    }
}

/// At most `EVIDENCE` facts, but always the first of each kind, so every scoring rule keeps
/// the fact behind it.
pub(super) fn keep_evidence(list: Vec<(Prio, Evidence)>) -> Vec<(Prio, Evidence)> {
    let mut seen = BTreeSet::new();
    let mut keep: Vec<bool> = list.iter().map(|(p, _)| seen.insert(*p)).collect();
    let mut budget = EVIDENCE.saturating_sub(keep.iter().filter(|k| **k).count());
    for k in keep.iter_mut().filter(|k| !**k) {
        if budget == 0 {
            break;
        }
        *k = true;
        budget -= 1;
    }
    list.into_iter().zip(keep).filter_map(|(e, k)| k.then_some(e)).collect()
}

/// The headline of a suspect, from its main kind.
pub(super) fn cause_text(d: &Draft, case: &Case<'_>) -> String {
    let app = d.app.as_deref().map(|k| case.short(k)).unwrap_or_default();
    let node = d.node.clone().unwrap_or_default();
    let on_node = match (&d.device, d.node.is_some()) {
        (Some(dev), true) => format!(" ({dev} on {node})"),
        (None, true) => format!(" (on {node})"),
        _ => String::new(),
    };
    let targets = if d.targets.is_empty() {
        "an upstream".to_string()
    } else {
        d.targets.join(", ")
    };
    let mut text = match (d.primary(), d.app.is_some()) {
        (Kind::NodeDown, _) => format!("Node {node} is down"),
        (Kind::NodeCpu, _) if d.consumer.is_some() => format!(
            "CPU saturation of node {node} by {}",
            d.consumer.clone().unwrap_or_default()
        ),
        (Kind::Connectivity | Kind::NetworkLatency, _) if d.node_level => {
            format!("Network trouble on node {node}: connections of the apps with pods there fail or slow down")
        }
        (Kind::Oom, _) => format!("OOM kills of {app}"),
        (Kind::DiskIo, true) => format!("Disk I/O saturation under {app}{on_node}"),
        (Kind::DiskIo, false) => format!(
            "Disk I/O saturation of {} on node {node}",
            d.device.clone().unwrap_or_default()
        ),
        (Kind::TcpConnect, _) => format!("{app} fails to connect (TCP) to {targets}"),
        (Kind::Connectivity, _) => format!("{app} cannot reach {targets}"),
        (Kind::Dns, _) => format!("DNS errors in {app}"),
        (Kind::CpuThrottling, _) => format!("CPU shortage/throttling of {app}"),
        (Kind::NodeCpu, true) => format!("Node CPU saturation under {app}{on_node}"),
        (Kind::NodeCpu, false) => format!("CPU saturation of node {node}"),
        (Kind::Memory, true) => format!("Memory pressure in {app}{on_node}"),
        (Kind::Memory, false) => format!("Memory pressure on node {node}"),
        (Kind::DiskSpace, true) => format!("Disk space of {app}{on_node}"),
        (Kind::DiskSpace, false) => format!("Disk space on node {node}"),
        (Kind::NetworkLatency, _) => format!("High network RTT from {app}"),
        (Kind::InstancesDown, _) => format!("Unavailable instances of {app}"),
        (Kind::Restarts, _) => format!("Container restarts of {app}"),
        (Kind::Database, _) => format!("Slow or failing database {app}"),
        (Kind::Runtime, _) => format!("Runtime trouble in {app}"),
        (Kind::Deploy, _) => format!("Deployment of {app}"),
        (Kind::Errors, _) => format!("Failures starting in {app} without a failing resource check"),
        (Kind::Other, true) => format!("Failing checks of {app}"),
        (Kind::Other, false) => format!("Flagged resource on node {node}"),
    };
    if let Some(v) = &d.deploy {
        if d.primary() == Kind::Deploy {
            text = format!("Deployment {v} of {app}");
        } else {
            text.push_str(&format!(" after deployment {v}"));
        }
    }
    text
}

/// `Latency 120 ms, I/O Load 9.5 (WARNING); used by postgres-0`.
pub(super) fn node_fact(flag: &crate::analysis::signals::Flag) -> String {
    let mut fact = format!("{} ({})", flag.cells_text(), flag.status.label());
    if !flag.used_by.is_empty() {
        fact.push_str(&format!("; used by {}", flag.used_by.join(", ")));
    }
    fact
}
