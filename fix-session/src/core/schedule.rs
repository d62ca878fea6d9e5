//! Session schedules: which session period an instant belongs to, and whether the session
//! may be logged on then.

use std::time::SystemTime;

use chrono::{DateTime, Datelike, Duration as CDuration, NaiveDateTime, TimeZone, Utc, Weekday};

use crate::settings::{Schedule, Window};

impl Window {
    /// The start of the period of this range that `local` falls in, or `None` when `local`
    /// is outside it. Without days the range repeats daily (an end at or before the start
    /// is the next day's) and, when `weekdays` is not empty, only periods starting on one
    /// of them count; with days it repeats weekly.
    fn period_start(&self, local: NaiveDateTime, weekdays: &[Weekday]) -> Option<NaiveDateTime> {
        let (start, end) = match (self.start_day, self.end_day) {
            (Some(sd), Some(ed)) => {
                // Most recent StartDay@StartTime at or before now.
                let back = days_between(sd, local.weekday());
                let mut start = (local.date() - CDuration::days(back)).and_time(self.start_time);
                if start > local {
                    start -= CDuration::days(7);
                }
                let fwd = days_between(sd, ed);
                let mut end = (start.date() + CDuration::days(fwd)).and_time(self.end_time);
                if end <= start {
                    end += CDuration::days(7);
                }
                (start, end)
            }
            _ => {
                let mut start = local.date().and_time(self.start_time);
                if start > local {
                    start -= CDuration::days(1);
                }
                let mut end = start.date().and_time(self.end_time);
                if end <= start {
                    end += CDuration::days(1);
                }
                if !weekdays.is_empty() && !weekdays.contains(&start.weekday()) {
                    return None;
                }
                (start, end)
            }
        };
        (local <= end).then_some(start)
    }
}

/// Days from `from` forward to `to` (0 to 6).
fn days_between(from: Weekday, to: Weekday) -> i64 {
    (7 + i64::from(to.num_days_from_sunday()) - i64::from(from.num_days_from_sunday())) % 7
}

impl Schedule {
    fn local(&self, now: SystemTime) -> NaiveDateTime {
        let utc: DateTime<Utc> = now.into();
        self.time_zone
            .from_utc_datetime(&utc.naive_utc())
            .naive_local()
    }

    /// The start (local time) of the session period `now` falls in, or `None` when `now` is
    /// outside the schedule. StartTime equal to EndTime (and no days) is a 24-hour session
    /// that starts anew each day at StartTime; StartDay/EndDay make a weekly session;
    /// Weekdays limits a daily session to periods starting on those days; a NonStopSession
    /// has one period that never ends.
    pub fn period_start(&self, now: SystemTime) -> Option<NaiveDateTime> {
        if self.non_stop {
            return Some(NaiveDateTime::MIN);
        }
        self.session_window()
            .period_start(self.local(now), &self.weekdays)
    }

    /// Whether `now` is inside a session period.
    pub fn is_session_time(&self, now: SystemTime) -> bool {
        self.period_start(now).is_some()
    }

    /// Whether the session may be logged on at `now`: inside a session period and inside
    /// its LogonTime-LogoutTime (LogonDay-LogoutDay) window when there is one.
    pub fn is_logon_time(&self, now: SystemTime) -> bool {
        self.logon_period(now).is_some()
    }

