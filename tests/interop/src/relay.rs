//! [`Relay`]: a TCP relay between the two engines that can swallow traffic and cut its
//! connections, to lose messages in both directions and force a reconnect.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Listens on 127.0.0.1 (a free port) and forwards each connection to `target`.
///
/// [`Relay::blackhole`] makes it drop everything it reads, in both directions, while the
/// connections stay up: the engines go on sending, and what they send is lost.
/// [`Relay::cut`] closes every connection (and stops dropping): the engines reconnect and
/// must recover the lost messages through resend requests. [`Relay::set_down`] keeps the
/// link down for a while. Dropping the relay closes it all.
#[derive(Debug)]
pub struct Relay {
    addr: SocketAddr,
    shared: Arc<Shared>,
    cut: watch::Sender<u64>,
    task: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Shared {
    blackhole: AtomicBool,
    down: AtomicBool,
    accepted: AtomicU64,
    dropped: AtomicU64,
}

impl Relay {
    /// Starts a relay to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Relay> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let (cut, cut_rx) = watch::channel(0u64);
        let sh = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                sh.accepted.fetch_add(1, Ordering::SeqCst);
                if sh.down.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let Ok(outbound) = TcpStream::connect(target).await else {
                    continue;
                };
                let _ = inbound.set_nodelay(true);
                let _ = outbound.set_nodelay(true);
                let mut cut_rx = cut_rx.clone();
                cut_rx.mark_unchanged();
                let sh = sh.clone();
                tokio::spawn(async move {
                    let (ir, iw) = inbound.into_split();
                    let (or, ow) = outbound.into_split();
                    tokio::select! {
                        _ = pump(ir, ow, &sh) => {}
                        _ = pump(or, iw, &sh) => {}
                        _ = cut_rx.changed() => {}
                    }
                });
            }
        });
        Ok(Relay {
            addr,
            shared,
            cut,
            task,
        })
    }

    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Starts (`true`) or stops dropping the traffic.
    pub fn blackhole(&self, on: bool) {
        self.shared.blackhole.store(on, Ordering::SeqCst);
    }

    /// Closes every open connection and stops dropping traffic.
    pub fn cut(&self) {
        self.shared.blackhole.store(false, Ordering::SeqCst);
        self.cut.send_modify(|g| *g += 1);
    }

    /// Takes the link down (`true`: cuts every connection and closes new ones at once) or
    /// up again.
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
        if down {
            self.cut();
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Bytes dropped while blackholing.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::SeqCst)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
        self.cut.send_modify(|g| *g += 1);
    }
}

async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, sh: &Shared) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if sh.blackhole.load(Ordering::SeqCst) {
            sh.dropped.fetch_add(n as u64, Ordering::SeqCst);
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
