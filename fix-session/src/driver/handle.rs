//! A session's handle (what callers send through) and its inbox (what the session's task
//! takes commands from, in an order that keeps each caller's order).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use fix_core::{EncodedBody, OutgoingMessage};
use tokio::sync::{mpsc, oneshot};

use super::tls::Stream;
use super::{DriverError, MAX_BATCH_COMMANDS, SEND_QUEUE_CAPACITY};
use crate::core::SendError;
use crate::metrics::{Entry, SessionMetrics};
use crate::settings::{Schedule, SessionId};

/// Commands that are not messages: never held back by a full send queue.
pub(super) enum Control {
    Connection(Stream, Vec<u8>),
    Logout(Option<String>),
    Shutdown(oneshot::Sender<()>),
}

/// What goes through the bounded send queue, in the order the callers enqueued it.
pub(super) enum Outbound {
    /// An awaited send: answered once the message is persisted and written.
    Send(EncodedBody, oneshot::Sender<Result<u64, DriverError>>),
    /// A queued send: nobody waits for it.
    Queued(EncodedBody),
    /// [`SessionHandle::flush`]: answered with the next sender MsgSeqNum once everything
    /// enqueued before it is persisted and written.
    Flush(oneshot::Sender<u64>),
}

/// A command taken by a session task.
pub(super) enum Command {
    Control(Control),
    Out(Outbound),
}

/// The shared state between a session's handles and its task.
pub(super) struct Shared {
    pub(super) connected: AtomicBool,
    /// Number of [`Outbound`]s enqueued (counted after the enqueue succeeded), so that a
    /// control command is handled after every message its caller enqueued before it.
    pub(super) enqueued: AtomicU64,
    /// Queued messages the session refused (see [`SessionHandle::refused`]).
    pub(super) refused: AtomicU64,
    /// The session's metrics (updated by its task and its core).
    pub(super) metrics: Arc<SessionMetrics>,
}

