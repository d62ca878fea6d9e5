//! The messages both sides send, built the same way as `peer/qfpeer.cpp` builds them, and the
//! summary of an ExecutionReport's repeating groups that both sides print.

use fix_session::app::RawBody;

use crate::Version;

/// The TransactTime and ContraTradeTime the messages carry.
pub const TIME: &str = "20240102-03:04:05.678";

/// A received application message, as either side records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// MsgType (35).
    pub msg_type: String,
    /// MsgSeqNum (34).
    pub seq: u64,
    /// ClOrdID (11), or `-`.
    pub clordid: String,
    /// PossDupFlag (43) was `Y`.
    pub possdup: bool,
    /// [`groups_of`] for an ExecutionReport, empty otherwise.
    pub groups: String,
}

/// A NewOrderSingle (valid in FIX.4.2, FIX.4.4 and FIX.5.0SP2).
pub fn new_order(clordid: &str) -> RawBody {
    RawBody::new("D")
        .with(11, clordid)
        .with(21, "1")
        .with(38, "100")
        .with(40, "2")
        .with(44, "10.5")
        .with(54, "1")
        .with(55, "IBM")
        .with(60, TIME)
}

/// An ExecutionReport (ExecType New) for `clordid` with two NoContraBrokers entries and, from
/// FIX.4.4 on, two NoPartyIDs entries, the first with a nested NoPartySubIDs entry.
pub fn report(version: Version, clordid: &str, side: &[u8], symbol: &[u8]) -> RawBody {
    report_n(version, clordid, side, symbol, 2)
}

/// [`report`] with `contra` NoContraBrokers entries (`CB<i>/T<i>-<clordid>/<10 i>`).
pub fn report_n(
    version: Version,
    clordid: &str,
    side: &[u8],
    symbol: &[u8],
    contra: usize,
) -> RawBody {
    let mut m = RawBody::new("8");
    m.push(6, "0")
        .push(11, clordid)
        .push(14, "0")
        .push(17, format!("E-{clordid}"));
    if !version.has_parties() {
        m.push(20, "0");
    }
    m.push(37, format!("O-{clordid}"))
        .push(39, "0")
        .push(54, side)
        .push(55, symbol)
        .push(150, "0")
        .push(151, "100");
    m.push(382, contra.to_string());
    for i in 1..=contra {
        m.push(375, format!("CB{i}"))
            .push(337, format!("T{i}-{clordid}"))
            .push(437, (10 * i).to_string())
            .push(438, TIME);
    }
    if version.has_parties() {
        m.push(453, "2")
            .push(448, format!("P1-{clordid}"))
            .push(447, "D")
            .push(452, "1")
            .push(802, "1")
            .push(523, "DESK")
            .push(803, "1")
            .push(448, "P2")
            .push(447, "D")
            .push(452, "3");
    }
    m
}

/// The group summary of [`report`]`(version, clordid, ..)`, as [`groups_of`] and the peer
/// print it.
pub fn expected_groups(version: Version, clordid: &str) -> String {
    expected_groups_n(version, clordid, 2)
}

/// The group summary of [`report_n`]`(version, clordid, .., contra)`.
pub fn expected_groups_n(version: Version, clordid: &str, contra: usize) -> String {
    let pty = if version.has_parties() {
        format!("P1-{clordid}/D/1/DESK:1;P2/D/3")
    } else {
        String::new()
    };
    let cb: Vec<String> = (1..=contra)
        .map(|i| format!("CB{i}/T{i}-{clordid}/{}", 10 * i))
        .collect();
    format!("cb={} pty={pty}", cb.join(";"))
}

/// The fields of a raw message in wire order (values lossily as text).
pub fn fields(bytes: &[u8]) -> Vec<(u32, String)> {
    bytes
        .split(|&b| b == 1)
        .filter_map(|f| {
            let eq = f.iter().position(|&b| b == b'=')?;
            let tag = std::str::from_utf8(&f[..eq]).ok()?.parse().ok()?;
            Some((tag, String::from_utf8_lossy(&f[eq + 1..]).into_owned()))
        })
        .collect()
}

/// The summary of an ExecutionReport's NoContraBrokers and NoPartyIDs groups, read from its
/// fields in wire order: `cb=BROKER/TRADER/QTY;... pty=ID/SOURCE/ROLE[/SUBID:SUBTYPE];...`.
pub fn groups_of(bytes: &[u8]) -> String {
    let mut cb: Vec<String> = Vec::new();
    let mut pty: Vec<String> = Vec::new();
    for (tag, v) in fields(bytes) {
        let last = |list: &mut Vec<String>, sep: char, v: &str| {
            if let Some(e) = list.last_mut() {
                e.push(sep);
                e.push_str(v);
            }
        };
        match tag {
            375 | 448 => {
                let list = if tag == 375 { &mut cb } else { &mut pty };
                list.push(v);
            }
            337 | 437 => last(&mut cb, '/', &v),
            447 | 452 | 523 => last(&mut pty, '/', &v),
            803 => last(&mut pty, ':', &v),
            _ => {}
        }
    }
    format!("cb={} pty={}", cb.join(";"), pty.join(";"))
}

/// A received message as a [`Received`].
pub fn received(bytes: &[u8]) -> Received {
    let f = fields(bytes);
    let get = |tag: u32| f.iter().find(|(t, _)| *t == tag).map(|(_, v)| v.as_str());
    let msg_type = get(35).unwrap_or_default().to_string();
    Received {
        seq: get(34).and_then(|s| s.parse().ok()).unwrap_or_default(),
        clordid: get(11).unwrap_or("-").to_string(),
        possdup: get(43) == Some("Y"),
        groups: if msg_type == "8" {
            groups_of(bytes)
        } else {
            String::new()
        },
        msg_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fix_core::OutgoingMessage;

    fn encode(body: &RawBody) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut w = fix_core::encode::Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", body.msg_type());
        w.put_tag_bytes(34, b"7");
        body.encode_body(&mut w);
        w.finish_checked().unwrap();
        buf
    }

    #[test]
    fn group_summary_of_our_report_is_the_expected_one() {
        for v in [Version::Fix42, Version::Fix44, Version::Fix50Sp2] {
            let bytes = encode(&report(v, "X-1", b"1", b"IBM"));
            assert_eq!(groups_of(&bytes), expected_groups(v, "X-1"), "{v:?}");
            let r = received(&bytes);
            assert_eq!(
                (r.msg_type.as_str(), r.seq, r.clordid.as_str()),
                ("8", 7, "X-1")
            );
            assert!(!r.possdup);
        }
        assert_ne!(
            groups_of(&encode(&report(Version::Fix44, "X-1", b"1", b"IBM"))),
            expected_groups(Version::Fix44, "X-2")
        );
    }
}
