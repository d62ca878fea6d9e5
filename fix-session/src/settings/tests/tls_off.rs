//! Without the `tls` feature: SocketUseSSL=Y is a settings error naming the key; the other
//! TLS keys still load.

use super::*;

#[test]
fn socket_use_ssl_is_refused_without_the_tls_feature() {
    let (key, line, reason) = bad_key(acceptor(
        "SocketUseSSL=Y\nServerCertificateFile=server.pem\nServerCertificateKeyFile=server.key",
    ));
    assert_eq!((key.as_str(), line), ("SocketUseSSL", 7));
    assert!(reason.contains("`tls` feature"), "{reason}");
}

#[test]
fn tls_keys_load_while_tls_is_off() {
    let s = acceptor(
        "SocketUseSSL=N\nSSLCipherSuite=ECDHE-RSA-AES128-GCM-SHA256\nSSLServerName=fix.example",
    )
    .expect("loads");
    assert!(s.sessions.iter().all(|s| s.tls.is_none()));
}