/// A handle on one running session.
///
/// Two ways to send an application message:
///
/// - [`SessionHandle::send`] waits until the message is sequenced, persisted and written to
///   the socket, and returns its MsgSeqNum or why it was not sent (not logged on, vetoed by
///   `to_app`, not encodable, store failure);
/// - [`SessionHandle::enqueue`] (and [`SessionHandle::enqueue_all`]) returns as soon as the
///   message is in the session's send queue: the session task sequences, persists and writes
///   it later, batched with other messages (one store call and one socket write for many
///   messages), which is much faster. The only errors it reports are a message that cannot
///   be encoded (a value holding SOH: checked on the caller's thread, where it is encoded)
///   and a session task that has stopped; a message the session refuses later (not logged
///   on when it is taken from the queue, vetoed) is dropped, logged (`tracing` warning) and
///   counted by
///   [`SessionHandle::refused`]. Once a message is taken and sequenced it has the same
///   guarantees as an awaited send: it is persisted before any byte of it is written, so
///   if the connection drops it is recovered by the counterparty's ResendRequest.
///   [`SessionHandle::flush`] waits until everything enqueued before it is persisted and
///   written.
///
/// Both go through one bounded queue ([`SEND_QUEUE_CAPACITY`]) in the callers' order: when
/// the session falls behind, both wait for room (backpressure). Messages from one caller are
/// sent in the order it enqueued them, and [`SessionHandle::logout`] takes effect after the
/// messages the caller enqueued before calling it.
#[derive(Clone)]
pub struct SessionHandle {
    pub(super) id: SessionId,
    pub(super) ctrl: mpsc::UnboundedSender<(u64, Control)>,
    pub(super) data: mpsc::Sender<Outbound>,
    pub(super) shared: Arc<Shared>,
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl SessionHandle {
    /// The session's id.
    pub fn id(&self) -> &SessionId {
        &self.id
    }

    /// Sends an application message and waits until it is persisted and written to the
    /// socket; returns its MsgSeqNum. Fails when the message cannot be encoded (a value
    /// holds SOH), the session is not logged on, the application vetoes the message or the
    /// store fails. Waits for room in the send queue first (see [`SessionHandle`]).
    ///
    /// The message is encoded here, on the caller's thread, and crosses to the session as
    /// bytes ([`EncodedBody`]): nothing is boxed and the session only frames it.
    pub async fn send(&self, msg: impl OutgoingMessage) -> Result<u64, DriverError> {
        let body = encode(&msg)?;
        let (tx, rx) = oneshot::channel();
        self.push(Outbound::Send(body, tx)).await?;
        rx.await.map_err(|_| DriverError::Stopped)?
    }

    /// Puts an application message in the send queue and returns without waiting for it to
    /// be sent: the fast path (see [`SessionHandle`] for what is and is not reported).
    /// Waits only while the queue is full. Fails when the message cannot be encoded (a value
    /// holds SOH) or the session task has stopped.
    pub async fn enqueue(&self, msg: impl OutgoingMessage) -> Result<(), DriverError> {
        let body = encode(&msg)?;
        self.push(Outbound::Queued(body)).await
    }

    /// [`SessionHandle::enqueue`] for every message of `msgs`, in order. Room in the queue
    /// is reserved for many messages at a time (by the iterator's lower size bound, up to
    /// 256), so a producer faster than the session is woken once per chunk rather than once
    /// per message. Fails when a message cannot be encoded (the messages before it are
    /// enqueued, the ones after it are not) or the session task has stopped (the messages
    /// not yet enqueued then are dropped).
    pub async fn enqueue_all<M, I>(&self, msgs: I) -> Result<(), DriverError>
    where
        M: OutgoingMessage,
        I: IntoIterator<Item = M>,
    {
        let mut msgs = msgs.into_iter().peekable();
        while msgs.peek().is_some() {
            let want = msgs.size_hint().0.clamp(1, MAX_BATCH_COMMANDS);
            let permits = self
                .data
                .reserve_many(want)
                .await
                .map_err(|_| DriverError::Stopped)?;
            let mut sent = 0;
            let mut failed = None;
            for (permit, m) in permits.zip(msgs.by_ref()) {
                match encode(&m) {
                    Ok(body) => permit.send(Outbound::Queued(body)),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
                sent += 1;
            }
            self.shared.enqueued.fetch_add(sent, Ordering::Release);
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Waits until every message enqueued before this call (by any caller) has been taken
    /// from the queue and, if the session accepted it, persisted and written to the socket.
    /// Returns the session's next sender MsgSeqNum at that point.
    pub async fn flush(&self) -> Result<u64, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.push(Outbound::Flush(tx)).await?;
        rx.await.map_err(|_| DriverError::Stopped)
    }

    /// How many enqueued messages the session refused (not logged on when the message was
    /// taken from the queue, vetoed by `to_app`, or not encodable) since it started.
    pub fn refused(&self) -> u64 {
        self.shared.refused.load(Ordering::Relaxed)
    }

    async fn push(&self, o: Outbound) -> Result<(), DriverError> {
        self.data.send(o).await.map_err(|_| DriverError::Stopped)?;
        self.shared.enqueued.fetch_add(1, Ordering::Release);
        Ok(())
    }

    pub(super) fn control(&self, c: Control) -> Result<(), DriverError> {
        let seen = self.shared.enqueued.load(Ordering::Acquire);
        self.ctrl.send((seen, c)).map_err(|_| DriverError::Stopped)
    }

    /// Starts the logout handshake (after the messages this caller enqueued before).
    pub fn logout(&self, text: Option<&str>) -> Result<(), DriverError> {
        self.control(Control::Logout(text.map(str::to_string)))
    }

    /// The session's metrics: messages, bytes, rejects, resends, state, sequence numbers,
    /// store latency (see [`crate::metrics`]).
    pub fn metrics(&self) -> &SessionMetrics {
        &self.shared.metrics
    }

    /// How many messages wait in the send queue.
    pub fn queue_depth(&self) -> usize {
        self.data.max_capacity() - self.data.capacity()
    }

    /// The session as the metrics endpoint reports it: it holds the send queue weakly, so
    /// that the endpoint does not keep the session alive.
    pub(super) fn metrics_entry(&self, schedule: Schedule) -> Entry {
        let queue = self.data.downgrade();
        Entry {
            id: self.id.clone(),
            schedule,
            metrics: self.shared.metrics.clone(),
            queue_depth: Box::new(move || {
                queue
                    .upgrade()
                    .map_or(0, |q| (q.max_capacity() - q.capacity()) as u64)
            }),
        }
    }

    /// Whether the session has a connection.
    pub fn is_connected(&self) -> bool {
        self.shared.connected.load(Ordering::SeqCst)
    }

    pub(super) async fn shutdown(&self) {
        let (tx, rx) = oneshot::channel();
        if self.control(Control::Shutdown(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// The receiving side of a session's two channels: gives commands in an order that keeps
/// each caller's order between its messages and its control commands.
pub(super) struct Inbox {
    pub(super) ctrl: mpsc::UnboundedReceiver<(u64, Control)>,
    pub(super) ctrl_closed: bool,
    pub(super) data: mpsc::Receiver<Outbound>,
    /// Number of [`Outbound`]s taken.
    pub(super) taken: u64,
    /// A control command waiting for the messages enqueued before it.
    pub(super) pending: Option<(u64, Control)>,
}

impl Inbox {
    fn take_data(&mut self, o: Outbound) -> Command {
        self.taken += 1;
        Command::Out(o)
    }

    /// The next command; `None` when every handle is gone. Cancel-safe.
    pub(super) async fn recv(&mut self) -> Option<Command> {
        loop {
            if let Some((seen, _)) = &self.pending {
                if *seen <= self.taken {
                    return self.pending.take().map(|(_, c)| Command::Control(c));
                }
                // The messages counted in `seen` are in the queue already.
                let o = self.data.recv().await?;
                return Some(self.take_data(o));
            }
            if self.ctrl_closed {
                let o = self.data.recv().await?;
                return Some(self.take_data(o));
            }
            tokio::select! {
                biased;
                c = self.ctrl.recv() => match c {
                    Some(c) => self.pending = Some(c),
                    None => self.ctrl_closed = true,
                },
                o = self.data.recv() => match o {
                    Some(o) => return Some(self.take_data(o)),
                    None => {
                        // No handle left; answer what is left of control.
                        let (_, c) = self.ctrl.recv().await?;
                        return Some(Command::Control(c));
                    }
                },
            }
        }
    }

    /// Whether a control command waits (for the messages enqueued before it, or to be
    /// handled next).
    pub(super) fn has_pending_control(&self) -> bool {
        self.pending.is_some()
    }

    /// A queued message (or flush) that is ready now, unless a control command comes first.
    pub(super) fn try_recv_data(&mut self) -> Option<Outbound> {
        if self.pending.is_none() && !self.ctrl_closed {
            match self.ctrl.try_recv() {
                Ok(c) => self.pending = Some(c),
                Err(mpsc::error::TryRecvError::Disconnected) => self.ctrl_closed = true,
                Err(mpsc::error::TryRecvError::Empty) => {}
            }
        }
        if let Some((seen, _)) = &self.pending {
            if *seen <= self.taken {
                return None;
            }
        }
        let o = self.data.try_recv().ok()?;
        self.taken += 1;
        Some(o)
    }
}

/// A new session's handle and inbox, and the state they share.
pub(super) fn channel(
    id: SessionId,
    metrics: Arc<SessionMetrics>,
) -> (SessionHandle, Inbox, Arc<Shared>) {
    let (ctrl_tx, ctrl) = mpsc::unbounded_channel();
    let (data_tx, data) = mpsc::channel(SEND_QUEUE_CAPACITY);
    let shared = Arc::new(Shared {
        connected: AtomicBool::new(false),
        enqueued: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        metrics,
    });
    let handle = SessionHandle {
        id,
        ctrl: ctrl_tx,
        data: data_tx,
        shared: shared.clone(),
    };
    let inbox = Inbox {
        ctrl,
        ctrl_closed: false,
        data,
        taken: 0,
        pending: None,
    };
    (handle, inbox, shared)
}

/// A message's body encoded on the caller's thread.
fn encode(msg: &impl OutgoingMessage) -> Result<EncodedBody, DriverError> {
    EncodedBody::encode(msg).map_err(|e| DriverError::Send(SendError::Encode(e)))
}
