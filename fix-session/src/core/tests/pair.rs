//! Two cores talking to each other on the virtual clock.

use super::*;

#[test]
fn pair_logon_heartbeats_and_echo() {
    let mut p = Pair::new();
    assert!(p.a.s.is_logged_on() && p.b.s.is_logged_on());
    p.advance(Duration::from_secs(300));
    assert!(
        p.a.s.is_logged_on() && p.b.s.is_logged_on(),
        "heartbeats keep it alive"
    );
    for i in 0..10 {
        p.a.s.send(&order(&format!("O{i}")), p.a.now).unwrap();
        p.a.pump();
    }
    p.run();
    let echoed = std::iter::from_fn(|| p.a.s.poll_event())
        .filter(|e| matches!(e, Event::App { msg_type, .. } if msg_type == "D"))
        .count();
    assert_eq!(echoed, 10);
}

#[test]
fn pair_gap_is_recovered_by_resend() {
    let mut p = Pair::new();
    let first = p.a.s.next_sender_seq();
    p.drop_a = vec![first, first + 1];
    for i in 0..5 {
        p.a.s.send(&order(&format!("O{i}")), p.a.now).unwrap();
        p.a.pump();
    }
    p.run();
    let got: Vec<String> = std::iter::from_fn(|| p.b.s.poll_event())
        .filter_map(|e| match e {
            Event::App { bytes, .. } => {
                Some(String::from_utf8_lossy(field_of(&bytes, 11).unwrap()).into_owned())
            }
            _ => None,
        })
        .collect();
    assert_eq!(got, vec!["O0", "O1", "O2", "O3", "O4"]);
    assert_eq!(p.b.s.next_target_seq(), p.a.s.next_sender_seq());
}

#[test]
fn pair_logout_handshake() {
    let mut p = Pair::new();
    p.a.s.logout(None, p.a.now);
    p.a.pump();
    p.run();
    assert!(p.a.closed && p.b.closed);
    assert_eq!(p.a.s.state(), State::Disconnected);
}
