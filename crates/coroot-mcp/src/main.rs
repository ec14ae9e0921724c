//! The coroot-mcp binary.

fn main() {}
