//! TLS for the [`Acceptor`](super::Acceptor) and the [`Initiator`](super::Initiator): rustls
//! configurations built from a session's [`TlsSettings`] (SocketUseSSL=Y, see the
//! [settings docs](crate::settings#tls) for the keys) and the stream a connection runs on,
//! plain TCP or TLS.
//!
//! Every configuration is built with rustls' `ring` provider, passed explicitly, so nothing
//! depends on a process-wide default provider; the provider keeps the cipher suites the
//! settings allow (SSLCipherSuite, CipherSuites). Peer certificates are checked against the
//! revocation lists the settings name (CertificateRevocationListFile/Directory).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    ClientConfig, ProtocolVersion, RootCertStore, ServerConfig, SupportedCipherSuite,
    SupportedProtocolVersion,
};
use thiserror::Error;
use tokio::net::TcpStream;

use crate::settings::{
    suite_name, CertificateVerifyLevel, SessionSettings, TlsSettings, TlsVersions,
};

pub(crate) use super::stream::Stream;
use rustls::pki_types::ServerName;
pub(crate) use tokio_rustls::{TlsAcceptor, TlsConnector};

/// A TLS connection, either side.
pub(crate) type TlsStream = tokio_rustls::TlsStream<TcpStream>;
/// The name an initiator checks in the acceptor's certificate.
pub(crate) type PeerName = ServerName<'static>;

/// How long a TLS handshake may take, on either side, before the connection is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a TLS configuration could not be built.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file named by a key could not be read.
    #[error("{key}={path}: cannot read the file: {source}")]
    Read {
        /// The settings key naming the file.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A file named by a key holds no usable certificate or key.
    #[error("{key}={path}: {reason}")]
    File {
        /// The settings key naming the file.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A key SocketUseSSL=Y needs is not set.
    #[error("session {session}: SocketUseSSL=Y needs {key}")]
    Missing {
        /// The session.
        session: String,
        /// The key.
        key: &'static str,
    },
    /// A connect host (or SSLServerName) is not a name a certificate can carry.
    #[error("session {session}: {name:?} is not a valid TLS server name (set SSLServerName)")]
    ServerName {
        /// The session.
        session: String,
        /// The name.
        name: String,
    },
    /// rustls refused the configuration (for example a private key that does not match the
    /// certificate).
    #[error("session {session}: TLS configuration: {reason}")]
    Config {
        /// The session.
        session: String,
        /// rustls' reason.
        reason: String,
    },
    /// Acceptor sessions on one port with different TLS settings.
    #[error("sessions {first} and {second} share port {port} but not their TLS settings")]
    PortConflict {
        /// One session.
        first: String,
        /// Another session on the same port.
        second: String,
        /// The port.
        port: u16,
    },
}

/// rustls' `ring` provider with the cipher suites the settings allow: the named suites
/// replace the suites of their TLS version; a version none of them is for keeps all its own.
fn provider(tls: &TlsSettings) -> Arc<CryptoProvider> {
    let mut provider = rustls::crypto::ring::default_provider();
    if !tls.cipher_suites.is_empty() {
        let named = |s: &SupportedCipherSuite| tls.cipher_suites.contains(&suite_name(s));
        let named_versions: Vec<ProtocolVersion> = provider
            .cipher_suites
            .iter()
            .filter(|s| named(s))
            .map(|s| s.version().version)
            .collect();
        provider
            .cipher_suites
            .retain(|s| named(s) || !named_versions.contains(&s.version().version));
    }
    Arc::new(provider)
}

fn versions(v: TlsVersions) -> Vec<&'static SupportedProtocolVersion> {
    let mut out = Vec::with_capacity(2);
    if v.tls13 {
        out.push(&rustls::version::TLS13);
    }
    if v.tls12 {
        out.push(&rustls::version::TLS12);
    }
    out
}

fn read(key: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        key,
        path: path.to_path_buf(),
        source,
    })
}

