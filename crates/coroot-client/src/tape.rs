//! Benchmark support, behind the `bench` feature: GET bodies recorded by their coalescing key,
//! and answered from such a recording without a network, so a benchmark can run the tools on
//! real Coroot bytes and measure them alone.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::cache::Body;
use crate::error::{Error, Result};

/// The recording in progress, or the bodies to replay, of one client.
#[derive(Default)]
pub(crate) struct Tape {
    replay: Option<HashMap<String, Body>>,
    recording: Mutex<Option<Vec<(String, Body)>>>,
}

impl Tape {
    /// A tape that answers every GET from `bodies`, keyed like the recording's entries.
    pub(crate) fn replaying(bodies: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        Tape {
            replay: Some(bodies.into_iter().map(|(k, v)| (k, Body::new(v))).collect()),
            recording: Mutex::default(),
        }
    }

    /// The answer to the GET of `endpoint` known by `key` when replaying; `None` otherwise.
    pub(crate) fn replay(&self, key: &str, endpoint: &str) -> Option<Result<Body>> {
        let replay = self.replay.as_ref()?;
        Some(replay.get(key).cloned().ok_or_else(|| Error::Transport {
            endpoint: endpoint.to_string(),
            reason: "not in the recorded responses".into(),
        }))
    }

    /// Adds a successful GET's body to the recording, when one is in progress.
    pub(crate) fn record(&self, key: &str, body: &Body) {
        if let Ok(mut recording) = self.recording.lock()
            && let Some(recording) = recording.as_mut()
        {
            recording.push((key.to_string(), body.clone()));
        }
    }

    /// Starts a recording (`true`) or stops it (`false`), returning what the one in progress
    /// held, in request order.
    pub(crate) fn switch(&self, on: bool) -> Vec<(String, Vec<u8>)> {
        let Ok(mut recording) = self.recording.lock() else {
            return Vec::new();
        };
        let taken = if on {
            recording.replace(Vec::new())
        } else {
            recording.take()
        };
        taken
            .unwrap_or_default()
            .into_iter()
            .map(|(k, body)| (k, body.as_ref().clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_holds_what_was_recorded_while_on_and_replays_it() {
        let tape = Tape::default();
        tape.record("Session /a", &Body::new(b"lost".to_vec()));
        assert!(
            tape.switch(true).is_empty(),
            "nothing is kept before the recording starts"
        );
        tape.record("Session /a", &Body::new(b"{}".to_vec()));
        let recorded = tape.switch(false);
        assert_eq!(recorded, vec![("Session /a".to_string(), b"{}".to_vec())]);
        assert!(
            tape.replay("Session /a", "/a").is_none(),
            "a recording tape does not replay"
        );

        let tape = Tape::replaying(recorded);
        assert_eq!(tape.replay("Session /a", "/a").unwrap().unwrap().as_slice(), b"{}");
        assert!(matches!(
            tape.replay("Session /b", "/b"),
            Some(Err(Error::Transport { .. }))
        ));
    }
}
