//! The fault scenarios: one fault class each on the `healthy` e-commerce production cluster
//! (plus the quiet staging project), with the common background noise and at least one red
//! herring, incidents opened the way Coroot's watcher opens them and no AI RCA. Each builder
//! bends the world's data (apps, links, nodes, volumes, DNS stats, logs, metric stories) so the
//! renderers derive the checks; it makes a check fire only where the simulator has no data to
//! derive it from. `kit` is the shared builder, `noise` the noise and red herrings.

mod app_errors;
pub use app_errors::INJECTIONS;
mod cpu;
mod database;
mod dns;
mod kit;
mod memory;
mod mixed;
mod network;
mod node;
mod noise;
mod storage;

use crate::scenario::truth::ExpectedCause;
use crate::world::World;

/// One fault scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    PacketLoss,
    DnsNxdomain,
    DnsServfail,
    DiskSpaceFull,
    OomWithoutDeploy,
    CpuThrottlingAfterLimitChange,
    NoisyNeighbour,
    NodeDown,
    PostgresLatency,
    ConnectionPoolExhausted,
    BadDeployLogErrors,
    HostileTelemetry,
    ExternalDependencyDown,
    HealthyWithNoise,
    ConcurrentFaults,
}

/// Each fault: its scenario name, how it bends the cluster, and its ground truth.
type Entry = (Fault, &'static str, fn(&mut kit::Shop), &'static [ExpectedCause]);

const TABLE: &[Entry] = &[
    (
        Fault::PacketLoss,
        "packet_loss",
        network::packet_loss,
        network::PACKET_LOSS,
    ),
    (Fault::DnsNxdomain, "dns_nxdomain", dns::nxdomain, dns::NXDOMAIN),
    (Fault::DnsServfail, "dns_servfail", dns::servfail, dns::SERVFAIL),
    (
        Fault::DiskSpaceFull,
        "disk_space_full",
        storage::disk_space_full,
        storage::DISK_SPACE_FULL,
    ),
    (
        Fault::OomWithoutDeploy,
        "oom_without_deploy",
        memory::oom_without_deploy,
        memory::OOM_WITHOUT_DEPLOY,
    ),
    (
        Fault::CpuThrottlingAfterLimitChange,
        "cpu_throttling_after_limit_change",
        cpu::throttling_after_limit_change,
        cpu::THROTTLING_AFTER_LIMIT_CHANGE,
    ),
    (
        Fault::NoisyNeighbour,
        "noisy_neighbour",
        cpu::noisy_neighbour,
        cpu::NOISY_NEIGHBOUR,
    ),
    (Fault::NodeDown, "node_down", node::node_down, node::NODE_DOWN),
    (
        Fault::PostgresLatency,
        "postgres_latency",
        database::postgres_latency,
        database::POSTGRES_LATENCY,
    ),
    (
        Fault::ConnectionPoolExhausted,
        "connection_pool_exhausted",
        app_errors::connection_pool_exhausted,
        app_errors::CONNECTION_POOL_EXHAUSTED,
    ),
    (
        Fault::BadDeployLogErrors,
        "bad_deploy_log_errors",
        app_errors::bad_deploy_log_errors,
        app_errors::BAD_DEPLOY_LOG_ERRORS,
    ),
    (
        Fault::HostileTelemetry,
        "hostile_telemetry",
        app_errors::hostile_telemetry,
        app_errors::BAD_DEPLOY_LOG_ERRORS,
    ),
    (
        Fault::ExternalDependencyDown,
        "external_dependency_down",
        network::external_dependency_down,
        network::EXTERNAL_DEPENDENCY_DOWN,
    ),
    (
        Fault::HealthyWithNoise,
        "healthy_with_noise",
        mixed::healthy_with_noise,
        &[],
    ),
    (
        Fault::ConcurrentFaults,
        "concurrent_faults",
        mixed::concurrent_faults,
        mixed::CONCURRENT_FAULTS,
    ),
];

impl Fault {
    fn entry(self) -> Option<&'static Entry> {
        TABLE.iter().find(|e| e.0 == self)
    }

    /// The fault of a scenario name.
    pub(crate) fn by_name(name: &str) -> Option<Fault> {
        TABLE.iter().find(|e| e.1 == name).map(|e| e.0)
    }

    /// The scenario names of every fault, in [`TABLE`] order.
    #[cfg(test)]
    pub(crate) fn names() -> impl Iterator<Item = &'static str> {
        TABLE.iter().map(|e| e.1)
    }

    /// The world of the fault relative to `now`.
    pub(crate) fn build(self, now: i64) -> World {
        let mut shop = kit::Shop::new(now);
        noise::common(&mut shop);
        if let Some(e) = self.entry() {
            (e.2)(&mut shop);
        }
        shop.world()
    }

    /// Its ground truth: one cause per independent problem.
    pub(crate) fn truth(self) -> &'static [ExpectedCause] {
        self.entry().map_or(&[], |e| e.3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn every_fault_is_a_named_scenario_with_valid_kinds() {
        for name in Fault::names() {
            assert!(Scenario::NAMES.contains(&name), "{name} is not in Scenario::NAMES");
            let s = Scenario::by_name(name).expect("by_name knows it");
            for c in s.expected_causes() {
                for k in std::iter::once(c.kind).chain(c.also.iter().copied()) {
                    assert!(ExpectedCause::KINDS.contains(&k), "{name}: unknown kind {k}");
                }
                assert!(
                    c.app.is_some() || c.node.is_some(),
                    "{name}: a cause names an app or a node"
                );
                assert_eq!(c.app.is_some(), c.app_id.is_some(), "{name}");
            }
        }
    }
}
