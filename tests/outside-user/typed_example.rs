//! The typed example of the fix44 and fix50 READMEs, built from the packaged crates: each of
//! fix44-user and fix50-user names its crate `typed` (Cargo.toml `package = ...`).

use fix_core::value::{Precision, UtcTimestamp};
use rust_decimal_macros::dec;
use typed::components::{Instrument, OrderQtyData};
use typed::fields::{OrdType, Side};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = UtcTimestamp::now(Precision::Millis).ok_or("the clock is before 1970")?;
    let order = typed::NewOrderSingle::new(
        "ORD-1",
        Instrument::new().with_symbol("AAPL"),
        Side::Buy,
        now,
        OrderQtyData::new().with_order_qty(dec!(100)),
        OrdType::Limit,
    )
    .with_price(dec!(187.25));
    let header = typed::Header::new("BUYER", "SELLER", 1u64, now);
    let mut buf = Vec::new();
    order.encode(&header, &mut buf)?;
    match typed::Message::decode(&buf)? {
        typed::Message::NewOrderSingle(o) if o.price == Some(dec!(187.25)) => {
            let text = String::from_utf8_lossy(&buf).replace('\x01', "|");
            println!("{}: {text}", env!("CARGO_PKG_NAME"));
            Ok(())
        }
        other => Err(format!("decoded {other:?}").into()),
    }
}
