//! The MCP server: the handler that answers MCP requests from the tool registry, the seed's
//! workflows as prompts, the project list and connection check as resources, and the two
//! transports (stdio, Streamable HTTP). Only this folder knows rmcp's types.
//!
//! Files depend one way: the transports use the handler, the handler uses prompts and
//! resources, and none of them uses the command line.

pub mod handler;
pub mod http;
pub mod prompts;
pub mod resources;
pub mod stdio;
