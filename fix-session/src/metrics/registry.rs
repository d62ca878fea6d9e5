//! The sessions an engine's endpoint reports on.

use std::sync::Arc;

use super::SessionMetrics;
use crate::settings::{Schedule, SessionId};

/// One session as the endpoint sees it.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
pub(crate) struct Entry {
    pub(crate) id: SessionId,
    /// Says whether the session should be logged on now (the health check).
    pub(crate) schedule: Schedule,
    pub(crate) metrics: Arc<SessionMetrics>,
    /// The number of messages waiting in the session's send queue.
    pub(crate) queue_depth: Box<dyn Fn() -> u64 + Send + Sync>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
impl Entry {
    /// The labels naming the session on every series.
    pub(crate) fn labels(&self) -> Vec<(&'static str, String)> {
        vec![
            ("begin_string", self.id.begin_string.clone()),
            ("sender_comp_id", self.id.sender_comp_id.clone()),
            ("target_comp_id", self.id.target_comp_id.clone()),
            ("qualifier", self.id.qualifier.clone().unwrap_or_default()),
        ]
    }
}

/// Every session of one acceptor or initiator.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
pub(crate) type Sessions = Arc<Vec<Entry>>;
