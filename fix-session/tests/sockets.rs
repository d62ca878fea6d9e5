//! Socket settings over loopback TCP: SocketLocalHost/SocketLocalPort, SocketConnectTimeout,
//! AllowedRemoteAddresses and HostSelectionPolicy. (Linux routes all of 127.0.0.0/8 to the
//! loopback interface, so 127.0.0.2 is a second local address.)

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fix_session::app::NullApplication;
use fix_session::core::Event;
use fix_session::driver::{Acceptor, AcceptorHandle, Initiator, InitiatorHandle, SessionEvent};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::MemoryStoreFactory;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::mpsc::UnboundedReceiver;

type Events = UnboundedReceiver<SessionEvent>;

/// An acceptor EXCH <- BANK (and EXCH <- `more` TargetCompIDs, each with its own lines) on
/// 127.0.0.1:`port` (0: any free port), with `extra` lines in `[DEFAULT]`.
async fn acceptor(port: u16, extra: &str, more: &[(&str, &str)]) -> (AcceptorHandle, Events, u16) {
    let mut cfg = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort={port}\nSocketAcceptHost=127.0.0.1\n\
         SenderCompID=EXCH\nResetOnLogon=Y\n{extra}\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n"
    );
    for (target, lines) in more {
        cfg.push_str(&format!(
            "[SESSION]\nBeginString=FIX.4.4\nTargetCompID={target}\n{lines}\n"
        ));
    }
    let settings: Settings = cfg.parse().unwrap();
    let (handle, events) = Acceptor::start(
        settings,
        Arc::new(MemoryStoreFactory),
        Arc::new(NullApplication),
    )
    .await
    .unwrap();
    let port = handle.local_addr().unwrap().port();
    (handle, events, port)
}

/// An initiator `sender` -> EXCH dialling 127.0.0.1 at `ports` (SocketConnectPort,
/// SocketConnectPort1, ...), with `extra` lines.
async fn initiator(sender: &str, ports: &[u16], extra: &str) -> (InitiatorHandle, Events) {
    let mut cfg = format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=1\nSenderCompID={sender}\n\
         ResetOnLogon=Y\n{extra}\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\n"
    );
    for (i, port) in ports.iter().enumerate() {
        let n = if i == 0 { String::new() } else { i.to_string() };
        cfg.push_str(&format!(
            "SocketConnectHost{n}=127.0.0.1\nSocketConnectPort{n}={port}\n"
        ));
    }
    Initiator::start(
        cfg.parse().unwrap(),
        Arc::new(MemoryStoreFactory),
        Arc::new(NullApplication),
    )
    .await
    .unwrap()
}

fn bank_at_exch() -> SessionId {
    SessionId::new("FIX.4.4", "EXCH", "BANK")
}

/// Waits (20 s at most) for `want`, returning the events before it.
async fn wait_for(events: &mut Events, what: &str, want: impl Fn(&Event) -> bool) -> Vec<Event> {
    let mut before = Vec::new();
    let found = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if want(&ev.event) {
                return true;
            }
            before.push(ev.event);
        }
        false
    })
    .await;
    assert!(
        matches!(found, Ok(true)),
        "no {what} within 20 s; events: {before:?}"
    );
    before
}

async fn logged_on(events: &mut Events, what: &str) {
    wait_for(events, what, |e| *e == Event::LoggedOn).await;
}

/// No LoggedOn among the events received so far.
fn assert_no_logon(events: &mut Events, who: &str) {
    while let Ok(ev) = events.try_recv() {
        assert_ne!(ev.event, Event::LoggedOn, "{who} logged on");
    }
}

