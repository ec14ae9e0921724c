//! The scenario's stored spans: the checkout error traces of the OOM story, two hours of
//! healthy traffic, and eBPF spans (client-side, ServiceName `/k8s/<ns>/<workload>`, peer
//! address of the server) the overview leaves out and app tracing's eBPF source finds.

use std::sync::Arc;

use super::plot::{Variant, checkout_error_traces};
use crate::prng::Rng;
use crate::util::{HOUR, MIN};
use crate::world::{Project, Span};

struct SpanSink<'a> {
    p: &'a mut Project,
    rng: Rng,
}

impl SpanSink<'_> {
    /// Stores a span of `trace` under `parent` (`""` for a root): `(service, name)` what ran,
    /// `(start ms, duration ms)` when; `error` marks it failed, with an exception event when
    /// the message is not empty. Returns the new span's id.
    fn span(
        &mut self,
        trace: &str,
        parent: &str,
        (service, name): (&str, &str),
        (ts, dur): (i64, f64),
        error: Option<&str>,
        attrs: &[(&str, &str)],
    ) -> String {
        let id = self.rng.hex(16);
        let mut a: Vec<(String, String)> = attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        a.push(("service.name".into(), service.into()));
        a.sort();
        let (is_err, msg) = match error {
            Some(m) => (true, m.to_string()),
            None => (false, String::new()),
        };
        let events = if is_err && !msg.is_empty() {
            vec![(
                ts + dur as i64,
                "exception".to_string(),
                vec![("exception.message".to_string(), msg.clone())],
            )]
        } else {
            Vec::new()
        };
        self.p.spans.push(Span {
            trace_id: Arc::from(trace),
            id: id.clone(),
            parent_id: parent.into(),
            service: Arc::from(service),
            name: Arc::from(name),
            ts_ms: ts,
            duration_ms: dur,
            error: is_err,
            status_message: msg,
            attrs: Arc::new(a),
            events,
            cluster: None,
        });
        id
    }
}

/// The production spans of the variant.
pub(super) fn production(p: &mut Project, v: Variant, now: i64) {
    let mut s = SpanSink { p, rng: Rng::new(4242) };
    if v.oom() {
        for (ts, tid) in checkout_error_traces(now) {
            let root = s.span(
                &tid,
                "",
                ("frontend", "POST /api/checkout"),
                (ts, 1_042.5),
                Some(""),
                &[
                    ("http.method", "POST"),
                    ("http.status_code", "502"),
                    ("http.url", "http://frontend/api/checkout"),
                    ("http.route", "/api/checkout"),
                ],
            );
            let co = s.span(
                &tid,
                &root,
                ("checkout", "POST /checkout"),
                (ts + 3, 1_030.0),
                Some("upstream payment returned 502"),
                &[
                    ("http.method", "POST"),
                    ("http.route", "/checkout"),
                    ("net.peer.name", "payment"),
                ],
            );
            s.span(
                &tid,
                &co,
                ("payment", "POST /charge"),
                (ts + 9, 1_012.0),
                Some("connection reset by peer"),
                &[
                    ("http.method", "POST"),
                    ("http.route", "/charge"),
                    ("server.address", "payment"),
                ],
            );
            s.span(
                &tid,
                &root,
                ("catalog", "SELECT products"),
                (ts + 1, 2.4),
                None,
                &[
                    ("db.system", "postgresql"),
                    ("db.operation", "SELECT"),
                    ("db.statement", "SELECT id, name, price FROM products WHERE id = $1"),
                    ("net.peer.name", "postgres"),
                ],
            );
        }
    }
    // OK traffic over the last 2 hours.
    let mut t = now - 2 * HOUR;
    let mut k = 0u64;
    while t < now - 5_000 {
        let tid = s.rng.hex(32);
        match k % 4 {
            0 => {
                let root = s.span(
                    &tid,
                    "",
                    ("frontend", "GET /api/products"),
                    (t, 14.2 + (k % 7) as f64),
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.url", "http://frontend/api/products"),
                    ],
                );
                let c = s.span(
                    &tid,
                    &root,
                    ("catalog", "GET /products"),
                    (t + 1, 11.0 + (k % 5) as f64),
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.route", "/products"),
                    ],
                );
                s.span(
                    &tid,
                    &c,
                    ("catalog", "SELECT products"),
                    (t + 2, 2.1),
                    None,
                    &[
                        ("db.system", "postgresql"),
                        ("db.operation", "SELECT"),
                        ("db.statement", "SELECT id, name, price FROM products LIMIT 50"),
                    ],
                );
            }
            1 => {
                let root = s.span(
                    &tid,
                    "",
                    ("frontend", "GET /api/cart"),
                    (t, 9.4),
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.url", "http://frontend/api/cart"),
                    ],
                );
                let c = s.span(
                    &tid,
                    &root,
                    ("cart", "GET /cart"),
                    (t + 1, 6.2),
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.route", "/cart"),
                    ],
                );
                s.span(
                    &tid,
                    &c,
                    ("cart", "HGETALL"),
                    (t + 2, 0.8),
                    None,
                    &[("db.system", "redis"), ("db.statement", "HGETALL cart:7781")],
                );
            }
            2 => {
                let root = s.span(
                    &tid,
                    "",
                    ("frontend", "POST /api/checkout"),
                    (t, 143.0),
                    None,
                    &[
                        ("http.method", "POST"),
                        ("http.status_code", "200"),
                        ("http.url", "http://frontend/api/checkout"),
                    ],
                );
                let c = s.span(
                    &tid,
                    &root,
                    ("checkout", "POST /checkout"),
                    (t + 2, 131.0),
                    None,
                    &[("http.method", "POST"), ("http.status_code", "200")],
                );
                s.span(
                    &tid,
                    &c,
                    ("payment", "POST /charge"),
                    (t + 5, 38.0),
                    None,
                    &[("http.method", "POST"), ("http.status_code", "200")],
                );
            }
            _ => {
                s.span(
                    &tid,
                    "",
                    ("frontend", "GET /healthz"),
                    (t, 0.4),
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.url", "http://frontend/healthz"),
                    ],
                );
            }
        }
        t += 45_000;
        k += 1;
    }
    // eBPF spans, which the overview must leave out.
    let tid = s.rng.hex(32);
    s.span(
        &tid,
        "",
        ("/k8s/default/frontend", "GET /api/products"),
        (now - 5 * MIN, 13.0),
        None,
        &[
            ("http.method", "GET"),
            ("net.sock.peer.addr", "10.42.2.51"),
            ("net.sock.peer.port", "8080"),
        ],
    );
    let tid = s.rng.hex(32);
    s.span(
        &tid,
        "",
        ("/k8s/default/catalog", "query products"),
        (now - 7 * MIN, 2.0),
        None,
        &[
            ("db.system", "postgresql"),
            ("net.sock.peer.addr", "10.42.3.15"),
            ("net.sock.peer.port", "5432"),
        ],
    );
}
