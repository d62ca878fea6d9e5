//! tokio drivers: an [`Acceptor`] serving many sessions on one port and an [`Initiator`]
//! that connects (with ReconnectInterval and failover hosts).
//!
//! With SocketUseSSL=Y connections run over TLS (see [`tls`] and the
//! [settings docs](crate::settings#tls)): the acceptor completes the handshake (in the
//! connection's own task, within [`tls::HANDSHAKE_TIMEOUT`]) before it reads the Logon that
//! routes the connection to its session; a failed handshake is logged and closes that
//! connection only. An initiator's failed handshake is a failed connection attempt: it is
//! reported as an [`Event::Disconnected`] whose reason starts with `TLS handshake`, and the
//! session tries again after ReconnectInterval (next failover host first).
//!
//! Each session runs in its own task that owns the sans-IO [`Session`] and its store, and
//! applies the core's outputs in order: persist (store) then write (socket). The
//! application's callbacks run in that task too, on the thread that reads the socket. With
//! `SocketBusyPoll=Y` (see the [settings docs](crate::settings#socket)) that task polls its
//! socket and send queue for `SocketBusyPollTime` before parking, yielding to the runtime's
//! other tasks and to the kernel between polls: lower latency with a core to spare, worse on
//! a machine whose cores are all busy. Events go to the
//! [`Application`] callbacks (called by the core) and, as [`SessionEvent`]s, to the channel
//! returned by `start`; dropping that receiver is fine.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use fix_session::{driver::Acceptor, settings::Settings, store::MemoryStoreFactory, app::NullApplication};
//! let settings = Settings::from_file("acceptor.cfg")?;
//! let (handle, mut events) = Acceptor::start(settings, Arc::new(MemoryStoreFactory), Arc::new(NullApplication)).await?;
//! while let Some(ev) = events.recv().await {
//!     println!("{}: {:?}", ev.session, ev.event);
//! }
//! handle.stop().await;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use fix_core::frame::find_frame;
use fix_core::OutgoingMessage;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::app::Application;
use crate::core::{Event, Output, SendError, Session, State};
use crate::settings::{ConnectionType, SessionId, SessionSettings, Settings, SettingsError};
use crate::store::{MessageStore, StoreError, StoreFactory};

pub mod tls;

use tls::Stream;

/// An event of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEvent {
    /// Which session.
    pub session: SessionId,
    /// What happened.
    pub event: Event,
}