/// A port on `ip` that nothing listens on (bound, then released).
fn free_port(ip: &str) -> u16 {
    let l = std::net::TcpListener::bind((ip, 0)).unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initiator_connects_from_socket_local_host_and_port() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let local_port = free_port("127.0.0.2");
    let (ini, _events) = initiator(
        "BANK",
        &[port],
        &format!("SocketLocalHost=127.0.0.2\nSocketLocalPort={local_port}"),
    )
    .await;
    let (_conn, peer) = tokio::time::timeout(Duration::from_secs(20), listener.accept())
        .await
        .expect("the initiator connects")
        .unwrap();
    let want: SocketAddr = format!("127.0.0.2:{local_port}").parse().unwrap();
    assert_eq!(peer, want);
    ini.stop().await;

    // QuickFIX C++'s spelling: the host alone; the system picks the port.
    let (ini, _events) = initiator("BANK", &[port], "SocketConnectSourceHost=127.0.0.2").await;
    let (_conn, peer) = tokio::time::timeout(Duration::from_secs(20), listener.accept())
        .await
        .expect("the initiator connects")
        .unwrap();
    assert_eq!(peer.ip(), want.ip());
    ini.stop().await;
}

/// Connects to the listener on `port` (which never accepts) until its accept queue is full,
/// so that the kernel drops further SYNs. The connections that got in, to keep open.
async fn fill_accept_queue(port: u16) -> Vec<TcpStream> {
    let mut held = Vec::new();
    while held.len() < 16 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            TcpStream::connect(("127.0.0.1", port)),
        )
        .await
        {
            Ok(s) => held.push(s.unwrap()),
            Err(_) => return held,
        }
    }
    panic!("the accept queue of port {port} never filled up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_timeout_makes_a_silent_host_a_failed_attempt() {
    // The first host never answers a SYN: a listener that does not accept, its accept queue
    // full. Without SocketConnectTimeout a connect to it waits for the system's SYN retries
    // (minutes).
    let silent = TcpSocket::new_v4().unwrap();
    silent.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let silent = silent.listen(1).unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = fill_accept_queue(silent_port).await;

    let (acc, mut acc_ev, port) = acceptor(0, "", &[]).await;
    let started = Instant::now();
    let (ini, mut ini_ev) = initiator("BANK", &[silent_port, port], "SocketConnectTimeout=1").await;
    logged_on(&mut ini_ev, "initiator LoggedOn on the second host").await;
    let took = started.elapsed();
    // One timed-out attempt, ReconnectInterval, then the second host.
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(10),
        "{took:?}"
    );
    logged_on(&mut acc_ev, "acceptor LoggedOn").await;
    ini.stop().await;
    acc.stop().await;
    drop(held);
}

