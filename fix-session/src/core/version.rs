//! FIX versions in protocol order, so that rules reading "FIX.4.2 and later" compare enums.

/// The session's BeginString as an ordered version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Version {
    /// FIX.4.0.
    Fix40,
    /// FIX.4.1.
    Fix41,
    /// FIX.4.2.
    Fix42,
    /// FIX.4.3.
    Fix43,
    /// FIX.4.4, and any BeginString this table does not know.
    Fix44,
    /// FIXT.1.1 (FIX.5.0 and later application versions).
    Fixt11,
}

impl Version {
    /// The version of a BeginString; an unknown one behaves as the latest FIX.4.x.
    pub(crate) fn from_begin_string(begin_string: &str) -> Version {
        match begin_string {
            "FIX.4.0" => Version::Fix40,
            "FIX.4.1" => Version::Fix41,
            "FIX.4.2" => Version::Fix42,
            "FIX.4.3" => Version::Fix43,
            "FIXT.1.1" => Version::Fixt11,
            _ => Version::Fix44,
        }
    }

    /// Whether the version has the FIX.4.2 reject fields (RefTagID, RefMsgType,
    /// SessionRejectReason) and BusinessMessageReject.
    pub(crate) fn has_reject_reasons(self) -> bool {
        self >= Version::Fix42
    }

    /// The EndSeqNo that means "no limit" in a ResendRequest: 999999 before FIX.4.2, else 0.
    pub(crate) fn infinite_end_seq_no(self) -> u64 {
        if self < Version::Fix42 {
            999_999
        } else {
            0
        }
    }
}

/// Numeric ApplVerID (1128/1137) for a DefaultApplVerID setting (`FIX.5.0SP2` -> `9`);
/// a value that is already a code (or unknown) is returned as is.
pub(crate) fn appl_ver_id_code(v: &str) -> &str {
    match v {
        "FIX.2.7" => "0",
        "FIX.3.0" => "1",
        "FIX.4.0" => "2",
        "FIX.4.1" => "3",
        "FIX.4.2" => "4",
        "FIX.4.3" => "5",
        "FIX.4.4" => "6",
        "FIX.5.0" => "7",
        "FIX.5.0SP1" => "8",
        "FIX.5.0SP2" => "9",
        other => other,
    }
}
