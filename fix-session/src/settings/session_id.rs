//! [`SessionId`]: the identity of one session, as QuickFIX defines it.

use std::fmt;

use fix_core::Tag;

/// Identifies one session: BeginString, our SenderCompID, their TargetCompID, the optional
/// Sub and Location IDs of both sides and an optional qualifier (to tell apart sessions with
/// the same CompIDs).
///
/// The Sub and Location IDs (`SenderSubID`, `SenderLocationID`, `TargetSubID`,
/// `TargetLocationID`) go in the header of every message the session sends (tags 50, 142,
/// 57, 143) and an acceptor routes an incoming Logon by them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId {
    /// BeginString (8): `FIX.4.0` to `FIX.4.4` or `FIXT.1.1`.
    pub begin_string: String,
    /// Our CompID: SenderCompID (49) of the messages we send.
    pub sender_comp_id: String,
    /// Our SenderSubID (50), if any.
    pub sender_sub_id: Option<String>,
    /// Our SenderLocationID (142), if any.
    pub sender_location_id: Option<String>,
    /// The counterparty's CompID: TargetCompID (56) of the messages we send.
    pub target_comp_id: String,
    /// The counterparty's TargetSubID (57), if any.
    pub target_sub_id: Option<String>,
    /// The counterparty's TargetLocationID (143), if any.
    pub target_location_id: Option<String>,
    /// SessionQualifier, if any.
    pub qualifier: Option<String>,
}

/// Header tags of the Sub and Location IDs, as (our tag on sent messages, the tag the
/// counterparty puts the same value in).
const SUB_LOCATION_TAGS: [(Tag, Tag); 4] = [(50, 57), (142, 143), (57, 50), (143, 142)];

impl SessionId {
    /// A session id without Sub/Location IDs and qualifier.
    pub fn new(begin_string: &str, sender: &str, target: &str) -> SessionId {
        SessionId {
            begin_string: begin_string.to_string(),
            sender_comp_id: sender.to_string(),
            sender_sub_id: None,
            sender_location_id: None,
            target_comp_id: target.to_string(),
            target_sub_id: None,
            target_location_id: None,
            qualifier: None,
        }
    }

    fn sub_location_values(&self) -> [Option<&str>; 4] {
        [
            self.sender_sub_id.as_deref(),
            self.sender_location_id.as_deref(),
            self.target_sub_id.as_deref(),
            self.target_location_id.as_deref(),
        ]
    }

    /// The Sub and Location ID fields this session puts in the header of every message it
    /// sends (SenderSubID 50, SenderLocationID 142, TargetSubID 57, TargetLocationID 143),
    /// in tag order; empty when none is set.
    pub fn header_fields(&self) -> Vec<(Tag, Vec<u8>)> {
        let mut out: Vec<(Tag, Vec<u8>)> = SUB_LOCATION_TAGS
            .iter()
            .zip(self.sub_location_values())
            .filter_map(|((ours, _), v)| v.map(|v| (*ours, v.as_bytes().to_vec())))
            .collect();
        out.sort_by_key(|(t, _)| *t);
        out
    }

    /// Whether the session names any Sub or Location ID (then every message carries them).
    pub fn has_sub_location(&self) -> bool {
        self.sub_location_values().iter().any(Option::is_some)
    }

    /// Whether a message the counterparty sent (its header fields read through `field`)
    /// carries the Sub and Location IDs this session names: their SenderSubID (50) must be
    /// our TargetSubID, and so on. IDs this session leaves unset match anything.
    pub fn matches_counterparty<'a>(&self, field: impl Fn(Tag) -> Option<&'a [u8]>) -> bool {
        SUB_LOCATION_TAGS
            .iter()
            .zip(self.sub_location_values())
            .all(|((_, theirs), v)| v.is_none_or(|v| field(*theirs) == Some(v.as_bytes())))
    }
}

/// `BEGINSTRING:SENDER/SUB@LOCATION->TARGET/SUB@LOCATION:QUALIFIER`, each optional part
/// only when set (so a session without them reads `FIX.4.4:A->B`).
impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |comp: &str, sub: &Option<String>, loc: &Option<String>| {
            let mut s = comp.to_string();
            for (mark, part) in [('/', sub), ('@', loc)] {
                if let Some(p) = part {
                    s.push(mark);
                    s.push_str(p);
                }
            }
            s
        };
        write!(
            f,
            "{}:{}->{}",
            self.begin_string,
            side(
                &self.sender_comp_id,
                &self.sender_sub_id,
                &self.sender_location_id
            ),
            side(
                &self.target_comp_id,
                &self.target_sub_id,
                &self.target_location_id
            )
        )?;
        if let Some(q) = &self.qualifier {
            write!(f, ":{q}")?;
        }
        Ok(())
    }
}
