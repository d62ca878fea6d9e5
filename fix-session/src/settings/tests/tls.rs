//! TLS keys in every spelling, and their errors.

use super::*;

fn tls_acceptor(extra: &str) -> String {
    format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nSenderCompID=ISLD\n{extra}\n\
         [SESSION]\nBeginString=FIX.4.4\nTargetCompID=TW\n"
    )
}

fn tls_initiator(extra: &str) -> String {
    format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nSenderCompID=TW\n{extra}\n\
         [SESSION]\nBeginString=FIX.4.4\nTargetCompID=ISLD\nSocketConnectHost=fix.example.com\n\
         SocketConnectPort=5001\n"
    )
}

#[test]
fn tls_keys() {
    let text = tls_acceptor(
        "SocketUseSSL=Y\nServerCertificateFile=pki/server.pem\nServerCertificateKeyFile=/keys/server.key\n\
         CertificationAuthoritiesFile=pki/ca.pem\nCertificateVerifyLevel=1\nSSLProtocol=all -TLSv1_2",
    );
    let s = Settings::from_str_in(&text, Path::new("/etc/fix")).unwrap();
    let tls = s.sessions[0].tls.clone().unwrap();
    assert_eq!(
        tls.server_certificate_file.as_deref(),
        Some(Path::new("/etc/fix/pki/server.pem"))
    );
    assert_eq!(
        tls.server_certificate_key_file.as_deref(),
        Some(Path::new("/keys/server.key"))
    );
    assert_eq!(
        tls.certification_authorities_file.as_deref(),
        Some(Path::new("/etc/fix/pki/ca.pem"))
    );
    assert_eq!(
        tls.certificate_verify_level,
        CertificateVerifyLevel::Require
    );
    assert_eq!(
        tls.protocols,
        TlsVersions {
            tls12: false,
            tls13: true
        }
    );
    assert_eq!(tls.server_name, None);

    let text = tls_initiator(
        "SocketUseSSL=Y\nCertificationAuthoritiesFile=ca.pem\nClientCertificateFile=me.pem\n\
         SSLServerName=fix.venue.example",
    );
    let s = Settings::from_str_in(&text, Path::new("/etc/fix")).unwrap();
    let tls = s.sessions[0].tls.clone().unwrap();
    assert_eq!(
        tls.client_certificate_file.as_deref(),
        Some(Path::new("/etc/fix/me.pem"))
    );
    assert_eq!(tls.client_certificate_key_file, None);
    assert_eq!(tls.certificate_verify_level, CertificateVerifyLevel::None);
    assert_eq!(tls.protocols, TlsVersions::default());
    assert_eq!(tls.server_name.as_deref(), Some("fix.venue.example"));

    // Without SocketUseSSL=Y the keys are checked but TLS is off.
    for switch in ["", "SocketUseSSL=N\n"] {
        let text = tls_acceptor(&format!(
            "{switch}ServerCertificateFile=x.pem\nSSLProtocol=TLSv1.3"
        ));
        let s = Settings::from_str_in(&text, Path::new(".")).unwrap();
        assert_eq!(s.sessions[0].tls, None);
    }

    // The TOML form takes the same keys, with TOML booleans and integers.
    let toml_text = "[default]\nConnectionType = \"acceptor\"\nSocketAcceptPort = 5001\nSenderCompID = \"ISLD\"\n\
        SocketUseSSL = true\nServerCertificateFile = \"server.pem\"\nCertificateVerifyLevel = 2\n\
        CertificationAuthoritiesFile = \"ca.pem\"\nSSLProtocol = \"TLSv1.2\"\n\
        [[session]]\nBeginString = \"FIX.4.4\"\nTargetCompID = \"TW\"\n";
    let s = Settings::from_toml_str(toml_text, Path::new("/srv")).unwrap();
    let tls = s.sessions[0].tls.clone().unwrap();
    assert_eq!(
        tls.certificate_verify_level,
        CertificateVerifyLevel::Optional
    );
    assert_eq!(
        tls.server_certificate_file.as_deref(),
        Some(Path::new("/srv/server.pem"))
    );
    assert_eq!(
        tls.protocols,
        TlsVersions {
            tls12: true,
            tls13: false
        }
    );
}

