//! Our engine against QuickFIX C++ 1.15.1, both ways round, for FIX.4.2, FIX.4.4 and
//! FIXT.1.1/FIX.5.0SP2, through a relay that can lose traffic and cut the connection:
//!
//! 1. logon;
//! 2. 1,000 NewOrderSingles, each answered by an ExecutionReport with repeating groups
//!    (checked field by field on the receiving side, by QuickFIX's group API when QuickFIX
//!    receives them);
//! 3. TestRequest -> Heartbeat with the TestReqID, each way;
//! 4. SequenceReset: QuickFIX skips sequence numbers (our ResendRequest is answered with a
//!    SequenceReset-GapFill), QuickFIX sends a SequenceReset-Reset, we send one;
//! 5. mid-stream loss: the relay swallows traffic while both sides send, then cuts the
//!    connection; after the reconnect both sides recover through ResendRequest, resend
//!    (PossDupFlag) and gap fill; every message reaches each application exactly once;
//! 6. logout handshake;
//! 7. both engines' file logs: no Reject, no BusinessMessageReject, no sequence or
//!    validation error. Both sides validate against the dictionaries.

mod failures;
mod flow;
mod harness;
mod session_options;
mod validation;

use fix_interop::{Role, Version};

use failures::{logon_refused, peer_killed, sequence_errors};
use flow::{scenario, scenario_with};
use harness::Tweaks;
use session_options::{big_messages, heartbeat_scenario, nanosecond_timestamps, reset_on_logon};
use validation::{our_rejects, validation_control};

/// One `#[tokio::test]` per line: `name => scenario call;`, attributes (such as `#[ignore]`)
/// before the name.
macro_rules! interop_tests {
    ($($(#[$attr:meta])* $name:ident => $run:expr;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$attr])*
            async fn $name() {
                $run.await;
            }
        )*
    };
}

/// The whole scenario with our ResendRequests in chunks of 25 (QuickFIX C++ has no such
/// setting and ignores the key): every gap is recovered chunk by chunk.
fn chunked() -> Tweaks {
    Tweaks {
        heart_bt_int: 30,
        extra: "ResendRequestChunkSize=25\n".into(),
        ..Tweaks::default()
    }
}

interop_tests! {
    fix42_our_engine_rejects_invalid_messages => our_rejects(Version::Fix42);
    fix44_our_engine_rejects_invalid_messages => our_rejects(Version::Fix44);
    fix50sp2_our_engine_rejects_invalid_messages => our_rejects(Version::Fix50Sp2);
    fix42_quickfix_rejects_invalid_messages => validation_control(Version::Fix42);
    fix44_quickfix_rejects_invalid_messages => validation_control(Version::Fix44);
    fix50sp2_quickfix_rejects_invalid_messages => validation_control(Version::Fix50Sp2);
    fix42_our_initiator_quickfix_acceptor => scenario(Version::Fix42, Role::Initiator);
    fix42_quickfix_initiator_our_acceptor => scenario(Version::Fix42, Role::Acceptor);
    fix44_our_initiator_quickfix_acceptor => scenario(Version::Fix44, Role::Initiator);
    fix44_quickfix_initiator_our_acceptor => scenario(Version::Fix44, Role::Acceptor);
    fix50sp2_our_initiator_quickfix_acceptor => scenario(Version::Fix50Sp2, Role::Initiator);
    fix50sp2_quickfix_initiator_our_acceptor => scenario(Version::Fix50Sp2, Role::Acceptor);
    fix44_nanosecond_timestamps_our_initiator => nanosecond_timestamps(Version::Fix44, Role::Initiator);
    fix50sp2_nanosecond_timestamps_our_acceptor => nanosecond_timestamps(Version::Fix50Sp2, Role::Acceptor);
    fix44_reset_on_logon_our_initiator => reset_on_logon(Version::Fix44, Role::Initiator);
    fix44_reset_on_logon_our_acceptor => reset_on_logon(Version::Fix44, Role::Acceptor);
    fix42_reset_on_logon_our_acceptor => reset_on_logon(Version::Fix42, Role::Acceptor);
    fix50sp2_reset_on_logon_our_initiator => reset_on_logon(Version::Fix50Sp2, Role::Initiator);
    fix44_chunked_resend_our_initiator => scenario_with(Version::Fix44, Role::Initiator, " chunked", chunked());
    fix44_chunked_resend_our_acceptor => scenario_with(Version::Fix44, Role::Acceptor, " chunked", chunked());
    fix42_big_messages_our_acceptor => big_messages(Version::Fix42, Role::Acceptor);
    fix44_big_messages_our_initiator => big_messages(Version::Fix44, Role::Initiator);
    fix50sp2_big_messages_our_acceptor => big_messages(Version::Fix50Sp2, Role::Acceptor);
    fix42_quickfix_killed_and_restarted => peer_killed(Version::Fix42);
    fix44_quickfix_killed_and_restarted => peer_killed(Version::Fix44);
    fix50sp2_quickfix_killed_and_restarted => peer_killed(Version::Fix50Sp2);
    fix44_logon_refused_by_quickfix => logon_refused(Version::Fix44, Role::Initiator);
    fix50sp2_logon_refused_by_us => logon_refused(Version::Fix50Sp2, Role::Acceptor);
    fix42_logon_refused_by_us => logon_refused(Version::Fix42, Role::Acceptor);
    fix42_sequence_errors => sequence_errors(Version::Fix42);
    fix44_sequence_errors => sequence_errors(Version::Fix44);
    fix50sp2_sequence_errors => sequence_errors(Version::Fix50Sp2);
    fix42_heartbeats_our_initiator => heartbeat_scenario(Version::Fix42, Role::Initiator);
    fix42_heartbeats_our_acceptor => heartbeat_scenario(Version::Fix42, Role::Acceptor);
    fix44_heartbeats_our_initiator => heartbeat_scenario(Version::Fix44, Role::Initiator);
    fix44_heartbeats_our_acceptor => heartbeat_scenario(Version::Fix44, Role::Acceptor);
    fix50sp2_heartbeats_our_initiator => heartbeat_scenario(Version::Fix50Sp2, Role::Initiator);
    fix50sp2_heartbeats_our_acceptor => heartbeat_scenario(Version::Fix50Sp2, Role::Acceptor);
}
