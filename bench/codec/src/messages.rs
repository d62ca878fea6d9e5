//! The benchmark messages: the same FIX.4.4 bytes go to every engine.
//!
//! The NewOrderSingle and the ExecutionReport are the ones of `fix44/benches/codec.rs`;
//! the MarketDataIncrementalRefresh (35=X) carries 10 NoMDEntries.

/// Frames `body` (fields separated by `|`, starting with MsgType) as a FIX.4.4 message:
/// BeginString, BodyLength, the body with SOH separators, CheckSum.
pub fn frame(body: &str) -> Vec<u8> {
    let body = body.replace('|', "\u{1}");
    let mut msg = format!("8=FIX.4.4\u{1}9={}\u{1}{body}", body.len()).into_bytes();
    let sum: u32 = msg.iter().map(|&b| u32::from(b)).sum();
    msg.extend_from_slice(format!("10={:03}\u{1}", sum % 256).as_bytes());
    msg
}

/// A NewOrderSingle as a broker sends it: two parties, account, instrument, limit price
/// (about 280 bytes).
pub fn new_order_single() -> Vec<u8> {
    frame(
        "35=D|49=BUYSIDE-OMS|56=SELLSIDE-GW|34=1047|52=20240102-10:11:12.345|\
         11=ORD-20240102-000042|453=2|448=TRADER-JSMITH|447=D|452=11|448=FIRM-ABCD|447=B|452=1|\
         1=ACC-7781|21=1|55=AAPL|48=US0378331005|22=4|207=XNAS|54=1|60=20240102-10:11:12.340|\
         38=100|40=2|44=187.25|15=USD|59=0|58=bench order|",
    )
}

/// An ExecutionReport (fill) with a 3-entry NoPartyIDs group.
pub fn execution_report() -> Vec<u8> {
    frame(
        "35=8|49=SELLSIDE-GW|56=BUYSIDE-OMS|34=2210|52=20240102-10:11:12.512|\
         37=EX-99812|11=ORD-20240102-000042|453=3|448=TRADER-JSMITH|447=D|452=11|\
         448=FIRM-ABCD|447=B|452=1|448=CONTRA-XYZ|447=D|452=17|17=EXEC-551|150=F|39=2|\
         1=ACC-7781|55=AAPL|48=US0378331005|22=4|54=1|38=100|40=2|44=187.25|32=100|31=187.24|\
         151=0|14=100|6=187.24|60=20240102-10:11:12.510|",
    )
}

/// The 10 NoMDEntries of [`market_data_incremental_refresh`]: (MDUpdateAction,
/// MDEntryType, MDEntryID, MDEntryPx, MDEntrySize, NumberOfOrders).
pub const MD_ENTRIES: [(char, char, &str, &str, u32, u32); 10] = [
    ('0', '0', "B-1001", "187.25", 500, 3),
    ('1', '1', "S-2001", "187.27", 300, 2),
    ('0', '0', "B-1002", "187.24", 1200, 7),
    ('1', '1', "S-2002", "187.28", 800, 4),
    ('2', '0', "B-0998", "187.23", 100, 1),
    ('0', '1', "S-2003", "187.29", 2500, 11),
    ('1', '0', "B-1003", "187.22", 400, 2),
    ('0', '1', "S-2004", "187.30", 900, 5),
    ('1', '0', "B-1004", "187.21", 650, 3),
    ('0', '1', "S-2005", "187.31", 1500, 6),
];

/// A MarketDataIncrementalRefresh (35=X) for one symbol with 10 NoMDEntries (about
/// 620 bytes).
pub fn market_data_incremental_refresh() -> Vec<u8> {
    let mut body = String::from(
        "35=X|49=SELLSIDE-MD|56=BUYSIDE-OMS|34=88231|52=20240102-10:11:12.600|262=MDREQ-7|268=10|",
    );
    for (action, kind, id, px, size, orders) in MD_ENTRIES {
        body.push_str(&format!(
            "279={action}|269={kind}|278={id}|55=AAPL|270={px}|15=USD|271={size}|\
             273=10:11:12.598|346={orders}|"
        ));
    }
    frame(&body)
}

