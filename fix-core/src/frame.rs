//! Finding one complete message in a byte stream: `8=` BeginString, `9=` BodyLength, `10=` CheckSum.

use std::ops::Range;

use thiserror::Error;

/// The field separator, SOH (0x01).
pub const SOH: u8 = 0x01;

/// The position of the first SOH in `hay`, eight bytes at a time, without a library call.
#[inline]
pub(crate) fn find_soh(hay: &[u8]) -> Option<usize> {
    use crate::scan::{zero_bytes, ONES};
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        // Bytes equal to SOH become zero; the lowest flagged one is exact.
        let found = zero_bytes(u64::from_le_bytes(word) ^ ONES);
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == SOH)
        .map(|q| base + q)
}

/// The largest message accepted unless a caller asks for another limit (1 MiB).
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 1 << 20;

/// The sum of `bytes` modulo 256, as the CheckSum (10) field carries it.
pub fn checksum(bytes: &[u8]) -> u8 {
    (crate::scan::byte_sum(bytes) & 0xFF) as u8
}

/// Where the parts of one framed message lie, relative to the start of the buffer given to
/// [`find_frame`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Total length of the message, including the trailing SOH after the checksum.
    pub len: usize,
    /// The BeginString value.
    pub begin_string: Range<usize>,
    /// The body: from the first byte after the BodyLength field's SOH up to (not including) `10=`.
    pub body: Range<usize>,
    /// The CheckSum value as received.
    pub checksum: u8,
}

/// Why bytes do not form a valid FIX message.
///
/// The FIX session protocol treats all of these as a garbled message: it is ignored (no
/// Reject, MsgSeqNum not consumed) and the reader moves on. [`FrameError::skip`] says how many
/// bytes to drop to get past it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The message does not start with `8=`.
    #[error("message does not start with BeginString (8=)")]
    NoBeginString {
        /// Bytes to drop: up to the next `8=` after a SOH, or all.
        skip: usize,
    },
    /// The second field is not a well-formed BodyLength (`9=<digits>`).
    #[error("second field is not a valid BodyLength (9=)")]
    BadBodyLength {
        /// Bytes to drop.
        skip: usize,
    },
    /// BodyLength announces more than the allowed maximum.
    #[error("BodyLength {len} exceeds the limit of {max} bytes")]
    TooLong {
        /// The announced length.
        len: usize,
        /// The limit.
        max: usize,
        /// Bytes to drop.
        skip: usize,
    },
    /// The bytes at the position BodyLength points to are not `10=NNN<SOH>`.
    #[error("no CheckSum (10=NNN) where BodyLength points; BodyLength wrong or message cut")]
    BadTrailer {
        /// Bytes to drop.
        skip: usize,
    },
    /// The third field is not MsgType (35).
    #[error("third field is not MsgType (35=)")]
    MsgTypeNotThird {
        /// Bytes to drop.
        skip: usize,
    },
    /// The buffer ends before the message does (only for APIs given a whole message).
    #[error("message is cut short")]
    Truncated {
        /// Bytes to drop (all of them).
        skip: usize,
    },
    /// The CheckSum value does not match the bytes.
    #[error("CheckSum is {received:03} but the message sums to {computed:03}")]
    ChecksumMismatch {
        /// What the message carries.
        received: u8,
        /// What the bytes add up to.
        computed: u8,
        /// Bytes to drop (the whole message).
        skip: usize,
    },
}

impl FrameError {
    /// How many bytes from the start of the buffer to discard to get past the bad message.
    pub fn skip(&self) -> usize {
        match *self {
            FrameError::NoBeginString { skip }
            | FrameError::BadBodyLength { skip }
            | FrameError::TooLong { skip, .. }
            | FrameError::BadTrailer { skip }
            | FrameError::Truncated { skip }
            | FrameError::MsgTypeNotThird { skip }
            | FrameError::ChecksumMismatch { skip, .. } => skip,
        }
    }
}

/// Position of the next `8=` that starts a field (at 1.. after a SOH), or `buf.len()`.
///
/// Used to resynchronise a stream after a garbled message.
pub fn next_message_start(buf: &[u8]) -> usize {
    let mut i = 1;
    while i + 1 < buf.len() {
        if buf[i] == b'8' && buf[i + 1] == b'=' && buf[i - 1] == SOH {
            return i;
        }
        i += 1;
    }
    buf.len()
}

fn parse_digits(bytes: &[u8]) -> Option<usize> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    let mut n = 0usize;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + usize::from(b - b'0');
    }
    Some(n)
}

