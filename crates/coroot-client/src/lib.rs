//! Typed async client for Coroot's HTTP API.