/// The NewOrderSingle of [`new_order_single`] built from typed values, as a user builds an
/// order: the header and the message, ready for `encode`. Building and encoding it is the
/// like-for-like peer of QuickFIX's `FIX44::NewOrderSingle` built field by field and
/// `toString` (`qfshim_build_encode_nos`), which formats each value as it is set.
pub fn build_new_order_single() -> (fix44::Header, fix44::NewOrderSingle) {
    use fix44::components::{Instrument, OrderQtyData, Parties};
    use fix44::fields::{
        HandlInst, OrdType, PartyIDSource, PartyRole, SecurityIDSource, Side, TimeInForce,
    };
    use fix44::groups::NoPartyIDs;
    use fix_core::value::{Date, Precision, UtcTimestamp};
    use rust_decimal::Decimal;

    let at = |ms: u32| {
        Date::new(2024, 1, 2)
            .and_then(|d| UtcTimestamp::new(d, 10, 11, 12, ms * 1_000_000, Precision::Millis))
    };
    let (Some(sent), Some(transact)) = (at(345), at(340)) else {
        unreachable!("the benchmark's timestamps are valid")
    };
    let header = fix44::Header::new("BUYSIDE-OMS", "SELLSIDE-GW", 1047u64, sent);
    let order = fix44::NewOrderSingle::new(
        "ORD-20240102-000042",
        Instrument::new()
            .with_symbol("AAPL")
            .with_security_id("US0378331005")
            .with_security_id_source(SecurityIDSource::IsinNumber)
            .with_security_exchange("XNAS"),
        Side::Buy,
        transact,
        OrderQtyData::new().with_order_qty(Decimal::from(100)),
        OrdType::Limit,
    )
    .with_parties(
        Parties::new().with_no_party_ids([
            NoPartyIDs::new()
                .with_party_id("TRADER-JSMITH")
                .with_party_id_source(PartyIDSource::Proprietary)
                .with_party_role(PartyRole::OrderOriginationTrader),
            NoPartyIDs::new()
                .with_party_id("FIRM-ABCD")
                .with_party_id_source(PartyIDSource::Bic)
                .with_party_role(PartyRole::ExecutingFirm),
        ]),
    )
    .with_account("ACC-7781")
    .with_handl_inst(HandlInst::AutomatedExecutionNoIntervention)
    .with_price(Decimal::new(18725, 2))
    .with_currency("USD")
    .with_time_in_force(TimeInForce::Day)
    .with_text("bench order");
    (header, order)
}

/// Every benchmark message with its name, in the order of the tables.
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("new_order_single", new_order_single()),
        ("execution_report", execution_report()),
        (
            "market_data_incremental_refresh",
            market_data_incremental_refresh(),
        ),
    ]
}

/// Checks the framing of `msg`: BodyLength counts the bytes from the field after it to
/// the SOH before `10=`, and CheckSum is the byte sum mod 256 of everything before `10=`.
/// Returns a description of the first fault.
pub fn check_framing(msg: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(msg);
    let first_soh = msg.iter().position(|&b| b == 1).ok_or("no SOH")?;
    let rest = &msg[first_soh + 1..];
    if !rest.starts_with(b"9=") {
        return Err("second field is not BodyLength".into());
    }
    let soh = rest
        .iter()
        .position(|&b| b == 1)
        .ok_or("no SOH after BodyLength")?;
    let declared: usize = std::str::from_utf8(&rest[2..soh])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or("BodyLength is not a number")?;
    let body_start = first_soh + 1 + soh + 1;
    let trailer = msg
        .windows(4)
        .rposition(|w| w == b"\x0110=")
        .ok_or("no CheckSum")?
        + 1;
    let actual = trailer - body_start;
    if declared != actual {
        return Err(format!(
            "BodyLength {declared} but the body has {actual} bytes ({})",
            text.get(..40).unwrap_or(&text)
        ));
    }
    let sum = msg[..trailer].iter().map(|&b| u32::from(b)).sum::<u32>() % 256;
    let declared_sum = std::str::from_utf8(&msg[trailer + 3..msg.len() - 1])
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .ok_or("CheckSum is not a number")?;
    if sum != declared_sum {
        return Err(format!(
            "CheckSum {declared_sum} but the bytes sum to {sum}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_valid_fix44() {
        let opts = fix_core::ValidationOptions::default();
        for (name, raw) in all() {
            check_framing(&raw).unwrap_or_else(|e| panic!("{name}: {e}"));
            let (header, msg) =
                fix44::Message::decode_with(&raw, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut out = Vec::new();
            msg.encode(&header, &mut out).expect("encodes");
            assert_eq!(out, raw, "{name} re-encodes to the same bytes");
        }
        assert!(market_data_incremental_refresh().len() > 512);
    }

    #[test]
    fn built_order_encodes_to_the_benchmark_bytes() {
        let (header, order) = build_new_order_single();
        let mut out = Vec::new();
        order.encode(&header, &mut out).expect("encodes");
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&new_order_single())
        );
    }

    #[test]
    fn check_framing_finds_a_wrong_body_length() {
        let mut raw = new_order_single();
        let nine = raw.windows(3).position(|w| w == b"9=2").expect("9=2..");
        raw[nine + 2] = b'3';
        assert!(check_framing(&raw).is_err());
    }
}