/// The end of the first checksum field (`<SOH>10=...<SOH>`, any value) starting at or after
/// `from`.
fn checksum_field_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 5 <= buf.len() {
        if buf[i] == SOH && &buf[i + 1..i + 4] == b"10=" {
            return buf[i + 4..]
                .iter()
                .position(|&b| b == SOH)
                .map(|p| i + 4 + p + 1);
        }
        i += 1;
    }
    None
}

/// Finds the message at the start of `buf`.
///
/// Returns `Ok(None)` when `buf` holds only the beginning of a message (read more bytes and
/// call again), `Ok(Some(frame))` for a complete message with a correct BodyLength and
/// CheckSum, and an error for bytes that cannot be a valid message. Never reads past `buf` and
/// never panics, whatever the bytes.
pub fn find_frame(buf: &[u8], max_len: usize) -> Result<Option<Frame>, FrameError> {
    match locate_frame(buf, max_len)? {
        Some(located) => {
            let computed = checksum(&buf[..located.frame.body.end]);
            located.verify(computed).map(Some)
        }
        None => Ok(None),
    }
}

/// A message found by its framing fields, its CheckSum not compared yet.
pub(crate) struct Located {
    /// The frame, with `checksum` still to be filled in.
    pub(crate) frame: Frame,
    /// The CheckSum's three digits as a number (0 to 999).
    received: usize,
}

impl Located {
    /// The frame if `computed` (the sum of the bytes before `10=`, modulo 256) is what the
    /// message carries.
    pub(crate) fn verify(self, computed: u8) -> Result<Frame, FrameError> {
        if self.received != usize::from(computed) {
            let received = u8::try_from(self.received).unwrap_or(u8::MAX);
            return Err(FrameError::ChecksumMismatch {
                received,
                computed,
                skip: self.frame.len,
            });
        }
        Ok(Frame {
            checksum: computed,
            ..self.frame
        })
    }
}