/// Connects from `local_ip` to 127.0.0.1:`port` and says nothing: whether the acceptor
/// closed the connection within 2 s.
async fn closed_unheard(local_ip: &str, port: u16) -> bool {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(format!("{local_ip}:0").parse().unwrap())
        .unwrap();
    let mut conn = socket
        .connect(format!("127.0.0.1:{port}").parse().unwrap())
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    match tokio::time::timeout(Duration::from_secs(2), conn.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(n)) => panic!("the acceptor sent {n} bytes before a Logon"),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acceptor_closes_peers_not_in_allowed_remote_addresses() {
    let (acc, mut acc_ev, port) = acceptor(0, "AllowedRemoteAddresses=127.0.0.2", &[]).await;
    // Closed before a byte is read (else the acceptor would wait for a Logon).
    assert!(closed_unheard("127.0.0.1", port).await);
    assert!(!closed_unheard("127.0.0.2", port).await);

    let (refused, mut refused_ev) = initiator("BANK", &[port], "").await;
    let reasons = wait_for(&mut refused_ev, "two connection attempts", {
        let seen = std::sync::atomic::AtomicUsize::new(0);
        move |e| {
            matches!(e, Event::Disconnected { .. })
                && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1
        }
    })
    .await;
    assert!(!reasons.contains(&Event::LoggedOn), "{reasons:?}");
    refused.stop().await;
    assert_no_logon(&mut acc_ev, "the acceptor");

    let (allowed, mut allowed_ev) = initiator("BANK", &[port], "SocketLocalHost=127.0.0.2").await;
    logged_on(&mut allowed_ev, "initiator from 127.0.0.2 LoggedOn").await;
    logged_on(&mut acc_ev, "acceptor LoggedOn").await;
    allowed.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_session_of_a_port_admits_its_own_peers() {
    // BANK may come from anywhere, FUND only from 127.0.0.2: a connection from 127.0.0.1
    // is read (BANK would take it) and closed once its Logon names FUND.
    let (acc, mut acc_ev, port) = acceptor(
        0,
        "",
        &[("FUND", "AllowedRemoteAddresses=127.0.0.2,localhost.invalid")],
    )
    .await;
    assert!(!closed_unheard("127.0.0.1", port).await);

    let (fund, mut fund_ev) = initiator("FUND", &[port], "").await;
    let (bank, mut bank_ev) = initiator("BANK", &[port], "").await;
    logged_on(&mut bank_ev, "BANK LoggedOn").await;
    let before = wait_for(&mut fund_ev, "FUND refused twice", {
        let seen = std::sync::atomic::AtomicUsize::new(0);
        move |e| {
            matches!(e, Event::Disconnected { .. })
                && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1
        }
    })
    .await;
    assert!(!before.contains(&Event::LoggedOn), "{before:?}");
    fund.stop().await;

    let (fund, mut fund_ev) = initiator("FUND", &[port], "SocketLocalHost=127.0.0.2").await;
    logged_on(&mut fund_ev, "FUND from 127.0.0.2 LoggedOn").await;
    // The acceptor's LoggedOn events: BANK's and the second FUND's only.
    let mut logons = Vec::new();
    while logons.len() < 2 {
        let ev = tokio::time::timeout(Duration::from_secs(20), acc_ev.recv())
            .await
            .expect("acceptor events")
            .expect("acceptor running");
        if ev.event == Event::LoggedOn {
            logons.push(ev.session.target_comp_id.clone());
        }
    }
    logons.sort();
    assert_eq!(logons, ["BANK", "FUND"]);
    fund.stop().await;
    bank.stop().await;
    acc.stop().await;
}

/// Three hosts: the primary down at first, so the initiator logs on at the second; then the
/// primary comes up and the second logs the session out. Returns which acceptor the
/// initiator logs on to next: 0 (primary) or 2 (third).
async fn reconnect_after_failover(policy: &str) -> usize {
    let primary_port = free_port("127.0.0.1");
    let (second, mut second_ev, second_port) = acceptor(0, "", &[]).await;
    let (third, mut third_ev, third_port) = acceptor(0, "", &[]).await;
    let (ini, mut ini_ev) = initiator(
        "BANK",
        &[primary_port, second_port, third_port],
        &format!("HostSelectionPolicy={policy}"),
    )
    .await;
    logged_on(&mut second_ev, "second host LoggedOn").await;
    logged_on(&mut ini_ev, "initiator LoggedOn").await;
    let (primary, mut primary_ev, _) = acceptor(primary_port, "", &[]).await;

    second
        .session(&bank_at_exch())
        .unwrap()
        .logout(Some("moving you"))
        .unwrap();
    wait_for(&mut ini_ev, "initiator Disconnected", |e| {
        matches!(e, Event::Disconnected { .. })
    })
    .await;
    logged_on(&mut ini_ev, "initiator LoggedOn again").await;
    // The acceptor reports its LoggedOn after it has written the Logon answer: wait for
    // it, then a moment longer for any other.
    let mut at = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut quiet_until = None;
    while Instant::now() < quiet_until.unwrap_or(deadline) {
        for (i, events) in [&mut primary_ev, &mut second_ev, &mut third_ev]
            .into_iter()
            .enumerate()
        {
            while let Ok(ev) = events.try_recv() {
                if ev.event == Event::LoggedOn {
                    at.push(i);
                    quiet_until.get_or_insert(Instant::now() + Duration::from_millis(300));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(at.len(), 1, "logged on again at exactly one host: {at:?}");
    ini.stop().await;
    for acc in [primary, second, third] {
        acc.stop().await;
    }
    at[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priority_returns_to_the_primary_host() {
    assert_eq!(reconnect_after_failover("PRIORITY").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_moves_on_to_the_next_host() {
    assert_eq!(reconnect_after_failover("ROUND_ROBIN").await, 2);
}

/// The UTC time of day `offset_secs` from now, as LogonTime/LogoutTime take it.
fn time_of_day_from_now(offset_secs: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = (now + offset_secs) % 86_400;
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initiator_dials_only_in_its_logon_window() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // LogonTime six hours from now: the session period has begun (24 hours), the logon
    // window has not.
    let later = format!(
        "LogonTime={}\nLogoutTime={}",
        time_of_day_from_now(6 * 3600),
        time_of_day_from_now(7 * 3600)
    );
    let (ini, _events) = initiator("BANK", &[port], &later).await;
    // ReconnectInterval=1: three chances to dial.
    let accepted = tokio::time::timeout(Duration::from_secs(3), listener.accept()).await;
    assert!(accepted.is_err(), "connected outside the logon window");
    ini.stop().await;

    let now = format!(
        "LogonTime={}\nLogoutTime={}",
        time_of_day_from_now(86_400 - 3600),
        time_of_day_from_now(3600)
    );
    let (ini, _events) = initiator("BANK", &[port], &now).await;
    tokio::time::timeout(Duration::from_secs(20), listener.accept())
        .await
        .expect("connects inside the logon window")
        .unwrap();
    ini.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_does_not_wait_for_a_hanging_connect() {
    // A host that never answers and no SocketConnectTimeout: the connect would wait for
    // the system's SYN retries (minutes); stopping the initiator does not.
    let silent = TcpSocket::new_v4().unwrap();
    silent.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let silent = silent.listen(1).unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = fill_accept_queue(silent_port).await;
    let (ini, _events) = initiator("BANK", &[silent_port], "").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), ini.stop())
        .await
        .expect("stopped while connecting");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(held);
}

/// The kernel's timer code (`tr` in /proc/net/tcp) of the IPv4 TCP socket whose local port
/// is `local` and remote port `remote`: 2 while a keep-alive timer runs on an idle
/// connection, 0 when no timer does.
#[cfg(target_os = "linux")]
fn tcp_timer(local: u16, remote: u16) -> Option<u8> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let (local, remote) = (format!(":{local:04X}"), format!(":{remote:04X}"));
    table.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        (cols.get(1)?.ends_with(&local) && cols.get(2)?.ends_with(&remote))
            .then(|| cols.get(5)?.split(':').next()?.parse().ok())
            .flatten()
    })
}

/// Logs on with SocketKeepAlive `acceptor_ka` on the acceptor and `initiator_ka` on the
/// initiator, and checks that each side's socket runs the keep-alive timer exactly when its
/// session asks for it.
#[cfg(target_os = "linux")]
async fn keep_alive_case(acceptor_ka: bool, initiator_ka: bool) {
    let yn = |b: bool| if b { "Y" } else { "N" };
    let timer = |b: bool| Some(if b { 2 } else { 0 });
    let (acc, mut acc_ev, port) =
        acceptor(0, &format!("SocketKeepAlive={}", yn(acceptor_ka)), &[]).await;
    // The initiator from a known port, to find both ends in the table.
    let local_port = free_port("127.0.0.1");
    let (ini, mut ini_ev) = initiator(
        "BANK",
        &[port],
        &format!(
            "SocketKeepAlive={}\nSocketLocalPort={local_port}",
            yn(initiator_ka)
        ),
    )
    .await;
    logged_on(&mut ini_ev, "initiator LoggedOn").await;
    logged_on(&mut acc_ev, "acceptor LoggedOn").await;
    // Once the Logons are acknowledged no other timer runs on the idle connection.
    let want = (timer(acceptor_ka), timer(initiator_ka));
    let deadline = Instant::now() + Duration::from_secs(5);
    let timers = loop {
        let timers = (tcp_timer(port, local_port), tcp_timer(local_port, port));
        if timers == want || Instant::now() > deadline {
            break timers;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(timers, want, "(acceptor, initiator) timers");
    ini.stop().await;
    acc.stop().await;
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_on_the_acceptors_socket() {
    keep_alive_case(true, false).await;
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_on_the_initiators_socket() {
    keep_alive_case(false, true).await;
}
