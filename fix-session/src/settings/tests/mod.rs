//! Tests of the settings: the QuickFIX file and TOML forms, errors, each topic.
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveTime, Weekday};
use fix_core::value::Precision;

use super::*;

const AT: &str = "# comment\n[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nSocketReuseAddress=Y\n\
    StartTime=00:00:00\nEndTime=00:00:00\nSenderCompID=ISLD\nResetOnLogon=Y\nFileStorePath=store\n\n\
    [SESSION]\nBeginString=FIX.4.4\nTargetCompID=TW44\nDataDictionary=spec/FIX44.xml\n\
    [SESSION]\nBeginString=FIXT.1.1\nTargetCompID=TW50\nDefaultApplVerID=FIX.5.0SP2\n\
    TransportDataDictionary=spec/FIXT11.xml\nAppDataDictionary=spec/FIX50SP2.xml\nValidateFieldsHaveValues=N\n";

const STORE: &str =
    "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=1\nSenderCompID=S\nBeginString=FIX.4.4\n";

/// A minimal acceptor session with `extra` lines from line 7 on.
fn acceptor(extra: &str) -> Result<Settings, SettingsError> {
    let text = format!(
        "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=acceptor\n\
         SocketAcceptPort=1\n{extra}\n"
    );
    Settings::from_str_in(&text, Path::new("/cfg"))
}

fn bad_key(r: Result<Settings, SettingsError>) -> (String, usize, String) {
    match r {
        Err(SettingsError::BadValue {
            key, line, reason, ..
        }) => (key, line, reason),
        other => panic!("expected a bad value, got {other:?}"),
    }
}

mod errors;
mod forms;
mod keys;
#[cfg(feature = "tls")]
mod tls;
#[cfg(not(feature = "tls"))]
mod tls_off;
