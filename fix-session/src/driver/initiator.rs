//! The initiator: connects each session (failover hosts, ReconnectInterval) and logs on.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::connection::{spawn_session, SessionTask};
use super::handle::{Command, Control, Inbox, SessionHandle};
use super::loops::Loops;
use super::socket::{ConnectOptions, HostCycle};
use super::tls::{self, Stream};
use super::{DriverError, SessionEvent};
use crate::app::Application;
use crate::metrics::{start_endpoint, Endpoint};
use crate::settings::{ConnectionType, SessionId, Settings};
use crate::store::StoreFactory;

/// Runs the initiator sessions of a settings file.
#[derive(Debug)]
pub struct Initiator;

/// A running initiator.
#[derive(Debug)]
pub struct InitiatorHandle {
    sessions: HashMap<SessionId, SessionHandle>,
    tasks: Vec<JoinHandle<()>>,
    /// The `/metrics` and `/health` endpoint (HttpAcceptPort).
    http: Option<Endpoint>,
}

impl Initiator {
    /// Starts every initiator session in `settings`: each connects to SocketConnectHost/Port,
    /// then the failovers (SocketConnectHost1/Port1, ...) in turn, waiting ReconnectInterval
    /// between attempts, and logs on. HostSelectionPolicy says where a reconnect starts:
    /// ROUND_ROBIN (default) at the address after the last one tried, PRIORITY at the
    /// primary after a session that logged on. Each connect binds SocketLocalHost/
    /// SocketLocalPort when set and gives up after SocketConnectTimeout (a failed attempt).
    /// Outside the schedule's logon time (StartTime-EndTime, LogonTime-LogoutTime) a
    /// session does not connect; it looks again every ReconnectInterval.
    pub async fn start(
        settings: Settings,
        stores: Arc<dyn StoreFactory>,
        app: Arc<dyn Application>,
    ) -> Result<(InitiatorHandle, mpsc::UnboundedReceiver<SessionEvent>), DriverError> {
        let (etx, erx) = mpsc::unbounded_channel();
        let mut sessions = HashMap::new();
        let mut tasks = Vec::new();
        let mut entries = Vec::new();
        for s in settings
            .sessions
            .iter()
            .filter(|s| s.connection_type == ConnectionType::Initiator)
        {
            // TLS: the configuration and the name each host's certificate must carry, checked
            // before the session starts.
            let connector = tls::client_config(s)?.map(tls::TlsConnector::from);
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
            let options = ConnectOptions::new(s);
            let mut hosts = HostCycle::new(s.host_selection_policy, addrs.len());
            tasks.push(Loops::get().spawn(async move {
                loop {
                    // Outside the schedule's logon time (StartTime-EndTime, LogonTime-
                    // LogoutTime) the session does not dial.
                    if task.core.settings().schedule.is_logon_time(SystemTime::now()) {
                        let Some((host, port, name)) =
                            hosts.next_index().and_then(|i| addrs.get(i)).cloned()
                        else {
                            return;
                        };
                        let target = (connector.as_ref(), host.as_str(), port, name);
                        let stream = match dial(&mut task, &mut inbox, &options, target).await {
                            Dialed::Stop => return,
                            Dialed::Failed => None,
                            Dialed::Connected(stream) => Some(stream),
                        };
                        if let Some(stream) = stream {
                            tracing::info!(session = %task.core.id(), %host, port, tls = stream.is_tls(), "connected");
                            if let Some(ack) =
                                task.run_connection(stream, Vec::new(), &mut inbox).await
                            {
                                let _ = ack.send(());
                                return;
                            }
                            hosts.connection_ended(task.logged_on);
                        }
                    }
                    // Wait, answering commands meanwhile.
                    let sleep = tokio::time::sleep(interval);
                    tokio::pin!(sleep);
                    loop {
                        tokio::select! {
                            _ = &mut sleep => break,
                            cmd = inbox.recv() => if !answer_idle(&task, cmd) {
                                return;
                            },
                        }
                    }
                }
            }));
            entries.push(handle.metrics_entry(s.schedule.clone()));
            sessions.insert(s.id.clone(), handle);
        }
        if sessions.is_empty() {
            return Err(DriverError::NoSessions("initiator"));
        }
        let http = start_endpoint(settings.http_accept_port, entries).await?;
        Ok((
            InitiatorHandle {
                sessions,
                tasks,
                http,
            },
            erx,
        ))
    }
}

/// How a connection attempt ended.
enum Dialed {
    /// Connected (and the TLS handshake done).
    Connected(Stream),
    /// The attempt failed (logged).
    Failed,
    /// The session was asked to stop meanwhile (answered).
    Stop,
}

/// Where to connect: the TLS connector (with TLS), host, port, the name the host's
/// certificate must carry (with TLS).
type Target<'a> = (
    Option<&'a tls::TlsConnector>,
    &'a str,
    u16,
    Option<tls::PeerName>,
);

/// Connects to the target (and completes the TLS handshake with a connector), answering
/// the session's commands while the TCP connect is under way: a shutdown does not wait
/// for a connect that hangs.
async fn dial(
    task: &mut SessionTask,
    inbox: &mut Inbox,
    options: &ConnectOptions,
    (connector, host, port, name): Target<'_>,
) -> Dialed {
    let connecting = options.connect(host, port);
    tokio::pin!(connecting);
    let connected = loop {
        tokio::select! {
            r = &mut connecting => break r,
            cmd = inbox.recv() => if !answer_idle(task, cmd) {
                return Dialed::Stop;
            },
        }
    };
    let tcp = match connected {
        Ok(tcp) => tcp,
        Err(e) => {
            tracing::warn!(session = %task.core.id(), %host, port, error = %e, "connect failed");
            return Dialed::Failed;
        }
    };
    let stream = match (connector, name) {
        (Some(connector), Some(name)) => task.tls_handshake(connector, name, tcp, host, port).await,
        _ => Some(Stream::Plain(tcp)),
    };
    stream.map_or(Dialed::Failed, Dialed::Connected)
}

/// Answers a command that comes while the session has no connection; `false` when the
/// session is to stop (asked to, or every handle is gone).
fn answer_idle(task: &SessionTask, cmd: Option<Command>) -> bool {
    match cmd {
        Some(Command::Out(o)) => {
            task.refuse_idle(o);
            true
        }
        Some(Command::Control(Control::Shutdown(ack))) => {
            let _ = ack.send(());
            false
        }
        None => false,
        Some(Command::Control(_)) => true,
    }
}

impl InitiatorHandle {
    /// The address of the `/metrics` and `/health` endpoint, when `HttpAcceptPort` is set
    /// (see [`crate::metrics`]).
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http.as_ref().map(Endpoint::local_addr)
    }

    /// The session with `id`.
    pub fn session(&self, id: &SessionId) -> Option<&SessionHandle> {
        self.sessions.get(id)
    }

    /// Every session.
    pub fn sessions(&self) -> impl Iterator<Item = &SessionHandle> {
        self.sessions.values()
    }

    /// Logs every session out (waiting LogoutTimeout at most) and stops.
    pub async fn stop(mut self) {
        if let Some(http) = self.http.take() {
            http.stop().await;
        }
        for h in self.sessions.values() {
            h.shutdown().await;
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
