//! TLS left out: this build of fix-session has no `tls` feature, so connections are plain
//! TCP. The settings refuse SocketUseSSL=Y in such a build; should a session still ask for
//! TLS, building its configuration fails with [`TlsError::NotBuiltIn`]. The TLS types here
//! have no values: code that would use one cannot run.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::settings::SessionSettings;

pub(crate) use super::stream::Stream;

/// How long a TLS handshake may take, on either side, before the connection is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a session's TLS configuration could not be built.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The session asks for TLS (SocketUseSSL=Y), which this build does not have.
    #[error(
        "session {session}: SocketUseSSL=Y, but fix-session was built without its `tls` feature"
    )]
    NotBuiltIn {
        /// The session.
        session: String,
    },
}

/// A server configuration: none exist without the `tls` feature.
#[derive(Debug)]
pub enum ServerConfig {}

/// A client configuration: none exist without the `tls` feature.
#[derive(Debug)]
pub enum ClientConfig {}

/// The TLS settings of `s` as an error: without the `tls` feature a session has none.
fn refuse(s: &SessionSettings) -> Result<(), TlsError> {
    match s.tls {
        Some(_) => Err(TlsError::NotBuiltIn {
            session: s.id.to_string(),
        }),
        None => Ok(()),
    }
}

/// `None` for a session without SocketUseSSL=Y; [`TlsError::NotBuiltIn`] with it.
pub fn server_config(s: &SessionSettings) -> Result<Option<Arc<ServerConfig>>, TlsError> {
    refuse(s).map(|()| None)
}

/// `None` for a session without SocketUseSSL=Y; [`TlsError::NotBuiltIn`] with it.
pub fn client_config(s: &SessionSettings) -> Result<Option<Arc<ClientConfig>>, TlsError> {
    refuse(s).map(|()| None)
}

/// Never called without a client configuration; [`TlsError::NotBuiltIn`].
pub(crate) fn server_name(s: &SessionSettings, _host: &str) -> Result<PeerName, TlsError> {
    Err(TlsError::NotBuiltIn {
        session: s.id.to_string(),
    })
}

/// Acceptor sessions sharing a port: nothing to compare without TLS.
pub(crate) fn check_same_port(_port: u16, _sessions: &[&SessionSettings]) -> Result<(), TlsError> {
    Ok(())
}

/// The name an initiator checks in the acceptor's certificate: none without TLS.
#[derive(Debug, Clone)]
pub(crate) enum PeerName {}

/// The acceptor side of a handshake: none without TLS.
#[derive(Clone)]
pub(crate) enum TlsAcceptor {}

impl From<Arc<ServerConfig>> for TlsAcceptor {
    fn from(config: Arc<ServerConfig>) -> TlsAcceptor {
        match *config {}
    }
}

impl TlsAcceptor {
    /// The handshake, which cannot start.
    pub(crate) async fn accept(&self, _tcp: TcpStream) -> io::Result<Handshaken> {
        match *self {}
    }
}

/// The initiator side of a handshake: none without TLS.
pub(crate) enum TlsConnector {}

impl From<Arc<ClientConfig>> for TlsConnector {
    fn from(config: Arc<ClientConfig>) -> TlsConnector {
        match *config {}
    }
}

impl TlsConnector {
    /// The handshake, which cannot start.
    pub(crate) async fn connect(&self, _name: PeerName, _tcp: TcpStream) -> io::Result<Handshaken> {
        match *self {}
    }
}

/// A completed handshake, one side's stream (as tokio-rustls has one type per side): none
/// without TLS.
pub(crate) enum Handshaken {}

impl From<Handshaken> for TlsStream {
    fn from(h: Handshaken) -> TlsStream {
        match h {}
    }
}

/// A TLS connection: none without TLS.
pub(crate) enum TlsStream {}

impl TlsStream {
    /// The TCP socket underneath.
    pub(crate) fn get_ref(&self) -> (&TcpStream, ()) {
        match *self {}
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match *self {}
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        match *self {}
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        match *self {}
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        match *self {}
    }
}
