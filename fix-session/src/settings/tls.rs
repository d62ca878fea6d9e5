//! TLS settings (SocketUseSSL=Y): certificates, keys, CAs, revocation lists, protocol
//! versions, cipher suites and server names, in QuickFIX C++'s, QuickFIX/J's and
//! QuickFIX/Go's spellings. The rustls configurations are built in `driver::tls`.

use std::path::{Path, PathBuf};

use super::values::Getter;
use super::{ConnectionType, SettingsError};

/// Whether and how an acceptor asks for client certificates (`CertificateVerifyLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertificateVerifyLevel {
    /// `0`: no client certificate is asked for.
    #[default]
    None,
    /// `1`: the client must present a certificate signed by a trusted CA.
    Require,
    /// `2`: a client certificate is asked for and verified if sent, but may be absent.
    Optional,
}

/// The TLS versions a session allows (`SSLProtocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsVersions {
    /// TLS 1.2.
    pub tls12: bool,
    /// TLS 1.3.
    pub tls13: bool,
}

impl Default for TlsVersions {
    fn default() -> Self {
        TlsVersions {
            tls12: true,
            tls13: true,
        }
    }
}

impl TlsVersions {
    /// Parses an `SSLProtocol` value (see the [settings docs](crate::settings#tls)); `None` when a name is not
    /// a protocol version or when neither TLS 1.2 nor TLS 1.3 is left.
    pub fn parse(value: &str) -> Option<TlsVersions> {
        let mut v = TlsVersions {
            tls12: false,
            tls13: false,
        };
        let mut any = false;
        for token in value
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            any = true;
            let (add, name) = match (token.strip_prefix('+'), token.strip_prefix('-')) {
                (Some(name), _) => (true, name),
                (_, Some(name)) => (false, name),
                _ => (true, token),
            };
            let (t12, t13) = match name.to_ascii_lowercase().as_str() {
                "all" => (true, true),
                "tlsv1.2" | "tlsv1_2" => (true, false),
                "tlsv1.3" | "tlsv1_3" => (false, true),
                "sslv2" | "sslv3" | "tlsv1" | "tlsv1.1" | "tlsv1_1" => (false, false),
                _ => return None,
            };
            if t12 {
                v.tls12 = add;
            }
            if t13 {
                v.tls13 = add;
            }
        }
        (any && (v.tls12 || v.tls13)).then_some(v)
    }
}

/// A session's TLS settings (`SocketUseSSL=Y`); see the [settings docs](crate::settings#tls) for the keys.
/// Paths are resolved against the settings file's folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// ServerCertificateFile (acceptor): PEM certificate chain, own certificate first.
    pub server_certificate_file: Option<PathBuf>,
    /// ServerCertificateKeyFile (acceptor): PEM private key; `ServerCertificateFile` when
    /// absent.
    pub server_certificate_key_file: Option<PathBuf>,
    /// ClientCertificateFile (initiator): PEM certificate chain for mutual TLS.
    pub client_certificate_file: Option<PathBuf>,
    /// ClientCertificateKeyFile (initiator): PEM private key; `ClientCertificateFile` when
    /// absent.
    pub client_certificate_key_file: Option<PathBuf>,
    /// CertificationAuthoritiesFile: PEM CA certificates that may sign the peer's certificate.
    pub certification_authorities_file: Option<PathBuf>,
    /// CertificateVerifyLevel (acceptor): whether client certificates are asked for.
    pub certificate_verify_level: CertificateVerifyLevel,
    /// SSLProtocol: the allowed TLS versions.
    pub protocols: TlsVersions,
    /// SSLServerName (initiator): the name the acceptor's certificate must carry; the
    /// SocketConnectHost being dialled when absent.
    pub server_name: Option<String>,
    /// CertificationAuthoritiesDirectory: a folder whose PEM files hold more trusted CA
    /// certificates.
    pub certification_authorities_directory: Option<PathBuf>,
    /// CertificateRevocationListFile: PEM certificate revocation lists; a peer certificate
    /// they revoke is refused.
    pub certificate_revocation_list_file: Option<PathBuf>,
    /// CertificateRevocationListDirectory: a folder whose PEM files hold more revocation
    /// lists.
    pub certificate_revocation_list_directory: Option<PathBuf>,
    /// SSLCipherSuite (QuickFIX C++, OpenSSL names) or CipherSuites (QuickFIX/J, IANA
    /// names): the cipher suites allowed, by IANA name (`TLS_AES_128_GCM_SHA256`,
    /// `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`). A TLS version none of them is for keeps
    /// all its suites; empty (default): every suite rustls offers.
    pub cipher_suites: Vec<String>,
}

