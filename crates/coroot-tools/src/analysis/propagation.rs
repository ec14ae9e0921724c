//! An incident's propagation map (Coroot's RCA, v1.15+) as a graph of calls, and the one answer
//! every tool gives from it: where the failure starts, and the path it took to the app that
//! shows it. Failures flow against the calls: a failing callee fails its callers.

use std::collections::{BTreeMap, BTreeSet};

use coroot_client::models::{IncidentView, PropagationApp};
use coroot_client::{AppId, Status};

use crate::analysis::{app_key, same_app};

/// Most chains [`Graph::chains`] walks; a dense map has too many paths to be worth listing.
const MAX_CHAINS: usize = 40;

/// An app of the map.
#[derive(Debug, Clone)]
pub struct App {
    /// Its id as the map gives it.
    pub id: AppId,
    /// Its status on the map (Unknown for an app named only by a link).
    pub status: Status,
    /// The issues Coroot found in it.
    pub issues: Vec<String>,
}

/// A call edge, merged from both ends' view of it.
#[derive(Debug, Clone)]
pub struct Call {
    /// Index of the calling app.
    pub caller: usize,
    /// Index of the called app.
    pub callee: usize,
    /// The worse of the two ends' statuses.
    pub status: Status,
    /// The caller's stats lines (the callee's when the caller has none).
    pub stats: Vec<String>,
}

/// A call as the map's apps report it, before the apps are indexed.
struct Edge {
    caller: AppId,
    callee: AppId,
    status: Status,
    stats: Vec<String>,
}

impl Edge {
    fn in_map<'m>(edges: &'m mut BTreeMap<(String, String), Edge>, caller: &AppId, callee: &AppId) -> &'m mut Edge {
        edges
            .entry((caller.to_string(), callee.to_string()))
            .or_insert_with(|| Edge {
                caller: caller.clone(),
                callee: callee.clone(),
                status: Status::Unknown,
                stats: Vec::new(),
            })
    }
}

/// The propagation map.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Apps, in the map's order; apps only named by a link last.
    pub apps: Vec<App>,
    /// Calls, ordered by caller then callee id.
    pub calls: Vec<Call>,
}

impl Graph {
    /// The incident's map; empty without an RCA.
    pub fn of(view: &IncidentView) -> Graph {
        let apps = view
            .incident
            .rca
            .as_ref()
            .and_then(|r| r.propagation_map.as_ref())
            .map_or(&[][..], |m| m.applications.as_slice());
        Graph::from_apps(apps)
    }

    /// The graph of a map's applications.
    pub fn from_apps(list: &[PropagationApp]) -> Graph {
        let mut g = Graph {
            apps: list
                .iter()
                .map(|a| App {
                    id: a.id.clone(),
                    status: a.status,
                    issues: a.issues.clone(),
                })
                .collect(),
            calls: Vec::new(),
        };
        // Keyed by (caller, callee); the caller's own view of the link wins for stats.
        let mut edges: BTreeMap<(String, String), Edge> = BTreeMap::new();
        for a in list {
            for up in &a.upstreams {
                let e = Edge::in_map(&mut edges, &a.id, &up.id);
                e.status = e.status.max(up.status);
                e.stats.clone_from(&up.stats);
            }
        }
        for a in list {
            for down in &a.downstreams {
                let e = Edge::in_map(&mut edges, &down.id, &a.id);
                e.status = e.status.max(down.status);
                if e.stats.is_empty() {
                    e.stats.clone_from(&down.stats);
                }
            }
        }
        for e in edges.into_values() {
            let caller = g.index_or_add(&e.caller);
            let callee = g.index_or_add(&e.callee);
            g.calls.push(Call {
                caller,
                callee,
                status: e.status,
                stats: e.stats,
            });
        }
        g
    }

