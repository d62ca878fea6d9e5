//! The varied workload of issue 15: FIX.4.4 NewOrderSingles and ExecutionReports whose
//! optional fields and group sizes change from message to message, as in real order flow
//! (a stream of one repeated message flatters any decoder that remembers shapes).
//!
//! [`generate`] is deterministic: the same seed gives the same bytes. Each message varies:
//!
//! - header: OnBehalfOfCompID on about a third, PossDupFlag with OrigSendingTime on about a
//!   tenth;
//! - NoPartyIDs: 0 to 4 entries;
//! - NewOrderSingle: Account, NoAllocs (1 to 3 entries, on about a quarter), HandlInst,
//!   SecurityID with SecurityIDSource, Price (not for market orders), TimeInForce, Text;
//! - ExecutionReport: ClOrdID, NoContraBrokers (1 or 2 entries, on fills, about half of
//!   them), Account, LastQty and LastPx on fills, Price, Text.
//!
//! Fields are written in the dictionary's order, so the typed decode encodes each message
//! back to the same bytes.

use crate::messages::frame;

/// The seed of the workload the benches and tests use.
pub const SEED: u64 = 0x15_15_15_15;

/// How many messages the benches and tests use.
pub const COUNT: usize = 10_000;

/// The workload of [`COUNT`] messages from [`SEED`].
pub fn workload() -> Vec<Vec<u8>> {
    generate(SEED, COUNT)
}

/// `count` messages, about half NewOrderSingles and half ExecutionReports, from `seed`.
pub fn generate(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng(seed | 1);
    (0..count)
        .map(|i| {
            let seq = 1000 + i as u64;
            if rng.below(2) == 0 {
                new_order_single(&mut rng, seq)
            } else {
                execution_report(&mut rng, seq)
            }
        })
        .collect()
}

/// xorshift64: small, fast and reproducible everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from.get(self.below(from.len() as u64) as usize)
            .copied()
            .unwrap_or_default()
    }
}

const SYMBOLS: &[&str] = &[
    "AAPL", "MSFT", "IBM", "VOD.L", "BMW.DE", "7203.T", "ESZ4", "EURUSD",
];
const DESKS: &[&str] = &["DESK-EQ", "DESK-ALGO", "DESK-PT"];

/// The standard header after MsgType, with the optional fields this message has.
fn header(rng: &mut Rng, out: &mut String, sender: &str, target: &str, seq: u64) {
    let ms = seq % 1000;
    out.push_str(&format!("49={sender}|56={target}|"));
    if rng.chance(33) {
        out.push_str(&format!("115={}|", rng.pick(DESKS)));
    }
    out.push_str(&format!("34={seq}|"));
    let dup = rng.chance(10);
    if dup {
        out.push_str("43=Y|");
    }
    out.push_str(&format!("52=20240102-10:11:12.{ms:03}|"));
    if dup {
        out.push_str(&format!("122=20240102-10:11:11.{ms:03}|"));
    }
}

/// A Parties component: 0 to 4 NoPartyIDs entries.
fn parties(rng: &mut Rng, out: &mut String) {
    let n = rng.below(5);
    if n == 0 {
        return;
    }
    out.push_str(&format!("453={n}|"));
    for k in 0..n {
        let (source, role) = match k {
            0 => ("D", "11"),
            1 => ("B", "1"),
            2 => ("C", "3"),
            _ => ("D", "12"),
        };
        out.push_str(&format!(
            "448=PARTY-{}-{k}|447={source}|452={role}|",
            rng.below(500)
        ));
    }
}

/// The Instrument component: Symbol, sometimes SecurityID and SecurityIDSource.
fn instrument(rng: &mut Rng, out: &mut String) {
    out.push_str(&format!("55={}|", rng.pick(SYMBOLS)));
    if rng.chance(40) {
        out.push_str(&format!("48=US{:010}|22=4|", rng.below(10_000_000_000)));
    }
}

fn price(rng: &mut Rng) -> String {
    format!("{}.{:02}", 10 + rng.below(490), rng.below(100))
}

fn new_order_single(rng: &mut Rng, seq: u64) -> Vec<u8> {
    let mut b = String::with_capacity(400);
    b.push_str("35=D|");
    header(rng, &mut b, "BUYSIDE-OMS", "SELLSIDE-GW", seq);
    b.push_str(&format!("11=ORD-{seq:08}|"));
    parties(rng, &mut b);
    if rng.chance(70) {
        b.push_str(&format!("1=ACC-{}|", rng.below(10_000)));
    }
    if rng.chance(25) {
        let n = 1 + rng.below(3);
        b.push_str(&format!("78={n}|"));
        for k in 0..n {
            b.push_str(&format!("79=SUB-{k}|80={}|", 100 * (1 + rng.below(9))));
        }
    }
    if rng.chance(60) {
        b.push_str("21=1|");
    }
    instrument(rng, &mut b);
    b.push_str(&format!("54={}|", 1 + rng.below(2)));
    b.push_str(&format!("60=20240102-10:11:12.{:03}|", seq % 1000));
    b.push_str(&format!("38={}|", 100 * (1 + rng.below(50))));
    let market = rng.chance(20);
    b.push_str(if market { "40=1|" } else { "40=2|" });
    if !market {
        b.push_str(&format!("44={}|", price(rng)));
    }
    if rng.chance(50) {
        b.push_str(&format!("59={}|", rng.pick(&["0", "1", "3"])));
    }
    if rng.chance(20) {
        b.push_str("58=varied workload order|");
    }
    frame(&b)
}

fn execution_report(rng: &mut Rng, seq: u64) -> Vec<u8> {
    let mut b = String::with_capacity(500);
    b.push_str("35=8|");
    header(rng, &mut b, "SELLSIDE-GW", "BUYSIDE-OMS", seq);
    b.push_str(&format!("37=X-{seq:08}|"));
    if rng.chance(90) {
        b.push_str(&format!("11=ORD-{:08}|", seq / 2));
    }
    parties(rng, &mut b);
    let fill = rng.chance(60);
    if fill && rng.chance(50) {
        let n = 1 + rng.below(2);
        b.push_str(&format!("382={n}|"));
        for k in 0..n {
            b.push_str(&format!("375=BRK{k}|437={}|", 100 * (1 + rng.below(5))));
        }
    }
    b.push_str(&format!("17=E-{seq:08}|"));
    let (exec_type, status) = if fill { ("F", "1") } else { ("0", "0") };
    b.push_str(&format!("150={exec_type}|39={status}|"));
    if rng.chance(60) {
        b.push_str(&format!("1=ACC-{}|", rng.below(10_000)));
    }
    instrument(rng, &mut b);
    b.push_str(&format!("54={}|", 1 + rng.below(2)));
    let qty = 100 * (2 + rng.below(50));
    b.push_str(&format!("38={qty}|40=2|"));
    let px = price(rng);
    if rng.chance(80) {
        b.push_str(&format!("44={px}|"));
    }
    let last = if fill {
        100 * (1 + rng.below(qty / 100 - 1))
    } else {
        0
    };
    if fill {
        b.push_str(&format!("32={last}|31={px}|"));
    }
    b.push_str(&format!("151={}|14={last}|", qty - last));
    b.push_str(&format!("6={}|", if fill { px.as_str() } else { "0" }));
    b.push_str(&format!("60=20240102-10:11:12.{:03}|", seq % 1000));
    if rng.chance(15) {
        b.push_str("58=varied workload fill|");
    }
    frame(&b)
}
