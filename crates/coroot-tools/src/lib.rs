//! The Coroot investigation tools: the seed's 14 read-only tools, with validated parameters,
//! compact text written for an LLM, and structured JSON with a stable schema.
//!
//! Each tool is a type implementing [`Tool`] in its own file under `tools/`, always laid out in
//! the same order: module doc (the question it answers), name and description, parameters,
//! `run` (fetch through the client), `render` (output to text), tests. [`TOOLS`] is the one
//! registry every front end (MCP server, CLI) reads. Nothing here knows about MCP.
//!
//! Shared machinery: [`params`] (lenient parsing, the lookback window), [`text`] (the character
//! cap), [`format`] (units and times), [`resolve`] (application ids).

use std::future::Future;
use std::pin::Pin;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub mod check;
pub mod context;
pub mod error;
pub mod format;
pub mod params;
pub mod resolve;
pub mod text;
pub mod tools;

#[cfg(test)]
mod testkit;

pub use context::{Clock, Limits, ToolContext};
pub use error::ToolError;
pub use text::Text;

/// One tool: typed parameters in, typed output out, text rendered from the output.
pub trait Tool: 'static {
    /// The tool's name, exactly as in the seed.
    const NAME: &'static str;
    /// A short human title.
    const TITLE: &'static str;
    /// What it is for and when to use it, for the agent.
    const DESCRIPTION: &'static str;
    /// Parameters (`deny_unknown_fields`, lenient values).
    type Params: DeserializeOwned + JsonSchema + Send;
    /// Structured result; the text is rendered from it.
    type Output: Serialize + JsonSchema + Send + Sync;

    /// Fetches from Coroot and builds the output.
    fn run(ctx: &ToolContext, params: Self::Params) -> impl Future<Output = Result<Self::Output, ToolError>> + Send;

    /// The text an LLM reads. Items are droppable so the character cap removes whole ones.
    fn render(output: &Self::Output, now_ms: i64) -> Text;

    /// Trims the structured lists to what the text kept (one count per `Text` section).
    fn keep(output: &mut Self::Output, kept: &[usize]) {
        let _ = (output, kept);
    }
}

/// A tool's result: the text and the structured JSON.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    /// Compact text for an LLM, at most `Limits::max_chars` characters.
    pub text: String,
    /// The same facts as JSON, matching the tool's output schema.
    pub structured: serde_json::Value,
}

/// Runs tool `T` on raw JSON arguments.
pub async fn call<T: Tool>(ctx: &ToolContext, args: serde_json::Value) -> Result<ToolOutput, ToolError> {
    let params: T::Params = params::parse(T::NAME, args)?;
    let mut output = T::run(ctx, params).await?;
    let max = ctx.limits.max_chars;
    let (text, cut) = text::with_cap(max, || T::render(&output, ctx.now_ms())).finish(max);
    if let Some(cut) = &cut {
        T::keep(&mut output, &cut.kept);
    }
    let mut structured = serde_json::to_value(&output).map_err(|e| ToolError::params(T::NAME, e.to_string()))?;
    if let (Some(cut), Some(obj)) = (cut, structured.as_object_mut()) {
        let shown: usize = cut.kept.iter().sum();
        obj.insert(
            "truncated".into(),
            serde_json::json!({"shown": shown, "omitted": cut.dropped}),
        );
    }
    Ok(ToolOutput { text, structured })
}

/// A boxed future, for the type-erased registry.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A tool without its types: what front ends list and call.
pub struct ToolSpec {
    /// Name.
    pub name: &'static str,
    /// Title.
    pub title: &'static str,
    /// Description.
    pub description: &'static str,
    /// JSON Schema of the parameters.
    pub input_schema: fn() -> serde_json::Value,
    /// JSON Schema of the structured output.
    pub output_schema: fn() -> serde_json::Value,
    /// Runs the tool.
    pub call: for<'a> fn(&'a ToolContext, serde_json::Value) -> BoxFuture<'a, Result<ToolOutput, ToolError>>,
}

impl std::fmt::Debug for ToolSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolSpec")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The spec of tool `T`.
pub const fn spec<T: Tool>() -> ToolSpec {
    ToolSpec {
        name: T::NAME,
        title: T::TITLE,
        description: T::DESCRIPTION,
        input_schema: input_schema::<T>,
        output_schema: output_schema::<T>,
        call: erased::<T>,
    }
}

fn erased<T: Tool>(ctx: &ToolContext, args: serde_json::Value) -> BoxFuture<'_, Result<ToolOutput, ToolError>> {
    Box::pin(call::<T>(ctx, args))
}

fn input_schema<T: Tool>() -> serde_json::Value {
    compact_schema(schemars::schema_for!(T::Params), Side::Input)
}

fn output_schema<T: Tool>() -> serde_json::Value {
    let mut schema = compact_schema(schemars::schema_for!(T::Output), Side::Output);
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        props.insert(
            "truncated".into(),
            serde_json::json!({"type": "object", "properties": {"shown": {"type": "integer"}, "omitted": {"type": "integer"}}}),
        );
    }
    schema
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