    fn index_or_add(&mut self, id: &AppId) -> usize {
        if let Some(i) = self.apps.iter().position(|a| a.id == *id) {
            return i;
        }
        self.apps.push(App {
            id: id.clone(),
            status: Status::Unknown,
            issues: Vec::new(),
        });
        self.apps.len() - 1
    }

    /// The app index of `id`, whichever form (3- or 4-part) it is given in.
    pub fn index(&self, id: &AppId) -> Option<usize> {
        self.apps.iter().position(|a| same_app(&a.id, id))
    }

    fn failing(&self, i: usize) -> bool {
        self.apps.get(i).is_some_and(|a| a.status.is_failing())
    }

    /// Where the failure starts: the first failing app that calls no failing app through a
    /// failing call. A cause there explains every failing caller above it.
    pub fn root(&self) -> Option<&App> {
        (0..self.apps.len())
            .filter(|&i| self.failing(i))
            .find(|&i| {
                !self
                    .calls
                    .iter()
                    .any(|c| c.caller == i && c.callee != i && c.status.is_failing() && self.failing(c.callee))
            })
            .and_then(|i| self.apps.get(i))
    }

    /// The failure's path, root first, following the worst failing call into a failing caller
    /// at each step: the way the failure travelled to the app that shows it.
    pub fn path(&self) -> Vec<&App> {
        let Some(root) = self.root().and_then(|r| self.index(&r.id)) else {
            return Vec::new();
        };
        let mut path = vec![root];
        let mut cur = root;
        while let Some(next) = self
            .calls
            .iter()
            .filter(|c| c.callee == cur && !path.contains(&c.caller) && self.failing(c.caller))
            .max_by_key(|c| c.status)
        {
            path.push(next.caller);
            cur = next.caller;
        }
        path.iter().filter_map(|&i| self.apps.get(i)).collect()
    }

    /// Every chain of calls read in the failure's direction, as app indices: from each app that
    /// calls nothing on the map (worst first) up through its callers to apps nobody calls.
    pub fn chains(&self) -> Vec<Vec<usize>> {
        let n = self.apps.len();
        let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut calls_any = vec![false; n];
        for c in self.calls.iter().filter(|c| c.caller != c.callee) {
            if let Some(flag) = calls_any.get_mut(c.caller) {
                *flag = true;
            }
            if let Some(list) = callers.get_mut(c.callee) {
                list.push(c.caller);
            }
        }
        let worst_first = |v: &mut Vec<usize>| {
            v.sort_by(|&x, &y| {
                let (ax, ay) = (self.apps.get(x), self.apps.get(y));
                ay.map(|a| a.status)
                    .cmp(&ax.map(|a| a.status))
                    .then_with(|| ax.map(|a| a.id.as_str()).cmp(&ay.map(|a| a.id.as_str())))
            });
        };
        for c in &mut callers {
            worst_first(c);
        }
        let mut roots: Vec<usize> = (0..n)
            .filter(|&i| !calls_any.get(i).copied().unwrap_or(false))
            .collect();
        if roots.is_empty() && n > 0 {
            // Every app calls another (a cycle): start from the worst.
            roots = (0..n).collect();
            worst_first(&mut roots);
            roots.truncate(1);
        }
        worst_first(&mut roots);
        let mut out = Vec::new();
        for root in roots {
            walk(&callers, &mut vec![root], &mut out);
            if out.len() >= MAX_CHAINS {
                break;
            }
        }
        out
    }

    /// App indices in chain order (root causes first), then any app no chain reaches.
    pub fn chain_order(&self) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        let mut order: Vec<usize> = self
            .chains()
            .into_iter()
            .flatten()
            .filter(|i| seen.insert(*i))
            .collect();
        order.extend((0..self.apps.len()).filter(|i| !seen.contains(i)));
        order
    }

    /// The calls made by app `i`, worst first.
    pub fn calls_of(&self, i: usize) -> Vec<&Call> {
        let mut out: Vec<&Call> = self.calls.iter().filter(|c| c.caller == i).collect();
        out.sort_by(|a, b| {
            b.status.cmp(&a.status).then_with(|| {
                let id = |c: &Call| self.apps.get(c.callee).map(|a| a.id.to_string());
                id(a).cmp(&id(b))
            })
        });
        out
    }
}

