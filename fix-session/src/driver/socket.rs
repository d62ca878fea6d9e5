//! Socket settings acted on by the drivers: how an initiator connects (SocketConnectTimeout,
//! SocketLocalHost/SocketLocalPort, HostSelectionPolicy), which peers an acceptor admits
//! (AllowedRemoteAddresses), and the TCP options of every connection (SocketNodelay,
//! SocketKeepAlive).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use socket2::SockRef;
use tokio::net::{lookup_host, TcpSocket, TcpStream};

use crate::settings::{HostSelectionPolicy, RemoteAddress, SessionId, SessionSettings};

/// How an initiator session opens its connections.
#[derive(Debug, Clone, Default)]
pub(super) struct ConnectOptions {
    /// SocketConnectTimeout: the longest one address's connect may take.
    timeout: Option<Duration>,
    /// SocketLocalHost: the local address to bind before connecting.
    local_host: Option<String>,
    /// SocketLocalPort: the local port to bind before connecting.
    local_port: Option<u16>,
}

impl ConnectOptions {
    /// The options `s` asks for.
    pub(super) fn new(s: &SessionSettings) -> ConnectOptions {
        ConnectOptions {
            timeout: s.socket_connect_timeout,
            local_host: s.socket_local_host.clone(),
            local_port: s.socket_local_port,
        }
    }

    /// Connects to `host:port`: each address the name resolves to in turn, bound to the
    /// local address when one is configured, each attempt bounded by the connect timeout
    /// (an attempt that takes longer fails with [`io::ErrorKind::TimedOut`]). The error of
    /// the last address tried when none accepts.
    pub(super) async fn connect(&self, host: &str, port: u16) -> io::Result<TcpStream> {
        let mut last = None;
        for remote in lookup_host((host, port)).await? {
            match self.connect_addr(remote).await {
                Ok(s) => return Ok(s),
                Err(e) => {
                    tracing::debug!(%remote, error = %e, "connect attempt failed");
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{host} resolves to no address"),
            )
        }))
    }

    /// One address: bind (when configured), then connect within the timeout.
    async fn connect_addr(&self, remote: SocketAddr) -> io::Result<TcpStream> {
        let socket = match remote {
            SocketAddr::V4(_) => TcpSocket::new_v4()?,
            SocketAddr::V6(_) => TcpSocket::new_v6()?,
        };
        if let Some(local) = self.local_addr(remote).await? {
            // A fixed local port is reused at once by the next connection, whatever
            // TIME_WAIT the last one left.
            socket.set_reuseaddr(true)?;
            socket.bind(local)?;
        }
        match self.timeout {
            None => socket.connect(remote).await,
            Some(limit) => match tokio::time::timeout(limit, socket.connect(remote)).await {
                Ok(r) => r,
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("connecting to {remote} took longer than {limit:?}"),
                )),
            },
        }
    }

    /// The local address to bind for a connection to `remote` (same address family), if
    /// SocketLocalHost or SocketLocalPort is set.
    async fn local_addr(&self, remote: SocketAddr) -> io::Result<Option<SocketAddr>> {
        let port = self.local_port.unwrap_or(0);
        let Some(host) = &self.local_host else {
            let any: IpAddr = match remote {
                SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
                SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
            };
            return Ok(self.local_port.map(|p| SocketAddr::new(any, p)));
        };
        lookup_host((host.as_str(), port))
            .await?
            .find(|a| a.is_ipv4() == remote.is_ipv4())
            .map(Some)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::AddrNotAvailable,
                    format!("local host {host} has no address of {remote}'s family"),
                )
            })
    }
}

/// Sets the session's TCP options (SocketNodelay, SocketKeepAlive) on a connection.
pub(super) fn configure(tcp: &TcpStream, s: &SessionSettings) -> io::Result<()> {
    tcp.set_nodelay(s.socket_nodelay)?;
    SockRef::from(tcp).set_keepalive(s.socket_keep_alive)
}

