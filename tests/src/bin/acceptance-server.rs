//! The acceptor under test for the QuickFIX acceptance suite (`tests/acceptance/`).
//!
//! ```text
//! cargo run --release --bin acceptance-server -- --config tests/acceptance/at-all.cfg
//! ```
//!
//! Serves every acceptor `[SESSION]` of a QuickFIX-style settings file with
//! [`fix_session::Acceptor`] and the echo application of the suite's README:
//!
//! - NewOrderSingle (35=D) is sent back to its sender, unless it has PossResend(97)=Y and the
//!   session already saw its ClOrdID(11) since the last logout: then it is dropped (a
//!   PossResend(97) flag is echoed with the order);
//! - SecurityDefinition (35=d, FIX.4.2 and later) and Email (35=C) are sent back the same way;
//! - any other application message gets BusinessMessageReject 380=3 (FIX.4.2 and later) or a
//!   Reject (FIX.4.0/4.1), which the session builds from [`AppReject::UnsupportedMessageType`].
//!
//! Relative paths in the settings (DataDictionary, FileStorePath, ...) resolve against the
//! folder the server is started in, as QuickFIX does. Once listening, the server prints
//! `acceptance-server: listening on ADDR` on stdout; session events go to stderr. It runs
//! until killed or interrupted (Ctrl-C), then logs the sessions out.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;
use fix_core::dict::Layout;
use fix_core::MessageView;
use fix_session::store::FileStoreFactory;
use fix_session::{
    Acceptor, AppReject, Application, Event, RawBody, Responder, SessionId, Settings,
};
use fix_tests::acceptance::field_order::quickfix_body_order;

/// Command line.
#[derive(Debug, Parser)]
#[command(about = "Acceptor with the echo application of the QuickFIX acceptance suite")]
struct Args {
    /// QuickFIX-style settings file; every acceptor `[SESSION]` in it is served.
    #[arg(long)]
    config: PathBuf,
}

/// The echo application of the acceptance suite.
#[derive(Debug, Default)]
struct EchoApp {
    /// ClOrdIDs of the NewOrderSingles each session received since its last logout.
    seen: Mutex<HashMap<SessionId, HashSet<Vec<u8>>>>,
}

impl EchoApp {
    fn forget(&self, id: &SessionId) {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// Records the ClOrdID; false when a PossResend order's ClOrdID was already seen.
    fn should_echo_order(&self, id: &SessionId, cl_ord_id: &[u8], poss_resend: bool) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let first_time = seen
            .entry(id.clone())
            .or_default()
            .insert(cl_ord_id.to_vec());
        first_time || !poss_resend
    }
}

/// Whether the version has SecurityDefinition (35=d): FIX.4.2 and later, FIXT.1.1.
fn has_security_definition(begin_string: &str) -> bool {
    !matches!(begin_string, "FIX.4.0" | "FIX.4.1")
}

/// The message to send back: the received body in QuickFIX's order (by tag, group entries in
/// definition order, as QuickFIX writes a copied message), with PossResend(97) kept as
/// QuickFIX's echo keeps it. The session fills 49/56/34/52 and reverses routing; 97 goes
/// first so that it directly follows the header the session writes.
fn echo(msg: &MessageView<'_>) -> RawBody {
    let mut body = RawBody::from_view(msg);
    body.fields = match msg.message_def() {
        Some(def) => quickfix_body_order(&body.fields, &def.body),
        None => quickfix_body_order(&body.fields, &Layout::new(Vec::new())),
    };
    match msg.field(97) {
        Some(poss_resend) => {
            let mut fields = vec![(97, poss_resend.to_vec())];
            fields.extend(body.fields);
            RawBody { fields, ..body }
        }
        None => body,
    }
}

// The untyped `Application`, not `fix_session::typed::Typed`: one server serves every
// version of the suite (FIX.4.0 to FIX.4.4 and FIXT.1.1 with FIX.5.0SP2) from one settings
// file, while a `TypedApplication` is written for one version (`type Version =
// fix44::Message`) and there are no generated crates for FIX.4.0-4.3. The echo needs no typed
// value either: it reads MsgType, ClOrdID(11) and PossResend(97), present under the same tags
// in every version, and sends the body back field by field.
impl Application for EchoApp {
    fn on_logon(&self, id: &SessionId) {
        self.forget(id);
    }

    fn on_logout(&self, id: &SessionId) {
        self.forget(id);
    }

    fn from_app(
        &self,
        msg: &MessageView<'_>,
        id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        match msg.msg_type() {
            b"D" => {
                let cl_ord_id = msg.field(11).unwrap_or_default();
                let poss_resend = msg.field(97) == Some(b"Y".as_slice());
                if self.should_echo_order(id, cl_ord_id, poss_resend) {
                    out.reply(echo(msg));
                }
                Ok(())
            }
            b"d" if has_security_definition(&id.begin_string) => {
                out.reply(echo(msg));
                Ok(())
            }
            b"C" => {
                out.reply(echo(msg));
                Ok(())
            }
            _ => Err(AppReject::UnsupportedMessageType),
        }
    }
}

/// One line about a session event, for stderr.
fn describe(event: &Event) -> String {
    match event {
        Event::App { msg_type, seq, .. } => {
            format!("received application message 35={msg_type} 34={seq}")
        }
        Event::Rejected { seq, text } => format!("rejected 34={seq}: {text}"),
        Event::RejectReceived { bytes } => format!(
            "received Reject {}",
            String::from_utf8_lossy(bytes).replace('\x01', "|")
        ),
        Event::Disconnected { reason } => format!("disconnected: {reason}"),
        other => format!("{other:?}"),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let text = match std::fs::read_to_string(&args.config) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "acceptance-server: cannot read {}: {e}",
                args.config.display()
            );
            return ExitCode::FAILURE;
        }
    };
    // Paths in the settings are relative to where the server is started (QuickFIX's rule).
    let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let settings = match Settings::from_str_in(&text, &base) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("acceptance-server: {}: {e}", args.config.display());
            return ExitCode::FAILURE;
        }
    };
    let app = Arc::new(EchoApp::default());
    let (handle, mut events) =
        match Acceptor::start(settings, Arc::new(FileStoreFactory), app).await {
            Ok(started) => started,
            Err(e) => {
                eprintln!("acceptance-server: cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
    let addrs: Vec<String> = handle
        .local_addrs()
        .iter()
        .map(ToString::to_string)
        .collect();
    println!("acceptance-server: listening on {}", addrs.join(", "));
    let _ = std::io::stdout().flush();

    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(ev) => eprintln!("{}: {}", ev.session, describe(&ev.event)),
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    handle.stop().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poss_resend_orders_seen_before_are_dropped() {
        let app = EchoApp::default();
        let id = SessionId::new("FIX.4.4", "ISLD", "TW44");
        assert!(app.should_echo_order(&id, b"A", false));
        assert!(app.should_echo_order(&id, b"A", false));
        assert!(!app.should_echo_order(&id, b"A", true));
        assert!(app.should_echo_order(&id, b"B", true));
        // Another session has its own memory; a logout forgets.
        let other = SessionId::new("FIX.4.2", "ISLD", "TW42");
        assert!(app.should_echo_order(&other, b"A", true));
        app.on_logout(&id);
        assert!(app.should_echo_order(&id, b"A", true));
    }

    #[test]
    fn security_definition_from_fix42() {
        assert!(!has_security_definition("FIX.4.0"));
        assert!(!has_security_definition("FIX.4.1"));
        assert!(has_security_definition("FIX.4.2"));
        assert!(has_security_definition("FIXT.1.1"));
    }
}