/// Every agent pays for `tools/list` on every request, so schemas carry only what a client
/// needs. Everywhere: no `$schema`, titles, integer `format`s (validators warn on `uint32`) or
/// bounds. Input: descriptions stay (they are the agent's documentation), but an optional
/// parameter is typed without its `null` and without `"default": null`. Output: descriptions
/// go (the agent reads the text; programs read the field names), nullable types stay so that
/// clients validating `structuredContent` accept a `null`.
fn compact_schema(schema: schemars::Schema, side: Side) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value, side: Side, root: bool) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("$schema");
                for key in ["title", "minimum", "maximum"] {
                    if map.get(key).is_some_and(|k| !k.is_object()) {
                        map.remove(key);
                    }
                }
                if map
                    .get("format")
                    .and_then(|f| f.as_str())
                    .is_some_and(|f| f.starts_with("uint") || f.starts_with("int") || f == "double" || f == "float")
                {
                    map.remove("format");
                }
                if map.get("default").is_some_and(serde_json::Value::is_null) {
                    map.remove("default");
                }
                let is_schema = map.contains_key("type") || map.contains_key("$ref") || map.contains_key("properties");
                if is_schema && map.get("description").is_some_and(|d| d.is_string()) && (root || side == Side::Output)
                {
                    map.remove("description");
                }
                if side == Side::Input
                    && let Some(serde_json::Value::Array(types)) = map.get("type")
                    && types.len() == 2
                    && let Some(single) = types.iter().find(|t| *t != "null").cloned()
                {
                    map.insert("type".into(), single);
                }
                let under_properties = map.contains_key("properties");
                for (key, child) in map.iter_mut() {
                    // Property names are not keywords: `properties.description` is a field.
                    if key == "properties" && under_properties {
                        if let serde_json::Value::Object(props) = child {
                            props.values_mut().for_each(|p| strip(p, side, false));
                        }
                    } else {
                        strip(child, side, false);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|c| strip(c, side, false)),
            _ => {}
        }
    }
    let mut v = schema.to_value();
    strip(&mut v, side, true);
    v
}

/// Every tool, in the seed's order, then `coroot_investigate` (the RCA workflow in one call).
pub static TOOLS: [ToolSpec; 15] = [
    spec::<tools::incidents::GetIncidents>(),
    spec::<tools::incident_detail::GetIncidentDetail>(),
    spec::<tools::applications::GetApplications>(),
    spec::<tools::app_detail::GetAppDetail>(),
    spec::<tools::app_logs::GetAppLogs>(),
    spec::<tools::traces::GetTraces>(),
    spec::<tools::service_map::GetServiceMap>(),
    spec::<tools::query_metrics::QueryMetrics>(),
    spec::<tools::deployments::GetDeployments>(),
    spec::<tools::nodes::GetNodes>(),
    spec::<tools::overview_logs::GetOverviewLogs>(),
    spec::<tools::node_detail::GetNodeDetail>(),
    spec::<tools::costs::GetCosts>(),
    spec::<tools::risks::GetRisks>(),
    spec::<tools::investigate::Investigate>(),
];

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Status as the seed shows it: the word, with the code 0–4 in structured output.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq)]
pub struct Health {
    /// UNKNOWN, OK, INFO, WARNING or CRITICAL.
    pub status: &'static str,
    /// 0 UNKNOWN, 1 OK, 2 INFO, 3 WARNING, 4 CRITICAL.
    pub status_code: u8,
}

impl From<coroot_client::Status> for Health {
    fn from(s: coroot_client::Status) -> Self {
        Health {
            status: s.label(),
            status_code: s.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_has_the_seeds_fourteen_tools_in_order_then_investigate() {
        let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "coroot_get_incidents",
                "coroot_get_incident_detail",
                "coroot_get_applications",
                "coroot_get_app_detail",
                "coroot_get_app_logs",
                "coroot_get_traces",
                "coroot_get_service_map",
                "coroot_query_metrics",
                "coroot_get_deployments",
                "coroot_get_nodes",
                "coroot_get_overview_logs",
                "coroot_get_node_detail",
                "coroot_get_costs",
                "coroot_get_risks",
                "coroot_investigate",
            ]
        );
    }

    #[test]
    fn every_schema_is_an_object_with_project_id() {
        for t in &TOOLS {
            let input = (t.input_schema)();
            assert_eq!(input["type"], "object", "{}", t.name);
            assert!(
                input["properties"]["project_id"].is_object(),
                "{} lacks project_id",
                t.name
            );
            assert_eq!(
                input["additionalProperties"], false,
                "{} accepts unknown parameters",
                t.name
            );
            assert_eq!((t.output_schema)()["type"], "object", "{}", t.name);
            assert!(
                !t.description.is_empty() && t.description.len() < 600,
                "{} description size",
                t.name
            );
        }
    }
}