/// The certificates of a PEM file; at least one.
fn certificates(key: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(key, path)?;
    let bad = |reason: String| TlsError::File {
        key,
        path: path.to_path_buf(),
        reason,
    };
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("bad PEM: {e}")))?;
    if certs.is_empty() {
        return Err(bad("no CERTIFICATE in the file".to_string()));
    }
    Ok(certs)
}

/// The first private key of a PEM file.
fn private_key(key: &'static str, path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read(key, path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| TlsError::File {
        key,
        path: path.to_path_buf(),
        reason: match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no PRIVATE KEY (PKCS#8, PKCS#1 or SEC1) in the file".to_string()
            }
            e => format!("bad PEM: {e}"),
        },
    })
}

/// The files of a folder named by `key`, in name order.
fn folder_files(key: &'static str, dir: &Path) -> Result<Vec<PathBuf>, TlsError> {
    let read_err = |source| TlsError::Read {
        key,
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The trusted CA certificates: CertificationAuthoritiesFile and the files of
/// CertificationAuthoritiesDirectory.
fn roots(ca_file: &Path, tls: &TlsSettings) -> Result<RootCertStore, TlsError> {
    let mut sources = vec![("CertificationAuthoritiesFile", ca_file.to_path_buf())];
    if let Some(dir) = &tls.certification_authorities_directory {
        const KEY: &str = "CertificationAuthoritiesDirectory";
        sources.extend(folder_files(KEY, dir)?.into_iter().map(|p| (KEY, p)));
    }
    let mut roots = RootCertStore::empty();
    for (key, path) in sources {
        for cert in certificates(key, &path)? {
            roots.add(cert).map_err(|e| TlsError::File {
                key,
                path: path.clone(),
                reason: format!("not a usable CA certificate: {e}"),
            })?;
        }
    }
    Ok(roots)
}

/// The certificate revocation lists of CertificateRevocationListFile and the files of
/// CertificateRevocationListDirectory; each file must hold at least one. As OpenSSL does by
/// default, the peer's own certificate is checked against them (a certificate of an issuer
/// with no list there is refused), not the intermediate CAs.
fn revocation_lists(
    tls: &TlsSettings,
) -> Result<Vec<CertificateRevocationListDer<'static>>, TlsError> {
    let mut sources = Vec::new();
    if let Some(file) = &tls.certificate_revocation_list_file {
        sources.push(("CertificateRevocationListFile", file.clone()));
    }
    if let Some(dir) = &tls.certificate_revocation_list_directory {
        const KEY: &str = "CertificateRevocationListDirectory";
        sources.extend(folder_files(KEY, dir)?.into_iter().map(|p| (KEY, p)));
    }
    let mut crls = Vec::new();
    for (key, path) in sources {
        let pem = read(key, &path)?;
        let bad = |reason: String| TlsError::File {
            key,
            path: path.clone(),
            reason,
        };
        let found = CertificateRevocationListDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("bad PEM: {e}")))?;
        if found.is_empty() {
            return Err(bad("no X509 CRL in the file".to_string()));
        }
        crls.extend(found);
    }
    Ok(crls)
}

/// The certificate chain and private key named by `cert_key` and `key_key` (the key read from
/// the certificate file when `key` is `None`, as QuickFIX does).
fn identity(
    cert_key: &'static str,
    cert: &Path,
    key_key: &'static str,
    key: Option<&PathBuf>,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let chain = certificates(cert_key, cert)?;
    let key = match key {
        Some(k) => private_key(key_key, k)?,
        None => private_key(cert_key, cert)?,
    };
    Ok((chain, key))
}

fn tls_of(s: &SessionSettings) -> Option<&TlsSettings> {
    s.tls.as_ref()
}

