//! Acceptor and initiator over TLS (SocketUseSSL=Y), with certificates generated here by
//! rcgen: a CA signs the acceptor's certificate (127.0.0.1 and localhost) and a client
//! certificate; a second, untrusted CA signs a rogue client certificate.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use fix_example_app::raw::{order, Acknowledger as Exchange};
use fix_session::app::NullApplication as Client;
use fix_session::core::Event;
use fix_session::driver::{
    Acceptor, AcceptorHandle, DriverError, Initiator, InitiatorHandle, SessionEvent,
};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::MemoryStoreFactory;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams,
    SerialNumber,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc::UnboundedReceiver;

type Events = UnboundedReceiver<SessionEvent>;

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
}

/// A certificate signed by `ca`: (certificate PEM, private key PEM).
fn leaf(
    ca: &CertifiedIssuer<'static, KeyPair>,
    name: &str,
    sans: &[&str],
    usage: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let mut p =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.extended_key_usages = vec![usage];
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, &**ca).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// Writes the test PKI into `dir`: `ca.pem`, `server.pem`/`server.key`,
/// `client.pem`/`client.key`, `client-combined.pem` (certificate and key in one file),
/// `other-ca.pem`, and signed by the other CA `rogue.pem`/`rogue.key` (a client) and
/// `impostor.pem`/`impostor.key` (a server for 127.0.0.1).
fn write_pki(dir: &Path) {
    let ca1 = ca("fix-rs test CA");
    let ca2 = ca("untrusted test CA");
    let (server, server_key) = leaf(
        &ca1,
        "EXCH",
        &["127.0.0.1", "localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (client, client_key) = leaf(&ca1, "BANK", &[], ExtendedKeyUsagePurpose::ClientAuth);
    let (rogue, rogue_key) = leaf(&ca2, "BANK", &[], ExtendedKeyUsagePurpose::ClientAuth);
    let (impostor, impostor_key) = leaf(
        &ca2,
        "EXCH",
        &["127.0.0.1", "localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let files = [
        ("ca.pem", ca1.pem()),
        ("other-ca.pem", ca2.pem()),
        ("server.pem", server),
        ("server.key", server_key),
        ("client-combined.pem", format!("{client}{client_key}")),
        ("client.pem", client),
        ("client.key", client_key),
        ("rogue.pem", rogue),
        ("rogue.key", rogue_key),
        ("impostor.pem", impostor),
        ("impostor.key", impostor_key),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// An acceptor EXCH <- BANK (FIX.4.4) on a free port, TLS with `extra` settings lines. Paths
/// are relative to `dir` (the settings' base folder).
async fn acceptor(dir: &Path, extra: &str) -> (AcceptorHandle, Events, u16) {
    let cfg = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
         SenderCompID=EXCH\nResetOnLogon=Y\nSocketUseSSL=Y\nServerCertificateFile=server.pem\n\
         ServerCertificateKeyFile=server.key\n{extra}\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n"
    );
    let settings = Settings::from_str_in(&cfg, dir).unwrap();
    let (handle, events) =
        Acceptor::start(settings, Arc::new(MemoryStoreFactory), Arc::new(Exchange))
            .await
            .unwrap();
    let port = handle.local_addr().unwrap().port();
    (handle, events, port)
}

/// An initiator BANK -> EXCH dialling 127.0.0.1:`port` over TLS with `extra` settings lines.
async fn initiator(dir: &Path, port: u16, extra: &str) -> (InitiatorHandle, Events) {
    let cfg = format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=1\nSenderCompID=BANK\n\
         ResetOnLogon=Y\nSocketUseSSL=Y\n{extra}\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\n\
         SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n"
    );
    let settings = Settings::from_str_in(&cfg, dir).unwrap();
    Initiator::start(settings, Arc::new(MemoryStoreFactory), Arc::new(Client))
        .await
        .unwrap()
}

fn bank() -> SessionId {
    SessionId::new("FIX.4.4", "BANK", "EXCH")
}

/// Waits (20 s at most) for an event `want` accepts, returning it and the events before it.
async fn wait_for(
    events: &mut Events,
    what: &str,
    want: impl Fn(&Event) -> bool,
) -> (Event, Vec<Event>) {
    let mut before = Vec::new();
    let found = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if want(&ev.event) {
                return Some(ev.event);
            }
            before.push(ev.event);
        }
        None
    })
    .await;
    match found {
        Ok(Some(ev)) => (ev, before),
        _ => panic!("no {what} within 20 s; events: {before:?}"),
    }
}

