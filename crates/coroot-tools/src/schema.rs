//! The JSON Schemas a tool publishes: its parameters and its structured output.
//!
//! Output schemas are generated for what serialisation produces (schemars' serialize contract):
//! a field skipped when empty is optional, an `Option` without a skip is required and nullable.
//! So every value a tool returns validates against its schema by construction, on any Coroot
//! answer, not only the ones the simulator sends.
//!
//! Every agent pays for `tools/list` on every request, so schemas carry only what a client
//! needs. Everywhere: no `$schema`, titles, integer `format`s (validators warn on `uint32`) or
//! bounds. Input: descriptions stay (they are the agent's documentation), but an optional
//! parameter is typed without its `null` and without `"default": null`. Output: descriptions
//! go (the agent reads the text; programs read the field names); types, `required` and enums
//! (statuses, fault kinds) stay.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

/// The schema of a tool's parameters.
pub fn input<P: JsonSchema>() -> Value {
    let schema = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<P>();
    compact(schema.to_value(), Side::Input)
}

/// The schema of a tool's structured output, including the `truncated` member every answer
/// gains when the budget cut it.
pub fn output<O: JsonSchema>() -> Value {
    let schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<O>();
    let mut schema = compact(schema.to_value(), Side::Output);
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert("truncated".into(), truncated());
    }
    schema
}

