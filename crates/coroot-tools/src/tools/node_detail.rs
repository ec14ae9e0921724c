//! `coroot_get_node_detail`: PLACEHOLDER, being written.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::params::opt_string;
use crate::{Text, Tool, ToolContext, ToolError};

/// The tool.
pub struct GetNodeDetail;

/// Parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Coroot project id or name; auto-detected when omitted.
    #[serde(default, deserialize_with = "opt_string")]
    pub project_id: Option<String>,
}

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {}

impl Tool for GetNodeDetail {
    const NAME: &'static str = "coroot_get_node_detail";
    const TITLE: &'static str = "placeholder";
    const DESCRIPTION: &'static str = "placeholder";
    type Params = Params;
    type Output = Output;

    async fn run(_ctx: &ToolContext, _p: Params) -> Result<Output, ToolError> {
        Err(ToolError::params(Self::NAME, "not written yet"))
    }

    fn render(_out: &Output, _now_ms: i64) -> Text {
        Text::new("items", "")
    }
}