fn tls_failure(ev: &Event) -> bool {
    matches!(ev, Event::Disconnected { reason } if reason.starts_with("TLS handshake"))
}

/// Waits for `n` Disconnected events and asserts that nothing logged on meanwhile.
async fn refused(events: &mut Events, n: usize) -> Vec<String> {
    let mut reasons = Vec::new();
    for _ in 0..n {
        let (ev, before) = wait_for(events, "Disconnected", |e| {
            matches!(e, Event::Disconnected { .. })
        })
        .await;
        assert!(
            !before.contains(&Event::LoggedOn),
            "logged on although refused: {before:?}"
        );
        if let Event::Disconnected { reason } = ev {
            reasons.push(reason);
        }
    }
    reasons
}

/// No LoggedOn among the events received so far.
fn assert_no_logon(events: &mut Events) {
    while let Ok(ev) = events.try_recv() {
        assert_ne!(
            ev.event,
            Event::LoggedOn,
            "acceptor logged a refused client on"
        );
    }
}

/// Logon, one order answered by an ExecutionReport, logout: all over TLS. Returns how long
/// the logon took from the call.
async fn round_trip(
    ini: &InitiatorHandle,
    ini_ev: &mut Events,
    acc_ev: &mut Events,
    cl: &str,
) -> Duration {
    let start = std::time::Instant::now();
    wait_for(ini_ev, "initiator LoggedOn", |e| *e == Event::LoggedOn).await;
    let logon = start.elapsed();
    wait_for(acc_ev, "acceptor LoggedOn", |e| *e == Event::LoggedOn).await;
    let session = ini.session(&bank()).unwrap();
    let seq = session.send(order(cl)).await.unwrap();
    assert_eq!(seq, 2, "the order follows the Logon");
    let tag11 = format!("\x0111={cl}\x01");
    let (er, _) = wait_for(
        ini_ev,
        "ExecutionReport",
        |e| matches!(e, Event::App { msg_type, .. } if msg_type == "8"),
    )
    .await;
    let Event::App { bytes, .. } = er else {
        unreachable!()
    };
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains(&tag11), "ExecutionReport for {cl}: {text}");
    assert!(text.contains("\x0139=0\x01"));
    session.logout(Some("done")).unwrap();
    wait_for(ini_ev, "initiator LoggedOut", |e| *e == Event::LoggedOut).await;
    wait_for(acc_ev, "acceptor LoggedOut", |e| *e == Event::LoggedOut).await;
    logon
}

