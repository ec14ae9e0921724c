//! A Coroot API simulator.
