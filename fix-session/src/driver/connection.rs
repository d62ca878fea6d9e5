//! A session's task: owns the sans-IO core and the store, and runs one connection at a time
//! (persist, then write; batches of whatever is ready).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use super::handle::{self, Command, Control, Inbox, Outbound, SessionHandle, Shared};
use super::log::MessageLog;
use super::socket;
use super::tls::{self, Stream};
use super::{DriverError, SessionEvent, MAX_BATCH_BYTES, MAX_BATCH_COMMANDS};
use crate::app::Application;
use crate::core::{Event, Output, SendError, Session, State};
use crate::settings::SessionSettings;
use crate::store::{MessageStore, StoreFactory};

/// Size of a connection's read buffer.
const READ_BUFFER: usize = 64 * 1024;
/// At most this many reads (while they fill the buffer) before writing.
const MAX_READS_PER_BATCH: usize = 4;
/// With SocketBusyPoll: how long a connection polls before it also yields its core to the
/// kernel between polls.
pub(super) const BUSY_POLL_SPIN: Duration = Duration::from_micros(20);

/// Events to the user.
pub(super) type EventTx = mpsc::UnboundedSender<SessionEvent>;

pub(super) async fn spawn_session(
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
    let (handle, inbox, shared) = handle::channel(settings.id.clone(), core.metrics().clone());
    shared
        .metrics
        .set_progress(core.state(), core.next_sender_seq(), core.next_target_seq());
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

pub(super) struct SessionTask {
    pub(super) core: Session,
    store: Box<dyn MessageStore>,
    events: EventTx,
    shared: Arc<Shared>,
    log: Option<MessageLog>,
    persisted_target: u64,
    /// Whether the session logged on during the current (or last) connection: an initiator
    /// moves on to its next failover host after a connection that never got that far.
    pub(super) logged_on: bool,
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
pub(super) struct Batch {
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
    pub(super) fn refuse_idle(&self, o: Outbound) {
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
    pub(super) fn take_outbound(&mut self, o: Outbound, b: &mut Batch) {
        match o {
            Outbound::Send(msg, reply) => {
                let r = self.core.send(&msg.as_fields(), SystemTime::now());
                b.replies.push(Reply::Sent(reply, r));
            }
            Outbound::Queued(msg) => {
                if let Err(e) = self.core.send(&msg.as_fields(), SystemTime::now()) {
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
                    self.shared.metrics.on_sent(&t.bytes, t.store);
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
        let started = (!b.saves.is_empty() || b.next_sender.is_some() || target.is_some())
            .then(std::time::Instant::now);
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
        if let Some(started) = started {
            self.shared.metrics.on_store_write(started.elapsed());
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
    ) -> Result<Flow, Arc<DriverError>> {
        // Shared: each waiter of the batch gets the failure as its error's source.
        let r = self.write_batch(sock, b).await.map_err(Arc::new);
        if r.is_err() {
            b.discard();
        }
        let next = self.core.next_sender_seq();
        for reply in b.replies.drain(..) {
            match reply {
                Reply::Sent(tx, Ok(seq)) => {
                    let answer = match &r {
                        Ok(_) => Ok(seq),
                        Err(e) => Err(DriverError::NotPersisted {
                            seq,
                            source: Arc::clone(e),
                        }),
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
        self.shared.metrics.set_progress(
            self.core.state(),
            self.core.next_sender_seq(),
            self.core.next_target_seq(),
        );
        while let Some(ev) = self.core.poll_event() {
            self.shared.metrics.on_event(&ev);
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
    pub(super) async fn tls_handshake(
        &mut self,
        connector: &tls::TlsConnector,
        name: tls::PeerName,
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
        let event = Event::Disconnected { reason };
        self.shared.metrics.on_event(&event);
        let _ = self.events.send(SessionEvent {
            session: self.core.id().clone(),
            event,
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
    pub(super) fn on_read(
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
    pub(super) async fn run_connection(
        &mut self,
        stream: Stream,
        first: Vec<u8>,
        inbox: &mut Inbox,
    ) -> Option<oneshot::Sender<()>> {
        let stream = match stream.rebind() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(session = %self.core.id(), error = %e, "cannot take the connection: closed");
                self.shared.connected.store(false, Ordering::SeqCst);
                return None;
            }
        };
        if let Err(e) = socket::configure(stream.tcp(), self.core.settings()) {
            tracing::warn!(session = %self.core.id(), error = %e, "cannot set the socket options");
        }
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
            let ready = match busy_poll {
                Some(budget) => {
                    self.busy_poll(budget, deadline, stream, &mut buf, inbox, &mut batch)
                        .await
                }
                None => false,
            };
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
        self.shared.metrics.set_progress(
            self.core.state(),
            self.core.next_sender_seq(),
            self.core.next_target_seq(),
        );
        shutdown
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
