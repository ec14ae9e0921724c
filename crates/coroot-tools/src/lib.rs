//! The Coroot investigation tools.
