//! The tools' JSON Schemas as `tools/list` serves them, derived once at build time rather than
//! by every process.
//!
//! Deriving them (schemars over every parameter and output type, then compacting) was 80 % of
//! a server's start-up instructions and touched code all over the binary, about 2 MB of idle
//! RSS once the kernel maps the 64 KB around every code page it faults in. So the derived
//! schemas are an insta snapshot (`snapshots/schemas.snap`, one tool per line), compared with
//! a fresh derivation by this file's test, and the server reads that file instead. A schema
//! that changes fails the test like any snapshot: `cargo insta review` (or `INSTA_UPDATE=always`)
//! updates it along with the `tools/list` snapshot. A tool the file does not know yet is
//! derived at run time, so a stale file can never hide a tool.

use std::collections::HashMap;
use std::sync::Arc;

use coroot_tools::ToolSpec;
use rmcp::model::JsonObject;
use serde::Deserialize;

/// The snapshot: insta's header, then one JSON object per tool.
const SNAPSHOT: &str = include_str!("snapshots/schemas.snap");

/// One tool's line in the snapshot.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    name: String,
    input_schema: JsonObject,
    output_schema: JsonObject,
}

/// A tool's input and output schemas.
pub type Schemas = (Arc<JsonObject>, Arc<JsonObject>);

/// The schemas of `tools`, in their order: from the snapshot, else derived.
pub fn of(tools: &[&'static ToolSpec]) -> Vec<Schemas> {
    from(SNAPSHOT, tools)
}

fn from(snapshot: &str, tools: &[&'static ToolSpec]) -> Vec<Schemas> {
    let mut known = parse(snapshot);
    tools
        .iter()
        .map(|spec| known.remove(spec.name).unwrap_or_else(|| derive(spec)))
        .collect()
}

/// What a snapshot holds, by tool name; a line that does not parse is left out (and derived).
fn parse(snapshot: &str) -> HashMap<String, Schemas> {
    body(snapshot)
        .lines()
        .filter_map(|line| serde_json::from_str::<Line>(line).ok())
        .map(|l| (l.name, (Arc::new(l.input_schema), Arc::new(l.output_schema))))
        .collect()
}

/// The snapshot's content, after insta's `---`-fenced header.
fn body(snapshot: &str) -> &str {
    snapshot
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or("", |(_, body)| body)
}

/// A tool's schemas, derived from its types (what the snapshot records).
pub fn derive(spec: &ToolSpec) -> Schemas {
    let object = |v: serde_json::Value| match v {
        serde_json::Value::Object(map) => map,
        _ => JsonObject::new(),
    };
    (
        Arc::new(object((spec.input_schema)())),
        Arc::new(object((spec.output_schema)())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived_lines() -> String {
        coroot_tools::TOOLS
            .iter()
            .map(|spec| {
                let (input, output) = derive(spec);
                serde_json::json!({"name": spec.name, "inputSchema": *input, "outputSchema": *output}).to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The file the server reads is what the tools' types derive today.
    #[test]
    fn the_snapshot_is_what_the_types_derive() {
        insta::with_settings!({prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!("schemas", derived_lines());
        });
    }

    #[test]
    fn every_tool_is_served_from_the_snapshot() {
        let known = parse(SNAPSHOT);
        for spec in &coroot_tools::TOOLS {
            let (input, output) = known
                .get(spec.name)
                .unwrap_or_else(|| panic!("{} is not in the snapshot", spec.name));
            let stale = format!(
                "snapshots/schemas.snap is stale for {}: run `cargo insta review`",
                spec.name
            );
            let (want_input, want_output) = derive(spec);
            assert!(**input == *want_input && **output == *want_output, "{stale}");
        }
    }

    #[test]
    fn a_tool_missing_from_the_snapshot_is_derived() {
        let tools: Vec<&'static ToolSpec> = coroot_tools::TOOLS.iter().collect();
        let first = body(SNAPSHOT).lines().next().unwrap();
        let first_line_only = format!("---\nsource: x\n---\n{first}\n");
        assert_eq!(parse(&first_line_only).len(), 1);
        assert!(body("not a snapshot").is_empty());
        for snapshot in [first_line_only.as_str(), "not a snapshot"] {
            let got = from(snapshot, &tools);
            let want: Vec<Schemas> = tools.iter().map(|spec| derive(spec)).collect();
            assert_eq!(got, want);
        }
    }
}
