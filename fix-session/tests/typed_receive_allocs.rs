//! The received-message path allocates nothing per message: an acceptor running a typed
//! application (five typed reads per NewOrderSingle through the zero-copy view) takes 10,000
//! orders from a raw TCP peer, and the whole process's allocations are counted meanwhile.
//!
//! The peer writes frames encoded before the count starts, so whatever is counted is the
//! engine's: socket reads, framing, validation, sequencing, the store's bookkeeping and the
//! typed dispatch. The acceptor's event receiver is dropped, as an application that does not
//! read events drops it (events copy each application message, see `Event::App`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fix_core::encode::Writer;
use fix_core::value::{Precision, UtcTimestamp};
use fix_session::app::{AppReject, Responder};
use fix_session::driver::Acceptor;
use fix_session::settings::SessionId;
use fix_session::store::MemoryStoreFactory;
use fix_session::typed::{Typed, TypedApplication};

/// The system allocator, counting allocations (all threads).
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
// contract; the counter is a relaxed atomic and allocates nothing.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (every allocation goes there).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `dealloc`, and `new_size` is the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Reads five fields of each order through the typed view and counts the orders.
#[derive(Default)]
struct Desk {
    orders: AtomicU64,
    /// A sum over what was read, so that the reads are not optimised away.
    read: AtomicU64,
}

/// The desk as the session's application.
struct DeskApp(Arc<Desk>);

impl TypedApplication for DeskApp {
    type Version = fix44::Message;

    fn on_message(
        &self,
        msg: fix44::MessageRef<'_>,
        _id: &SessionId,
        _out: &mut Responder,
    ) -> Result<(), AppReject> {
        let fix44::MessageRef::NewOrderSingle(order) = msg else {
            return Err(AppReject::UnsupportedMessageType);
        };
        let symbol = order.instrument().symbol().unwrap_or_default();
        let qty = order.order_qty_data().order_qty().unwrap_or_default();
        let price = order.price().unwrap_or_default();
        let side = order.side() == fix44::fields::Side::Buy;
        let n = order.cl_ord_id().len() + symbol.len() + usize::from(side);
        let n = n as u64 + qty.mantissa() as u64 + price.mantissa() as u64;
        self.0.read.fetch_add(n, Ordering::Relaxed);
        self.0.orders.fetch_add(1, Ordering::Release);
        Ok(())
    }
}

/// One FIX.4.4 frame from BANK to EXCH.
fn frame(out: &mut Vec<u8>, msg_type: &str, seq: u64, body: impl FnOnce(&mut Writer<'_>)) {
    let mut w = Writer::new(out, "FIX.4.4");
    w.put_str(b"35=", msg_type);
    w.put_u64(b"34=", seq);
    w.put_str(b"49=", "BANK");
    let now = UtcTimestamp::now(Precision::Millis).expect("a clock after 1970");
    w.put(b"52=", &now);
    w.put_str(b"56=", "EXCH");
    body(&mut w);
    w.finish();
}

/// `n` NewOrderSingles from MsgSeqNum `first`, varied in ClOrdID, side, symbol and price.
fn orders(first: u64, n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for seq in first..first + n {
        frame(&mut out, "D", seq, |w| {
            w.put_str(b"11=", &format!("ORD-{seq}"));
            w.put_str(b"21=", "1");
            w.put_str(b"38=", &format!("{}", 100 + seq % 900));
            w.put_str(b"40=", "2");
            w.put_str(b"44=", &format!("{}.{}", 10 + seq % 90, seq % 100));
            w.put_str(b"54=", if seq % 2 == 0 { "1" } else { "2" });
            w.put_str(b"55=", ["EUR/USD", "MSFT", "VOD.L"][(seq % 3) as usize]);
            w.put_str(b"60=", "20260101-00:00:00.000");
        });
    }
    out
}

fn wait_for(desk: &Desk, orders: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while desk.orders.load(Ordering::Acquire) < orders {
        assert!(
            Instant::now() < deadline,
            "only {desk_orders} of {orders} orders arrived",
            desk_orders = desk.orders.load(Ordering::Acquire)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn receiving_orders_through_a_typed_application_allocates_nothing_per_message() {
    const WARM: u64 = 2_000;
    const COUNTED: u64 = 10_000;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let desk = Arc::new(Desk::default());
    let cfg =
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
               SenderCompID=EXCH\nResetOnLogon=Y\nHeartBtInt=30\n\
               [SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n";
    let (acceptor, events) = rt
        .block_on(Acceptor::start(
            cfg.parse().unwrap(),
            Arc::new(MemoryStoreFactory),
            Arc::new(Typed(DeskApp(desk.clone()))),
        ))
        .unwrap();
    drop(events);
    let addr = acceptor.local_addr().unwrap();

    let mut peer = TcpStream::connect(addr).unwrap();
    peer.set_nodelay(true).unwrap();
    let mut logon = Vec::new();
    frame(&mut logon, "A", 1, |w| {
        w.put_str(b"98=", "0");
        w.put_str(b"108=", "30");
        w.put_str(b"141=", "Y");
    });
    peer.write_all(&logon).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    peer.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    while !answer.windows(5).any(|w| w == b"\x0135=A") {
        let n = peer.read(&mut buf).expect("the Logon answer");
        assert!(n > 0, "connection closed before the Logon answer");
        answer.extend_from_slice(&buf[..n]);
    }

    // Warm up: buffers, the validator's remembered shapes and the store reach their size.
    peer.write_all(&orders(2, WARM)).unwrap();
    wait_for(&desk, WARM);
    let counted = orders(2 + WARM, COUNTED);
    let before = ALLOCS.load(Ordering::Relaxed);
    peer.write_all(&counted).unwrap();
    wait_for(&desk, WARM + COUNTED);
    let allocs = ALLOCS.load(Ordering::Relaxed) - before;

    println!("{allocs} allocations while receiving {COUNTED} orders");
    assert!(desk.read.load(Ordering::Relaxed) > 0);
    // Nothing per message: a handful at most, from whatever else the process did meanwhile
    // (the runtime's own housekeeping), never one per order.
    assert!(
        allocs < COUNTED / 100,
        "{allocs} allocations for {COUNTED} orders received"
    );
    drop(peer);
    rt.block_on(acceptor.stop());
}
