//! The session's timers: a closed set, each with at most one deadline in a table.
//!
//! Deadlines are set when what they measure happens (a message sent or received, a Logon or
//! Logout sent, a connection opened) and [`Session::poll_timeout`] returns the earliest one,
//! so the driver sleeps exactly until something is due.

use std::time::{Duration, SystemTime};

use fix_core::tag::TEST_REQ_ID;

use super::msg_type::AdminMsgType;
use super::{Session, State};
use crate::settings::Schedule;

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// The session period ends: log out (if logged on) and disconnect.
    SessionEnd,
    /// No Logon (or no answer to ours) within LogonTimeout.
    Logon,
    /// No answer to our Logout within LogoutTimeout.
    Logout,
    /// Nothing received for HeartBeatTimeoutMultiplier x HeartBtInt: the link is dead.
    Idle,
    /// Nothing received for TestRequestDelayMultiplier x HeartBtInt: send a TestRequest.
    TestRequest,
    /// Nothing sent for HeartBtInt: send a Heartbeat.
    Heartbeat,
}

impl Timer {
    /// Every timer, in the order expired ones are handled.
    const ALL: [Timer; 6] = [
        Timer::SessionEnd,
        Timer::Logon,
        Timer::Logout,
        Timer::Idle,
        Timer::TestRequest,
        Timer::Heartbeat,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// One optional deadline per [`Timer`].
#[derive(Debug, Default, Clone)]
pub(crate) struct TimerTable([Option<SystemTime>; Timer::ALL.len()]);

impl TimerTable {
    /// Arms `timer` for `at` (replacing its deadline).
    pub(crate) fn set(&mut self, timer: Timer, at: SystemTime) {
        self.0[timer.index()] = Some(at);
    }

    /// Arms `timer` for `from + after`, or stops it when that is past what the clock can
    /// hold (a deadline that never comes).
    pub(crate) fn set_after(&mut self, timer: Timer, from: SystemTime, after: Option<Duration>) {
        self.0[timer.index()] = after.and_then(|d| from.checked_add(d));
    }

    /// Stops `timer`.
    pub(crate) fn stop(&mut self, timer: Timer) {
        self.0[timer.index()] = None;
    }

    /// Stops every timer.
    pub(crate) fn stop_all(&mut self) {
        self.0 = Default::default();
    }

    /// The deadline of `timer`, if armed.
    pub(crate) fn get(&self, timer: Timer) -> Option<SystemTime> {
        self.0[timer.index()]
    }

    /// The earliest deadline.
    pub(crate) fn earliest(&self) -> Option<SystemTime> {
        self.0.iter().flatten().min().copied()
    }

    /// The first timer (in [`Timer::ALL`] order) due at `now`.
    fn expired(&self, now: SystemTime) -> Option<Timer> {
        Timer::ALL
            .into_iter()
            .find(|t| self.get(*t).is_some_and(|d| d <= now))
    }
}

/// `d x factor`; `None` when it does not fit a [`Duration`] (or the factor is not a number).
fn scaled(d: Duration, factor: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor).ok()
}

/// How far ahead [`period_end`] looks; longer than any weekly session.
const PERIOD_HORIZON: Duration = Duration::from_secs(8 * 24 * 3600);

/// The first instant after `now` outside `now`'s session period or logon window (`now`
/// itself when it is outside them); `now + PERIOD_HORIZON` when they last longer than that
/// (the timer then fires, finds them unchanged and is set again). Found by bisection on
/// [`Schedule::logon_period`] to the millisecond, so it follows whatever the schedule
/// supports.
pub(crate) fn period_end(schedule: &Schedule, now: SystemTime) -> SystemTime {
    let Some(current) = schedule.logon_period(now) else {
        return now;
    };
    let same = |t: SystemTime| schedule.logon_period(t) == Some(current);
    let horizon = PERIOD_HORIZON.as_millis() as u64;
    let at = |ms: u64| now + Duration::from_millis(ms);
    if same(at(horizon)) {
        return at(horizon);
    }
    let (mut inside, mut outside) = (0u64, horizon);
    while outside - inside > 1 {
        let mid = inside + (outside - inside) / 2;
        if same(at(mid)) {
            inside = mid;
        } else {
            outside = mid;
        }
    }
    at(outside)
}

impl Session {
    /// When [`Session::handle_timeout`] should be called next (`None`: no timer running).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<SystemTime> {
        self.timers.earliest()
    }

