//! The live half of the emitter: the same series as the history, served on `GET /metrics` for
//! Prometheus to scrape, each sample stamped with the 15 s grid point it stands for, so live
//! samples continue the backfilled history on the same grid whenever the scrape happens.

use std::io;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;

use super::series::{Clock, STEP, Series, render_exposition};

/// The series and their counters, advanced as time goes by.
pub struct LiveMetrics {
    series: Vec<Series>,
    clock: Mutex<Clock>,
}

impl std::fmt::Debug for LiveMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveMetrics")
            .field("series", &self.series.len())
            .finish_non_exhaustive()
    }
}

impl LiveMetrics {
    /// Counters start at zero at `from` (a grid point), where the history starts.
    pub(crate) fn new(series: Vec<Series>, from: i64) -> LiveMetrics {
        let clock = Clock::new(&series, from - from.rem_euclid(STEP));
        LiveMetrics {
            series,
            clock: Mutex::new(clock),
        }
    }

    /// The exposition at the last grid point at or before `now_ms`.
    pub fn render(&self, now_ms: i64) -> String {
        let mut clock = self.clock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        clock.advance(&self.series, now_ms - now_ms.rem_euclid(STEP));
        render_exposition(&self.series, &clock)
    }

    /// Serves `GET /metrics` on `listener` until the task is dropped.
    pub async fn serve(self: Arc<Self>, listener: tokio::net::TcpListener) -> io::Result<()> {
        let app = Router::new().route(
            "/metrics",
            get(move || {
                let live = self.clone();
                async move {
                    let now = jiff::Timestamp::now().as_millisecond();
                    let body = tokio::task::spawn_blocking(move || live.render(now))
                        .await
                        .unwrap_or_default();
                    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
                }
            }),
        );
        axum::serve(listener, app).await
    }
}
