//! Sending orders on a session and waiting for their fills.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fix_session::core::{Event, SendError};
use fix_session::driver::{DriverError, Initiator, SessionEvent, SessionHandle};
use fix_session::settings::Settings;
use fix_session::store::StoreFactory;
use tokio::sync::mpsc;

use crate::client::{Client, Report, ReportKind};
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

/// Sends orders `0..n` on `session`, at most `window` without their fill, and waits for every
/// fill. Fails on any reject (ours or theirs), a duplicate fill, or when `timeout` passes.
/// If the session drops, sending waits for the next logon; orders already sent are
/// recovered by the session's resend.
pub async fn run_orders(
    session: &SessionHandle,
    client: &Client,
    reports: &mut mpsc::UnboundedReceiver<Report>,
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
    let mut filled = vec![false; n];
    let mut n_filled = 0usize;
    let mut rtts = Vec::with_capacity(n);
    while n_filled < n {
        while logged_on && next < n && next - n_filled < window {
            client.mark_sent(next);
            match session.send(client.order(next)).await {
                Ok(_) => next += 1,
                Err(DriverError::Send(SendError::NotLoggedOn)) => logged_on = false,
                Err(e) => return Err(format!("send failed: {e}")),
            }
        }
        tokio::select! {
            r = reports.recv() => {
                let Some(r) = r else { return Err("the client stopped".into()) };
                match r.kind {
                    ReportKind::Filled => {
                        let Some(i) = r.index else { continue };
                        if std::mem::replace(&mut filled[i], true) {
                            return Err(format!("duplicate fill for {}", r.cl_ord_id));
                        }
                        n_filled += 1;
                        rtts.extend(r.rtt);
                    }
                    ReportKind::Rejected(text) => {
                        return Err(format!("rejected ({}): {text}", r.cl_ord_id));
                    }
                    ReportKind::New | ReportKind::Other => {}
                }
            }
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
            _ = tokio::time::sleep_until(deadline) => {
                return Err(format!(
                    "timed out after {timeout:?}: {n_filled} of {n} orders filled ({} sent)",
                    next
                ));
            }
        }
    }
    let elapsed = start.elapsed();
    rtts.sort_unstable();
    Ok(Summary {
        orders: n,
        filled: n_filled,
        elapsed,
        rtts,
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
    let (client, mut reports) = Client::new(prefix, orders);
    let (initiator, mut events) = Initiator::start(settings, stores, client.clone())
        .await
        .map_err(|e| format!("initiator: {e}"))?;
    let session = initiator
        .sessions()
        .next()
        .cloned()
        .ok_or("no initiator session")?;
    let result = async {
        wait_logon(&mut events, timeout).await?;
        run_orders(
            &session,
            &client,
            &mut reports,
            &mut events,
            orders,
            window,
            timeout,
        )
        .await
    }
    .await;
    initiator.stop().await;
    result
}