/// [`find_frame`] without the CheckSum comparison, for callers that sum the bytes in a pass
/// of their own (the decoder sums while it marks the SOH bytes).
pub(crate) fn locate_frame(buf: &[u8], max_len: usize) -> Result<Option<Located>, FrameError> {
    // 8=<value><SOH>
    if buf.len() < 2 {
        if buf.is_empty() || buf[0] == b'8' {
            return Ok(None);
        }
        return Err(FrameError::NoBeginString {
            skip: next_message_start(buf),
        });
    }
    if buf.first_chunk::<2>() != Some(b"8=") {
        return Err(FrameError::NoBeginString {
            skip: next_message_start(buf),
        });
    }
    let Some(bs_end) = find_soh(&buf[2..]).map(|p| p + 2) else {
        if buf.len() > 2 + 32 {
            return Err(FrameError::NoBeginString {
                skip: next_message_start(buf),
            });
        }
        return Ok(None);
    };
    let begin_string = 2..bs_end;
    // 9=<digits><SOH>
    let rest = &buf[bs_end + 1..];
    let have = rest.len().min(2);
    if rest[..have] != b"9="[..have] {
        return Err(FrameError::BadBodyLength {
            skip: next_message_start(buf),
        });
    }
    if rest.len() < 2 {
        return Ok(None);
    }
    let Some(len_end) = find_soh(&rest[2..]) else {
        if rest.len() > 2 + 10 {
            return Err(FrameError::BadBodyLength {
                skip: next_message_start(buf),
            });
        }
        return Ok(None);
    };
    let Some(body_len) = parse_digits(&rest[2..2 + len_end]) else {
        return Err(FrameError::BadBodyLength {
            skip: next_message_start(buf),
        });
    };
    if body_len > max_len {
        return Err(FrameError::TooLong {
            len: body_len,
            max: max_len,
            skip: next_message_start(buf),
        });
    }
    let body_start = bs_end + 1 + 2 + len_end + 1;
    let body_end = body_start + body_len;
    let total = body_end + 7; // "10=NNN" + SOH
    if buf.len() < total {
        return Ok(None);
    }
    let trailer = &buf[body_end..total];
    let digits_ok = trailer[3..6].iter().all(u8::is_ascii_digit);
    // Fixed-size compares (inlined, no call).
    if trailer.first_chunk::<3>() != Some(b"10=")
        || !digits_ok
        || trailer[6] != SOH
        || (body_len > 0 && buf[body_end - 1] != SOH)
    {
        // Like QuickFIX, read on to the first checksum field after the announced end: the
        // bytes up to it are the garbled message, even if another `8=` starts inside them.
        return match checksum_field_end(buf, body_end.saturating_sub(1)) {
            Some(end) => Err(FrameError::BadTrailer { skip: end }),
            None if buf.len() - body_end > max_len => Err(FrameError::BadTrailer {
                skip: next_message_start(buf),
            }),
            None => Ok(None),
        };
    }
    if buf[body_start..body_end].first_chunk::<3>() != Some(b"35=") {
        return Err(FrameError::MsgTypeNotThird { skip: total });
    }
    let received = parse_digits(&trailer[3..6]).unwrap_or(usize::MAX);
    Ok(Some(Located {
        frame: Frame {
            len: total,
            begin_string,
            body: body_start..body_end,
            checksum: 0,
        },
        received,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(s: &str) -> Vec<u8> {
        s.replace('|', "\x01").into_bytes()
    }

    // 8=FIX.4.2|9=5|35=0|10=163|  : sum worked out by hand below.
    #[test]
    fn frames_a_heartbeat() {
        let head = msg("8=FIX.4.2|9=5|35=0|");
        // '8'+'='+"FIX.4.2"+SOH = 56+61+(70+73+88+46+52+46+50)+1 = 543
        // '9'+'='+'5'+SOH = 57+61+53+1 = 172 ; "35=0"+SOH = 51+53+61+48+1 = 214 ; total 929 % 256 = 161
        assert_eq!(checksum(&head), 161);
        let full = msg("8=FIX.4.2|9=5|35=0|10=161|");
        let f = find_frame(&full, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
        assert_eq!(f.len, full.len());
        assert_eq!(&full[f.begin_string.clone()], b"FIX.4.2");
        assert_eq!(&full[f.body.clone()], b"35=0\x01");
        for cut in 0..full.len() {
            assert_eq!(
                find_frame(&full[..cut], DEFAULT_MAX_MESSAGE_LEN),
                Ok(None),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn wrong_checksum_and_length() {
        let bad = msg("8=FIX.4.2|9=5|35=0|10=162|");
        assert_eq!(
            find_frame(&bad, 4096),
            Err(FrameError::ChecksumMismatch {
                received: 162,
                computed: 161,
                skip: bad.len()
            })
        );
        // BodyLength too long: the bytes up to the next checksum field are garbled, including
        // a message that starts inside them.
        let long = msg("8=FIX.4.2|9=6|35=0|10=161|xx");
        assert_eq!(
            find_frame(&long, 4096),
            Ok(None),
            "wait for a checksum field"
        );
        let two = msg("8=FIX.4.2|9=25|35=0|10=161|8=FIX.4.2|9=5|35=0|10=161|");
        assert_eq!(
            find_frame(&two, 4096),
            Err(FrameError::BadTrailer { skip: two.len() })
        );
        let short = msg("8=FIX.4.2|9=3|35=0|10=161|8=FIX.4.2|9=5|35=0|10=161|");
        assert_eq!(
            find_frame(&short, 4096),
            Err(FrameError::BadTrailer { skip: 26 })
        );
        // ... but not forever: past the size limit the reader resynchronises.
        let noise = msg(&format!("8=FIX.4.2|9=6|35=0|10=161|{}", "x".repeat(20)));
        assert!(matches!(
            find_frame(&noise, 8),
            Err(FrameError::BadTrailer { .. })
        ));
        let huge = msg("8=FIX.4.2|9=99999|35=0|10=161|");
        assert!(matches!(
            find_frame(&huge, 4096),
            Err(FrameError::TooLong { len: 99999, .. })
        ));
        let junk = msg("garbage|8=FIX.4.2|9=5|35=0|10=161|");
        assert_eq!(
            find_frame(&junk, 4096),
            Err(FrameError::NoBeginString { skip: 8 })
        );
        let nolen = msg("8=FIX.4.2|35=0|9=5|10=161|");
        assert!(matches!(
            find_frame(&nolen, 4096),
            Err(FrameError::BadBodyLength { .. })
        ));
        let no35 = msg("8=FIX.4.2|9=5|34=0|10=160|");
        assert_eq!(
            find_frame(&no35, 4096),
            Err(FrameError::MsgTypeNotThird { skip: no35.len() })
        );
    }

    #[test]
    fn never_panics_on_prefixes_of_noise() {
        let noise: Vec<u8> = (0..2000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        for start in 0..50 {
            let _ = find_frame(&noise[start..], 64);
        }
        let mut m = msg("8=FIX.4.4|9=");
        m.extend_from_slice(&noise[..300]);
        for cut in 0..m.len() {
            let _ = find_frame(&m[..cut], 128);
        }
    }
}
