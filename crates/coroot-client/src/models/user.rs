//! The current user and the projects they can see (`GET /api/user`).

use serde::{Deserialize, Serialize};

use crate::de::null_default;

/// `/api/user` (bare JSON, no envelope).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct User {
    /// `""` for anonymous.
    #[serde(deserialize_with = "null_default")]
    pub email: String,
    /// Display name.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// First role: `Admin`, `Editor`, `Viewer`.
    #[serde(deserialize_with = "null_default")]
    pub role: String,
    /// Anonymous access mode.
    pub anonymous: bool,
    /// The user cannot edit project settings.
    pub readonly: bool,
    /// All projects, sorted by name.
    #[serde(deserialize_with = "null_default")]
    pub projects: Vec<Project>,
}

/// A project (`{id, name}`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct Project {
    /// 8 characters `[0-9a-z]`.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// Display name.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
}
