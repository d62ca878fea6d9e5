//! Sending orders on a session and waiting for their fills.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fix_session::core::{Event, SendError};
use fix_session::driver::{DriverError, Initiator, SessionEvent, SessionHandle};
use fix_session::settings::Settings;
use fix_session::store::StoreFactory;
use tokio::sync::mpsc;

use fix_session::typed::Typed;

use crate::blotter::Blotter;
use crate::client::Client;
use crate::report::Summary;

/// Waits for the session to log on.
pub async fn wait_logon(
    events: &mut mpsc::UnboundedReceiver<SessionEvent>,
    timeout: Duration,
) -> Result<(), String> {
    let wait = async {
        while let Some(ev) = events.recv().await {
            if ev.event == Event::LoggedOn {
                return Ok(());
            }
        }
        Err("the session stopped before logging on".to_string())
    };
    tokio::time::timeout(timeout, wait)
        .await
        .map_err(|_| format!("no logon within {timeout:?}"))?
}

/// Sends orders `0..n` of `blotter` on `session`, at most `window` without their fill, and
/// waits for every fill. Fails on any reject (ours or theirs), a duplicate fill, or when
/// `timeout` passes. If the session drops, sending waits for the next logon; orders already
/// sent are recovered by the session's resend.
pub async fn run_orders(
    session: &SessionHandle,
    blotter: &Blotter,
    events: &mut mpsc::UnboundedReceiver<SessionEvent>,
    n: usize,
    window: usize,
    timeout: Duration,
) -> Result<Summary, String> {
    let window = window.max(1);
    let start = Instant::now();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut logged_on = true;
    let mut next = 0usize;
    loop {
        if let Some(why) = blotter.failure() {
            return Err(why.to_string());
        }
        let filled = blotter.fills();
        if filled >= n {
            break;
        }
        while logged_on && next < n && next - filled.min(next) < window {
            blotter.mark_sent(next);
            match session.send(blotter.order(next)).await {
                Ok(_) => next += 1,
                Err(DriverError::Send(SendError::NotLoggedOn)) => logged_on = false,
                Err(e) => return Err(format!("send failed: {e}")),
            }
        }
        tokio::select! {
            () = blotter.progress() => {}
            ev = events.recv() => match ev.map(|e| e.event) {
                Some(Event::LoggedOn) => logged_on = true,
                Some(Event::LoggedOut) => logged_on = false,
                Some(Event::Rejected { seq, text }) => {
                    return Err(format!("we rejected message {seq}: {text}"));
                }
                Some(Event::RejectReceived { bytes }) => {
                    return Err(format!(
                        "reject received: {}",
                        String::from_utf8_lossy(&bytes).replace('\x01', "|")
                    ));
                }
                Some(_) => {}
                None => return Err("the session stopped".into()),
            },
            () = tokio::time::sleep_until(deadline) => {
                return Err(format!(
                    "timed out after {timeout:?}: {filled} of {n} orders filled ({next} sent)",
                    filled = blotter.fills(),
                ));
            }
        }
    }
    let elapsed = start.elapsed();
    Ok(Summary {
        orders: n,
        filled: blotter.fills(),
        elapsed,
        rtts: blotter.rtts(),
    })
}

/// Starts an initiator for `settings`, waits for its first session to log on, sends `orders`
/// NewOrderSingles (ClOrdIDs `prefix0`, `prefix1`, ...; at most `window` unanswered), waits
/// for every fill and stops the initiator: what the `initiator` and `demo` examples run.
pub async fn trade(
    settings: Settings,
    stores: Arc<dyn StoreFactory>,
    prefix: &str,
    orders: usize,
    window: usize,
    timeout: Duration,
) -> Result<Summary, String> {
    let blotter = Blotter::new(prefix, orders);
    let client = Arc::new(Typed(Client::new(blotter.clone())));
    let (initiator, mut events) = Initiator::start(settings, stores, client)
        .await
        .map_err(|e| format!("initiator: {e}"))?;
    let session = initiator
        .sessions()
        .next()
        .cloned()
        .ok_or("no initiator session")?;
    let result = async {
        wait_logon(&mut events, timeout).await?;
        run_orders(&session, &blotter, &mut events, orders, window, timeout).await
    }
    .await;
    initiator.stop().await;
    result
}
