//! The MCP server: the handler that answers MCP requests from the tool registry, the seed's
//! workflows as prompts, the project list and connection check as resources, long calls as
//! MCP tasks, and the two transports (stdio, Streamable HTTP). Only this folder knows rmcp's types.
//!
//! Files depend one way: the transports use the handler, the HTTP transport also the gate,
//! which decides who a request runs as (`identity`: the token file and every identity's
//! client); the handler uses prompts, resources, `schemas` (the tools' schemas, recorded in a
//! snapshot), `tasks`, identities and `metrics`; none of them uses the command line.

pub mod gate;
pub mod handler;
pub mod http;
pub mod identity;
pub mod metrics;
pub mod prompts;
pub mod resources;
pub mod schemas;
pub mod stdio;
pub mod tasks;
