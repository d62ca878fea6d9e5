//! tokio drivers: an [`Acceptor`] serving many sessions on one port and an [`Initiator`]
//! that connects (with ReconnectInterval and failover hosts).
//!
//! Each session runs in its own task that owns the sans-IO [`Session`] and its store, and
//! applies the core's outputs in order: persist (store) then write (socket). Events go to the
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
use std::sync::atomic::{AtomicBool, Ordering};
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
use crate::core::{Event, Output, SendError, Session};
use crate::settings::{ConnectionType, SessionId, SessionSettings, Settings, SettingsError};
use crate::store::{MessageStore, StoreError, StoreFactory};

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
}

enum Command {
    Connection(TcpStream, Vec<u8>),
    Send(
        Box<dyn OutgoingMessage>,
        oneshot::Sender<Result<u64, SendError>>,
    ),
    Logout(Option<String>),
    Shutdown(oneshot::Sender<()>),
}

/// A handle on one running session.
#[derive(Clone)]
pub struct SessionHandle {
    id: SessionId,
    tx: mpsc::UnboundedSender<Command>,
    connected: Arc<AtomicBool>,
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

    /// Sends an application message; returns its MsgSeqNum once it is persisted and queued
    /// for writing. Fails when the session is not logged on.
    pub async fn send(&self, msg: impl OutgoingMessage + 'static) -> Result<u64, DriverError> {
        self.send_boxed(Box::new(msg)).await
    }

    /// [`SessionHandle::send`] for a boxed message.
    pub async fn send_boxed(&self, msg: Box<dyn OutgoingMessage>) -> Result<u64, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Command::Send(msg, tx))
            .map_err(|_| DriverError::Stopped)?;
        Ok(rx.await.map_err(|_| DriverError::Stopped)??)
    }

    /// Starts the logout handshake.
    pub fn logout(&self, text: Option<&str>) -> Result<(), DriverError> {
        self.tx
            .send(Command::Logout(text.map(str::to_string)))
            .map_err(|_| DriverError::Stopped)
    }

    /// Whether the session has a connection.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    async fn shutdown(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Command::Shutdown(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// Events to the user.
type EventTx = mpsc::UnboundedSender<SessionEvent>;

async fn spawn_session(
    settings: &SessionSettings,
    stores: &Arc<dyn StoreFactory>,
    app: &Arc<dyn Application>,
    events: EventTx,
) -> Result<(SessionHandle, mpsc::UnboundedReceiver<Command>, SessionTask), DriverError> {
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
    let (tx, rx) = mpsc::unbounded_channel();
    let connected = Arc::new(AtomicBool::new(false));
    let handle = SessionHandle {
        id: settings.id.clone(),
        tx,
        connected: connected.clone(),
    };
    let log = settings
        .file_log_path
        .as_ref()
        .and_then(|dir| MessageLog::open(dir, &settings.id));
    let task = SessionTask {
        core,
        store,
        events,
        connected,
        log,
        persisted_target: 0,
    };
    Ok((handle, rx, task))
}

/// Message and event log files in FileLogPath: `<prefix>.messages.current.log` and
/// `<prefix>.event.current.log`, as QuickFIX names them.
struct MessageLog {
    messages: std::fs::File,
    events: std::fs::File,
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
        })
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
    connected: Arc<AtomicBool>,
    log: Option<MessageLog>,
    persisted_target: u64,
}

enum Flow {
    Continue,
    Closed,
}

