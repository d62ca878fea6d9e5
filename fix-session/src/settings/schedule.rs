//! Schedule settings: when a session may be logged on (StartTime, EndTime, StartDay,
//! EndDay, Weekdays, NonStopSession, LogonTime, LogoutTime, LogonDay, LogoutDay) and the
//! time zone they are in (TimeZone, UseLocalTime, or a zone after the time). What an instant
//! means against them is in `core::schedule`.

use chrono::{NaiveTime, Weekday};

use super::values::{parse_day, parse_zone, Getter};
use super::SettingsError;

/// A range of time of day, optionally from one day of the week to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// When it starts, in the schedule's time zone.
    pub start_time: NaiveTime,
    /// When it ends, in the schedule's time zone (equal to `start_time`: 24 hours).
    pub end_time: NaiveTime,
    /// The day it starts, for a weekly range.
    pub start_day: Option<Weekday>,
    /// The day it ends, for a weekly range.
    pub end_day: Option<Weekday>,
}

/// The trading-session schedule: when the session may be logged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// StartTime, in [`Schedule::time_zone`].
    pub start_time: NaiveTime,
    /// EndTime, in [`Schedule::time_zone`].
    pub end_time: NaiveTime,
    /// StartDay for weekly sessions.
    pub start_day: Option<Weekday>,
    /// EndDay for weekly sessions.
    pub end_day: Option<Weekday>,
    /// TimeZone (IANA name), the zone written after StartTime/EndTime, or the machine's
    /// zone with UseLocalTime=Y; UTC when none is given.
    pub time_zone: chrono_tz::Tz,
    /// Weekdays (QuickFIX/J, QuickFIX/Go): the days a daily session runs, by the day its
    /// period starts; empty (default): every day.
    pub weekdays: Vec<Weekday>,
    /// NonStopSession=Y (QuickFIX/J): always in session, one period that never ends (no
    /// sequence reset on a schedule).
    pub non_stop: bool,
    /// LogonTime/LogoutTime/LogonDay/LogoutDay (QuickFIX C++): the part of each session
    /// period in which the session may be logged on; outside it the session logs out but
    /// the period (and its sequence numbers) goes on. `None`: the whole period.
    pub logon_window: Option<Window>,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            start_time: NaiveTime::MIN,
            end_time: NaiveTime::MIN,
            start_day: None,
            end_day: None,
            time_zone: chrono_tz::UTC,
            weekdays: Vec::new(),
            non_stop: false,
            logon_window: None,
        }
    }
}

impl Schedule {
    /// The session period's range: StartTime to EndTime, StartDay to EndDay.
    pub fn session_window(&self) -> Window {
        Window {
            start_time: self.start_time,
            end_time: self.end_time,
            start_day: self.start_day,
            end_day: self.end_day,
        }
    }
}