/// Which of an initiator's addresses (SocketConnectHost, SocketConnectHost1, ...) each
/// connection attempt goes to, by HostSelectionPolicy.
#[derive(Debug)]
pub(super) struct HostCycle {
    policy: HostSelectionPolicy,
    len: usize,
    next: usize,
}

impl HostCycle {
    /// A cycle over `len` addresses, starting at the first.
    pub(super) fn new(policy: HostSelectionPolicy, len: usize) -> HostCycle {
        HostCycle {
            policy,
            len,
            next: 0,
        }
    }

    /// The index of the address to try now (`None` without addresses); the attempt after
    /// this one goes to the following address, wrapping around.
    pub(super) fn next_index(&mut self) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let i = self.next % self.len;
        self.next = (i + 1) % self.len;
        Some(i)
    }

    /// A connection ended; `logged_on`: the session logged on during it. With PRIORITY the
    /// next attempt goes back to the primary address after a session that ran; a connection
    /// that never logged on (a hung engine behind a live port) counts as a failed attempt,
    /// so the next address is tried. With ROUND_ROBIN the next address is tried either way.
    pub(super) fn connection_ended(&mut self, logged_on: bool) {
        if logged_on && self.policy == HostSelectionPolicy::Priority {
            self.next = 0;
        }
    }
}

/// The AllowedRemoteAddresses of the sessions sharing a listening port.
#[derive(Debug, Default)]
pub(super) struct AllowList {
    /// The sessions with a list; a session missing here admits any peer.
    by_session: HashMap<SessionId, Vec<RemoteAddress>>,
    /// Whether some session of the port admits any peer.
    open: bool,
}

impl AllowList {
    /// The lists of `sessions` (the sessions of one port).
    pub(super) fn new<'a>(sessions: impl IntoIterator<Item = &'a SessionSettings>) -> AllowList {
        let mut list = AllowList::default();
        for s in sessions {
            if s.allowed_remote_addresses.is_empty() {
                list.open = true;
            } else {
                list.by_session
                    .insert(s.id.clone(), s.allowed_remote_addresses.clone());
            }
        }
        list
    }

    /// Whether some session of the port admits `peer`: checked as the connection comes in,
    /// before a byte is read.
    pub(super) async fn admits_any(&self, peer: IpAddr) -> bool {
        if self.open {
            return true;
        }
        for list in self.by_session.values() {
            if admits(list, peer).await {
                return true;
            }
        }
        false
    }

    /// Whether session `id` admits `peer`: checked once the Logon names the session.
    pub(super) async fn admits(&self, id: &SessionId, peer: IpAddr) -> bool {
        match self.by_session.get(id) {
            None => true,
            Some(list) => admits(list, peer).await,
        }
    }
}