fn walk(callers: &[Vec<usize>], path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    let Some(&last) = path.last() else { return };
    let next: Vec<usize> = callers
        .get(last)
        .map(|c| c.iter().copied().filter(|n| !path.contains(n)).collect())
        .unwrap_or_default();
    if next.is_empty() || out.len() >= MAX_CHAINS {
        out.push(path.clone());
        return;
    }
    for n in next {
        path.push(n);
        walk(callers, path, out);
        path.pop();
    }
}

/// The key of the app where the incident's failure starts: the map's root, else `None`.
pub fn root_key(view: &IncidentView) -> Option<String> {
    Graph::of(view).root().map(|a| app_key(&a.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use coroot_client::models::PropagationLink;

    fn app(id: &str, status: Status, calls: &[(&str, Status)]) -> PropagationApp {
        PropagationApp {
            id: AppId::new(id),
            status,
            upstreams: calls
                .iter()
                .map(|(c, s)| PropagationLink {
                    id: AppId::new(*c),
                    status: *s,
                    stats: vec![],
                })
                .collect(),
            ..PropagationApp::default()
        }
    }

    #[test]
    fn the_root_is_the_failing_app_that_calls_no_failing_app() {
        use Status::*;
        let g = Graph::from_apps(&[
            app(
                "c:default:Deployment:frontend",
                Critical,
                &[("c:default:Deployment:checkout", Critical)],
            ),
            app(
                "c:default:Deployment:checkout",
                Critical,
                &[
                    ("c:default:Deployment:payment", Critical),
                    ("c:default:Deployment:cache", Ok),
                ],
            ),
            app(
                "c:default:Deployment:payment",
                Warning,
                &[("c:default:Deployment:db", Ok)],
            ),
            app("c:default:Deployment:db", Ok, &[]),
        ]);
        assert_eq!(g.root().map(|a| a.id.name()), Some("payment"));
        let path: Vec<&str> = g.path().iter().map(|a| a.id.name()).collect();
        assert_eq!(path, ["payment", "checkout", "frontend"]);
        let first_chain: Vec<&str> = g.chains()[0].iter().map(|&i| g.apps[i].id.name()).collect();
        assert_eq!(first_chain, ["db", "payment", "checkout", "frontend"]);
    }

    #[test]
    fn a_cycle_and_an_empty_map_do_not_loop() {
        use Status::*;
        let g = Graph::from_apps(&[
            app("c:a:Deployment:x", Critical, &[("c:a:Deployment:y", Critical)]),
            app("c:a:Deployment:y", Critical, &[("c:a:Deployment:x", Critical)]),
        ]);
        assert!(g.root().is_none());
        assert_eq!(g.chains().len(), 1);
        assert!(Graph::default().path().is_empty());
    }

    #[test]
    fn chains_follow_calls_backwards_from_the_root() {
        use Status::*;
        let g = Graph::from_apps(&[
            app("fe", Warning, &[("a", Ok), ("b", Ok)]),
            app("a", Critical, &[("db", Ok)]),
            app("b", Warning, &[("db", Ok)]),
            app("db", Critical, &[]),
            // A cycle must not loop.
            app("x", Ok, &[("y", Ok)]),
            app("y", Ok, &[("x", Ok)]),
        ]);
        let named: Vec<Vec<&str>> = g
            .chains()
            .into_iter()
            .map(|c| c.into_iter().map(|i| g.apps[i].id.as_str()).collect())
            .collect();
        assert_eq!(named, vec![vec!["db", "a", "fe"], vec!["db", "b", "fe"]]);
    }
}