/// A Logon in clear text, as a plain-TCP counterparty would send it.
fn plain_logon() -> Vec<u8> {
    let body = "35=A\x0134=1\x0149=BANK\x0152=20240101-00:00:00.000\x0156=EXCH\x0198=0\x01108=30\x01141=Y\x01";
    let mut msg = format!("8=FIX.4.4\x019={}\x01{body}", body.len()).into_bytes();
    let sum = msg.iter().map(|&b| u32::from(b)).sum::<u32>() % 256;
    msg.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    msg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_logon_order_logout_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let (acc, mut acc_ev, port) = acceptor(dir.path(), "").await;
    // A plain-TCP counterparty gets no session: its Logon is not a TLS ClientHello.
    let mut plain = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    plain.write_all(&plain_logon()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 256];
        // Until the acceptor closes (end of stream or reset).
        while let Ok(n @ 1..) = plain.read(&mut buf).await {
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("the acceptor closes a plain connection");
    assert!(
        !String::from_utf8_lossy(&answer).contains("35=A"),
        "no FIX Logon answer in clear"
    );
    assert!(!acc.session(&bank().flip()).unwrap().is_connected());
    assert_no_logon(&mut acc_ev);

    // A connection that never starts its handshake holds up nobody (it stays open until the
    // end of the test).
    let _silent = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let (ini, mut ini_ev) =
        initiator(dir.path(), port, "CertificationAuthoritiesFile=ca.pem").await;
    let logon = round_trip(&ini, &mut ini_ev, &mut acc_ev, "TLS-1").await;
    // Had the silent connection's handshake held the accept loop, the logon would have
    // waited for its 10 s handshake timeout.
    assert!(logon < Duration::from_secs(8), "logon took {logon:?}");
    ini.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_queued_orders_over_tls() {
    // Batched writes of many messages and reads of many TLS records per wake-up.
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let (acc, _acc_ev, port) = acceptor(dir.path(), "").await;
    let (ini, mut ev) = initiator(dir.path(), port, "CertificationAuthoritiesFile=ca.pem").await;
    wait_for(&mut ev, "LoggedOn", |e| *e == Event::LoggedOn).await;
    let session = ini.session(&bank()).unwrap().clone();
    let n = 1000;
    session
        .enqueue_all((0..n).map(|i| order(&format!("BULK-{i}"))))
        .await
        .unwrap();
    assert_eq!(session.flush().await.unwrap(), n as u64 + 2);
    assert_eq!(session.refused(), 0);
    let mut next = 0;
    while next < n {
        let (er, _) = wait_for(
            &mut ev,
            "ExecutionReport",
            |e| matches!(e, Event::App { msg_type, .. } if msg_type == "8"),
        )
        .await;
        let Event::App { bytes, .. } = er else {
            unreachable!()
        };
        let want = format!("\x0111=BULK-{next}\x01");
        assert!(
            String::from_utf8_lossy(&bytes).contains(&want),
            "reports in order: expected {want:?}"
        );
        next += 1;
    }
    ini.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_ca_fails_cleanly_and_acceptor_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let (acc, mut acc_ev, port) = acceptor(dir.path(), "").await;

    let (bad, mut bad_ev) = initiator(
        dir.path(),
        port,
        "CertificationAuthoritiesFile=other-ca.pem",
    )
    .await;
    // Two attempts: the failure goes through the reconnect path, each one reported.
    let reasons = refused(&mut bad_ev, 2).await;
    for r in &reasons {
        assert!(r.starts_with("TLS handshake with 127.0.0.1:"), "{r}");
        assert!(
            r.contains("certificate") || r.contains("Certificate"),
            "names the certificate problem: {r}"
        );
    }
    assert!(!bad.session(&bank()).unwrap().is_connected());
    bad.stop().await;
    assert_no_logon(&mut acc_ev);

    let (good, mut good_ev) =
        initiator(dir.path(), port, "CertificationAuthoritiesFile=ca.pem").await;
    round_trip(&good, &mut good_ev, &mut acc_ev, "TLS-2").await;
    good.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_for_another_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let (acc, mut acc_ev, port) = acceptor(dir.path(), "").await;
    // The certificate is valid for 127.0.0.1 and localhost, not for the name asked for.
    let (ini, mut ev) = initiator(
        dir.path(),
        port,
        "CertificationAuthoritiesFile=ca.pem\nSSLServerName=fix.venue.example",
    )
    .await;
    for r in refused(&mut ev, 2).await {
        assert!(r.starts_with("TLS handshake with 127.0.0.1:"), "{r}");
        assert!(
            r.contains("not valid for name \"fix.venue.example\""),
            "names the mismatch: {r}"
        );
    }
    ini.stop().await;
    assert_no_logon(&mut acc_ev);
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_acceptor_fails_over_to_the_next_host() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    // The first host presents a certificate from the untrusted CA.
    let (impostor, mut imp_ev, bad_port) = acceptor(
        dir.path(),
        "ServerCertificateFile=impostor.pem\nServerCertificateKeyFile=impostor.key",
    )
    .await;
    let (acc, mut acc_ev, good_port) = acceptor(dir.path(), "").await;
    let failover = format!(
        "CertificationAuthoritiesFile=ca.pem\nSocketConnectHost1=127.0.0.1\nSocketConnectPort1={good_port}"
    );
    let (ini, mut ini_ev) = initiator(dir.path(), bad_port, &failover).await;
    let (_, before) = wait_for(&mut ini_ev, "LoggedOn", |e| *e == Event::LoggedOn).await;
    let refused_first = format!("TLS handshake with 127.0.0.1:{bad_port} failed");
    assert!(
        before.iter().any(
            |e| matches!(e, Event::Disconnected { reason } if reason.starts_with(&refused_first))
        ),
        "the untrusted host was tried first: {before:?}"
    );
    wait_for(&mut acc_ev, "acceptor LoggedOn", |e| *e == Event::LoggedOn).await;
    assert_no_logon(&mut imp_ev);
    ini.stop().await;
    acc.stop().await;
    impostor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_requires_a_trusted_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let (acc, mut acc_ev, port) = acceptor(
        dir.path(),
        "CertificateVerifyLevel=1\nCertificationAuthoritiesFile=ca.pem",
    )
    .await;
    // The server name checked is SSLServerName, not the dialled IP address.
    let trust = "CertificationAuthoritiesFile=ca.pem\nSSLServerName=localhost";

    let (no_cert, mut ev) = initiator(dir.path(), port, trust).await;
    refused(&mut ev, 2).await;
    no_cert.stop().await;
    let rogue_cfg =
        format!("{trust}\nClientCertificateFile=rogue.pem\nClientCertificateKeyFile=rogue.key");
    let (rogue, mut ev) = initiator(dir.path(), port, &rogue_cfg).await;
    refused(&mut ev, 2).await;
    rogue.stop().await;
    assert_no_logon(&mut acc_ev);

    // Certificate and key in one file (no ClientCertificateKeyFile), as QuickFIX allows.
    let good_cfg = format!("{trust}\nClientCertificateFile=client-combined.pem");
    let (good, mut good_ev) = initiator(dir.path(), port, &good_cfg).await;
    round_trip(&good, &mut good_ev, &mut acc_ev, "MTLS-1").await;
    good.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optional_client_certificate_is_verified_when_sent() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let (acc, mut acc_ev, port) = acceptor(
        dir.path(),
        "CertificateVerifyLevel=2\nCertificationAuthoritiesFile=ca.pem",
    )
    .await;
    let rogue_cfg = "CertificationAuthoritiesFile=ca.pem\nClientCertificateFile=rogue.pem\n\
                     ClientCertificateKeyFile=rogue.key";
    let (rogue, mut ev) = initiator(dir.path(), port, rogue_cfg).await;
    refused(&mut ev, 2).await;
    rogue.stop().await;
    assert_no_logon(&mut acc_ev);

    let (anon, mut anon_ev) =
        initiator(dir.path(), port, "CertificationAuthoritiesFile=ca.pem").await;
    round_trip(&anon, &mut anon_ev, &mut acc_ev, "OPT-1").await;
    anon.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_version_mismatch_fails_cleanly_and_tls12_works() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let (acc13, mut acc13_ev, port13) = acceptor(dir.path(), "SSLProtocol=TLSv1.3").await;
    let (old, mut old_ev) = initiator(
        dir.path(),
        port13,
        "CertificationAuthoritiesFile=ca.pem\nSSLProtocol=TLSv1_2",
    )
    .await;
    let reasons = refused(&mut old_ev, 2).await;
    for r in &reasons {
        assert!(
            tls_failure(&Event::Disconnected { reason: r.clone() }),
            "{r}"
        );
        assert!(
            r.to_lowercase().contains("version"),
            "names the version: {r}"
        );
    }
    old.stop().await;
    assert_no_logon(&mut acc13_ev);
    acc13.stop().await;

    // A TLS 1.2-only acceptor and a client allowing both: a whole session over TLS 1.2.
    let (acc12, mut acc12_ev, port12) = acceptor(dir.path(), "SSLProtocol=all -TLSv1.3").await;
    let (ini, mut ini_ev) = initiator(
        dir.path(),
        port12,
        "CertificationAuthoritiesFile=ca.pem\nSSLProtocol=TLSv1.2,TLSv1.3",
    )
    .await;
    round_trip(&ini, &mut ini_ev, &mut acc12_ev, "TLS12-1").await;
    ini.stop().await;
    acc12.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_or_wrong_files_are_start_errors_naming_key_and_file() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let start_acceptor = |extra: &str| {
        let cfg = format!(
            "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
             SenderCompID=EXCH\nSocketUseSSL=Y\n{extra}\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n"
        );
        let settings = Settings::from_str_in(&cfg, dir.path()).unwrap();
        Acceptor::start(settings, Arc::new(MemoryStoreFactory), Arc::new(Exchange))
    };
    let e = err(start_acceptor("ServerCertificateFile=nowhere.pem").await);
    assert!(
        e.contains("ServerCertificateFile") && e.contains("nowhere.pem"),
        "{e}"
    );
    // A certificate file given as the key file: no private key in it.
    let e = err(start_acceptor(
        "ServerCertificateFile=server.pem\nServerCertificateKeyFile=ca.pem",
    )
    .await);
    assert!(
        e.contains("ServerCertificateKeyFile") && e.contains("ca.pem") && e.contains("PRIVATE KEY"),
        "{e}"
    );
    // Without ServerCertificateKeyFile the key is looked for in the certificate file.
    let e = err(start_acceptor("ServerCertificateFile=server.pem").await);
    assert!(
        e.contains("ServerCertificateFile") && e.contains("server.pem"),
        "{e}"
    );
    // A key that is not the certificate's.
    let e = err(start_acceptor(
        "ServerCertificateFile=server.pem\nServerCertificateKeyFile=client.key",
    )
    .await);
    assert!(
        e.contains("TLS configuration") && e.contains("server.pem") && e.contains("client.key"),
        "{e}"
    );
    // A CA file without certificates.
    let e = err(start_acceptor(
        "ServerCertificateFile=server.pem\nServerCertificateKeyFile=server.key\n\
         CertificateVerifyLevel=1\nCertificationAuthoritiesFile=server.key",
    )
    .await);
    assert!(
        e.contains("CertificationAuthoritiesFile") && e.contains("server.key"),
        "{e}"
    );

    // Sessions sharing a port share its TLS settings.
    let cfg = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
               SenderCompID=EXCH\nSocketUseSSL=Y\nServerCertificateFile=server.pem\n\
               ServerCertificateKeyFile=server.key\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n\
               [SESSION]\nBeginString=FIX.4.2\nTargetCompID=BANK\nSocketUseSSL=N\n";
    let settings = Settings::from_str_in(cfg, dir.path()).unwrap();
    let e = err(Acceptor::start(settings, Arc::new(MemoryStoreFactory), Arc::new(Exchange)).await);
    assert!(e.contains("share port 0"), "{e}");

    let cfg =
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nSenderCompID=BANK\nSocketUseSSL=Y\n\
               CertificationAuthoritiesFile=missing-ca.pem\n[SESSION]\nBeginString=FIX.4.4\n\
               TargetCompID=EXCH\nSocketConnectHost=127.0.0.1\nSocketConnectPort=1\n";
    let settings = Settings::from_str_in(cfg, dir.path()).unwrap();
    let e = err(Initiator::start(settings, Arc::new(MemoryStoreFactory), Arc::new(Client)).await);
    assert!(
        e.contains("CertificationAuthoritiesFile") && e.contains("missing-ca.pem"),
        "{e}"
    );
}

/// The error of a start that must fail, as text.
fn err<T>(r: Result<T, DriverError>) -> String {
    match r {
        Ok(_) => panic!("started"),
        Err(e) => {
            assert!(matches!(e, DriverError::Tls(_)), "{e:?}");
            e.to_string()
        }
    }
}

trait Flip {
    fn flip(&self) -> SessionId;
}

impl Flip for SessionId {
    /// The same session seen from the other side.
    fn flip(&self) -> SessionId {
        SessionId::new(
            &self.begin_string,
            &self.target_comp_id,
            &self.sender_comp_id,
        )
    }
}

/// Writes `crl.pem` into `dir`: `ca` revokes the certificate with serial number `serial`.
fn write_crl(dir: &Path, ca: &CertifiedIssuer<'static, KeyPair>, serial: u64) {
    let crl = CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2024, 1, 1),
        next_update: rcgen::date_time_ymd(2099, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(serial),
            revocation_time: rcgen::date_time_ymd(2024, 1, 1),
            reason_code: None,
            invalidity_date: None,
        }],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&**ca)
    .unwrap();
    std::fs::write(dir.join("crl.pem"), crl.pem().unwrap()).unwrap();
}

