//! Links into Coroot's own UI, so a person can click from an agent's answer to the page the
//! answer came from, looking at the same minutes.
//!
//! The routes are the front end's (`front/src/main.js`, unchanged from v1.12 to v1.24.5):
//! `/p/<project>/<view>/<id>/<report>` with the window in `from`/`to` (epoch ms, as the time
//! picker writes them). An incident opens as `?incident=<key>` on the incidents view, which
//! picks its own window; a trace as the traces view's `query` (`front/src/components/
//! LogEntry.vue`); a deployment as its app's Instances report from 30 minutes before to 30
//! minutes after the rollout, the link Coroot itself gives each deployment
//! (`api/views/overview/deployments.go`).

use std::fmt::Write as _;

use coroot_client::TimeRange;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a path segment keeps unencoded: what `encodeURIComponent` keeps, and `:`, which the
/// front end's router keeps in ids (`k3h2x9qa:default:Deployment:api`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':');
/// What a query value keeps unencoded: what `encodeURIComponent` keeps.
const VALUE: &AsciiSet = &SEGMENT.add(b':');

/// Half the window Coroot opens around a deployment.
const DEPLOYMENT_MARGIN_MS: i64 = 30 * 60_000;

/// The UI links of one project over one window.
#[derive(Debug, Clone)]
pub struct Ui {
    /// `<base>/p/<project>`.
    project: String,
    range: TimeRange,
    /// `from=…&to=…` for `range`, which nearly every link carries: written once, not per link
    /// (risks and nodes build one per element).
    window: String,
}

impl Ui {
    /// Links under `base` (the URL people open Coroot at, base path included) for `project`
    /// (its id) over `range`.
    pub fn new(base: &str, project: &str, range: TimeRange) -> Self {
        Ui {
            project: format!(
                "{}/p/{}",
                base.trim_end_matches('/'),
                utf8_percent_encode(project, SEGMENT)
            ),
            range,
            window: window(range),
        }
    }

    /// A view of the project: `applications`, `incidents`, `map`, `nodes`, `traces`, `logs`,
    /// `costs`, `risks`.
    pub fn view(&self, view: &str) -> String {
        self.at(&[view], &[], self.range)
    }

    /// An application's page.
    pub fn app(&self, app_id: &str) -> String {
        self.at(&["applications", app_id], &[], self.range)
    }

    /// One report of an application's page: `Logs`, `Tracing`, `Instances`, `CPU`, ...
    pub fn app_report(&self, app_id: &str, report: &str) -> String {
        self.at(&["applications", app_id, report], &[], self.range)
    }

    /// A node's page.
    pub fn node(&self, name: &str) -> String {
        self.at(&["nodes", name], &[], self.range)
    }

    /// An incident: Coroot opens it over the incident's own window.
    pub fn incident(&self, key: &str) -> String {
        format!(
            "{}/incidents?incident={}",
            self.project,
            utf8_percent_encode(key, VALUE)
        )
    }

    /// One trace in the traces view.
    pub fn trace(&self, trace_id: &str) -> String {
        // In the front end's key order (LogEntry.vue), so the URL reads as Coroot's own.
        let query = format!(
            r#"{{"view":"traces","trace_id":{}}}"#,
            serde_json::Value::from(trace_id)
        );
        self.at(&["traces"], &[("query", &query)], self.range)
    }

    /// A deployment: its app's Instances report around the rollout.
    pub fn deployment(&self, app_id: &str, started_ms: i64) -> String {
        let around = TimeRange {
            from_ms: started_ms - DEPLOYMENT_MARGIN_MS,
            to_ms: started_ms + DEPLOYMENT_MARGIN_MS,
        };
        self.at(&["applications", app_id, "Instances"], &[], around)
    }

    fn at(&self, path: &[&str], query: &[(&str, &str)], range: TimeRange) -> String {
        // Room for the whole link at once (risks and nodes build one per element): the window's
        // `?from=<13 digits>&to=<13 digits>` is 36 characters, escapes are rare.
        const WINDOW: usize = 40;
        let segments: usize = path.iter().map(|s| 1 + s.len()).sum();
        let pairs: usize = query.iter().map(|(k, v)| 2 + k.len() + v.len()).sum();
        let mut url = String::with_capacity(self.project.len() + segments + pairs + WINDOW);
        url.push_str(&self.project);
        for segment in path {
            url.push('/');
            url.extend(utf8_percent_encode(segment, SEGMENT));
        }
        let mut sep = '?';
        for (k, v) in query {
            let _ = write!(url, "{sep}{k}={}", utf8_percent_encode(v, VALUE));
            sep = '&';
        }
        url.push(sep);
        if range == self.range {
            url.push_str(&self.window);
        } else {
            url.push_str(&window(range));
        }
        url
    }
}

/// A window as a link's query: `from=…&to=…`.
fn window(range: TimeRange) -> String {
    format!("from={}&to={}", range.from_ms, range.to_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ui(base: &str) -> Ui {
        let range = TimeRange {
            from_ms: 1_700_000_000_000,
            to_ms: 1_700_003_600_000,
        };
        Ui::new(base, "proj1", range)
    }

    #[test]
    fn links_follow_the_front_end_routes_with_the_window() {
        let ui = ui("https://coroot.example.com/coroot/");
        assert_eq!(
            ui.app("k3h2x9qa:default:Deployment:api"),
            "https://coroot.example.com/coroot/p/proj1/applications/k3h2x9qa:default:Deployment:api?from=1700000000000&to=1700003600000"
        );
        assert_eq!(
            ui.app_report("c:ns:Deployment:api", "Logs"),
            "https://coroot.example.com/coroot/p/proj1/applications/c:ns:Deployment:api/Logs?from=1700000000000&to=1700003600000"
        );
        assert_eq!(
            ui.node("ip-10-0-1-5.ec2.internal"),
            "https://coroot.example.com/coroot/p/proj1/nodes/ip-10-0-1-5.ec2.internal?from=1700000000000&to=1700003600000"
        );
        assert_eq!(
            ui.incident("q8w7e6r5"),
            "https://coroot.example.com/coroot/p/proj1/incidents?incident=q8w7e6r5"
        );
        assert_eq!(
            ui.view("map"),
            "https://coroot.example.com/coroot/p/proj1/map?from=1700000000000&to=1700003600000"
        );
    }

    #[test]
    fn a_trace_opens_in_the_traces_view_and_a_deployment_around_its_rollout() {
        let ui = ui("http://coroot:8080");
        assert_eq!(
            ui.trace("4bf92f3577b34da6a3ce929d0e0e4736"),
            "http://coroot:8080/p/proj1/traces?query=%7B%22view%22%3A%22traces%22%2C%22trace_id%22%3A%224bf92f3577b34da6a3ce929d0e0e4736%22%7D&from=1700000000000&to=1700003600000"
        );
        assert_eq!(
            ui.deployment("c:ns:Deployment:api", 1_700_001_800_000),
            "http://coroot:8080/p/proj1/applications/c:ns:Deployment:api/Instances?from=1700000000000&to=1700003600000"
        );
    }

    #[test]
    fn what_would_break_the_url_is_encoded() {
        let ui = ui("http://coroot:8080");
        let app = ui.app("c:ns:Deployment:we/ird name?#");
        assert!(
            app.contains("/applications/c:ns:Deployment:we%2Fird%20name%3F%23?from="),
            "{app}"
        );
        assert!(ui.incident("a&b=c").ends_with("incident=a%26b%3Dc"));
    }
}
