//! Per-session metrics and the operators' HTTP endpoint (`HttpAcceptPort`).
//!
//! Every session counts what it sends and receives in a [`SessionMetrics`] of relaxed
//! atomics, updated by the session's task where it already handles each message and event
//! (a few atomic adds per message; no lock, no allocation); read them with
//! [`SessionHandle::metrics`](crate::SessionHandle::metrics).
//!
//! With `HttpAcceptPort=N` in the settings file's `[DEFAULT]` section (and the `metrics`
//! feature, on by default), the [`Acceptor`](crate::Acceptor) or
//! [`Initiator`](crate::Initiator) also serves, on port N of every interface (0 picks a free
//! port: see `AcceptorHandle::http_addr` and `InitiatorHandle::http_addr`):
//!
//! - `GET /metrics`: the OpenMetrics (Prometheus) text exposition, written by
//!   `prometheus-client` from the atomics at scrape time. Every series carries the session's
//!   labels `begin_string`, `sender_comp_id`, `target_comp_id` and `qualifier`:
//!
//!   | series | type | extra labels |
//!   |---|---|---|
//!   | `fix_messages_received_total`, `fix_messages_sent_total` | counter | `class` (`admin`, `app`) |
//!   | `fix_received_bytes_total`, `fix_sent_bytes_total` | counter | `class` |
//!   | `fix_resend_requests_sent_total`, `fix_resend_requests_received_total`, `fix_messages_resent_total` | counter | |
//!   | `fix_gap_fills_sent_total`, `fix_gap_fills_received_total` | counter | |
//!   | `fix_rejects_sent_total`, `fix_rejects_received_total` | counter | `reason` (SessionRejectReason `0`-`18`, `other`, `none`) |
//!   | `fix_business_rejects_sent_total`, `fix_business_rejects_received_total` | counter | |
//!   | `fix_logons_total`, `fix_logouts_total`, `fix_disconnects_total` | counter | |
//!   | `fix_session_state` | gauge (1 for the current state) | `state` (`disconnected`, `awaiting_logon`, `logged_on`, `logout_sent`) |
//!   | `fix_next_sender_seq_num`, `fix_next_target_seq_num` | gauge | |
//!   | `fix_send_queue_depth` | gauge | |
//!   | `fix_last_received_timestamp_seconds` | gauge | |
//!   | `fix_store_write_seconds` | histogram | |
//!   | `fix_test_request_round_trip_seconds` | histogram | |
//!
//! - `GET /health`: JSON with each session's state, last-received time and sequence
//!   numbers; status 200 when every session that its schedule says should be logged on now
//!   (inside its session and logon times) is logged on, 503 otherwise.
//!
//! ```text
//! $ curl -s localhost:9880/health
//! {"sessions":[{"healthy":true,"in_schedule":true,"last_received":"2026-01-05T09:30:01.250Z",
//!   "next_sender_seq":12,"next_target_seq":40,"session":"FIX.4.4:EXEC->BANZAI",
//!   "state":"logged_on"}],"status":"ok"}
//! ```

mod histogram;
mod registry;
mod session;

#[cfg(feature = "metrics")]
mod exporter;
#[cfg(feature = "metrics")]
mod health;
#[cfg(feature = "metrics")]
mod server;

pub use histogram::{HistogramSnapshot, LatencyHistogram};
pub use session::{MetricsSnapshot, MsgClass, SessionMetrics};

pub(crate) use registry::Entry;
#[cfg(feature = "metrics")]
pub(crate) use server::HttpServer as Endpoint;

/// Starts the endpoint on `port` for the sessions `entries` gives.
#[cfg(feature = "metrics")]
pub(crate) async fn start_endpoint(
    port: Option<u16>,
    entries: Vec<Entry>,
) -> std::io::Result<Option<Endpoint>> {
    match port {
        Some(port) => Ok(Some(
            server::serve(port, std::sync::Arc::new(entries)).await?,
        )),
        None => Ok(None),
    }
}

/// Without the `metrics` feature there is no endpoint: `HttpAcceptPort` is ignored with a
/// warning.
#[cfg(not(feature = "metrics"))]
#[derive(Debug)]
pub(crate) enum Endpoint {}

#[cfg(not(feature = "metrics"))]
impl Endpoint {
    pub(crate) fn local_addr(&self) -> std::net::SocketAddr {
        match *self {}
    }

    pub(crate) async fn stop(self) {
        match self {}
    }
}

#[cfg(not(feature = "metrics"))]
pub(crate) async fn start_endpoint(
    port: Option<u16>,
    _entries: Vec<Entry>,
) -> std::io::Result<Option<Endpoint>> {
    if port.is_some() {
        tracing::warn!("HttpAcceptPort is set but fix-session was built without its `metrics` feature: no endpoint");
    }
    Ok(None)
}