/// The TLS keys: always checked, kept when SocketUseSSL=Y.
pub(crate) fn build(
    g: &Getter<'_>,
    connection_type: ConnectionType,
    section: &str,
    base: &Path,
) -> Result<Option<TlsSettings>, SettingsError> {
    let path = |keys: &[&str]| -> Result<Option<PathBuf>, SettingsError> {
        Ok(g.either(keys)?
            .and_then(|k| g.path(k))
            .map(|p| base.join(p)))
    };
    let mut tls = TlsSettings {
        server_certificate_file: path(&["ServerCertificateFile"])?,
        server_certificate_key_file: path(&["ServerCertificateKeyFile"])?,
        client_certificate_file: path(&["ClientCertificateFile"])?,
        client_certificate_key_file: path(&["ClientCertificateKeyFile"])?,
        certification_authorities_file: path(&["CertificationAuthoritiesFile", "SocketCAFile"])?,
        certificate_verify_level: verify_level(g)?,
        protocols: protocols(g)?,
        server_name: server_name(g)?,
        certification_authorities_directory: path(&["CertificationAuthoritiesDirectory"])?,
        certificate_revocation_list_file: path(&["CertificateRevocationListFile"])?,
        certificate_revocation_list_directory: path(&["CertificateRevocationListDirectory"])?,
        cipher_suites: cipher_suites(g)?,
    };
    // QuickFIX/Go names one certificate and key, for whichever side the session is.
    let (cert, key, names) = match connection_type {
        ConnectionType::Acceptor => (
            &mut tls.server_certificate_file,
            &mut tls.server_certificate_key_file,
            ["ServerCertificateFile", "ServerCertificateKeyFile"],
        ),
        ConnectionType::Initiator => (
            &mut tls.client_certificate_file,
            &mut tls.client_certificate_key_file,
            ["ClientCertificateFile", "ClientCertificateKeyFile"],
        ),
    };
    for (slot, ours, go) in [
        (cert, names[0], "SocketCertificateFile"),
        (key, names[1], "SocketPrivateKeyFile"),
    ] {
        if let Some(p) = path(&[ours, go])? {
            *slot = Some(p);
        }
    }
    if g.bool("SocketInsecureSkipVerify", false)? {
        return Err(g.bad(
            "SocketInsecureSkipVerify",
            "peer certificates are always verified (give the CA in CertificationAuthoritiesFile)",
        ));
    }
    if !g.bool("SocketUseSSL", false)? {
        return Ok(None);
    }
    if cfg!(not(feature = "tls")) {
        return Err(g.bad(
            "SocketUseSSL",
            "this build of fix-session has no TLS (its `tls` feature is off)",
        ));
    }
    let missing = |key: &str| SettingsError::Missing {
        key: key.to_string(),
        section: section.to_string(),
    };
    match connection_type {
        ConnectionType::Acceptor => {
            if tls.server_certificate_file.is_none() {
                return Err(missing("ServerCertificateFile"));
            }
            if tls.certificate_verify_level != CertificateVerifyLevel::None
                && tls.certification_authorities_file.is_none()
            {
                return Err(missing("CertificationAuthoritiesFile"));
            }
        }
        ConnectionType::Initiator => {
            if tls.certification_authorities_file.is_none() {
                return Err(missing("CertificationAuthoritiesFile"));
            }
            if tls.client_certificate_key_file.is_some() && tls.client_certificate_file.is_none() {
                return Err(missing("ClientCertificateFile"));
            }
        }
    }
    Ok(Some(tls))
}

/// CertificateVerifyLevel (QuickFIX C++) or NeedClientAuth (QuickFIX/J: Y is level 1).
fn verify_level(g: &Getter<'_>) -> Result<CertificateVerifyLevel, SettingsError> {
    if g.str("CertificateVerifyLevel").is_none() {
        return Ok(match g.bool("NeedClientAuth", false)? {
            true => CertificateVerifyLevel::Require,
            false => CertificateVerifyLevel::None,
        });
    }
    match g.str("CertificateVerifyLevel") {
        Some("1") => Ok(CertificateVerifyLevel::Require),
        Some("2") => Ok(CertificateVerifyLevel::Optional),
        Some("0") | None => Ok(CertificateVerifyLevel::None),
        Some(_) => Err(g.bad(
            "CertificateVerifyLevel",
            "expected 0 (no client certificate), 1 (required) or 2 (optional)",
        )),
    }
}