/// Whether `peer` is one of `list` (host names are resolved now).
async fn admits(list: &[RemoteAddress], peer: IpAddr) -> bool {
    let peer = peer.to_canonical();
    for allowed in list {
        match allowed {
            RemoteAddress::Ip(ip) if ip.to_canonical() == peer => return true,
            RemoteAddress::Ip(_) => {}
            RemoteAddress::Host(host) => match lookup_host((host.as_str(), 0)).await {
                Ok(mut addrs) => {
                    if addrs.any(|a| a.ip().to_canonical() == peer) {
                        return true;
                    }
                }
                Err(e) => {
                    tracing::warn!(%host, error = %e, "AllowedRemoteAddresses: cannot resolve");
                }
            },
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::settings::ConnectionType;

    fn settings() -> SessionSettings {
        SessionSettings::new(
            SessionId::new("FIX.4.4", "A", "B"),
            ConnectionType::Initiator,
        )
    }

    #[test]
    fn round_robin_moves_on_after_every_connection() {
        let mut c = HostCycle::new(HostSelectionPolicy::RoundRobin, 3);
        assert_eq!(c.next_index(), Some(0));
        c.connection_ended(true);
        assert_eq!(c.next_index(), Some(1));
        c.connection_ended(false);
        assert_eq!(c.next_index(), Some(2));
        assert_eq!(c.next_index(), Some(0));
    }

    #[test]
    fn priority_goes_back_to_the_primary_after_a_session_that_ran() {
        let mut c = HostCycle::new(HostSelectionPolicy::Priority, 3);
        assert_eq!(c.next_index(), Some(0));
        // Failed attempts go down the list ...
        assert_eq!(c.next_index(), Some(1));
        c.connection_ended(false);
        assert_eq!(c.next_index(), Some(2));
        // ... and a session that logged on sends the next attempt to the primary.
        c.connection_ended(true);
        assert_eq!(c.next_index(), Some(0));
        assert_eq!(
            HostCycle::new(HostSelectionPolicy::Priority, 0).next_index(),
            None
        );
    }

    #[tokio::test]
    async fn connect_timeout_bounds_a_connect_the_listener_never_answers() {
        // A listener that never accepts, its accept queue filled: the kernel drops further
        // SYNs, so a connect waits for the timeout.
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(1).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut held = Vec::new();
        let mut full = false;
        for _ in 0..16 {
            match tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
                Ok(s) => held.push(s.unwrap()),
                Err(_) => {
                    full = true;
                    break;
                }
            }
        }
        assert!(full, "the accept queue filled up");
        let mut s = settings();
        s.socket_connect_timeout = Some(Duration::from_millis(500));
        let started = Instant::now();
        let e = ConnectOptions::new(&s)
            .connect("127.0.0.1", addr.port())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(500) && took < Duration::from_secs(5),
            "{took:?}"
        );
        drop(listener);
    }

    #[tokio::test]
    async fn binds_the_local_address_and_sets_keep_alive() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut s = settings();
        s.socket_local_host = Some("127.0.0.2".to_string());
        s.socket_keep_alive = true;
        s.socket_nodelay = false;
        let options = ConnectOptions::new(&s);
        let (tcp, accepted) = tokio::join!(options.connect("127.0.0.1", port), listener.accept());
        let (tcp, (_, peer)) = (tcp.unwrap(), accepted.unwrap());
        assert_eq!(peer.ip(), "127.0.0.2".parse::<IpAddr>().unwrap());
        assert_eq!(tcp.local_addr().unwrap(), peer);
        assert!(!SockRef::from(&tcp).keepalive().unwrap());
        configure(&tcp, &s).unwrap();
        assert!(SockRef::from(&tcp).keepalive().unwrap());
        assert!(!tcp.nodelay().unwrap());
        s.socket_keep_alive = false;
        configure(&tcp, &s).unwrap();
        assert!(!SockRef::from(&tcp).keepalive().unwrap());
    }

    #[tokio::test]
    async fn allow_list_admits_listed_addresses_and_names() {
        let mut only_2 = settings();
        only_2.allowed_remote_addresses = vec![RemoteAddress::Ip("127.0.0.2".parse().unwrap())];
        let mut by_name = settings();
        by_name.id = SessionId::new("FIX.4.4", "A", "C");
        by_name.allowed_remote_addresses = vec![RemoteAddress::Host("localhost".to_string())];
        let one: IpAddr = "127.0.0.1".parse().unwrap();
        let two: IpAddr = "127.0.0.2".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().unwrap();

        let list = AllowList::new([&only_2]);
        assert!(!list.admits_any(one).await);
        assert!(list.admits_any(two).await);
        assert!(list.admits_any(mapped).await, "IPv4-mapped peers match");
        assert!(!list.admits(&only_2.id, one).await);

        let list = AllowList::new([&only_2, &by_name]);
        assert!(
            list.admits_any(one).await,
            "localhost resolves to 127.0.0.1"
        );
        assert!(list.admits(&by_name.id, one).await);
        assert!(!list.admits(&only_2.id, one).await);

        let mut open = settings();
        open.id = SessionId::new("FIX.4.4", "A", "D");
        let list = AllowList::new([&only_2, &open]);
        assert!(
            list.admits_any(one).await,
            "a session without a list admits anyone"
        );
        assert!(!list.admits(&only_2.id, one).await);
        assert!(list.admits(&open.id, one).await);
    }
}
