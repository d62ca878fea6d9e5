//! Every FIX.5.0SP2 (over FIXT.1.1) message type, fully populated (every field, every repeating group with two
//! entries, nested), decodes into typed structs, encodes back to the same bytes, and decodes
//! again to an equal value.

use fix_core::frame::{find_frame, DEFAULT_MAX_MESSAGE_LEN};
use fix_core::sample::populated_message;

#[test]
fn every_message_round_trips() {
    let dict = &fix50::DICTIONARY;
    assert_eq!(
        dict.messages.len(),
        164,
        "FIX44 defines 156 application plus 8 FIXT session message types"
    );
    let mut failures = Vec::new();
    for def in dict.messages.iter() {
        let mut sample = Vec::new();
        populated_message(dict, def, &mut sample);
        let (header, msg) = match fix50::Message::decode_with(&sample, &Default::default()) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{} ({}): decode: {e}", def.name, def.msg_type));
                continue;
            }
        };
        assert_eq!(msg.msg_type(), def.msg_type.as_ref());
        assert!(
            !matches!(msg, fix50::Message::Unknown(_)),
            "{} decoded as unknown",
            def.name
        );
        let mut again = Vec::new();
        let range = msg.encode(&header, &mut again).expect("encodes");
        assert_eq!(range, 0..again.len());
        let frame = find_frame(&again, DEFAULT_MAX_MESSAGE_LEN)
            .expect("valid frame")
            .expect("whole");
        assert_eq!(frame.len, again.len());
        if again != sample {
            failures.push(format!(
                "{}: re-encoded bytes differ\n  sample: {}\n  again:  {}",
                def.name,
                String::from_utf8_lossy(&sample).replace('\x01', "|"),
                String::from_utf8_lossy(&again).replace('\x01', "|")
            ));
            continue;
        }
        let (header2, msg2) =
            fix50::Message::decode_with(&again, &Default::default()).expect("decodes again");
        assert_eq!(header2, header);
        assert_eq!(msg2, msg);
        #[cfg(feature = "serde")]
        {
            let json = serde_json::to_string(&msg).expect("serializes");
            let back: fix50::Message = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(back, msg, "{} JSON round trip", def.name);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 164 failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