/// The rustls server configuration of an acceptor session; `None` without SocketUseSSL=Y.
pub fn server_config(s: &SessionSettings) -> Result<Option<Arc<ServerConfig>>, TlsError> {
    let Some(tls) = tls_of(s) else {
        return Ok(None);
    };
    let session = s.id.to_string();
    let config_err = |e: &dyn std::fmt::Display| TlsError::Config {
        session: session.clone(),
        reason: e.to_string(),
    };
    let cert = tls
        .server_certificate_file
        .as_ref()
        .ok_or_else(|| TlsError::Missing {
            session: session.clone(),
            key: "ServerCertificateFile",
        })?;
    let (chain, key) = identity(
        "ServerCertificateFile",
        cert,
        "ServerCertificateKeyFile",
        tls.server_certificate_key_file.as_ref(),
    )?;
    let provider = provider(tls);
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions(tls.protocols))
        .map_err(|e| config_err(&e))?;
    let builder = match tls.certificate_verify_level {
        CertificateVerifyLevel::None => builder.with_no_client_auth(),
        level => {
            let ca =
                tls.certification_authorities_file
                    .as_ref()
                    .ok_or_else(|| TlsError::Missing {
                        session: session.clone(),
                        key: "CertificationAuthoritiesFile",
                    })?;
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots(ca, tls)?), provider)
                    .with_crls(revocation_lists(tls)?)
                    .only_check_end_entity_revocation();
            let verifier = if level == CertificateVerifyLevel::Optional {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            builder.with_client_cert_verifier(verifier.build().map_err(|e| config_err(&e))?)
        }
    };
    let key_file = tls.server_certificate_key_file.as_ref().unwrap_or(cert);
    let config = builder.with_single_cert(chain, key).map_err(|e| {
        config_err(&format!(
            "ServerCertificateFile={} with the key in {}: {e}",
            cert.display(),
            key_file.display()
        ))
    })?;
    Ok(Some(Arc::new(config)))
}

/// The rustls client configuration of an initiator session; `None` without SocketUseSSL=Y.
pub fn client_config(s: &SessionSettings) -> Result<Option<Arc<ClientConfig>>, TlsError> {
    let Some(tls) = tls_of(s) else {
        return Ok(None);
    };
    let session = s.id.to_string();
    let config_err = |e: &dyn std::fmt::Display| TlsError::Config {
        session: session.clone(),
        reason: e.to_string(),
    };
    let ca = tls
        .certification_authorities_file
        .as_ref()
        .ok_or_else(|| TlsError::Missing {
            session: session.clone(),
            key: "CertificationAuthoritiesFile",
        })?;
    let provider = provider(tls);
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots(ca, tls)?), provider.clone())
            .with_crls(revocation_lists(tls)?)
            .only_check_end_entity_revocation()
            .build()
            .map_err(|e| config_err(&e))?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions(tls.protocols))
        .map_err(|e| config_err(&e))?
        .with_webpki_verifier(verifier);
    let config = match &tls.client_certificate_file {
        None => builder.with_no_client_auth(),
        Some(cert) => {
            let (chain, key) = identity(
                "ClientCertificateFile",
                cert,
                "ClientCertificateKeyFile",
                tls.client_certificate_key_file.as_ref(),
            )?;
            let key_file = tls.client_certificate_key_file.as_ref().unwrap_or(cert);
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                config_err(&format!(
                    "ClientCertificateFile={} with the key in {}: {e}",
                    cert.display(),
                    key_file.display()
                ))
            })?
        }
    };
    Ok(Some(Arc::new(config)))
}

/// The name an initiator session verifies in the certificate of `host`: SSLServerName, or
/// `host` itself.
pub fn server_name(s: &SessionSettings, host: &str) -> Result<ServerName<'static>, TlsError> {
    let name = s
        .tls
        .as_ref()
        .and_then(|t| t.server_name.as_deref())
        .unwrap_or(host);
    ServerName::try_from(name.to_string()).map_err(|_| TlsError::ServerName {
        session: s.id.to_string(),
        name: name.to_string(),
    })
}

/// Checks that the acceptor sessions sharing a port agree on their TLS settings.
pub(crate) fn check_same_port(port: u16, sessions: &[&SessionSettings]) -> Result<(), TlsError> {
    let Some((first, rest)) = sessions.split_first() else {
        return Ok(());
    };
    match rest.iter().find(|s| s.tls != first.tls) {
        Some(other) => Err(TlsError::PortConflict {
            first: first.id.to_string(),
            second: other.id.to_string(),
            port,
        }),
        None => Ok(()),
    }
}
