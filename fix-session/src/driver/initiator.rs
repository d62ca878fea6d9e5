//! The initiator: connects each session (failover hosts, ReconnectInterval) and logs on.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::connection::spawn_session;
use super::handle::{Command, Control, SessionHandle};
use super::loops::Loops;
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
    /// between attempts, and logs on.
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
            tasks.push(Loops::get().spawn(async move {
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
    pub async fn stop(self) {
        for h in self.sessions.values() {
            h.shutdown().await;
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