/// Reads the schedule keys.
pub(crate) fn build(g: &Getter<'_>) -> Result<Schedule, SettingsError> {
    let non_stop = g.bool("NonStopSession", false)?;
    let (start_time, start_zone) = g.time("StartTime")?.unwrap_or((NaiveTime::MIN, None));
    let (end_time, end_zone) = g.time("EndTime")?.unwrap_or((NaiveTime::MIN, None));
    let time_zone = zone(g, start_zone, end_zone)?;
    let start_day = g.day("StartDay")?;
    let end_day = g.day("EndDay")?;
    both_or_neither(g, ("StartDay", start_day), ("EndDay", end_day))?;
    let weekdays = g
        .list("Weekdays")
        .into_iter()
        .map(|d| {
            parse_day(d)
                .ok_or_else(|| g.bad("Weekdays", "expected days of the week, separated by commas"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !weekdays.is_empty() && start_day.is_some() {
        return Err(g.bad(
            "Weekdays",
            "Weekdays is for daily sessions: not with StartDay/EndDay",
        ));
    }
    let session = Window {
        start_time,
        end_time,
        start_day,
        end_day,
    };
    Ok(Schedule {
        start_time,
        end_time,
        start_day,
        end_day,
        time_zone,
        weekdays,
        non_stop,
        logon_window: logon_window(g, &session, time_zone)?,
    })
}

fn both_or_neither(
    g: &Getter<'_>,
    (a, av): (&str, Option<Weekday>),
    (b, bv): (&str, Option<Weekday>),
) -> Result<(), SettingsError> {
    match (av, bv) {
        (Some(_), None) => Err(g.missing(b)),
        (None, Some(_)) => Err(g.missing(a)),
        _ => Ok(()),
    }
}

/// The schedule's zone: the one after StartTime/EndTime, else TimeZone, else the machine's
/// with UseLocalTime=Y, else UTC. Two different zones are an error.
fn zone(
    g: &Getter<'_>,
    start: Option<chrono_tz::Tz>,
    end: Option<chrono_tz::Tz>,
) -> Result<chrono_tz::Tz, SettingsError> {
    let named = match g.str("TimeZone") {
        None => None,
        Some(v) => Some(
            parse_zone(v).ok_or_else(|| g.bad("TimeZone", "expected an IANA time zone name"))?,
        ),
    };
    let local = g.bool("UseLocalTime", false)?;
    if local && named.is_some() {
        return Err(g.bad(
            "UseLocalTime",
            "give either UseLocalTime=Y or TimeZone, not both",
        ));
    }
    let mut chosen = None;
    for (key, z) in [("StartTime", start), ("EndTime", end), ("TimeZone", named)] {
        match (chosen, z) {
            (Some(c), Some(z)) if c != z => {
                return Err(g.bad(
                    key,
                    "names a different time zone than StartTime/EndTime/TimeZone",
                ))
            }
            (None, Some(z)) => chosen = Some(z),
            _ => {}
        }
    }
    match (chosen, local) {
        (Some(z), _) => Ok(z),
        (None, true) => Ok(local_zone().unwrap_or_else(|| {
            // As the C library does when the machine names no zone.
            tracing::warn!(
                section = g.section,
                "UseLocalTime=Y: the machine's time zone is not known; using UTC"
            );
            chrono_tz::UTC
        })),
        (None, false) => Ok(chrono_tz::UTC),
    }
}

/// The machine's time zone (UseLocalTime=Y), when it names one.
pub(crate) fn local_zone() -> Option<chrono_tz::Tz> {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|n| parse_zone(&n))
}

/// LogonTime/LogoutTime/LogonDay/LogoutDay, each defaulting to the session's own
/// StartTime/EndTime/StartDay/EndDay; `None` when none is given.
fn logon_window(
    g: &Getter<'_>,
    session: &Window,
    zone: chrono_tz::Tz,
) -> Result<Option<Window>, SettingsError> {
    const KEYS: [&str; 4] = ["LogonTime", "LogoutTime", "LogonDay", "LogoutDay"];
    if !KEYS.iter().any(|k| g.str(k).is_some()) {
        return Ok(None);
    }
    let mut times = [session.start_time, session.end_time];
    for (slot, key) in times.iter_mut().zip(["LogonTime", "LogoutTime"]) {
        if let Some((t, z)) = g.time(key)? {
            if z.is_some_and(|z| z != zone) {
                return Err(g.bad(key, "names a different time zone than the session's"));
            }
            *slot = t;
        }
    }
    let logon_day = g.day("LogonDay")?;
    let logout_day = g.day("LogoutDay")?;
    if session.start_day.is_none() && (logon_day.is_some() || logout_day.is_some()) {
        let key = if logon_day.is_some() {
            "LogonDay"
        } else {
            "LogoutDay"
        };
        return Err(g.bad(
            key,
            "LogonDay/LogoutDay need a weekly session (StartDay/EndDay)",
        ));
    }
    Ok(Some(Window {
        start_time: times[0],
        end_time: times[1],
        start_day: logon_day.or(session.start_day),
        end_day: logout_day.or(session.end_day),
    }))
}
