//! The health report: each session's state and last-received time; healthy when every
//! session that its schedule says should be logged on now is.

use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::registry::Sessions;
use super::session::state_name;
use crate::core::State;

/// The report at `now` and whether it is healthy.
pub(crate) fn report(sessions: &Sessions, now: SystemTime) -> (bool, Value) {
    let mut healthy = true;
    let list: Vec<Value> = sessions
        .iter()
        .map(|e| {
            let state = e.metrics.state();
            let expected = e.schedule.is_logon_time(now);
            let ok = !expected || state == State::Active;
            healthy &= ok;
            let last = e
                .metrics
                .last_received()
                .map(|t| DateTime::<Utc>::from(t).to_rfc3339_opts(SecondsFormat::Millis, true));
            let snap = e.metrics.snapshot();
            json!({
                "session": e.id.to_string(),
                "state": state_name(state),
                "in_schedule": expected,
                "healthy": ok,
                "last_received": last,
                "next_sender_seq": snap.next_sender_seq,
                "next_target_seq": snap.next_target_seq,
            })
        })
        .collect();
    let status = if healthy { "ok" } else { "unhealthy" };
    (healthy, json!({ "status": status, "sessions": list }))
}