    /// The starts (local time) of the session period and of the logon window `now` falls
    /// in (the session period's start twice without a LogonTime-LogoutTime window), or
    /// `None` when the session may not be logged on at `now`: it changes where a session
    /// period or a logon window begins or ends.
    pub(crate) fn logon_period(&self, now: SystemTime) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let period = self.period_start(now)?;
        let logon = match &self.logon_window {
            None => period,
            Some(w) => w.period_start(self.local(now), &self.weekdays)?,
        };
        Some((period, logon))
    }

    /// Whether `a` and `b` fall in the same session period.
    pub fn same_period(&self, a: SystemTime, b: SystemTime) -> bool {
        match (self.period_start(a), self.period_start(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn at(s: &str) -> SystemTime {
        let dt = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        Utc.from_utc_datetime(&dt).into()
    }

    #[test]
    fn daily_and_weekly() {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let daily = Schedule {
            start_time: t(8),
            end_time: t(17),
            ..Schedule::default()
        };
        assert!(daily.is_session_time(at("2024-01-02 09:00:00")));
        assert!(!daily.is_session_time(at("2024-01-02 18:00:00")));
        assert!(!daily.same_period(at("2024-01-02 09:00:00"), at("2024-01-03 09:00:00")));
        assert!(daily.same_period(at("2024-01-02 09:00:00"), at("2024-01-02 16:00:00")));
        let always = Schedule::default();
        assert!(always.is_session_time(at("2024-01-02 23:59:59")));
        assert!(!always.same_period(at("2024-01-02 23:59:59"), at("2024-01-03 00:00:01")));
        let overnight = Schedule {
            start_time: t(22),
            end_time: t(6),
            ..Schedule::default()
        };
        assert!(overnight.same_period(at("2024-01-02 23:00:00"), at("2024-01-03 05:00:00")));
        assert!(!overnight.is_session_time(at("2024-01-03 12:00:00")));
        // 2024-01-01 is a Monday.
        let weekly = Schedule {
            start_time: t(8),
            end_time: t(17),
            start_day: Some(Weekday::Mon),
            end_day: Some(Weekday::Fri),
            ..Schedule::default()
        };
        assert!(weekly.same_period(at("2024-01-01 09:00:00"), at("2024-01-03 23:00:00")));
        assert!(!weekly.is_session_time(at("2024-01-06 12:00:00")));
        assert!(!weekly.same_period(at("2024-01-05 09:00:00"), at("2024-01-08 09:00:00")));
        let ny = Schedule {
            start_time: t(8),
            end_time: t(17),
            time_zone: chrono_tz::America::New_York,
            ..Schedule::default()
        };
        assert!(ny.is_session_time(at("2024-01-02 14:00:00")));
        assert!(!ny.is_session_time(at("2024-01-02 09:00:00")));
    }

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn weekdays_limit_daily_periods_by_their_start_day() {
        // 2024-01-05 is a Friday; an overnight session 22:00-06:00 on Mon-Fri.
        let s = Schedule {
            start_time: t(22),
            end_time: t(6),
            weekdays: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            ..Schedule::default()
        };
        assert!(s.is_session_time(at("2024-01-05 23:00:00")));
        assert!(
            s.is_session_time(at("2024-01-06 05:00:00")),
            "Friday's period ends Saturday"
        );
        assert!(
            !s.is_session_time(at("2024-01-06 23:00:00")),
            "no period starts on Saturday"
        );
        assert!(
            !s.is_session_time(at("2024-01-07 23:00:00")),
            "nor on Sunday"
        );
        assert!(s.is_session_time(at("2024-01-08 23:00:00")));
        assert!(s.same_period(at("2024-01-05 23:00:00"), at("2024-01-06 05:00:00")));
    }

    #[test]
    fn a_non_stop_session_is_one_endless_period() {
        let s = Schedule {
            start_time: t(8),
            end_time: t(9),
            non_stop: true,
            ..Schedule::default()
        };
        assert!(s.is_session_time(at("2024-01-02 12:00:00")));
        assert!(s.is_logon_time(at("2024-01-02 12:00:00")));
        assert!(s.same_period(at("2024-01-02 12:00:00"), at("2025-06-30 03:00:00")));
    }

    #[test]
    fn the_logon_window_lies_inside_the_session_period() {
        let daily = Schedule {
            start_time: t(6),
            end_time: t(20),
            logon_window: Some(Window {
                start_time: t(8),
                end_time: t(18),
                start_day: None,
                end_day: None,
            }),
            ..Schedule::default()
        };
        assert!(daily.is_session_time(at("2024-01-02 07:00:00")));
        assert!(!daily.is_logon_time(at("2024-01-02 07:00:00")));
        assert!(daily.is_logon_time(at("2024-01-02 09:00:00")));
        assert!(!daily.is_logon_time(at("2024-01-02 19:00:00")));
        assert!(daily.same_period(at("2024-01-02 07:00:00"), at("2024-01-02 19:00:00")));
        assert!(!daily.is_logon_time(at("2024-01-02 21:00:00")));
        // Weekly: Monday 06:00 to Friday 20:00, logons Monday 08:00 to Friday 18:00.
        let weekly = Schedule {
            start_day: Some(Weekday::Mon),
            end_day: Some(Weekday::Fri),
            logon_window: daily.logon_window.map(|w| Window {
                start_day: Some(Weekday::Mon),
                end_day: Some(Weekday::Fri),
                ..w
            }),
            ..daily
        };
        assert!(!weekly.is_logon_time(at("2024-01-01 07:00:00")));
        assert!(
            weekly.is_logon_time(at("2024-01-03 03:00:00")),
            "Wednesday night"
        );
        assert!(!weekly.is_logon_time(at("2024-01-05 19:00:00")));
        assert!(weekly.is_session_time(at("2024-01-05 19:00:00")));
    }

    #[test]
    fn times_follow_the_zone_across_daylight_saving() {
        let s = Schedule {
            start_time: t(8),
            end_time: t(17),
            time_zone: chrono_tz::US::Central,
            ..Schedule::default()
        };
        // 08:30 in Chicago is 14:30 UTC in winter and 13:30 UTC in summer.
        assert!(s.is_session_time(at("2024-01-10 14:30:00")));
        assert!(!s.is_session_time(at("2024-07-10 12:30:00")));
        assert!(s.is_session_time(at("2024-07-10 13:30:00")));
    }
}