impl SessionTask {
    /// Applies the core's outputs in order: persist, then write. Returns whether the
    /// connection is to be closed.
    async fn flush(&mut self, sock: &mut Option<TcpStream>) -> Result<Flow, DriverError> {
        let mut wbuf: Vec<u8> = Vec::new();
        let mut flow = Flow::Continue;
        while let Some(out) = self.core.poll_transmit() {
            match out {
                Output::Send(t) => {
                    if t.store {
                        if self.core.settings().persist_messages {
                            self.store.save_and_increment(t.seq, &t.bytes).await?;
                        } else {
                            self.store.set_next_sender_seq(t.seq + 1).await?;
                        }
                    }
                    tracing::debug!(session = %self.core.id(), msg = %String::from_utf8_lossy(&t.bytes).replace('\x01', "|"), "sent");
                    if let Some(log) = &mut self.log {
                        log.message("OUT", &t.bytes);
                    }
                    wbuf.extend_from_slice(&t.bytes);
                }
                Output::ResetStore { now } => {
                    self.store.reset(now).await?;
                    self.persisted_target = 1;
                }
                Output::FetchResend { begin, end } => {
                    let msgs = self.store.get(begin, end).await?;
                    self.core.provide_resend(msgs, SystemTime::now());
                }
                Output::Disconnect => {
                    flow = Flow::Closed;
                }
            }
        }
        if self.core.next_target_seq() != self.persisted_target {
            self.store
                .set_next_target_seq(self.core.next_target_seq())
                .await?;
            self.persisted_target = self.core.next_target_seq();
        }
        if let Some(s) = sock.as_mut() {
            if !wbuf.is_empty() {
                if let Err(e) = s.write_all(&wbuf).await {
                    tracing::warn!(session = %self.core.id(), error = %e, "write failed");
                    self.core.on_disconnect(SystemTime::now());
                    flow = Flow::Closed;
                }
            }
            if matches!(flow, Flow::Closed) {
                // Free the session before the peer sees the close, so that a reconnect racing
                // with the rest of this teardown is not refused as a second connection.
                self.connected.store(false, Ordering::SeqCst);
                let _ = s.shutdown().await;
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
        Ok(flow)
    }

    /// Runs one connection until it closes. Returns `Some(ack)` if asked to shut down.
    async fn run_connection(
        &mut self,
        stream: TcpStream,
        first: Vec<u8>,
        rx: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Option<oneshot::Sender<()>> {
        let _ = stream.set_nodelay(self.core.settings().socket_nodelay);
        let mut sock = Some(stream);
        self.connected.store(true, Ordering::SeqCst);
        self.persisted_target = self.store.next_target_seq();
        self.core.on_connect(SystemTime::now());
        if !first.is_empty() {
            if let Some(log) = &mut self.log {
                log.message("IN ", &first);
            }
            self.core.handle_bytes(&first, SystemTime::now());
        }
        let mut buf = vec![0u8; 64 * 1024];
        let mut shutdown: Option<oneshot::Sender<()>> = None;
        loop {
            match self.flush(&mut sock).await {
                Ok(Flow::Continue) => {}
                Ok(Flow::Closed) => break,
                Err(e) => {
                    tracing::error!(session = %self.core.id(), error = %e, "store failure: disconnecting");
                    self.core.on_disconnect(SystemTime::now());
                    let _ = self.flush(&mut None).await;
                    break;
                }
            }
            let deadline = self.core.poll_timeout().map(|t| {
                let d = t.duration_since(SystemTime::now()).unwrap_or_default();
                tokio::time::Instant::now() + d
            });
            let Some(stream) = sock.as_mut() else { break };
            tokio::select! {
                r = stream.read(&mut buf) => match r {
                    Ok(0) | Err(_) => {
                        self.core.on_disconnect(SystemTime::now());
                    }
                    Ok(n) => {
                        if let Some(log) = &mut self.log {
                            log.message("IN ", &buf[..n]);
                        }
                        self.core.handle_bytes(&buf[..n], SystemTime::now());
                    }
                },
                cmd = rx.recv() => match cmd {
                    Some(Command::Send(msg, reply)) => {
                        let _ = reply.send(self.core.send(msg.as_ref(), SystemTime::now()));
                    }
                    Some(Command::Logout(text)) => self.core.logout(text.as_deref(), SystemTime::now()),
                    Some(Command::Connection(s, _)) => {
                        // Already connected: refuse the newcomer.
                        drop(s);
                    }
                    Some(Command::Shutdown(ack)) => {
                        shutdown = Some(ack);
                        if self.core.is_logged_on() {
                            self.core.logout(None, SystemTime::now());
                        } else {
                            self.core.on_disconnect(SystemTime::now());
                        }
                    }
                    None => self.core.on_disconnect(SystemTime::now()),
                },
                _ = sleep_until(deadline) => self.core.handle_timeout(SystemTime::now()),
            }
        }
        self.connected.store(false, Ordering::SeqCst);
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
        let mut by_port: HashMap<(Option<String>, u16), Vec<SessionHandle>> = HashMap::new();
        let mut sessions = HashMap::new();
        let mut tasks = Vec::new();
        for s in settings
            .sessions
            .iter()
            .filter(|s| s.connection_type == ConnectionType::Acceptor)
        {
            let (handle, mut rx, mut task) = spawn_session(s, &stores, &app, etx.clone()).await?;
            tasks.push(tokio::spawn(async move {
                while let Some(cmd) = rx.recv().await {
                    match cmd {
                        Command::Connection(stream, first) => {
                            if let Some(ack) = task.run_connection(stream, first, &mut rx).await {
                                let _ = ack.send(());
                                return;
                            }
                        }
                        Command::Send(_, reply) => {
                            let _ = reply.send(Err(SendError::NotLoggedOn));
                        }
                        Command::Logout(_) => {}
                        Command::Shutdown(ack) => {
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
        for ((host, port), handles) in by_port {
            let host = host.unwrap_or_else(|| "0.0.0.0".to_string());
            let listener = TcpListener::bind((host.as_str(), port)).await?;
            addrs.push(listener.local_addr()?);
            let routes: Arc<Vec<SessionHandle>> = Arc::new(handles);
            let timeout = Duration::from_secs(10);
            listeners.push(tokio::spawn(async move {
                loop {
                    let Ok((stream, peer)) = listener.accept().await else {
                        continue;
                    };
                    let routes = routes.clone();
                    tokio::spawn(async move {
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
    mut stream: TcpStream,
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
    });
    let Some(h) = target else {
        tracing::warn!(begin_string = %String::from_utf8_lossy(bs), sender = %String::from_utf8_lossy(their), target = %String::from_utf8_lossy(ours), "unknown session: closing");
        return Ok(());
    };
    if h.is_connected() {
        tracing::warn!(session = %h.id, "session already connected: closing the new connection");
        return Ok(());
    }
    h.connected.store(true, Ordering::SeqCst);
    h.tx.send(Command::Connection(stream, buf))
        .map_err(|_| DriverError::Stopped)
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
            let (handle, mut rx, mut task) = spawn_session(s, &stores, &app, etx.clone()).await?;
            let addrs = s.socket_connect.clone();
            let interval = s.reconnect_interval;
            tasks.push(tokio::spawn(async move {
                let mut next = 0usize;
                loop {
                    let (host, port) = addrs[next % addrs.len().max(1)].clone();
                    next += 1;
                    match TcpStream::connect((host.as_str(), port)).await {
                        Ok(stream) => {
                            tracing::info!(session = %task.core.id(), %host, port, "connected");
                            next = 0;
                            if let Some(ack) = task.run_connection(stream, Vec::new(), &mut rx).await {
                                let _ = ack.send(());
                                return;
                            }
                        }
                        Err(e) => tracing::warn!(session = %task.core.id(), %host, port, error = %e, "connect failed"),
                    }
                    // Wait, answering commands meanwhile.
                    let sleep = tokio::time::sleep(interval);
                    tokio::pin!(sleep);
                    loop {
                        tokio::select! {
                            _ = &mut sleep => break,
                            cmd = rx.recv() => match cmd {
                                Some(Command::Send(_, reply)) => { let _ = reply.send(Err(SendError::NotLoggedOn)); }
                                Some(Command::Shutdown(ack)) => { let _ = ack.send(()); return; }
                                None => return,
                                Some(_) => {}
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
