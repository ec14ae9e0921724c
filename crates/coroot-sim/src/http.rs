//! The request and reply types shared by the server and the renderers: what the simulator
//! recorded of a request, and what a route answers before the server turns it into HTTP.
//! They live apart from the server so that renderers which need them (`query_range` reads
//! the raw request and answers Prometheus errors) do not depend on the server that calls them.

use serde_json::Value;

/// One request as the simulator received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Raw path, still percent-encoded.
    pub path: String,
    /// Raw query string (without `?`).
    pub query: String,
    /// Decoded query pairs, in order.
    pub params: Vec<(String, String)>,
    /// Headers with lower-case names, in order.
    pub headers: Vec<(String, String)>,
    /// Request body (lossy UTF-8).
    pub body: String,
}

impl RecordedRequest {
    /// The first value of a decoded query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a route answers, before faults that need the real body are applied.
pub(crate) enum Reply {
    Json(u16, Value),
    /// Go's `http.Error`: text/plain with the message plus `\n`.
    Error(u16, String),
    Empty(u16),
    Html,
    Redirect(String),
    WithCookie(Box<Reply>, String),
}
