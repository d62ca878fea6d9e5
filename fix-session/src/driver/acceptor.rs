//! The acceptor: serves many sessions on their ports, routing each connection by its Logon.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use fix_core::frame::find_frame;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::connection::{spawn_session, SessionTask};
use super::dynamic::{session_for, Created};
use super::handle::{Command, Control, Inbox, SessionHandle};
use super::loops::Loops;
use super::socket::AllowList;
use super::tls::{self, Stream};
use super::{DriverError, SessionEvent};
use crate::app::Application;
use crate::metrics::{start_endpoint, Endpoint};
use crate::settings::{AcceptorTemplate, ConnectionType, SessionId, SessionSettings, Settings};
use crate::store::StoreFactory;

/// Serves the acceptor sessions of a settings file on their ports.
#[derive(Debug)]
pub struct Acceptor;

/// A running acceptor.
#[derive(Debug)]
pub struct AcceptorHandle {
    addrs: Vec<SocketAddr>,
    sessions: HashMap<SessionId, SessionHandle>,
    /// The sessions made from templates (dynamic sessions).
    created: Arc<Created>,
    tasks: Vec<JoinHandle<()>>,
    listeners: Vec<JoinHandle<()>>,
    /// The `/metrics` and `/health` endpoint (HttpAcceptPort).
    http: Option<Endpoint>,
}

