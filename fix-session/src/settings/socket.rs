//! Socket settings: where an acceptor listens and who may connect, where an initiator
//! connects from and to, and TCP options.

use std::net::IpAddr;
use std::time::Duration;

use super::values::Getter;
use super::{ConnectionType, SessionSettings, SettingsError};

/// Which address of SocketConnectHost/SocketConnectHost1/... an initiator tries when it
/// reconnects (`HostSelectionPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostSelectionPolicy {
    /// `ROUND_ROBIN` (default, QuickFIX's behaviour): the address after the one last tried,
    /// wrapping around.
    #[default]
    RoundRobin,
    /// `PRIORITY`: the first address (the primary) every time, the others only after it
    /// failed in this round.
    Priority,
}

/// A peer allowed to connect to an acceptor session (`AllowedRemoteAddresses`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteAddress {
    /// An IP address.
    Ip(IpAddr),
    /// A host name, resolved when a connection comes in.
    Host(String),
}

/// Reads the socket keys into `s`.
pub(crate) fn build(g: &Getter<'_>, s: &mut SessionSettings) -> Result<(), SettingsError> {
    for key in ["SocketConnectProtocol", "SocketAcceptProtocol"] {
        if g.str(key).is_some_and(|v| !v.eq_ignore_ascii_case("TCP")) {
            return Err(g.bad(key, "only TCP is supported"));
        }
    }
    accept(g, s)?;
    connect(g, s)?;
    let nodelay = g.either(&["SocketNodelay", "SocketTcpNoDelay"])?;
    s.socket_nodelay = match nodelay {
        Some(key) => g.bool(key, true)?,
        None => true,
    };
    s.socket_keep_alive = g.bool("SocketKeepAlive", false)?;
    g.bool("SocketReuseAddress", true)?;
    let busy_poll_time = g.u64("SocketBusyPollTime")?.unwrap_or(100);
    s.socket_busy_poll = g
        .bool("SocketBusyPoll", false)?
        .then(|| Duration::from_micros(busy_poll_time))
        .filter(|d| !d.is_zero());
    Ok(())
}

fn accept(g: &Getter<'_>, s: &mut SessionSettings) -> Result<(), SettingsError> {
    s.socket_accept_host = g
        .either(&["SocketAcceptHost", "SocketAcceptAddress"])?
        .and_then(|k| g.str(k))
        .map(str::to_string);
    s.socket_accept_port = g.port("SocketAcceptPort")?;
    if s.connection_type == ConnectionType::Acceptor && s.socket_accept_port.is_none() {
        return Err(g.missing("SocketAcceptPort"));
    }
    s.allowed_remote_addresses = g
        .list("AllowedRemoteAddresses")
        .into_iter()
        .map(|a| {
            remote_address(a).ok_or_else(|| {
                g.bad(
                    "AllowedRemoteAddresses",
                    "expected IP addresses or host names, separated by commas",
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(())
}

fn remote_address(a: &str) -> Option<RemoteAddress> {
    if let Ok(ip) = a.parse::<IpAddr>() {
        return Some(RemoteAddress::Ip(ip));
    }
    let host_ok = a
        .split('.')
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    host_ok.then(|| RemoteAddress::Host(a.to_string()))
}

fn connect(g: &Getter<'_>, s: &mut SessionSettings) -> Result<(), SettingsError> {
    let mut n = 0;
    loop {
        let suffix = if n == 0 { String::new() } else { n.to_string() };
        let hk = format!("SocketConnectHost{suffix}");
        let pk = format!("SocketConnectPort{suffix}");
        match (g.str(&hk), g.port(&pk)?) {
            (Some(h), Some(p)) => s.socket_connect.push((h.to_string(), p)),
            (None, None) if n > 0 => break,
            (None, None) => {}
            (Some(_), None) => return Err(g.missing(&pk)),
            (None, Some(_)) => return Err(g.missing(&hk)),
        }
        n += 1;
    }
    if s.connection_type == ConnectionType::Initiator && s.socket_connect.is_empty() {
        return Err(g.missing("SocketConnectHost"));
    }
    s.socket_connect_timeout = g.u64("SocketConnectTimeout")?.map(Duration::from_secs);
    s.socket_local_host = g
        .either(&["SocketLocalHost", "SocketConnectSourceHost"])?
        .and_then(|k| g.str(k))
        .map(str::to_string);
    s.socket_local_port = match g.either(&["SocketLocalPort", "SocketConnectSourcePort"])? {
        Some(key) => g.port(key)?,
        None => None,
    };
    s.host_selection_policy = match g
        .str("HostSelectionPolicy")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("ROUND_ROBIN") => HostSelectionPolicy::RoundRobin,
        Some("PRIORITY") => HostSelectionPolicy::Priority,
        Some(_) => return Err(g.bad("HostSelectionPolicy", "expected ROUND_ROBIN or PRIORITY")),
    };
    Ok(())
}
