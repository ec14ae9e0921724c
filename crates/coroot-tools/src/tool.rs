//! The contract every tool keeps: typed parameters in, a typed output out, and one answer (text
//! and structured JSON under the same budget) rendered from that output. Front ends (the MCP
//! server, the CLI) see tools only through [`ToolSpec`], so they stay generic.

use std::future::Future;
use std::pin::Pin;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::context::{Structured, ToolContext};
use crate::error::ToolError;
use crate::render::{Answer, Frame, Resource};
use crate::{params, schema};

/// One tool: typed parameters in, typed output out, the answer rendered from the output.
pub trait Tool: 'static {
    /// The tool's name, exactly as in the seed.
    const NAME: &'static str;
    /// A short human title.
    const TITLE: &'static str;
    /// What it is for and when to use it, for the agent.
    const DESCRIPTION: &'static str;
    /// Parameters (`deny_unknown_fields`, lenient values).
    type Params: DeserializeOwned + JsonSchema + Send;
    /// Structured result; the answer is rendered from it.
    type Output: Serialize + JsonSchema + Send + Sync;
    /// Where the structured result holds third-party text (log lines, span names, event
    /// messages, RCA text), as paths with `*` for every element: data, never instructions.
    /// The result names them in `untrusted`; the text fences them (`render::untrusted`).
    const UNTRUSTED: &'static [&'static str] = &[];

    /// Fetches from Coroot and builds the output.
    fn run(ctx: &ToolContext, params: Self::Params) -> impl Future<Output = Result<Self::Output, ToolError>> + Send;

    /// The answer: the text an LLM reads, whose droppable items name the structured elements
    /// they stand for, so the budget removes whole items from both.
    fn render(output: &Self::Output, frame: Frame) -> Answer;
}

/// A tool's result: the text and the structured JSON.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    /// Compact text for an LLM, at most `Limits::max_chars` characters.
    pub text: String,
    /// The same facts as JSON, matching the tool's output schema, at most `Limits::max_chars`
    /// characters serialised.
    pub structured: serde_json::Value,
    /// The answer's main objects as links into Coroot's UI.
    pub resources: Vec<Resource>,
}

/// Runs tool `T` on raw JSON arguments.
pub async fn call<T: Tool>(ctx: &ToolContext, args: serde_json::Value) -> Result<ToolOutput, ToolError> {
    let params: T::Params = params::parse(T::NAME, args)?;
    let output = T::run(ctx, params).await?;
    let frame = Frame {
        cap: ctx.limits.max_chars,
        now_ms: ctx.now_ms(),
    };
    let mut answer = T::render(&output, frame);
    let resources = answer.take_resources();
    let untrusted = (!T::UNTRUSTED.is_empty()).then(|| serde_json::Value::from(T::UNTRUSTED));
    // Measure the output, decide the cut, then build only the JSON the answer keeps.
    let invalid = |e: serde_json::Error| ToolError::params(T::NAME, e.to_string());
    let json = crate::render::count::measure(&output, &answer.lists(), &answer.doomed()).map_err(invalid)?;
    let extra = untrusted
        .as_ref()
        .map_or(0, |u| crate::render::json_chars(u) + "\"untrusted\":".len());
    #[cfg(test)]
    {
        // Every call in this crate's tests checks the count against the JSON it stands for,
        // and the JSON text against the `Value`.
        let whole = crate::render::count::measure(&output, &[], &Default::default()).map_err(invalid)?;
        let value = serde_json::to_value(&output).map_err(invalid)?;
        assert_eq!(whole.total, crate::render::json_chars(&value), "{} measured", T::NAME);
        let [by_value, by_text] = [Structured::Value, Structured::Text].map(|form| {
            let mut answer = T::render(&output, frame);
            answer.take_resources();
            build(T::NAME, &output, answer, &json, extra, untrusted.as_ref(), form)
        });
        let ((text, value), (same_text, written)) = (by_value?, by_text?);
        let written: serde_json::Value = match Structured::into_text(written) {
            Ok(written) => serde_json::from_str(&written).map_err(invalid)?,
            Err(other) => panic!("{}: the JSON text form gave {other}", T::NAME),
        };
        assert_eq!(
            (text, value),
            (same_text, written),
            "{} as a Value and as JSON text",
            T::NAME
        );
    }
    let (text, structured) = build(
        T::NAME,
        &output,
        answer,
        &json,
        extra,
        untrusted.as_ref(),
        ctx.structured,
    )?;
    Ok(ToolOutput {
        text,
        structured,
        resources,
    })
}

/// The answer's text and structured result in `form`, cut to what the answer keeps.
fn build<O: Serialize>(
    name: &'static str,
    output: &O,
    answer: Answer,
    json: &crate::render::count::Measured,
    extra: usize,
    untrusted: Option<&serde_json::Value>,
    form: Structured,
) -> Result<(String, serde_json::Value), ToolError> {
    let invalid = |e: serde_json::Error| ToolError::params(name, e.to_string());
    let cut = answer.plan(json, extra);
    let doomed = cut.doomed();
    match form {
        Structured::Value => {
            let mut structured = crate::render::doomed::to_value(output, &doomed).map_err(invalid)?;
            if let (Some(untrusted), serde_json::Value::Object(map)) = (untrusted, &mut structured) {
                map.insert("untrusted".into(), untrusted.clone());
            }
            Ok((cut.apply(&mut structured), structured))
        }
        Structured::Text => {
            let mut written = crate::render::written::to_json(output, &doomed).map_err(invalid)?;
            if let Some(untrusted) = untrusted {
                crate::render::written::push_member(&mut written, "untrusted", untrusted).map_err(invalid)?;
            }
            let text = cut.apply_json(&mut written, json, &doomed).map_err(invalid)?;
            // serde_json writes UTF-8.
            let written = String::from_utf8(written).map_err(|e| ToolError::params(name, e.to_string()))?;
            Ok((text, Structured::text(written)))
        }
    }
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
        input_schema: schema::input::<T::Params>,
        output_schema: output_schema::<T>,
        call: erased::<T>,
    }
}

/// The output schema, with `untrusted` where the tool quotes third-party text.
fn output_schema<T: Tool>() -> serde_json::Value {
    let mut schema = schema::output::<T::Output>();
    if !T::UNTRUSTED.is_empty()
        && let Some(props) = schema.get_mut("properties").and_then(serde_json::Value::as_object_mut)
    {
        let paths = serde_json::json!({"type": "array", "items": {"type": "string"}});
        props.insert("untrusted".into(), paths);
    }
    schema
}

fn erased<T: Tool>(ctx: &ToolContext, args: serde_json::Value) -> BoxFuture<'_, Result<ToolOutput, ToolError>> {
    Box::pin(call::<T>(ctx, args))
}
