//! Connection life: connect, disconnect, logout, sequence number resets.

use std::time::SystemTime;

use super::outgoing::LogonReset;
use super::timers::Timer;
use super::{Event, Output, Session, State};

impl Session {
    /// A connection is up: an initiator sends its Logon, an acceptor waits for one.
    pub fn on_connect(&mut self, now: SystemTime) {
        self.now = now;
        self.inbuf.clear();
        self.queue.clear();
        self.resend_range = None;
        self.awaiting_resend = None;
        self.test_requests = 0;
        self.last_received = now;
        self.timers.stop_all();
        if !self.cfg.schedule.is_session_time(now) {
            self.disconnect("outside the session schedule", now);
            return;
        }
        if !self.cfg.schedule.is_logon_time(now) {
            self.disconnect("outside the logon window (LogonTime-LogoutTime)", now);
            return;
        }
        self.check_period(now);
        self.state = State::AwaitingLogon;
        self.timers
            .set_after(Timer::Logon, now, Some(self.cfg.logon_timeout));
        self.arm_period_end(now);
        if self.initiator {
            self.hb = self.cfg.heartbeat_interval;
            let reset = if self.cfg.reset_on_logon {
                self.reset(now);
                LogonReset::Reset
            } else {
                LogonReset::Keep
            };
            self.sent_reset = reset == LogonReset::Reset;
            self.send_logon(reset, self.next_target, now);
        }
    }

    /// Resets the sequence numbers if `now` is in another session period than the store's
    /// creation time.
    fn check_period(&mut self, now: SystemTime) {
        if !self.cfg.schedule.same_period(self.created, now) {
            tracing::info!(session = %self.cfg.id, "new session period: resetting sequence numbers");
            self.reset(now);
        }
    }

    /// The connection was lost or closed.
    pub fn on_disconnect(&mut self, now: SystemTime) {
        self.now = now;
        if self.state != State::Disconnected {
            self.disconnect("connection closed", now);
        }
    }

    /// The driver closes the connection for a reason of its own (a store failure, say):
    /// like [`Session::on_disconnect`], with `reason` in the [`Event::Disconnected`] event.
    pub fn abort(&mut self, reason: &str, now: SystemTime) {
        self.now = now;
        if self.state != State::Disconnected {
            self.disconnect(reason, now);
        }
    }

    /// Starts the logout handshake: sends Logout and waits LogoutTimeout for the answer.
    pub fn logout(&mut self, text: Option<&str>, now: SystemTime) {
        self.now = now;
        match self.state {
            State::Active => self.send_logout(text, now),
            State::AwaitingLogon => self.disconnect("logout before logon", now),
            _ => {}
        }
    }

    /// Both sequence numbers back to 1, the store told to follow.
    pub(super) fn reset(&mut self, now: SystemTime) {
        self.next_sender = 1;
        self.next_target = 1;
        self.created = now;
        self.queue.clear();
        self.resend_range = None;
        self.out.push_back(Output::ResetStore { now });
    }

    /// Closes the connection: timers stop, the application and the user are told.
    pub(super) fn disconnect(&mut self, reason: &str, now: SystemTime) {
        let was_on = self.is_logged_on();
        tracing::info!(session = %self.cfg.id, reason, "disconnecting");
        self.state = State::Disconnected;
        self.timers.stop_all();
        self.awaiting_resend = None;
        self.inbuf.clear();
        self.out.push_back(Output::Disconnect);
        if was_on {
            self.app.on_logout(&self.cfg.id);
            self.events.push_back(Event::LoggedOut);
        }
        self.events.push_back(Event::Disconnected {
            reason: reason.to_string(),
        });
        if self.cfg.reset_on_disconnect {
            self.reset(now);
        }
    }
}
