//! Typed dispatch: an application written for one FIX version receives each application
//! message as that version's zero-copy typed view (`fix44::MessageRef`), in the spirit of
//! QuickFIX's MessageCracker but with a `match` instead of an overload per type, and without
//! exceptions.
//!
//! ```
//! use fix_core::AnyMessageRef;
//! use fix_session::app::{AppReject, Responder};
//! use fix_session::settings::SessionId;
//! use fix_session::typed::{Typed, TypedApplication};
//!
//! struct Desk;
//!
//! impl TypedApplication for Desk {
//!     type Version = fix44::Message;
//!
//!     fn on_message(
//!         &self,
//!         msg: fix44::MessageRef<'_>,
//!         _id: &SessionId,
//!         _out: &mut Responder,
//!     ) -> Result<(), AppReject> {
//!         match msg {
//!             fix44::MessageRef::ExecutionReport(er) => {
//!                 println!("{} {:?} {}", er.cl_ord_id().unwrap_or(""), er.ord_status(), er.cum_qty());
//!                 Ok(())
//!             }
//!             _ => Err(AppReject::UnsupportedMessageType),
//!         }
//!     }
//! }
//!
//! let app = Typed(Desk); // an `Application`, for `Acceptor::start` / `Initiator::start`
//! # let _ = app;
//! ```

use fix_core::{AnyMessage, AnyMessageRef, MessageView, OutgoingMessage};

use crate::app::{AppReject, Application, DoNotSend, RawBody, RejectLogon, Responder};
use crate::settings::SessionId;

/// An application for one FIX version: [`Application`]'s callbacks, with application
/// messages handed over as the version's typed view. Wrap it in [`Typed`] to run it.
#[allow(clippy::wrong_self_convention)] // QuickFIX's names
pub trait TypedApplication: Send + Sync {
    /// The version's owned message enum (`fix44::Message`); its `Ref` is the view enum the
    /// application receives.
    type Version: AnyMessage;

    /// A received application message, in sequence and valid, as the version's typed view
    /// (the raw view, `Unknown`, for a MsgType the version does not define). Replies go
    /// through `out`; an error makes the session reject the message. By default every
    /// message is refused as unsupported, as QuickFIX's MessageCracker does.
    fn on_message(
        &self,
        _msg: <Self::Version as AnyMessage>::Ref<'_>,
        _id: &SessionId,
        _out: &mut Responder,
    ) -> Result<(), AppReject> {
        Err(AppReject::UnsupportedMessageType)
    }
    /// See [`Application::on_create`].
    fn on_create(&self, _id: &SessionId) {}
    /// See [`Application::on_logon`].
    fn on_logon(&self, _id: &SessionId) {}
    /// See [`Application::on_logout`].
    fn on_logout(&self, _id: &SessionId) {}
    /// See [`Application::to_admin`].
    fn to_admin(&self, _msg: &mut RawBody, _id: &SessionId) {}
    /// See [`Application::from_admin`].
    fn from_admin(&self, _msg: &MessageView<'_>, _id: &SessionId) -> Result<(), RejectLogon> {
        Ok(())
    }
    /// See [`Application::to_app`].
    fn to_app(&self, _msg: &dyn OutgoingMessage, _id: &SessionId) -> Result<(), DoNotSend> {
        Ok(())
    }
    /// See [`Application::to_app_resend`].
    fn to_app_resend(&self, msg: &dyn OutgoingMessage, id: &SessionId) -> Result<(), DoNotSend> {
        self.to_app(msg, id)
    }
}

/// Runs a [`TypedApplication`] as an [`Application`]: each received application message is
/// handed over as the version's typed view, built over the session's own decoded view (no
/// second parse, no allocation).
#[derive(Debug, Clone, Copy, Default)]
pub struct Typed<A>(pub A);

impl<A: TypedApplication> Application for Typed<A> {
    fn on_create(&self, id: &SessionId) {
        self.0.on_create(id)
    }
    fn on_logon(&self, id: &SessionId) {
        self.0.on_logon(id)
    }
    fn on_logout(&self, id: &SessionId) {
        self.0.on_logout(id)
    }
    fn to_admin(&self, msg: &mut RawBody, id: &SessionId) {
        self.0.to_admin(msg, id)
    }
    fn from_admin(&self, msg: &MessageView<'_>, id: &SessionId) -> Result<(), RejectLogon> {
        self.0.from_admin(msg, id)
    }
    fn to_app(&self, msg: &dyn OutgoingMessage, id: &SessionId) -> Result<(), DoNotSend> {
        self.0.to_app(msg, id)
    }
    fn to_app_resend(&self, msg: &dyn OutgoingMessage, id: &SessionId) -> Result<(), DoNotSend> {
        self.0.to_app_resend(msg, id)
    }
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        let typed =
            <<A::Version as AnyMessage>::Ref<'_> as AnyMessageRef<'_>>::from_view(msg.clone());
        self.0.on_message(typed, id, out)
    }
}