impl Acceptor {
    /// Binds every SocketAcceptPort of the acceptor sessions in `settings` (port 0 picks a
    /// free port: see [`AcceptorHandle::local_addrs`]) and serves them. Incoming connections
    /// are given to the session named by the Logon's BeginString and CompIDs. A Logon that
    /// names no configured session but matches an acceptor template of the port (see
    /// [`Settings::templates`]) creates that session from the template, with the Logon's
    /// CompIDs (its store entry opened through `stores`, [`Application::on_create`] called),
    /// once: later connections reuse it, and [`AcceptorHandle::session`] finds it. Other
    /// Logons are closed, and so is a second connection for a session already connected.
    /// A peer that no session of the port admits (AllowedRemoteAddresses) is closed before
    /// a byte is read; one the Logon's session does not admit, once the Logon is read.
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
        let template_settings = settings.templates.iter().map(|t| &t.settings);
        for s in settings
            .sessions
            .iter()
            .filter(|s| s.connection_type == ConnectionType::Acceptor)
            .chain(template_settings)
        {
            let port = s.socket_accept_port.unwrap_or(0);
            tls_by_port
                .entry((s.socket_accept_host.clone(), port))
                .or_default()
                .push(s);
        }
        let mut tls_configs = HashMap::new();
        let mut allow_lists: HashMap<_, Arc<AllowList>> = tls_by_port
            .iter()
            .map(|(key, group)| (key.clone(), Arc::new(AllowList::new(group.iter().copied()))))
            .collect();
        for (key, group) in &tls_by_port {
            tls::check_same_port(key.1, group)?;
            let config = match group.first() {
                Some(s) => tls::server_config(s)?,
                None => None,
            };
            tls_configs.insert(key.clone(), config.map(tls::TlsAcceptor::from));
        }
        let mut by_port: HashMap<(Option<String>, u16), Vec<SessionHandle>> = HashMap::new();
        let mut sessions = HashMap::new();
        let mut tasks = Vec::new();
        let mut entries = Vec::new();
        for s in settings
            .sessions
            .iter()
            .filter(|s| s.connection_type == ConnectionType::Acceptor)
        {
            let (handle, inbox, task) = spawn_session(s, &stores, &app, etx.clone()).await?;
            tasks.push(serve(inbox, task));
            let port = s.socket_accept_port.unwrap_or(0);
            by_port
                .entry((s.socket_accept_host.clone(), port))
                .or_default()
                .push(handle.clone());
            entries.push(handle.metrics_entry(s.schedule.clone()));
            sessions.insert(s.id.clone(), handle);
        }
        let mut templates_by_port: HashMap<(Option<String>, u16), Vec<AcceptorTemplate>> =
            HashMap::new();
        for t in &settings.templates {
            if t.unique_qualifier {
                tracing::warn!(template = %t.settings.id, "DynamicQualifier=Y is not supported: a connection reuses the session of its CompIDs");
            }
            let key = (
                t.settings.socket_accept_host.clone(),
                t.settings.socket_accept_port.unwrap_or(0),
            );
            by_port.entry(key.clone()).or_default();
            templates_by_port.entry(key).or_default().push(t.clone());
        }
        if sessions.is_empty() && templates_by_port.is_empty() {
            return Err(DriverError::NoSessions("acceptor"));
        }
        let created = Arc::new(Created::new(stores, app, etx));
        let http = start_endpoint(settings.http_accept_port, entries).await?;
        let mut addrs = Vec::new();
        let mut listeners = Vec::new();
        for (key, handles) in by_port {
            let tls = tls_configs.remove(&key).flatten();
            let allow = allow_lists.remove(&key).unwrap_or_default();
            let (host_key, port) = key;
            let host = host_key.clone().unwrap_or_else(|| "0.0.0.0".to_string());
            let listener = TcpListener::bind((host.as_str(), port)).await?;
            addrs.push(listener.local_addr()?);
            // Accepted on an event loop (so that TLS handshakes run there too).
            let listener = listener.into_std()?;
            let routes = Arc::new(Routes {
                templates: templates_by_port
                    .remove(&(host_key, port))
                    .unwrap_or_default(),
                sessions: handles,
                created: created.clone(),
            });
            let timeout = Duration::from_secs(10);
            listeners.push(Loops::get().spawn(async move {
                let listener = match TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot listen on the event loop");
                        return;
                    }
                };
                loop {
                    let Ok((tcp, peer)) = listener.accept().await else {
                        continue;
                    };
                    let routes = routes.clone();
                    let tls = tls.clone();
                    let allow = allow.clone();
                    // Each connection in its own task: a slow handshake or Logon does not
                    // hold up the accept loop.
                    tokio::spawn(async move {
                        if !allow.admits_any(peer.ip()).await {
                            tracing::warn!(%peer, "peer not in AllowedRemoteAddresses: connection closed");
                            return;
                        }
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
                        if let Err(e) = route(stream, &routes, timeout, &allow, peer).await {
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
                created,
                tasks,
                listeners,
                http,
            },
            erx,
        ))
    }
}

/// Runs an acceptor session's task on an event loop: one connection at a time, until the
/// session is shut down.
pub(super) fn serve(mut inbox: Inbox, mut task: SessionTask) -> JoinHandle<()> {
    Loops::get().spawn(async move {
        while let Some(cmd) = inbox.recv().await {
            match cmd {
                Command::Control(Control::Connection(stream, first)) => {
                    if let Some(ack) = task.run_connection(stream, first, &mut inbox).await {
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
    })
}

/// Where a port's connections may go.
struct Routes {
    /// The configured sessions of the port.
    sessions: Vec<SessionHandle>,
    /// The port's templates, in file order.
    templates: Vec<AcceptorTemplate>,
    /// The acceptor's created sessions.
    created: Arc<Created>,
}

/// The session a Logon names.
enum Target<'r> {
    /// A configured session.
    Configured(&'r SessionHandle),
    /// The session with this id, made from this template (or made already).
    Template(SessionId, &'r AcceptorTemplate),
}

impl Target<'_> {
    /// The id the port's [`AllowList`] knows the session by (a template's, for a session
    /// made from it).
    fn allow_key(&self) -> &SessionId {
        match self {
            Target::Configured(h) => &h.id,
            Target::Template(_, t) => &t.settings.id,
        }
    }
}

impl Routes {
    /// The session a Logon names (`field` reads its fields): a configured session, else a
    /// session made from the first template that accepts it.
    fn find<'a>(
        &self,
        begin_string: &[u8],
        field: impl Fn(&str) -> Option<&'a [u8]>,
    ) -> Option<Target<'_>> {
        let (their, ours) = (
            field("49").unwrap_or_default(),
            field("56").unwrap_or_default(),
        );
        let configured = self.sessions.iter().find(|h| {
            h.id.begin_string.as_bytes() == begin_string
                && h.id.sender_comp_id.as_bytes() == ours
                && h.id.target_comp_id.as_bytes() == their
                && h.id.matches_counterparty(|tag| field(&tag.to_string()))
        });
        if let Some(h) = configured {
            return Some(Target::Configured(h));
        }
        let text = |tag: &str| {
            field(tag)
                .filter(|v| !v.is_empty())
                .and_then(|v| String::from_utf8(v.to_vec()).ok())
        };
        self.templates
            .iter()
            .find_map(|t| session_for(t, begin_string, text).map(|id| Target::Template(id, t)))
    }

    /// The handle of `target`'s session: a session made from a template is created now if
    /// it is new. `None` once the acceptor is stopping.
    async fn handle(&self, target: Target<'_>) -> Result<Option<SessionHandle>, DriverError> {
        match target {
            Target::Configured(h) => Ok(Some(h.clone())),
            Target::Template(id, t) => self.created.get_or_create(id, t).await,
        }
    }
}

/// Reads up to the first complete message and hands the connection to its session (if
/// that session admits `peer`).
async fn route(
    mut stream: Stream,
    routes: &Routes,
    timeout: Duration,
    allow: &AllowList,
    peer: SocketAddr,
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
    let target = routes.find(bs, |tag| field(&format!("{tag}=")));
    let Some(target) = target else {
        tracing::warn!(
            begin_string = %String::from_utf8_lossy(bs),
            sender = %String::from_utf8_lossy(field("49=").unwrap_or_default()),
            target = %String::from_utf8_lossy(field("56=").unwrap_or_default()),
            "unknown session: closing"
        );
        return Ok(());
    };
    // A session made from a template is admitted by the template's AllowedRemoteAddresses,
    // before it is created.
    if !allow.admits(target.allow_key(), peer.ip()).await {
        tracing::warn!(session = %target.allow_key(), %peer, "peer not in the session's AllowedRemoteAddresses: closing");
        return Ok(());
    }
    let Some(h) = routes.handle(target).await? else {
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

    /// The address of the `/metrics` and `/health` endpoint, when `HttpAcceptPort` is set
    /// (see [`crate::metrics`]).
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http.as_ref().map(Endpoint::local_addr)
    }

    /// The session with `id`: a configured one, or one created from a template.
    pub fn session(&self, id: &SessionId) -> Option<&SessionHandle> {
        self.sessions.get(id).or_else(|| self.created.get(id))
    }

    /// Every session: the configured ones, then those created from templates so far.
    pub fn sessions(&self) -> impl Iterator<Item = &SessionHandle> {
        self.sessions.values().chain(self.created.iter())
    }

    /// Stops accepting, logs every session out (waiting LogoutTimeout at most), closes.
    pub async fn stop(mut self) {
        if let Some(http) = self.http.take() {
            http.stop().await;
        }
        for l in &self.listeners {
            l.abort();
        }
        for h in self.sessions.values() {
            h.shutdown().await;
        }
        self.created.stop().await;
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
