//! Dynamic sessions on an acceptor: sessions made from an [`AcceptorTemplate`] when a Logon
//! that names no configured session matches it (QuickFIX/J's `AcceptorTemplate=Y`).
//!
//! A created session is kept for the acceptor's life: a later connection with the same
//! CompIDs reuses it, so its sequence numbers continue (from its store entry, opened through
//! the acceptor's [`StoreFactory`] like any other session's). The sessions are kept in an
//! append-only list read only when a connection is routed or a caller looks a session up,
//! never on the message path.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::task::JoinHandle;

use super::connection::{spawn_session, EventTx};
use super::handle::SessionHandle;
use super::DriverError;
use crate::app::Application;
use crate::settings::{AcceptorTemplate, IdPattern, SessionId};
use crate::store::StoreFactory;

/// The sessions an acceptor created from its templates, and what it needs to create more.
pub(super) struct Created {
    /// The handles, in creation order (append-only: a handle's reference lives as long as
    /// the acceptor).
    handles: boxcar::Vec<SessionHandle>,
    /// Where each session's handle is in `handles`.
    index: Mutex<HashMap<SessionId, usize>>,
    /// The sessions' tasks, taken when the acceptor stops.
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Held while a session is created, so that two Logons for one new session create it
    /// once; `true` once the acceptor stops (no session is created after that).
    creating: tokio::sync::Mutex<bool>,
    stores: Arc<dyn StoreFactory>,
    app: Arc<dyn Application>,
    events: EventTx,
}

impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Created")
            .field("sessions", &self.handles.count())
            .finish_non_exhaustive()
    }
}

impl Created {
    pub(super) fn new(
        stores: Arc<dyn StoreFactory>,
        app: Arc<dyn Application>,
        events: EventTx,
    ) -> Created {
        Created {
            handles: boxcar::Vec::new(),
            index: Mutex::new(HashMap::new()),
            tasks: Mutex::new(Vec::new()),
            creating: tokio::sync::Mutex::new(false),
            stores,
            app,
            events,
        }
    }

    /// The created session `id`, if any.
    pub(super) fn get(&self, id: &SessionId) -> Option<&SessionHandle> {
        let i = *self
            .index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)?;
        self.handles.get(i)
    }

    /// Every created session.
    pub(super) fn iter(&self) -> impl Iterator<Item = &SessionHandle> {
        self.handles.iter().map(|(_, h)| h)
    }

    /// The session `id`, created from `template` (with its store entry, `on_create` called)
    /// unless it exists already. `None` once the acceptor is stopping.
    pub(super) async fn get_or_create(
        &self,
        id: SessionId,
        template: &AcceptorTemplate,
    ) -> Result<Option<SessionHandle>, DriverError> {
        let stopped = self.creating.lock().await;
        if *stopped {
            return Ok(None);
        }
        if let Some(h) = self.get(&id) {
            return Ok(Some(h.clone()));
        }
        let settings = template.session(id.clone());
        let (handle, inbox, task) =
            spawn_session(&settings, &self.stores, &self.app, self.events.clone()).await?;
        let served = super::acceptor::serve(inbox, task);
        self.tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(served);
        let i = self.handles.push(handle.clone());
        self.index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, i);
        tracing::info!(session = %handle.id(), "dynamic session created from a template");
        drop(stopped);
        Ok(Some(handle))
    }

    /// Stops creating sessions; shuts every created one down (logging it out) and waits
    /// for its task.
    pub(super) async fn stop(&self) {
        *self.creating.lock().await = true;
        for h in self.iter() {
            h.shutdown().await;
        }
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        for t in tasks {
            let _ = t.await;
        }
    }
}

/// The session a Logon names, as ours (their SenderCompID is our TargetCompID, their
/// SenderSubID our TargetSubID, and so on), if `template` accepts it: `field` reads the
/// Logon's header fields. The session's qualifier is the template's, when it names one.
pub(super) fn session_for(
    template: &AcceptorTemplate,
    begin_string: &[u8],
    field: impl Fn(&str) -> Option<String>,
) -> Option<SessionId> {
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
    let qualifier = match &template.id[7] {
        IdPattern::Exact(q) => Some(q.clone()),
        IdPattern::Any => None,
    };
    let id = SessionId {
        begin_string: text(begin_string)?,
        sender_comp_id: field("56")?,
        sender_sub_id: field("57"),
        sender_location_id: field("143"),
        target_comp_id: field("49")?,
        target_sub_id: field("50"),
        target_location_id: field("142"),
        qualifier,
    };
    template.matches(&id).then_some(id)
}
