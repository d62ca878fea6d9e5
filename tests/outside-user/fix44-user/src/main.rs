//! fix44's README example, built from the packaged crates.

use fix44::components::{Instrument, OrderQtyData};
use fix44::fields::{OrdType, Side};
use fix_core::value::{Precision, UtcTimestamp};
use rust_decimal_macros::dec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = UtcTimestamp::now(Precision::Millis)?;
    let order = fix44::NewOrderSingle::new(
        "ORD-1",
        Instrument::new().with_symbol("AAPL"),
        Side::Buy,
        now,
        OrderQtyData::new().with_order_qty(dec!(100)),
        OrdType::Limit,
    )
    .with_price(dec!(187.25));
    let header = fix44::Header::new("BUYER", "SELLER", 1u64, now);
    let mut buf = Vec::new();
    order.encode(&header, &mut buf)?;
    match fix44::Message::decode(&buf)? {
        fix44::Message::NewOrderSingle(o) if o.price == Some(dec!(187.25)) => {
            println!(
                "fix44: {}",
                String::from_utf8_lossy(&buf).replace('\x01', "|")
            );
            Ok(())
        }
        other => Err(format!("decoded {other:?}").into()),
    }
}