#[test]
fn tls_protocol_lists() {
    let v = |t12, t13| {
        Some(TlsVersions {
            tls12: t12,
            tls13: t13,
        })
    };
    for (text, want) in [
        ("TLSv1.2,TLSv1.3", v(true, true)),
        ("TLSv1.2, TLSv1.3", v(true, true)),
        ("TLSv1.3", v(false, true)),
        ("+tlsv1_2", v(true, false)),
        ("all -SSLv2 -SSLv3", v(true, true)),
        ("all -TLSv1.3", v(true, false)),
        ("SSLv3 TLSv1 TLSv1_2", v(true, false)),
        ("-TLSv1.2", None),
        ("TLSv1 TLSv1.1", None),
        ("all -all", None),
        ("", None),
        ("TLSv1.4", None),
        ("TLSv1.3 bogus", None),
    ] {
        assert_eq!(TlsVersions::parse(text), want, "{text:?}");
    }
}

#[test]
fn tls_bad_values_name_key_and_line() {
    // The extra lines start at line 5.
    for (extra, key, line) in [
        ("CertificateVerifyLevel=3", "CertificateVerifyLevel", 5),
        (
            "SocketUseSSL=Y\nServerCertificateFile=s.pem\nSSLProtocol=TLSv1.4",
            "SSLProtocol",
            7,
        ),
        ("SSLProtocol=SSLv3", "SSLProtocol", 5),
        ("SocketUseSSL=maybe", "SocketUseSSL", 5),
        ("SSLServerName=not a host name", "SSLServerName", 5),
    ] {
        let e = Settings::from_str_in(&tls_acceptor(extra), Path::new(".")).unwrap_err();
        match &e {
            SettingsError::BadValue {
                key: k, line: l, ..
            } => {
                assert_eq!((k.as_str(), *l), (key, line), "{extra}")
            }
            other => panic!("{extra}: {other:?}"),
        }
        let text = e.to_string();
        assert!(
            text.contains(key) && text.contains(&format!("line {line}")),
            "{text}"
        );
    }
    // Keys SocketUseSSL=Y cannot do without.
    for (text, key) in [
        (tls_acceptor("SocketUseSSL=Y"), "ServerCertificateFile"),
        (
            tls_acceptor("SocketUseSSL=Y\nServerCertificateFile=s.pem\nCertificateVerifyLevel=1"),
            "CertificationAuthoritiesFile",
        ),
        (tls_initiator("SocketUseSSL=Y"), "CertificationAuthoritiesFile"),
        (
            tls_initiator("SocketUseSSL=Y\nCertificationAuthoritiesFile=ca.pem\nClientCertificateKeyFile=k.pem"),
            "ClientCertificateFile",
        ),
    ] {
        match Settings::from_str_in(&text, Path::new(".")) {
            Err(SettingsError::Missing { key: k, section }) => {
                assert_eq!((k.as_str(), section.as_str()), (key, "SESSION 1"))
            }
            other => panic!("{key}: {other:?}"),
        }
    }
}

#[test]
fn tls_keys_of_quickfixj_and_quickfixgo_and_cipher_suites() {
    let s = acceptor(
        "SocketUseSSL=Y\nSocketCertificateFile=me.pem\nSocketPrivateKeyFile=me.key\nSocketCAFile=ca.pem\n\
         NeedClientAuth=Y\nSSLCipherSuite=ECDHE-ECDSA-CHACHA20-POLY1305:TLS_AES_256_GCM_SHA384:!aNULL",
    )
    .unwrap();
    let tls = s.sessions[0].tls.clone().unwrap();
    let p = |f: &str| Some(PathBuf::from("/cfg").join(f));
    assert_eq!(
        (
            tls.server_certificate_file.clone(),
            tls.server_certificate_key_file.clone(),
            tls.certification_authorities_file.clone(),
            tls.certificate_verify_level
        ),
        (
            p("me.pem"),
            p("me.key"),
            p("ca.pem"),
            CertificateVerifyLevel::Require
        )
    );
    assert_eq!(
        tls.cipher_suites,
        vec![
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_AES_256_GCM_SHA384"
        ]
    );
    for (extra, key) in [
        ("CipherSuites=TLS_RSA_WITH_RC4_128_MD5", "CipherSuites"),
        ("SocketInsecureSkipVerify=Y", "SocketInsecureSkipVerify"),
        ("SocketMinimumTLSVersion=TLS14", "SocketMinimumTLSVersion"),
        ("EnabledProtocols=SSLv3", "EnabledProtocols"),
        ("SNIHostName=bad name", "SNIHostName"),
    ] {
        assert_eq!(bad_key(acceptor(extra)).0, key, "{extra}");
    }
}
