//! Independent problems: a cluster often has more than one thing wrong at once (an incident's
//! OOM, and elsewhere a failing link no incident covers, and DNS errors in a third app). The
//! suspects are grouped into problems, each reported with its strongest suspect and the open
//! incidents it explains, so the report does not stop at the incidents' failure paths.
//!
//! Two suspects belong to one problem when they are in the same app, when one fails to reach
//! the other's app, when one explains the other's signals (a node and the apps on it), or when
//! they lie on the failure path of the same open incident. Problems are numbered by their
//! strongest suspect's score; the strongest suspect of each problem comes first in the ranking,
//! then the others by score.

use std::collections::BTreeSet;

use super::draft::{Draft, cause_text, keep_evidence};
use super::evidence::Case;
use super::output::Suspect;

/// Drafts ranked: one per problem first (strongest problem first), then the rest; ties by
/// worst status, then the more fundamental kind.
pub(super) fn rank(case: &Case<'_>, mut drafts: Vec<Draft>) -> Vec<Suspect> {
    drafts.sort_by(|a, b| {
        b.score()
            .cmp(&a.score())
            .then(b.worst.cmp(&a.worst))
            .then(a.primary().cmp(&b.primary()))
            .then(a.app.cmp(&b.app))
            .then(a.node.cmp(&b.node))
    });
    let incidents: Vec<BTreeSet<String>> = drafts.iter().map(|d| incidents_of(case, d)).collect();
    let mut group = Groups::new(drafts.len());
    for i in 0..drafts.len() {
        for j in i + 1..drafts.len() {
            if related(case, &drafts[i], &drafts[j]) || !incidents[i].is_disjoint(&incidents[j]) {
                group.join(i, j);
            }
        }
    }
    // Problems numbered in order of their strongest suspect (the drafts are sorted).
    let mut roots: Vec<usize> = Vec::new();
    let number: Vec<usize> = (0..drafts.len())
        .map(|i| {
            let root = group.root(i);
            match roots.iter().position(|r| *r == root) {
                Some(n) => n + 1,
                None => {
                    roots.push(root);
                    roots.len()
                }
            }
        })
        .collect();
    let mut covered: Vec<BTreeSet<String>> = vec![BTreeSet::new(); roots.len()];
    for (i, keys) in incidents.iter().enumerate() {
        covered[number[i] - 1].extend(keys.iter().cloned());
    }
    let leader = |i: usize| number[..i].iter().all(|n| *n != number[i]);
    let order: Vec<usize> = (0..drafts.len())
        .filter(|i| leader(*i))
        .chain((0..drafts.len()).filter(|i| !leader(*i)))
        .collect();
    let mut slots: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    order
        .into_iter()
        .enumerate()
        .filter_map(|(rank, i)| {
            let mut d = slots.get_mut(i)?.take()?;
            d.evidence.sort_by_key(|(prio, _)| *prio);
            let evidence = keep_evidence(std::mem::take(&mut d.evidence));
            Some(Suspect {
                rank: rank + 1,
                cause: cause_text(&d, case),
                kind: d.primary(),
                signals: d.kinds.iter().copied().collect(),
                app: d.app.as_deref().map(|k| case.full(k)),
                node: d.node.clone(),
                url: None,
                problem: number[i],
                incidents: covered[number[i] - 1].iter().cloned().collect(),
                score: d.score(),
                score_rules: d.rules.iter().map(|(r, _)| r.clone()).collect(),
                evidence: evidence.into_iter().map(|(_, e)| e).collect(),
            })
        })
        .collect()
}

/// The open incidents whose failure path runs through the suspect's app or an app it explains.
fn incidents_of(case: &Case<'_>, d: &Draft) -> BTreeSet<String> {
    case.incident_apps
        .iter()
        .filter(|(_, apps)| d.app.iter().chain(&d.explains).any(|a| apps.contains(a)))
        .map(|(key, _)| key.clone())
        .collect()
}

/// Same app, one fails to reach the other's app, or one explains the other's signals.
fn related(case: &Case<'_>, a: &Draft, b: &Draft) -> bool {
    let reaches = |x: &Draft, y: &Draft| {
        y.app
            .as_ref()
            .is_some_and(|k| x.targets.contains(&case.name_of(k)) || x.explains.contains(k))
    };
    (a.app.is_some() && a.app == b.app) || reaches(a, b) || reaches(b, a)
}

/// Disjoint sets of suspects, by index.
struct Groups(Vec<usize>);

impl Groups {
    fn new(n: usize) -> Groups {
        Groups((0..n).collect())
    }

    fn root(&self, mut i: usize) -> usize {
        while self.0[i] != i {
            i = self.0[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        // The stronger (earlier) suspect's root stays the root.
        let (keep, other) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.0[other] = keep;
    }
}