/// A client certificate with serial number `serial`, signed by `ca`, written as
/// `name.pem`/`name.key`.
fn write_client(dir: &Path, ca: &CertifiedIssuer<'static, KeyPair>, name: &str, serial: u64) {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, "BANK");
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.serial_number = Some(SerialNumber::from(serial));
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, &**ca).unwrap();
    std::fs::write(dir.join(format!("{name}.pem")), cert.pem()).unwrap();
    std::fs::write(dir.join(format!("{name}.key")), key.serialize_pem()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_client_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca1 = ca("fix-rs CRL test CA");
    let (server, server_key) = leaf(
        &ca1,
        "EXCH",
        &["127.0.0.1", "localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    std::fs::write(dir.path().join("ca.pem"), ca1.pem()).unwrap();
    std::fs::write(dir.path().join("server.pem"), server).unwrap();
    std::fs::write(dir.path().join("server.key"), server_key).unwrap();
    write_client(dir.path(), &ca1, "revoked", 7001);
    write_client(dir.path(), &ca1, "valid", 7002);
    write_crl(dir.path(), &ca1, 7001);
    // QuickFIX C++'s keys for mutual TLS with a revocation list.
    let (acc, mut acc_ev, port) = acceptor(
        dir.path(),
        "CertificateVerifyLevel=1\nCertificationAuthoritiesFile=ca.pem\n\
         CertificateRevocationListFile=crl.pem",
    )
    .await;
    let client = |name: &str| {
        format!(
            "CertificationAuthoritiesFile=ca.pem\nClientCertificateFile={name}.pem\n\
             ClientCertificateKeyFile={name}.key"
        )
    };
    let (revoked, mut ev) = initiator(dir.path(), port, &client("revoked")).await;
    refused(&mut ev, 2).await;
    revoked.stop().await;
    assert_no_logon(&mut acc_ev);
    let (valid, mut valid_ev) = initiator(dir.path(), port, &client("valid")).await;
    round_trip(&valid, &mut valid_ev, &mut acc_ev, "CRL-1").await;
    valid.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cipher_suites_limit_what_is_negotiated() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    // The test certificates have ECDSA keys. QuickFIX/J's IANA names on the acceptor,
    // OpenSSL's on the initiator.
    let (acc, mut acc_ev, port) = acceptor(
        dir.path(),
        "SSLProtocol=TLSv1.2\nCipherSuites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    )
    .await;
    let (other, mut other_ev) = initiator(
        dir.path(),
        port,
        "CertificationAuthoritiesFile=ca.pem\nSSLProtocol=TLSv1.2\n\
         SSLCipherSuite=ECDHE-ECDSA-AES256-GCM-SHA384",
    )
    .await;
    refused(&mut other_ev, 2).await;
    other.stop().await;
    assert_no_logon(&mut acc_ev);
    let (same, mut same_ev) = initiator(
        dir.path(),
        port,
        "CertificationAuthoritiesFile=ca.pem\nSSLCipherSuite=ECDHE-ECDSA-AES128-GCM-SHA256:HIGH:!aNULL",
    )
    .await;
    round_trip(&same, &mut same_ev, &mut acc_ev, "SUITE-1").await;
    same.stop().await;
    acc.stop().await;
}
