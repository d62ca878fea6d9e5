//! SocketBusyPoll: a connection polls its socket and send queue before it parks.

use std::time::{Duration, Instant};

use super::connection::{Batch, SessionTask, BUSY_POLL_SPIN};
use super::handle::Inbox;
use super::tls::Stream;

impl SessionTask {
    /// Polls the socket and the send queue for up to `budget` (or until `deadline`, or a
    /// control command waits) without parking; returns whether something was taken. Yields
    /// to the runtime's other tasks between polls, and after [`BUSY_POLL_SPIN`] to the kernel
    /// as well: on a busy machine the thread waiting for a core may be the peer this session
    /// waits for.
    pub(super) async fn busy_poll(
        &mut self,
        budget: Duration,
        deadline: Option<tokio::time::Instant>,
        stream: &mut Stream,
        buf: &mut [u8],
        inbox: &mut Inbox,
        batch: &mut Batch,
    ) -> bool {
        let started = Instant::now();
        let until = started + budget;
        let spin_until = started + BUSY_POLL_SPIN;
        let short_read_drains = !stream.is_tls();
        loop {
            match stream.try_read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                r => {
                    self.on_read(r, stream, buf, short_read_drains);
                    return true;
                }
            }
            if let Some(o) = inbox.try_recv_data() {
                self.take_outbound(o, batch);
                return true;
            }
            let now = Instant::now();
            if inbox.has_pending_control()
                || now >= until
                || deadline.is_some_and(|d| d.into_std() <= now)
            {
                return false;
            }
            tokio::task::yield_now().await;
            if now >= spin_until {
                std::thread::yield_now();
            }
        }
    }
}
