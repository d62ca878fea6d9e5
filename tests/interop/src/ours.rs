//! Our side: [`OurApp`] (answers NewOrderSingles with ExecutionReports and records what it
//! receives) and [`OurSide`] (a fix-session initiator or acceptor running it).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fix_core::MessageView;
use fix_session::app::{AppReject, Application, RawBody, RejectLogon, Responder};
use fix_session::driver::{
    Acceptor, AcceptorHandle, Initiator, InitiatorHandle, SessionEvent, SessionHandle,
};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::FileStoreFactory;
use tokio::sync::mpsc;

use crate::messages::{self, Received};
use crate::{Error, Role, SessionConfig, Version};

/// An admin message as a list of fields (header included).
pub type AdminMessage = Vec<(u32, String)>;

/// Our application: an exchange (every NewOrderSingle is answered with
/// [`messages::report`]) that records every application and admin message it receives;
/// other message types than NewOrderSingle and ExecutionReport are unsupported.
#[derive(Debug, Default)]
pub struct OurApp {
    logons: AtomicUsize,
    logouts: AtomicUsize,
    app: Mutex<Vec<Received>>,
    admin_in: Mutex<Vec<AdminMessage>>,
    admin_out: Mutex<Vec<RawBody>>,
    refusal: Mutex<Option<String>>,
}

impl OurApp {
    /// Refuses every Logon with `text` from now on (`None`: accepts them again).
    pub fn refuse_logons(&self, text: Option<&str>) {
        if let Ok(mut r) = self.refusal.lock() {
            *r = text.map(str::to_string);
        }
    }

    /// onLogon calls so far.
    pub fn logons(&self) -> usize {
        self.logons.load(Ordering::SeqCst)
    }

    /// onLogout calls so far.
    pub fn logouts(&self) -> usize {
        self.logouts.load(Ordering::SeqCst)
    }

    /// The application messages received (fromApp), in order.
    pub fn received(&self) -> Vec<Received> {
        self.app.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The admin messages received (fromAdmin) with MsgType `msg_type`.
    pub fn admin_in(&self, msg_type: &str) -> Vec<AdminMessage> {
        self.admin_in
            .lock()
            .map(|v| {
                v.iter()
                    .filter(|m| m.iter().any(|(t, v)| *t == 35 && v == msg_type))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The admin messages sent (toAdmin) with MsgType `msg_type`.
    pub fn admin_out(&self, msg_type: &str) -> Vec<RawBody> {
        self.admin_out
            .lock()
            .map(|v| {
                v.iter()
                    .filter(|m| m.msg_type == msg_type)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The value of `tag` in an [`AdminMessage`].
pub fn admin_field(m: &AdminMessage, tag: u32) -> Option<&str> {
    m.iter().find(|(t, _)| *t == tag).map(|(_, v)| v.as_str())
}

impl Application for OurApp {
    fn on_logon(&self, _id: &SessionId) {
        self.logons.fetch_add(1, Ordering::SeqCst);
    }

    fn on_logout(&self, _id: &SessionId) {
        self.logouts.fetch_add(1, Ordering::SeqCst);
    }

    fn to_admin(&self, msg: &mut RawBody, _id: &SessionId) {
        if let Ok(mut v) = self.admin_out.lock() {
            v.push(msg.clone());
        }
    }

    fn from_admin(&self, msg: &MessageView<'_>, _id: &SessionId) -> Result<(), RejectLogon> {
        if let Ok(mut v) = self.admin_in.lock() {
            v.push(messages::fields(msg.bytes()));
        }
        let refusal = self.refusal.lock().ok().and_then(|r| r.clone());
        match refusal {
            Some(text) if msg.msg_type() == b"A" => Err(RejectLogon(text)),
            _ => Ok(()),
        }
    }

    fn from_app(
        &self,
        msg: &MessageView<'_>,
        id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        let r = messages::received(msg.bytes());
        if !matches!(r.msg_type.as_str(), "D" | "8") {
            return Err(AppReject::UnsupportedMessageType);
        }
        if r.msg_type == "D" {
            let version = Version::of_begin_string(&id.begin_string)
                .ok_or(AppReject::UnsupportedMessageType)?;
            out.reply(messages::report(
                version,
                &r.clordid,
                msg.field(54).unwrap_or(b"1"),
                msg.field(55).unwrap_or(b"IBM"),
            ));
        }
        if let Ok(mut v) = self.app.lock() {
            v.push(r);
        }
        Ok(())
    }
}

enum Running {
    Initiator(InitiatorHandle),
    Acceptor(AcceptorHandle),
}

/// Our engine running one session of a [`SessionConfig`] (file store and file log in its
/// folder), with [`OurApp`].
pub struct OurSide {
    /// The application.
    pub app: Arc<OurApp>,
    /// The session.
    pub session: SessionHandle,
    /// The driver's events (kept so that the channel stays open).
    pub events: mpsc::UnboundedReceiver<SessionEvent>,
    running: Option<Running>,
    local: Option<SocketAddr>,
}

impl std::fmt::Debug for OurSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OurSide")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl OurSide {
    /// Starts an initiator or acceptor for `cfg`.
    pub async fn start(cfg: &SessionConfig) -> Result<OurSide, Error> {
        let text = cfg.to_settings();
        std::fs::create_dir_all(&cfg.dir)?;
        std::fs::write(cfg.dir.join("ours.cfg"), &text)?;
        let settings: Settings = text.parse()?;
        let id = SessionId::new(cfg.version.begin_string(), &cfg.sender, &cfg.target);
        let app = Arc::new(OurApp::default());
        let stores = Arc::new(FileStoreFactory);
        let (running, events, local) = match cfg.role {
            Role::Initiator => {
                let (h, ev) = Initiator::start(settings, stores, app.clone()).await?;
                (Running::Initiator(h), ev, None)
            }
            Role::Acceptor => {
                let (h, ev) = Acceptor::start(settings, stores, app.clone()).await?;
                let local = h.local_addr();
                (Running::Acceptor(h), ev, local)
            }
        };
        let session = match &running {
            Running::Initiator(h) => h.session(&id).cloned(),
            Running::Acceptor(h) => h.session(&id).cloned(),
        }
        .ok_or_else(|| format!("no session {id}"))?;
        Ok(OurSide {
            app,
            session,
            events,
            running: Some(running),
            local,
        })
    }

    /// The acceptor's address.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local
    }

    /// Stops the driver (logout if logged on, close).
    pub async fn stop(&mut self) {
        match self.running.take() {
            Some(Running::Initiator(h)) => h.stop().await,
            Some(Running::Acceptor(h)) => h.stop().await,
            None => {}
        }
    }
}