/// SSLProtocol (QuickFIX C++), EnabledProtocols (QuickFIX/J) or SocketMinimumTLSVersion
/// (QuickFIX/Go).
fn protocols(g: &Getter<'_>) -> Result<TlsVersions, SettingsError> {
    if let Some(v) = g.str("SocketMinimumTLSVersion") {
        return match v.to_ascii_uppercase().replace(['.', '_'], "").as_str() {
            "SSL30" | "TLS10" | "TLS11" | "TLS12" => Ok(TlsVersions::default()),
            "TLS13" => Ok(TlsVersions {
                tls12: false,
                tls13: true,
            }),
            _ => Err(g.bad(
                "SocketMinimumTLSVersion",
                "expected SSL30, TLS10, TLS11, TLS12 or TLS13",
            )),
        };
    }
    let Some(key) = g.either(&["SSLProtocol", "EnabledProtocols"])? else {
        return Ok(TlsVersions::default());
    };
    g.str(key).and_then(TlsVersions::parse).ok_or_else(|| {
        g.bad(
            key,
            "expected TLS versions such as TLSv1.2 TLSv1.3 (+/- prefixes, all), \
             leaving TLSv1.2 or TLSv1.3 enabled",
        )
    })
}

/// SSLServerName, SNIHostName (QuickFIX/J) or SocketServerName (QuickFIX/Go).
fn server_name(g: &Getter<'_>) -> Result<Option<String>, SettingsError> {
    let Some(key) = g.either(&["SSLServerName", "SNIHostName", "SocketServerName"])? else {
        return Ok(None);
    };
    let v = g.str(key).unwrap_or_default();
    #[cfg(feature = "tls")]
    rustls::pki_types::ServerName::try_from(v)
        .map_err(|_| g.bad(key, "expected a DNS name or an IP address"))?;
    Ok(Some(v.to_string()))
}

/// The IANA name of a cipher suite rustls offers (`TLS_AES_128_GCM_SHA256`).
#[cfg(feature = "tls")]
pub(crate) fn suite_name(suite: &rustls::SupportedCipherSuite) -> String {
    suite
        .suite()
        .as_str()
        .unwrap_or_default()
        .replacen("TLS13_", "TLS_", 1)
}

/// OpenSSL's names of the suites rustls offers, with their IANA names.
const OPENSSL_NAMES: [(&str, &str); 6] = [
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
];

/// The IANA names of the cipher suites rustls offers.
#[cfg(feature = "tls")]
fn offered_suites() -> Option<Vec<String>> {
    Some(
        rustls::crypto::ring::ALL_CIPHER_SUITES
            .iter()
            .map(suite_name)
            .collect(),
    )
}

/// Without the `tls` feature no suite is offered and none is checked: the names are kept as
/// written (SocketUseSSL=Y is refused anyway).
#[cfg(not(feature = "tls"))]
fn offered_suites() -> Option<Vec<String>> {
    None
}

/// SSLCipherSuite (OpenSSL's `:`-separated list) or CipherSuites (QuickFIX/J's
/// `,`-separated IANA names). Suites rustls does not implement are left out with a warning,
/// as the JVM and OpenSSL do; OpenSSL's rule keywords (`HIGH`, `!aNULL`, `@STRENGTH`) are
/// not evaluated: rustls' suites are all strong. A list naming no suite rustls offers is an
/// error.
fn cipher_suites(g: &Getter<'_>) -> Result<Vec<String>, SettingsError> {
    let Some(key) = g.either(&["SSLCipherSuite", "CipherSuites"])? else {
        return Ok(Vec::new());
    };
    let offered = offered_suites();
    let mut named = Vec::new();
    let mut left_out = Vec::new();
    let value = g.str(key).unwrap_or_default();
    for token in value.split([':', ',', ' ']).filter(|t| !t.is_empty()) {
        let name = OPENSSL_NAMES
            .iter()
            .find(|(openssl, _)| openssl.eq_ignore_ascii_case(token))
            .map_or_else(|| token.to_ascii_uppercase(), |(_, iana)| iana.to_string());
        if offered.as_ref().is_none_or(|o| o.contains(&name)) {
            if !named.contains(&name) {
                named.push(name);
            }
        } else {
            left_out.push(token);
        }
    }
    if named.is_empty() {
        return Err(g.bad(
            key,
            &format!(
                "names no cipher suite this engine offers ({})",
                offered.unwrap_or_default().join(", ")
            ),
        ));
    }
    if !left_out.is_empty() {
        tracing::warn!(key, section = g.section, left_out = ?left_out, "cipher suites or rules not offered here are left out");
    }
    Ok(named)
}
