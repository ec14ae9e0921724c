//! coroot-tools' integration tests, one binary: the tools run against the simulator through the
//! `testing` kit, as a front end would call them. `fuzz`: every tool on mutated Coroot bodies;
//! `versions`: the tools against each Coroot generation; `integrations`: against a Coroot
//! without ClickHouse or with an unwell Prometheus; `requests`: how many requests the
//! workflows send Coroot; `rca`: coroot_investigate on every fault class; `evidence`: pinned
//! windows and links into Coroot's UI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod evidence;
mod fuzz;
// The JSON damage the client's model fuzzing uses too: one file, two test binaries.
mod integrations;
#[path = "../../../coroot-client/tests/it/mutate.rs"]
mod mutate;
mod rca;
mod requests;
mod versions;