/// Why a driver could not start or a send failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DriverError {
    /// Settings or a dictionary could not be loaded.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Socket error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// No session with this id.
    #[error("unknown session {0}")]
    UnknownSession(String),
    /// The session refused the message.
    #[error(transparent)]
    Send(#[from] SendError),
    /// The session task has stopped.
    #[error("session stopped")]
    Stopped,
    /// Nothing to run.
    #[error("no {0} session in the settings")]
    NoSessions(&'static str),
    /// A TLS configuration could not be built (SocketUseSSL=Y).
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

/// How many messages a session's send queue holds: [`SessionHandle::send`] and
/// [`SessionHandle::enqueue`] wait for room when it is full (backpressure).
pub const SEND_QUEUE_CAPACITY: usize = 4096;

/// At most this many queued commands are taken into one batch (one store call, one socket
/// write) ...
const MAX_BATCH_COMMANDS: usize = 256;
/// ... or until this many bytes are waiting to be written.
const MAX_BATCH_BYTES: usize = 64 * 1024;
/// Size of a connection's read buffer.
const READ_BUFFER: usize = 64 * 1024;
/// At most this many reads (while they fill the buffer) before writing.
const MAX_READS_PER_BATCH: usize = 4;
/// With SocketBusyPoll: how long a connection polls before it also yields its core to the
/// kernel between polls.
const BUSY_POLL_SPIN: Duration = Duration::from_micros(20);

/// Commands that are not messages: never held back by a full send queue.
enum Control {
    Connection(Stream, Vec<u8>),
    Logout(Option<String>),
    Shutdown(oneshot::Sender<()>),
}

/// What goes through the bounded send queue, in the order the callers enqueued it.
enum Outbound {
    /// An awaited send: answered once the message is persisted and written.
    Send(
        Box<dyn OutgoingMessage>,
        oneshot::Sender<Result<u64, DriverError>>,
    ),
    /// A queued send: nobody waits for it.
    Queued(Box<dyn OutgoingMessage>),
    /// [`SessionHandle::flush`]: answered with the next sender MsgSeqNum once everything
    /// enqueued before it is persisted and written.
    Flush(oneshot::Sender<u64>),
}

/// A command taken by a session task.
enum Command {
    Control(Control),
    Out(Outbound),
}

/// The shared state between a session's handles and its task.
struct Shared {
    connected: AtomicBool,
    /// Number of [`Outbound`]s enqueued (counted after the enqueue succeeded), so that a
    /// control command is handled after every message its caller enqueued before it.
    enqueued: AtomicU64,
    /// Queued messages the session refused (see [`SessionHandle::refused`]).
    refused: AtomicU64,
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
///   messages), which is much faster. The only error it reports is that the session task has
///   stopped; a message the session refuses later (not logged on when it is taken from the
///   queue, vetoed, not encodable) is dropped, logged (`tracing` warning) and counted by
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
    id: SessionId,
    ctrl: mpsc::UnboundedSender<(u64, Control)>,
    data: mpsc::Sender<Outbound>,
    shared: Arc<Shared>,
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
    /// socket; returns its MsgSeqNum. Fails when the session is not logged on, the
    /// application vetoes the message, it cannot be encoded or the store fails. Waits for
    /// room in the send queue first (see [`SessionHandle`]).
    pub async fn send(&self, msg: impl OutgoingMessage + 'static) -> Result<u64, DriverError> {
        self.send_boxed(Box::new(msg)).await
    }

    /// [`SessionHandle::send`] for a boxed message.
    pub async fn send_boxed(&self, msg: Box<dyn OutgoingMessage>) -> Result<u64, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.push(Outbound::Send(msg, tx)).await?;
        rx.await.map_err(|_| DriverError::Stopped)?
    }

    /// Puts an application message in the send queue and returns without waiting for it to
    /// be sent: the fast path (see [`SessionHandle`] for what is and is not reported).
    /// Waits only while the queue is full. Fails only when the session task has stopped.
    pub async fn enqueue(&self, msg: impl OutgoingMessage + 'static) -> Result<(), DriverError> {
        self.enqueue_boxed(Box::new(msg)).await
    }

    /// [`SessionHandle::enqueue`] for a boxed message.
    pub async fn enqueue_boxed(&self, msg: Box<dyn OutgoingMessage>) -> Result<(), DriverError> {
        self.push(Outbound::Queued(msg)).await
    }

    /// [`SessionHandle::enqueue`] for every message of `msgs`, in order. Room in the queue
    /// is reserved for many messages at a time (by the iterator's lower size bound, up to
    /// 256), so a producer faster than the session is woken once per chunk rather than once
    /// per message. Fails only when the session task has stopped (the messages not yet
    /// enqueued then are dropped).
    pub async fn enqueue_all<M, I>(&self, msgs: I) -> Result<(), DriverError>
    where
        M: OutgoingMessage + 'static,
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
            for (permit, m) in permits.zip(msgs.by_ref()) {
                permit.send(Outbound::Queued(Box::new(m)));
                sent += 1;
            }
            self.shared.enqueued.fetch_add(sent, Ordering::Release);
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

    fn control(&self, c: Control) -> Result<(), DriverError> {
        let seen = self.shared.enqueued.load(Ordering::Acquire);
        self.ctrl.send((seen, c)).map_err(|_| DriverError::Stopped)
    }

    /// Starts the logout handshake (after the messages this caller enqueued before).
    pub fn logout(&self, text: Option<&str>) -> Result<(), DriverError> {
        self.control(Control::Logout(text.map(str::to_string)))
    }

    /// Whether the session has a connection.
    pub fn is_connected(&self) -> bool {
        self.shared.connected.load(Ordering::SeqCst)
    }

    async fn shutdown(&self) {
        let (tx, rx) = oneshot::channel();
        if self.control(Control::Shutdown(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// The receiving side of a session's two channels: gives commands in an order that keeps
/// each caller's order between its messages and its control commands.
struct Inbox {
    ctrl: mpsc::UnboundedReceiver<(u64, Control)>,
    ctrl_closed: bool,
    data: mpsc::Receiver<Outbound>,
    /// Number of [`Outbound`]s taken.
    taken: u64,
    /// A control command waiting for the messages enqueued before it.
    pending: Option<(u64, Control)>,
}

impl Inbox {
    fn take_data(&mut self, o: Outbound) -> Command {
        self.taken += 1;
        Command::Out(o)
    }

    /// The next command; `None` when every handle is gone. Cancel-safe.
    async fn recv(&mut self) -> Option<Command> {
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
    fn has_pending_control(&self) -> bool {
        self.pending.is_some()
    }

    /// A queued message (or flush) that is ready now, unless a control command comes first.
    fn try_recv_data(&mut self) -> Option<Outbound> {
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

/// Events to the user.
type EventTx = mpsc::UnboundedSender<SessionEvent>;

async fn spawn_session(
    settings: &SessionSettings,
    stores: &Arc<dyn StoreFactory>,
    app: &Arc<dyn Application>,
    events: EventTx,
) -> Result<(SessionHandle, Inbox, SessionTask), DriverError> {
    let dict = {
        let s = settings.clone();
        tokio::task::spawn_blocking(move || s.load_dictionary())
            .await
            .map_err(|e| DriverError::Io(std::io::Error::other(e)))??
    };
    let store = stores.create(settings).await?;
    let core = Session::new(
        settings,
        dict,
        app.clone(),
        store.next_sender_seq(),
        store.next_target_seq(),
        store.creation_time(),
    );
    let (ctrl_tx, ctrl) = mpsc::unbounded_channel();
    let (data_tx, data) = mpsc::channel(SEND_QUEUE_CAPACITY);
    let shared = Arc::new(Shared {
        connected: AtomicBool::new(false),
        enqueued: AtomicU64::new(0),
        refused: AtomicU64::new(0),
    });
    let handle = SessionHandle {
        id: settings.id.clone(),
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
    let log = settings
        .file_log_path
        .as_ref()
        .and_then(|dir| MessageLog::open(dir, &settings.id));
    let task = SessionTask {
        core,
        store,
        events,
        shared,
        log,
        persisted_target: 0,
        logged_on: false,
    };
    Ok((handle, inbox, task))
}

/// Message and event log files in FileLogPath: `<prefix>.messages.current.log` and
/// `<prefix>.event.current.log`, as QuickFIX names them.
struct MessageLog {
    messages: std::fs::File,
    events: std::fs::File,
    /// Received bytes not yet logged: the start of a message the next read completes.
    incoming: Vec<u8>,
}

impl MessageLog {
    fn open(dir: &std::path::Path, id: &SessionId) -> Option<MessageLog> {
        std::fs::create_dir_all(dir).ok()?;
        let prefix = format!(
            "{}-{}-{}",
            id.begin_string, id.sender_comp_id, id.target_comp_id
        );
        let open = |name: String| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join(name))
                .ok()
        };
        Some(MessageLog {
            messages: open(format!("{prefix}.messages.current.log"))?,
            events: open(format!("{prefix}.event.current.log"))?,
            incoming: Vec::new(),
        })
    }

    /// Logs received bytes one message per line, as they are framed: a read may hold part of
    /// a message or several. Bytes that are no message (garbled, as the session will ignore
    /// them) are logged as they are, on a line of their own.
    fn received(&mut self, bytes: &[u8]) {
        self.incoming.extend_from_slice(bytes);
        let mut done = 0;
        while done < self.incoming.len() {
            let rest = &self.incoming[done..];
            let n =
                match fix_core::frame::find_frame(rest, fix_core::frame::DEFAULT_MAX_MESSAGE_LEN) {
                    Ok(Some(frame)) => frame.len,
                    Ok(None) => break,
                    Err(e) => e.skip().clamp(1, rest.len()),
                };
            let _ = writeln!(self.messages, "IN  {}", String::from_utf8_lossy(&rest[..n]));
            done += n;
        }
        self.incoming.drain(..done);
    }

    /// A connection ended: logs what it left unfinished and starts afresh.
    fn connection_closed(&mut self) {
        if !self.incoming.is_empty() {
            let _ = writeln!(
                self.messages,
                "IN  {}",
                String::from_utf8_lossy(&self.incoming)
            );
            self.incoming.clear();
        }
    }
    fn message(&mut self, dir: &str, bytes: &[u8]) {
        let _ = writeln!(self.messages, "{dir} {}", String::from_utf8_lossy(bytes));
    }
    fn event(&mut self, text: &str) {
        let _ = writeln!(self.events, "{text}");
    }
}

struct SessionTask {
    core: Session,
    store: Box<dyn MessageStore>,
    events: EventTx,
    shared: Arc<Shared>,
    log: Option<MessageLog>,
    persisted_target: u64,
    /// Whether the session logged on during the current (or last) connection: an initiator
    /// moves on to its next failover host after a connection that never got that far.
    logged_on: bool,
}

enum Flow {
    Continue,
    Closed,
}

/// A waiter to answer once its batch is persisted and written.
enum Reply {
    Sent(
        oneshot::Sender<Result<u64, DriverError>>,
        Result<u64, SendError>,
    ),
    Flush(oneshot::Sender<u64>),
}

/// What one pass of the connection loop persists, writes and answers: every message of it
/// is persisted (one store call) before the bytes are written (one socket write).
#[derive(Default)]
struct Batch {
    /// The bytes to write.
    wbuf: Vec<u8>,
    /// Messages to save before writing.
    saves: Vec<(u64, Vec<u8>)>,
    /// Without PersistMessages: the next sender sequence number to store before writing.
    next_sender: Option<u64>,
    replies: Vec<Reply>,
    /// The core asked to close the connection.
    closed: bool,
    /// A store failure met while collecting.
    error: Option<DriverError>,
}

impl Batch {
    /// Forgets what was not persisted: none of it may be written.
    fn discard(&mut self) {
        self.wbuf.clear();
        self.saves.clear();
        self.next_sender = None;
    }
}

impl SessionTask {
    fn refuse(&self, error: &SendError) {
        self.shared.refused.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(session = %self.core.id(), %error, "queued message refused");
    }

    /// Answers a queue entry while there is no connection.
    fn refuse_idle(&self, o: Outbound) {
        match o {
            Outbound::Send(_, reply) => {
                let _ = reply.send(Err(SendError::NotLoggedOn.into()));
            }
            Outbound::Queued(_) => self.refuse(&SendError::NotLoggedOn),
            Outbound::Flush(ack) => {
                let _ = ack.send(self.core.next_sender_seq());
            }
        }
    }

    /// Hands a queue entry to the core; its outputs join the batch.
    fn take_outbound(&mut self, o: Outbound, b: &mut Batch) {
        match o {
            Outbound::Send(msg, reply) => {
                let r = self.core.send(msg.as_ref(), SystemTime::now());
                b.replies.push(Reply::Sent(reply, r));
            }
            Outbound::Queued(msg) => {
                if let Err(e) = self.core.send(msg.as_ref(), SystemTime::now()) {
                    self.refuse(&e);
                }
            }
            Outbound::Flush(ack) => b.replies.push(Reply::Flush(ack)),
        }
    }

    /// Moves the core's outputs into the batch, in order. Store operations that cannot wait
    /// (reset, loading messages to resend) persist the batch's pending saves first.
    async fn collect(&mut self, b: &mut Batch) -> Result<(), DriverError> {
        while let Some(out) = self.core.poll_transmit() {
            match out {
                Output::Send(t) => {
                    tracing::debug!(session = %self.core.id(), msg = %String::from_utf8_lossy(&t.bytes).replace('\x01', "|"), "sent");
                    if let Some(log) = &mut self.log {
                        log.message("OUT", &t.bytes);
                    }
                    b.wbuf.extend_from_slice(&t.bytes);
                    if t.store {
                        if self.core.settings().persist_messages {
                            b.saves.push((t.seq, t.bytes));
                        } else {
                            b.next_sender = Some(t.seq + 1);
                        }
                    }
                }
                Output::ResetStore { now } => {
                    self.persist(b, None).await?;
                    self.store.reset(now).await?;
                    self.persisted_target = 1;
                }
                Output::FetchResend { begin, end } => {
                    self.persist(b, None).await?;
                    let msgs = self.store.get(begin, end).await?;
                    self.core.provide_resend(msgs, SystemTime::now());
                }
                Output::Disconnect => b.closed = true,
            }
        }
        Ok(())
    }

    /// Saves the batch's messages (or its next sender sequence number) and, when given, the
    /// next target sequence number, in the same store call as the messages when there are
    /// any: the messages received and the answers to them are kept together or not at all.
    async fn persist(
        &mut self,
        b: &mut Batch,
        next_target: Option<u64>,
    ) -> Result<(), DriverError> {
        let mut target = next_target;
        if !b.saves.is_empty() {
            match target.take() {
                Some(t) => self.store.save_batch_and_target(&mut b.saves, t).await?,
                None => self.store.save_batch(&mut b.saves).await?,
            }
            b.saves.clear();
        }
        if let Some(next) = b.next_sender.take() {
            self.store.set_next_sender_seq(next).await?;
        }
        if let Some(t) = target {
            self.store.set_next_target_seq(t).await?;
        }
        Ok(())
    }

    /// Persists the batch, then writes it.
    async fn write_batch(
        &mut self,
        sock: &mut Option<Stream>,
        b: &mut Batch,
    ) -> Result<Flow, DriverError> {
        if let Some(e) = b.error.take() {
            return Err(e);
        }
        self.collect(b).await?;
        let target = self.core.next_target_seq();
        let target = (target != self.persisted_target).then_some(target);
        self.persist(b, target).await?;
        if let Some(t) = target {
            self.persisted_target = t;
        }
        if sock.is_some() && !b.wbuf.is_empty() {
            // Persisted, but perhaps before this process was paused: a shared store says
            // whether its lease still covers writing now.
            self.store.writable()?;
        }
        let mut flow = if std::mem::take(&mut b.closed) {
            Flow::Closed
        } else {
            Flow::Continue
        };
        if let Some(s) = sock.as_mut() {
            if !b.wbuf.is_empty() {
                let mut written = s.write_all(&b.wbuf).await;
                if written.is_ok() && s.is_tls() {
                    // rustls may keep records it could not write yet.
                    written = s.flush().await;
                }
                if let Err(e) = written {
                    tracing::warn!(session = %self.core.id(), error = %e, "write failed");
                    self.core.on_disconnect(SystemTime::now());
                    flow = Flow::Closed;
                }
            }
            if matches!(flow, Flow::Closed) {
                // Free the session before the peer sees the close, so that a reconnect racing
                // with the rest of this teardown is not refused as a second connection.
                self.shared.connected.store(false, Ordering::SeqCst);
                let _ = s.shutdown().await;
            }
        }
        b.wbuf.clear();
        if b.wbuf.capacity() > 4 * MAX_BATCH_BYTES {
            // A large resend: do not keep its buffer for the connection's lifetime.
            b.wbuf = Vec::new();
        }
        Ok(flow)
    }

    /// Applies the core's outputs in order: persist, then write; then answers the waiters
    /// of the batch and hands the events out. Returns whether the connection is to be
    /// closed.
    async fn flush(
        &mut self,
        sock: &mut Option<Stream>,
        b: &mut Batch,
    ) -> Result<Flow, DriverError> {
        let r = self.write_batch(sock, b).await;
        let failure = match &r {
            Ok(_) => None,
            Err(e) => {
                b.discard();
                Some(e.to_string())
            }
        };
        let next = self.core.next_sender_seq();
        for reply in b.replies.drain(..) {
            match reply {
                Reply::Sent(tx, Ok(seq)) => {
                    let answer = match &failure {
                        None => Ok(seq),
                        Some(f) => Err(DriverError::Store(StoreError::Io {
                            path: String::new(),
                            source: std::io::Error::other(format!(
                                "message {seq} not persisted: {f}"
                            )),
                        })),
                    };
                    let _ = tx.send(answer);
                }
                Reply::Sent(tx, Err(e)) => {
                    let _ = tx.send(Err(e.into()));
                }
                Reply::Flush(tx) => {
                    let _ = tx.send(next);
                }
            }
        }
        while let Some(ev) = self.core.poll_event() {
            if let Some(log) = &mut self.log {
                log.event(&format!("{ev:?}"));
            }
            let _ = self.events.send(SessionEvent {
                session: self.core.id().clone(),
                event: ev,
            });
        }
        r
    }

    /// The initiator's side of a TLS handshake; `None` (reported as an
    /// [`Event::Disconnected`] whose reason starts with `TLS handshake`) when it fails.
    async fn tls_handshake(
        &mut self,
        connector: &tokio_rustls::TlsConnector,
        name: rustls::pki_types::ServerName<'static>,
        tcp: TcpStream,
        host: &str,
        port: u16,
    ) -> Option<Stream> {
        let _ = tcp.set_nodelay(true);
        let reason = match tokio::time::timeout(
            tls::HANDSHAKE_TIMEOUT,
            connector.connect(name, tcp),
        )
        .await
        {
            Ok(Ok(s)) => return Some(Stream::Tls(Box::new(s.into()))),
            Ok(Err(e)) => format!("TLS handshake with {host}:{port} failed: {e}"),
            Err(_) => format!("TLS handshake with {host}:{port} timed out"),
        };
        tracing::warn!(session = %self.core.id(), %reason, "connection attempt failed");
        if let Some(log) = &mut self.log {
            log.event(&reason);
        }
        let _ = self.events.send(SessionEvent {
            session: self.core.id().clone(),
            event: Event::Disconnected { reason },
        });
        None
    }

    /// Handles a control command during a connection.
    fn control(&mut self, c: Control, shutdown: &mut Option<oneshot::Sender<()>>) {
        match c {
            Control::Logout(text) => self.core.logout(text.as_deref(), SystemTime::now()),
            Control::Connection(s, _) => {
                // Already connected: refuse the newcomer.
                drop(s);
            }
            Control::Shutdown(ack) => {
                *shutdown = Some(ack);
                if self.core.is_logged_on() {
                    self.core.logout(None, SystemTime::now());
                } else {
                    self.core.on_disconnect(SystemTime::now());
                }
            }
        }
    }

    /// Hands the bytes of a read (`first`) to the core, then reads on while bytes are
    /// ready (up to [`MAX_READS_PER_BATCH`] reads); a read error or the end of the stream
    /// disconnects the core.
    fn on_read(
        &mut self,
        first: std::io::Result<usize>,
        stream: &mut Stream,
        buf: &mut [u8],
        short_read_drains: bool,
    ) {
        let mut r = first;
        let mut reads = 1;
        loop {
            match r {
                Ok(0) => {
                    self.core.on_disconnect(SystemTime::now());
                    break;
                }
                Err(e) => {
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        // A TLS alert or a bad record: worth more than a reset.
                        tracing::warn!(session = %self.core.id(), error = %e, "read failed");
                    } else {
                        tracing::info!(session = %self.core.id(), error = %e, "read failed");
                    }
                    self.core.on_disconnect(SystemTime::now());
                    break;
                }
                Ok(n) => {
                    if let Some(log) = &mut self.log {
                        log.received(&buf[..n]);
                    }
                    self.core.handle_bytes(&buf[..n], SystemTime::now());
                    if (short_read_drains && n < buf.len()) || reads >= MAX_READS_PER_BATCH {
                        break;
                    }
                }
            }
            reads += 1;
            r = match stream.try_read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                r => r,
            };
        }
    }

    /// Runs one connection until it closes. Returns `Some(ack)` if asked to shut down.
    ///
    /// Each pass waits for one thing (bytes, a command, a timer), then takes whatever else
    /// is ready at once (more bytes while reads fill the buffer, queued messages up to
    /// [`MAX_BATCH_COMMANDS`] or [`MAX_BATCH_BYTES`] of output), and then persists the whole
    /// batch and writes it with one socket write.
    async fn run_connection(
        &mut self,
        stream: Stream,
        first: Vec<u8>,
        inbox: &mut Inbox,
    ) -> Option<oneshot::Sender<()>> {
        let _ = stream
            .tcp()
            .set_nodelay(self.core.settings().socket_nodelay);
        // A short read of a TCP socket took everything there was; a TLS stream hands out one
        // record at a time, so it is read until it would block.
        let short_read_drains = !stream.is_tls();
        // Busy polling reads with `try_read`, which takes everything there is only from a
        // plain TCP socket.
        let busy_poll = self
            .core
            .settings()
            .socket_busy_poll
            .filter(|_| short_read_drains);
        let mut sock = Some(stream);
        if self.core.settings().refresh_on_logon || self.store.shared() {
            // Another engine may have run the session on this storage: start from its state.
            // A shared store refuses (fenced) while another engine holds the session.
            if let Err(e) = self.store.refresh().await {
                tracing::error!(session = %self.core.id(), error = %e, "store refresh failed: closing the connection");
                return None;
            }
            self.core.restore(
                self.store.next_sender_seq(),
                self.store.next_target_seq(),
                self.store.creation_time(),
            );
        }
        self.shared.connected.store(true, Ordering::SeqCst);
        self.logged_on = false;
        self.persisted_target = self.store.next_target_seq();
        self.core.set_app_events(!self.events.is_closed());
        self.core.on_connect(SystemTime::now());
        if let Some(log) = &mut self.log {
            // What the last connection left half-received is logged as it is.
            log.connection_closed();
            log.received(&first);
        }
        if !first.is_empty() {
            self.core.handle_bytes(&first, SystemTime::now());
        }
        let mut buf = vec![0u8; READ_BUFFER];
        let mut batch = Batch::default();
        let mut shutdown: Option<oneshot::Sender<()>> = None;
        loop {
            let flushed = self.flush(&mut sock, &mut batch).await;
            self.logged_on |= self.core.is_logged_on();
            // Nobody listens to the events any more: skip copying each message received.
            self.core.set_app_events(!self.events.is_closed());
            match flushed {
                Ok(Flow::Continue) => {}
                Ok(Flow::Closed) => break,
                Err(e) => {
                    tracing::error!(session = %self.core.id(), error = %e, "store failure: disconnecting");
                    self.core
                        .abort(&format!("store failure: {e}"), SystemTime::now());
                    let _ = self.flush(&mut None, &mut batch).await;
                    break;
                }
            }
            let deadline = self.core.poll_timeout().map(|t| {
                let d = t.duration_since(SystemTime::now()).unwrap_or_default();
                tokio::time::Instant::now() + d
            });
            let Some(stream) = sock.as_mut() else { break };
            // With SocketBusyPoll: poll the socket and the send queue without parking for
            // a while first (yielding to the runtime's other tasks between polls).
            let mut ready = false;
            if let Some(budget) = busy_poll {
                let started = std::time::Instant::now();
                let until = started + budget;
                let spin_until = started + BUSY_POLL_SPIN;
                loop {
                    match stream.try_read(&mut buf) {
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        r => {
                            self.on_read(r, stream, &mut buf, short_read_drains);
                            ready = true;
                            break;
                        }
                    }
                    if let Some(o) = inbox.try_recv_data() {
                        self.take_outbound(o, &mut batch);
                        ready = true;
                        break;
                    }
                    let now = std::time::Instant::now();
                    if inbox.has_pending_control()
                        || now >= until
                        || deadline.is_some_and(|d| d.into_std() <= now)
                    {
                        break;
                    }
                    // Let the runtime's other tasks run (and its I/O driver poll); after
                    // the first BUSY_POLL_SPIN, also let the kernel run another thread on
                    // this core if one is waiting: on a busy machine that may be the peer
                    // this session waits for.
                    tokio::task::yield_now().await;
                    if now >= spin_until {
                        std::thread::yield_now();
                    }
                }
            }
            if !ready {
                tokio::select! {
                    r = stream.read(&mut buf) => {
                        self.on_read(r, stream, &mut buf, short_read_drains);
                    },
                    cmd = inbox.recv() => match cmd {
                        Some(Command::Out(o)) => self.take_outbound(o, &mut batch),
                        Some(Command::Control(c)) => self.control(c, &mut shutdown),
                        None => self.core.on_disconnect(SystemTime::now()),
                    },
                    _ = sleep_until(deadline) => self.core.handle_timeout(SystemTime::now()),
                }
            }
            // Take the queued messages that are ready too, so that one store call and one
            // write carry them all.
            let mut taken = 0;
            while taken < MAX_BATCH_COMMANDS {
                if let Err(e) = self.collect(&mut batch).await {
                    batch.error = Some(e);
                    break;
                }
                if batch.closed
                    || batch.wbuf.len() >= MAX_BATCH_BYTES
                    || self.core.state() == State::Disconnected
                {
                    break;
                }
                let Some(o) = inbox.try_recv_data() else {
                    break;
                };
                self.take_outbound(o, &mut batch);
                taken += 1;
            }
        }
        self.shared.connected.store(false, Ordering::SeqCst);
        shutdown
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Serves the acceptor sessions of a settings file on their ports.
#[derive(Debug)]
pub struct Acceptor;

/// A running acceptor.
#[derive(Debug)]
pub struct AcceptorHandle {
    addrs: Vec<SocketAddr>,
    sessions: HashMap<SessionId, SessionHandle>,
    tasks: Vec<JoinHandle<()>>,
    listeners: Vec<JoinHandle<()>>,
}

impl Acceptor {
    /// Binds every SocketAcceptPort of the acceptor sessions in `settings` (port 0 picks a
    /// free port: see [`AcceptorHandle::local_addrs`]) and serves them. Incoming connections
    /// are given to the session named by the Logon's BeginString and CompIDs; unknown
    /// sessions are closed, and so is a second connection for a session already connected.
    pub async fn start(
        settings: Settings,
        stores: Arc<dyn StoreFactory>,
        app: Arc<dyn Application>,
    ) -> Result<(AcceptorHandle, mpsc::UnboundedReceiver<SessionEvent>), DriverError> {
        let (etx, erx) = mpsc::unbounded_channel();
        // TLS is per port (the handshake comes before the Logon names the session): the
        // sessions of a port must agree, and their configuration is built before anything
        // starts.
        let mut tls_by_port: HashMap<(Option<String>, u16), Vec<&SessionSettings>> = HashMap::new();
        for s in settings
            .sessions
            .iter()
            .filter(|s| s.connection_type == ConnectionType::Acceptor)
        {
            let port = s.socket_accept_port.unwrap_or(0);
            tls_by_port
                .entry((s.socket_accept_host.clone(), port))
                .or_default()
                .push(s);
        }
        let mut tls_configs = HashMap::new();
        for (key, group) in &tls_by_port {
            tls::check_same_port(key.1, group)?;
            let config = match group.first() {
                Some(s) => tls::server_config(s)?,
                None => None,
            };
            tls_configs.insert(key.clone(), config.map(tokio_rustls::TlsAcceptor::from));
        }
        let mut by_port: HashMap<(Option<String>, u16), Vec<SessionHandle>> = HashMap::new();
        let mut sessions = HashMap::new();
        let mut tasks = Vec::new();
        for s in settings
            .sessions
            .iter()
            .filter(|s| s.connection_type == ConnectionType::Acceptor)
        {
            let (handle, mut inbox, mut task) =
                spawn_session(s, &stores, &app, etx.clone()).await?;
            tasks.push(tokio::spawn(async move {
                while let Some(cmd) = inbox.recv().await {
                    match cmd {
                        Command::Control(Control::Connection(stream, first)) => {
                            if let Some(ack) = task.run_connection(stream, first, &mut inbox).await
                            {
                                let _ = ack.send(());
                                return;
                            }
                        }
                        Command::Out(o) => task.refuse_idle(o),
                        Command::Control(Control::Logout(_)) => {}
                        Command::Control(Control::Shutdown(ack)) => {
                            let _ = ack.send(());
                            return;
                        }
                    }
                }
            }));
            let port = s.socket_accept_port.unwrap_or(0);
            by_port
                .entry((s.socket_accept_host.clone(), port))
                .or_default()
                .push(handle.clone());
            sessions.insert(s.id.clone(), handle);
        }
        if sessions.is_empty() {
            return Err(DriverError::NoSessions("acceptor"));
        }
        let mut addrs = Vec::new();
        let mut listeners = Vec::new();
        for (key, handles) in by_port {
            let tls = tls_configs.remove(&key).flatten();
            let (host, port) = key;
            let host = host.unwrap_or_else(|| "0.0.0.0".to_string());
            let listener = TcpListener::bind((host.as_str(), port)).await?;
            addrs.push(listener.local_addr()?);
            let routes: Arc<Vec<SessionHandle>> = Arc::new(handles);
            let timeout = Duration::from_secs(10);
            listeners.push(tokio::spawn(async move {
                loop {
                    let Ok((tcp, peer)) = listener.accept().await else {
                        continue;
                    };
                    let routes = routes.clone();
                    let tls = tls.clone();
                    // Each connection in its own task: a slow handshake or Logon does not
                    // hold up the accept loop.
                    tokio::spawn(async move {
                        let stream = match tls {
                            None => Stream::Plain(tcp),
                            Some(acceptor) => {
                                let _ = tcp.set_nodelay(true);
                                match tokio::time::timeout(
                                    tls::HANDSHAKE_TIMEOUT,
                                    acceptor.accept(tcp),
                                )
                                .await
                                {
                                    Ok(Ok(s)) => Stream::Tls(Box::new(s.into())),
                                    Ok(Err(e)) => {
                                        tracing::warn!(%peer, error = %e, "TLS handshake failed: connection closed");
                                        return;
                                    }
                                    Err(_) => {
                                        tracing::warn!(%peer, "TLS handshake timed out: connection closed");
                                        return;
                                    }
                                }
                            }
                        };
                        if let Err(e) = route(stream, &routes, timeout).await {
                            tracing::info!(%peer, error = %e, "connection closed before logon");
                        }
                    });
                }
            }));
        }
        Ok((
            AcceptorHandle {
                addrs,
                sessions,
                tasks,
                listeners,
            },
            erx,
        ))
    }
}

/// Reads up to the first complete message and hands the connection to its session.
async fn route(
    mut stream: Stream,
    routes: &[SessionHandle],
    timeout: Duration,
) -> Result<(), DriverError> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let frame = loop {
        let n = match tokio::time::timeout(timeout, stream.read(&mut chunk)).await {
            Ok(r) => r?,
            Err(_) => return Err(DriverError::Io(std::io::ErrorKind::TimedOut.into())),
        };
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        match find_frame(&buf, fix_core::frame::DEFAULT_MAX_MESSAGE_LEN) {
            Ok(Some(f)) => break f,
            Ok(None) => continue,
            Err(e) => return Err(DriverError::Io(std::io::Error::other(e.to_string()))),
        }
    };
    let msg = &buf[..frame.len];
    let field = |tag: &str| -> Option<&[u8]> {
        msg.split(|&b| b == 1)
            .find_map(|f| f.strip_prefix(tag.as_bytes()))
    };
    let bs = &buf[frame.begin_string.clone()];
    let (their, ours) = (
        field("49=").unwrap_or_default(),
        field("56=").unwrap_or_default(),
    );
    let target = routes.iter().find(|h| {
        h.id.begin_string.as_bytes() == bs
            && h.id.sender_comp_id.as_bytes() == ours
            && h.id.target_comp_id.as_bytes() == their
            && h.id.matches_counterparty(|tag| field(&format!("{tag}=")))
    });
    let Some(h) = target else {
        tracing::warn!(begin_string = %String::from_utf8_lossy(bs), sender = %String::from_utf8_lossy(their), target = %String::from_utf8_lossy(ours), "unknown session: closing");
        return Ok(());
    };
    if h.is_connected() {
        tracing::warn!(session = %h.id, "session already connected: closing the new connection");
        return Ok(());
    }
    h.shared.connected.store(true, Ordering::SeqCst);
    h.control(Control::Connection(stream, buf))
}

impl AcceptorHandle {
    /// The addresses listened on (one per SocketAcceptHost/Port).
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// The first address listened on.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.addrs.first().copied()
    }

    /// The session with `id`.
    pub fn session(&self, id: &SessionId) -> Option<&SessionHandle> {
        self.sessions.get(id)
    }

    /// Every session.
    pub fn sessions(&self) -> impl Iterator<Item = &SessionHandle> {
        self.sessions.values()
    }

    /// Stops accepting, logs every session out (waiting LogoutTimeout at most), closes.
    pub async fn stop(self) {
        for l in &self.listeners {
            l.abort();
        }
        for h in self.sessions.values() {
            h.shutdown().await;
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Runs the initiator sessions of a settings file.
#[derive(Debug)]
pub struct Initiator;

/// A running initiator.
#[derive(Debug)]
pub struct InitiatorHandle {
    sessions: HashMap<SessionId, SessionHandle>,
    tasks: Vec<JoinHandle<()>>,
}

impl Initiator {
    /// Starts every initiator session in `settings`: each connects to SocketConnectHost/Port,
    /// then the failovers (SocketConnectHost1/Port1, ...) in turn, waiting ReconnectInterval
    /// between attempts, and logs on.
    pub async fn start(
        settings: Settings,
        stores: Arc<dyn StoreFactory>,
        app: Arc<dyn Application>,
    ) -> Result<(InitiatorHandle, mpsc::UnboundedReceiver<SessionEvent>), DriverError> {
        let (etx, erx) = mpsc::unbounded_channel();
        let mut sessions = HashMap::new();
        let mut tasks = Vec::new();
        for s in settings
            .sessions
            .iter()
            .filter(|s| s.connection_type == ConnectionType::Initiator)
        {
            // TLS: the configuration and the name each host's certificate must carry, checked
            // before the session starts.
            let connector = tls::client_config(s)?.map(tokio_rustls::TlsConnector::from);
            let addrs = s
                .socket_connect
                .iter()
                .map(|(host, port)| {
                    let name = match connector {
                        Some(_) => Some(tls::server_name(s, host)?),
                        None => None,
                    };
                    Ok((host.clone(), *port, name))
                })
                .collect::<Result<Vec<_>, tls::TlsError>>()?;
            let (handle, mut inbox, mut task) =
                spawn_session(s, &stores, &app, etx.clone()).await?;
            let interval = s.reconnect_interval;
            tasks.push(tokio::spawn(async move {
                let mut next = 0usize;
                loop {
                    let Some((host, port, name)) = addrs.get(next % addrs.len().max(1)).cloned()
                    else {
                        return;
                    };
                    next += 1;
                    let stream = match TcpStream::connect((host.as_str(), port)).await {
                        Ok(tcp) => match (&connector, name) {
                            (Some(connector), Some(name)) => {
                                task.tls_handshake(connector, name, tcp, &host, port).await
                            }
                            _ => Some(Stream::Plain(tcp)),
                        },
                        Err(e) => {
                            tracing::warn!(session = %task.core.id(), %host, port, error = %e, "connect failed");
                            None
                        }
                    };
                    if let Some(stream) = stream {
                        tracing::info!(session = %task.core.id(), %host, port, tls = stream.is_tls(), "connected");
                        if let Some(ack) = task.run_connection(stream, Vec::new(), &mut inbox).await {
                            let _ = ack.send(());
                            return;
                        }
                        // Back to the primary host after a session that ran; a host that
                        // accepted the connection but never logged on counts as failed (a
                        // hung engine behind a live port), so the next attempt fails over.
                        if task.logged_on {
                            next = 0;
                        }
                    }
                    // Wait, answering commands meanwhile.
                    let sleep = tokio::time::sleep(interval);
                    tokio::pin!(sleep);
                    loop {
                        tokio::select! {
                            _ = &mut sleep => break,
                            cmd = inbox.recv() => match cmd {
                                Some(Command::Out(o)) => task.refuse_idle(o),
                                Some(Command::Control(Control::Shutdown(ack))) => { let _ = ack.send(()); return; }
                                None => return,
                                Some(Command::Control(_)) => {}
                            },
                        }
                    }
                }
            }));
            sessions.insert(s.id.clone(), handle);
        }
        if sessions.is_empty() {
            return Err(DriverError::NoSessions("initiator"));
        }
        Ok((InitiatorHandle { sessions, tasks }, erx))
    }
}

impl InitiatorHandle {
    /// The session with `id`.
    pub fn session(&self, id: &SessionId) -> Option<&SessionHandle> {
        self.sessions.get(id)
    }

    /// Every session.
    pub fn sessions(&self) -> impl Iterator<Item = &SessionHandle> {
        self.sessions.values()
    }

    /// Logs every session out (waiting LogoutTimeout at most) and stops.
    pub async fn stop(self) {
        for h in self.sessions.values() {
            h.shutdown().await;
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