    /// Timers: logon and logout timeouts, heartbeats, test requests, end of the session
    /// period. Handles every timer due at `now`.
    pub fn handle_timeout(&mut self, now: SystemTime) {
        self.now = now;
        while let Some(timer) = self.timers.expired(now) {
            self.timers.stop(timer);
            self.fire(timer, now);
        }
    }

    fn fire(&mut self, timer: Timer, now: SystemTime) {
        match timer {
            Timer::SessionEnd => self.on_period_end(now),
            Timer::Logon => self.disconnect("timed out waiting for logon", now),
            Timer::Logout => self.disconnect("timed out waiting for logout", now),
            Timer::Idle => self.disconnect("timed out waiting for heartbeat", now),
            Timer::TestRequest => {
                let mut body = AdminMsgType::TestRequest.body();
                body.push(TEST_REQ_ID, b"TEST");
                self.test_requests += 1;
                self.send_admin(body, &[], now);
            }
            Timer::Heartbeat => {
                if self.test_requests == 0 {
                    self.send_admin(AdminMsgType::Heartbeat.body(), &[], now);
                }
            }
        }
    }

    fn on_period_end(&mut self, now: SystemTime) {
        match self.state {
            State::Disconnected => {}
            State::AwaitingLogon => {
                if self.cfg.schedule.is_logon_time(now) {
                    self.arm_period_end(now);
                } else {
                    self.disconnect("outside the session schedule", now);
                }
            }
            State::Active | State::LogoutSent => {
                let same_period = self.cfg.schedule.same_period(self.created, now);
                if same_period && self.cfg.schedule.is_logon_time(now) {
                    self.arm_period_end(now);
                    return;
                }
                if same_period {
                    // LogoutTime: the session logs out, its period (and sequence numbers)
                    // goes on.
                    if self.state == State::Active {
                        self.send_logout(Some("Logout time"), now);
                    }
                    self.disconnect("outside the logon window", now);
                    return;
                }
                if self.state == State::Active {
                    self.send_logout(Some("End of session"), now);
                }
                self.disconnect("end of session period", now);
                self.reset(now);
            }
        }
    }

    /// Arms [`Timer::SessionEnd`] for the end of `now`'s session period.
    pub(crate) fn arm_period_end(&mut self, now: SystemTime) {
        let end = period_end(&self.cfg.schedule, now);
        self.timers.set(Timer::SessionEnd, end);
    }

    /// Sets the heartbeat, test request and idle deadlines from the last message sent and
    /// received (logged-on sessions with a heartbeat interval only).
    pub(crate) fn arm_link_timers(&mut self) {
        let on = self.is_logged_on() && !self.hb.is_zero();
        if !on {
            for t in [Timer::Heartbeat, Timer::TestRequest, Timer::Idle] {
                self.timers.stop(t);
            }
            return;
        }
        let hb = self.hb;
        if self.test_requests == 0 {
            self.timers
                .set_after(Timer::Heartbeat, self.last_sent, Some(hb));
        } else {
            self.timers.stop(Timer::Heartbeat);
        }
        let delay = (1.0 + self.cfg.test_request_delay_multiplier.max(0.0))
            * f64::from(self.test_requests + 1);
        let (rx, test) = (self.last_received, scaled(hb, delay));
        self.timers.set_after(Timer::TestRequest, rx, test);
        if self.cfg.disable_heart_beat_check {
            self.timers.stop(Timer::Idle);
        } else {
            let idle = 1.0 + self.cfg.heart_beat_timeout_multiplier.max(0.0);
            self.timers.set_after(Timer::Idle, rx, scaled(hb, idle));
        }
    }
}
