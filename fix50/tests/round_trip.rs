//! Every FIX.5.0SP2 (over FIXT.1.1) message type, fully populated (every field, every
//! repeating group with two entries, nested), decodes into typed structs, encodes back to the
//! same bytes, and decodes again to an equal value (`fix_core::sample::check_round_trips`),
//! also through JSON with the `serde` feature.

#[test]
fn every_message_round_trips() {
    let checked = fix_core::sample::check_round_trips(|msg: &fix50::Message| {
        #[cfg(feature = "serde")]
        {
            let json = serde_json::to_string(msg).map_err(|e| e.to_string())?;
            let back: fix50::Message = serde_json::from_str(&json).map_err(|e| e.to_string())?;
            if &back != msg {
                return Err("JSON round trip differs".to_string());
            }
        }
        let _ = msg;
        Ok(())
    });
    assert_eq!(
        checked,
        Ok(164),
        "FIX.5.0SP2 defines 156 application plus 8 FIXT session message types"
    );
}
