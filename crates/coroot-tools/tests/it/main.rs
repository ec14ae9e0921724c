//! coroot-tools' integration tests, one binary: the tools run against the simulator through the
//! `testing` kit, as a front end would call them. `fuzz`: every tool on mutated Coroot bodies;
//! `versions`: the tools against each Coroot generation; `integrations`: against a Coroot
//! without ClickHouse or with an unwell Prometheus; `requests`: how many requests the
//! workflows send Coroot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fuzz;
mod integrations;
mod requests;
mod versions;
