//! Rollouts: a Deployment's latest rollout inside the history, as kube-state-metrics and the
//! node agent show one. Coroot finds rollouts from its pods' ReplicaSets over time
//! (v1.24.5:watchers/deployments.go `calcDeployments`: the pods' lifespans from
//! `kube_pod_status_phase`, per ReplicaSet; a stretch where two ReplicaSets live starts a
//! deployment named after the new one, its images from `container_info`). The world keeps
//! only the pods running now, so each gets a predecessor of the previous ReplicaSet: every
//! series of the pod, cloned under the old pod's name, uid and image, ending shortly after
//! the rollout, while the new pod's own series start at it.

use super::plan::{Plan, uuid};
use super::series::{STEP, Sink};
use crate::prng::hash_str;

/// How long an old pod outlives the rollout (its replacement becoming ready).
const OVERLAP: i64 = 4 * STEP;

/// Adds the predecessors of the pods of every Deployment rolled out after `from`.
pub(crate) fn emit(plan: &Plan, sink: &mut Sink, from: i64) {
    let before = sink.out.len();
    for (idx, a) in plan.p.apps.iter().enumerate() {
        if a.kind != "Deployment" {
            continue;
        }
        let mut rollouts: Vec<_> = plan.p.deployments.iter().filter(|d| d.app == idx).collect();
        rollouts.sort_by_key(|d| d.started_at);
        let Some(last) = rollouts.last() else {
            continue;
        };
        // Grid-aligned, so the new ReplicaSet appears exactly at the rollout.
        let at = last.started_at - last.started_at.rem_euclid(STEP);
        if at <= from || at >= plan.now {
            continue;
        }
        let new_image = plan.apps[idx].image.clone();
        let old_image = match rollouts.iter().rev().nth(1) {
            Some(prev) => prev
                .version
                .split_once(": ")
                .map(|(_, img)| format!("registry.example.com/{}/{img}", a.ns))
                .unwrap_or_else(|| new_image.clone()),
            None => format!("registry.example.com/{}/{}:previous", a.ns, a.name),
        };
        // A ReplicaSet hash is hex (Coroot only strips hex hashes, model/application_id.go).
        let old_hash = format!("{:x}", hash_str(&format!("{}/{}/previous", a.ns, a.name)) >> 28);
        let old_rs = format!("{}-{old_hash}", a.name);
        for i in &a.instances {
            let Some((new_rs, suffix)) = i.name.rsplit_once('-') else {
                continue;
            };
            let old = format!("{old_rs}-{suffix}");
            let (new_uid, old_uid) = (
                uuid(&format!("{}/{}/pod", a.ns, i.name)),
                uuid(&format!("{}/{old}/pod", a.ns)),
            );
            let quoted = format!("\"{}\"", i.name);
            let in_path = format!("/{}/", i.name);
            for k in 0..before {
                let s = &sink.out[k];
                if !(s.labels.contains(&quoted) || s.labels.contains(&in_path)) {
                    continue;
                }
                let mut clone = s.clone();
                // The ReplicaSet's name is the pod's without its suffix: both change
                // (`kube_pod_info{created_by_name}` is how Coroot tells ReplicaSets apart).
                clone.labels = clone
                    .labels
                    .replace(new_rs, &old_rs)
                    .replace(&new_uid, &old_uid)
                    .replace(&new_image, &old_image);
                clone.end = clone.end.min(at + OVERLAP);
                sink.out.push(clone);
                let s = &mut sink.out[k];
                s.start = s.start.max(at);
            }
        }
    }
}