/// What a cut answer says it left out (see `render::Answer::finish`).
fn truncated() -> Value {
    json!({
        "type": "object",
        "properties": {
            "shown": {"type": "integer"},
            "omitted": {"type": "integer"},
            "narrow": {"type": "string"},
            "omitted_from": {"type": "object", "additionalProperties": {"type": "integer"}}
        },
        "required": ["shown", "omitted", "narrow", "omitted_from"]
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

fn compact(mut v: Value, side: Side) -> Value {
    strip(&mut v, side, true);
    v
}

/// A unit-variant enum comes out as `oneOf` string constants, each with its doc; a plain
/// `enum` says the same in a tenth of the tokens.
fn collapse_enum(map: &mut serde_json::Map<String, Value>, side: Side) {
    let Some(Value::Array(variants)) = map.get("oneOf") else {
        return;
    };
    let values: Option<Vec<Value>> = variants
        .iter()
        .map(|v| match (v.get("const"), v.get("type")) {
            (Some(c @ Value::String(_)), Some(t)) if t == "string" => Some(c.clone()),
            _ => None,
        })
        .collect();
    if let Some(values) = values {
        map.remove("oneOf");
        map.insert("type".into(), Value::from("string"));
        map.insert("enum".into(), Value::Array(values));
        if side == Side::Output {
            map.remove("description");
        }
    }
}

fn strip(v: &mut Value, side: Side, root: bool) {
    match v {
        Value::Object(map) => {
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
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            let is_schema = ["type", "$ref", "properties", "anyOf", "oneOf", "allOf", "enum"]
                .iter()
                .any(|k| map.contains_key(*k));
            if is_schema && map.get("description").is_some_and(|d| d.is_string()) && (root || side == Side::Output) {
                map.remove("description");
            }
            if side == Side::Input
                && let Some(Value::Array(types)) = map.get("type")
                && types.len() == 2
                && let Some(single) = types.iter().find(|t| *t != "null").cloned()
            {
                map.insert("type".into(), single);
            }
            let under_properties = map.contains_key("properties");
            for (key, child) in map.iter_mut() {
                // Property names are not keywords: `properties.description` is a field.
                if key == "properties" && under_properties {
                    if let Value::Object(props) = child {
                        props.values_mut().for_each(|p| strip(p, side, false));
                    }
                } else {
                    strip(child, side, false);
                }
            }
            collapse_enum(map, side);
        }
        Value::Array(items) => items.iter_mut().for_each(|c| strip(c, side, false)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::render::json_chars;
    use crate::testing::{self, Kit, assert_conforms};
    use crate::tools::{TOOLS, names};

    /// What the scenario offers the tools that need an object: an app, a node, an incident, a
    /// trace; found through the tools themselves, as an agent would.
    async fn targets(kit: &Kit) -> Value {
        let first = |out: &crate::tool::ToolOutput, list: &str, field: &str| {
            out.structured[list][0][field].as_str().map(str::to_string)
        };
        let run = |tool: &'static str, args: Value| async move {
            let spec = crate::tools::find(tool).expect("registered");
            (spec.call)(&kit.ctx, args).await.ok()
        };
        let app = run(names::APPLICATIONS, json!({})).await;
        let node = run(names::NODES, json!({})).await;
        let incident = run(names::INCIDENTS, json!({"lookback_hours": 720})).await;
        let trace = run(names::TRACES, json!({})).await;
        json!({
            "app_id": app.as_ref().and_then(|o| first(o, "applications", "id")),
            "node_name": node.as_ref().and_then(|o| first(o, "nodes", "name")),
            "incident_key": incident.as_ref().and_then(|o| first(o, "incidents", "key")),
            "trace_id": trace.as_ref().and_then(|o| first(o, "traces", "trace_id")),
        })
    }

    fn args(tool: &str, t: &Value) -> Option<Value> {
        let need = |k: &str| t[k].as_str().map(|v| json!({ k: v }));
        match tool {
            names::APP_DETAIL | names::APP_LOGS => need("app_id"),
            names::NODE_DETAIL => need("node_name"),
            names::INCIDENT_DETAIL => need("incident_key"),
            names::QUERY_METRICS => Some(json!({"promql": "rate(container_resources_cpu_usage_seconds_total[5m])"})),
            _ => Some(json!({})),
        }
    }

    type Setup = (String, coroot_sim::Scenario, coroot_sim::SimConfig);

    /// Every scenario as Coroot v1.24.5 serves it.
    fn scenarios() -> Vec<Setup> {
        use coroot_sim::{Scenario, SimConfig};
        Scenario::NAMES
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    Scenario::by_name(n).expect("a scenario"),
                    SimConfig::default(),
                )
            })
            .collect()
    }

    /// The e-commerce scenario as each Coroot from v1.12.5 serves it, and as Coroot serves it
    /// without ClickHouse, without Prometheus, with a multi-cluster project and with Coroot
    /// Cloud's RCA.
    fn versions_and_integrations() -> Vec<Setup> {
        use coroot_sim::{ProjectHealth, PrometheusHealth, Scenario, SimConfig};
        let mut out = Vec::new();
        for v in [
            "1.12.5", "1.14.0", "1.16.2", "1.17.4", "1.18.0", "1.20.0", "1.23.0", "1.24.0",
        ] {
            let config = SimConfig {
                version: v.into(),
                ..SimConfig::default()
            };
            out.push((format!("ecommerce on v{v}"), Scenario::ecommerce(), config));
        }
        let variants = [
            (
                "without ClickHouse",
                SimConfig {
                    clickhouse: false,
                    ..SimConfig::default()
                },
            ),
            (
                "without Prometheus",
                SimConfig {
                    health: ProjectHealth {
                        prometheus: PrometheusHealth::NotConfigured,
                        ..ProjectHealth::default()
                    },
                    ..SimConfig::default()
                },
            ),
            (
                "with a multi-cluster project",
                SimConfig {
                    multicluster: true,
                    ..SimConfig::default()
                },
            ),
        ];
        for (what, config) in variants {
            out.push((format!("ecommerce {what}"), Scenario::ecommerce(), config));
        }
        out.push((
            "ecommerce with Coroot Cloud's RCA".into(),
            Scenario::ecommerce().with_cloud_rca(),
            coroot_sim::SimConfig::default(),
        ));
        out
    }

    #[tokio::test]
    async fn every_structured_result_validates_and_keeps_to_the_budget() {
        conform(scenarios()).await;
    }

    #[tokio::test]
    async fn every_coroot_version_and_integration_state_answers_within_the_contract() {
        conform(versions_and_integrations()).await;
    }

    /// Every tool on every setup: each call answers (a Coroot without Prometheus or ClickHouse
    /// is said in the answer; only PromQL fails, saying why), each structured result validates
    /// against the tool's published output schema, and both blocks keep to the 120,000-character
    /// budget.
    async fn conform(setups: Vec<Setup>) {
        for (name, scenario, config) in setups {
            let kit = testing::start_with(scenario, config).await;
            let targets = targets(&kit).await;
            let cap = kit.ctx.limits.max_chars;
            for spec in &TOOLS {
                let mut calls = vec![args(spec.name, &targets)];
                if spec.name == names::TRACES {
                    calls.extend(targets["trace_id"].as_str().map(|id| Some(json!({"trace_id": id}))));
                }
                for a in calls.into_iter().flatten() {
                    let what = format!("{} on {name} with {a}", spec.name);
                    let out = match (spec.call)(&kit.ctx, a).await {
                        Ok(out) => out,
                        // PromQL needs Prometheus: the error says so.
                        Err(e) if spec.name == names::QUERY_METRICS && name.contains("without Prometheus") => {
                            assert!(e.to_string().contains("Prometheus is not configured"), "{what}: {e}");
                            continue;
                        }
                        Err(e) => panic!("{what} failed: {e}"),
                    };
                    assert_conforms(&what, &(spec.output_schema)(), &out.structured);
                    assert!(out.text.chars().count() <= cap, "{what}: text over budget");
                    let size = json_chars(&out.structured);
                    assert!(size <= cap, "{what}: structured result of {size} characters");
                }
            }
        }
    }
}
