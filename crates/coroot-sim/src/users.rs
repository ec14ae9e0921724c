//! More accounts than the configured one, each seeing what its role lets it see, so a test can
//! tell whether a server that serves several people keeps each person's view to that person.
//!
//! Coroot Enterprise's roles can grant a user some projects and, within them, some
//! applications. The rules applied here are Coroot's own, as its code checks them:
//! - the project list keeps only the projects the user may list (`api/mcp.go`
//!   `toolListProjects`: `IsAllowed(user, Project(id).List())`, v1.24.5:371-388);
//! - the applications overview keeps only the applications the user may view (`api/mcp.go`
//!   `toolListApplications`, v1.24.5:466);
//! - an application the user may not view answers 403 "You are not allowed to view this
//!   application." (`api/api.go` `Application`, v1.24.5:1087-1090);
//! - a project the user may not list answers 403 with the sentence of `api/mcp.go`
//!   `RequireUserAndProject` ("forbidden: no access to this project", v1.24.5:443).

use serde_json::Value;

/// An account: a login, and what its role grants. Empty grant lists mean everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The login email.
    pub email: String,
    /// The password.
    pub password: String,
    /// The role name `/api/user` shows (`Admin`, `Editor`, `Viewer`, or a custom role).
    pub role: String,
    /// Project ids the user may see; empty: every project.
    pub projects: Vec<String>,
    /// Applications the user may view, as full ids or their last parts (`payment`,
    /// `default:Deployment:payment`); empty: every application.
    pub apps: Vec<String>,
}

impl User {
    /// A `Viewer` that sees everything.
    pub fn new(email: impl Into<String>, password: impl Into<String>) -> User {
        User {
            email: email.into(),
            password: password.into(),
            role: "Viewer".into(),
            projects: Vec::new(),
            apps: Vec::new(),
        }
    }

    /// The same user, granted only these projects (by id).
    pub fn with_projects(mut self, ids: &[&str]) -> User {
        self.projects = ids.iter().map(|s| s.to_string()).collect();
        self
    }

    /// The same user, granted only these applications.
    pub fn with_apps(mut self, apps: &[&str]) -> User {
        self.apps = apps.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Whether the role grants project `id`.
    pub(crate) fn sees_project(&self, id: &str) -> bool {
        self.projects.is_empty() || self.projects.iter().any(|p| p == id)
    }

    /// Whether the role grants the application with full id `id`.
    pub(crate) fn sees_app(&self, id: &str) -> bool {
        self.apps.is_empty() || self.apps.iter().any(|a| id == a || id.ends_with(&format!(":{a}")))
    }

    /// `/api/user` for this user: `projects` listed as Coroot lists them, kept to the granted.
    pub(crate) fn render(&self, projects: &[(String, String)]) -> Value {
        let projects: Vec<Value> = projects
            .iter()
            .filter(|(id, _)| self.sees_project(id))
            .map(|(id, name)| serde_json::json!({"id": id, "name": name}))
            .collect();
        let mut u = serde_json::json!({"email": self.email, "name": self.email, "role": self.role,
            "readonly": self.role != "Admin"});
        if !projects.is_empty() {
            u["projects"] = Value::Array(projects);
        }
        u
    }

    /// The applications overview's `data`, kept to the granted applications.
    pub(crate) fn filter_overview(&self, data: &mut Value) {
        if let Some(apps) = data.get_mut("applications").and_then(Value::as_array_mut) {
            apps.retain(|a| a.get("id").and_then(Value::as_str).is_some_and(|id| self.sees_app(id)));
        }
    }
}

/// The 403 body for a project the user may not list.
pub(crate) const NO_PROJECT_ACCESS: &str = "forbidden: no access to this project";

/// The 403 body for an application the user may not view.
pub(crate) const NO_APP_ACCESS: &str = "You are not allowed to view this application.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_narrow_projects_and_apps() {
        let all = User::new("a", "p");
        assert!(all.sees_project("x") && all.sees_app("x:default:Deployment:payment"));
        let some = User::new("b", "p").with_projects(&["p0m1n2b3"]).with_apps(&["catalog"]);
        assert!(some.sees_project("p0m1n2b3") && !some.sees_project("k3h2x9qa"));
        assert!(some.sees_app("p0m1n2b3:default:Deployment:catalog"));
        assert!(!some.sees_app("p0m1n2b3:default:Deployment:payment"));
        let user = some.render(&[
            ("k3h2x9qa".into(), "production".into()),
            ("p0m1n2b3".into(), "staging".into()),
        ]);
        assert_eq!(
            user["projects"],
            serde_json::json!([{"id": "p0m1n2b3", "name": "staging"}])
        );
        let mut data = serde_json::json!({"applications": [{"id": "p:default:Deployment:catalog"}, {"id": "p:default:Deployment:payment"}]});
        some.filter_overview(&mut data);
        assert_eq!(data["applications"].as_array().unwrap().len(), 1);
    }
}
