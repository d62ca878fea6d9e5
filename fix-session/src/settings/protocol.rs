//! Protocol settings: timers, sequence number resets, resend and recovery behaviour, what
//! goes on the Logon, and SendingTime's precision.

use fix_core::value::Precision;

use super::values::Getter;
use super::{ConnectionType, SessionSettings, SettingsError};

/// Reads the protocol keys into `s`.
pub(crate) fn build(g: &Getter<'_>, s: &mut SessionSettings) -> Result<(), SettingsError> {
    timers(g, s)?;
    s.reset_on_logon = g.bool("ResetOnLogon", false)?;
    s.reset_on_logout = g.bool("ResetOnLogout", false)?;
    s.reset_on_disconnect = g.bool("ResetOnDisconnect", false)?;
    s.reset_on_error = g.bool("ResetOnError", false)?;
    s.disconnect_on_error = g.bool("DisconnectOnError", false)?;
    s.refresh_on_logon = g.bool("RefreshOnLogon", false)?;
    s.send_redundant_resend_requests = g.bool("SendRedundantResendRequests", false)?;
    s.resend_request_chunk_size = g.u64("ResendRequestChunkSize")?.unwrap_or(0);
    s.closed_resend_interval = g.bool("ClosedResendInterval", false)?;
    s.enable_next_expected_msg_seq_num = g.bool("EnableNextExpectedMsgSeqNum", false)?;
    s.enable_last_msg_seq_num_processed = g.bool("EnableLastMsgSeqNumProcessed", false)?;
    s.allow_pos_dup = g.bool("AllowPosDup", false)?;
    s.force_resend_when_corrupted_store = g.bool("ForceResendWhenCorruptedStore", false)?;
    s.logon_tags = logon_tags(g)?;
    s.timestamp_precision = precision(g)?;
    Ok(())
}

fn timers(g: &Getter<'_>, s: &mut SessionSettings) -> Result<(), SettingsError> {
    s.reconnect_interval = g.secs("ReconnectInterval", 30)?;
    s.heartbeat_interval = g.secs("HeartBtInt", 30)?;
    if s.connection_type == ConnectionType::Initiator && g.str("HeartBtInt").is_none() {
        return Err(g.missing("HeartBtInt"));
    }
    s.logon_timeout = g.secs("LogonTimeout", 10)?;
    s.logout_timeout = g.secs("LogoutTimeout", 2)?;
    s.test_request_delay_multiplier = g.f64("TestRequestDelayMultiplier", 0.2)?;
    s.heart_beat_timeout_multiplier = g.f64("HeartBeatTimeoutMultiplier", 1.4)?;
    s.disable_heart_beat_check = g.bool("DisableHeartBeatCheck", false)?;
    Ok(())
}

/// LogonTag, LogonTag1, LogonTag2, ... (`tag=value` each), in that order.
fn logon_tags(g: &Getter<'_>) -> Result<Vec<(fix_core::Tag, String)>, SettingsError> {
    let mut numbered: Vec<(u64, &str, &str)> = g
        .suffixed("LogonTag")
        .map(|(n, key, value)| (n.parse::<u64>().unwrap_or(0), key, value))
        .collect();
    numbered.sort_by_key(|(n, _, _)| *n);
    numbered
        .into_iter()
        .map(|(_, key, value)| {
            value
                .split_once('=')
                .and_then(|(t, v)| {
                    Some((
                        t.trim().parse::<fix_core::Tag>().ok().filter(|t| *t > 0)?,
                        v.to_string(),
                    ))
                })
                .ok_or_else(|| g.bad(key, "expected tag=value, such as 553=user"))
        })
        .collect()
}

/// TimeStampPrecision (QuickFIX/J, QuickFIX/Go: SECONDS, MILLIS, MICROS, NANOS) or
/// TimestampPrecision (QuickFIX C++: 0, 3, 6 or 9 digits), else MillisecondsInTimeStamp.
fn precision(g: &Getter<'_>) -> Result<Option<Precision>, SettingsError> {
    let key = "TimeStampPrecision";
    let Some(v) = g.str(key) else {
        return Ok(match g.str("MillisecondsInTimeStamp") {
            None => None,
            Some(_) if g.bool("MillisecondsInTimeStamp", true)? => Some(Precision::Millis),
            Some(_) => Some(Precision::Seconds),
        });
    };
    let p = match v.to_ascii_uppercase().as_str() {
        "SECONDS" | "0" => Precision::Seconds,
        "MILLIS" | "3" => Precision::Millis,
        "MICROS" | "6" => Precision::Micros,
        "NANOS" | "9" => Precision::Nanos,
        _ => {
            return Err(g.bad(
                key,
                "expected SECONDS, MILLIS, MICROS or NANOS (or 0, 3, 6 or 9 digits)",
            ))
        }
    };
    Ok(Some(p))
}
