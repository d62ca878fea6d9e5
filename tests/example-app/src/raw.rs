//! Untyped messages the engine's tests exchange: an order and the ExecutionReport that
//! acknowledges it, built field by field as [`RawBody`]s (no generated crate needed), and the
//! application that answers one with the other.

use fix_core::MessageView;
use fix_session::app::{AppReject, Application, RawBody, Responder};
use fix_session::settings::SessionId;

/// A NewOrderSingle for 100 IBM, market, buy, with ClOrdID `cl_ord_id`.
pub fn order(cl_ord_id: &str) -> RawBody {
    RawBody::new("D")
        .with(11, cl_ord_id)
        .with(21, "1")
        .with(38, "100")
        .with(40, "1")
        .with(54, "1")
        .with(55, "IBM")
        .with(60, "20240101-00:00:00")
}

/// The ExecutionReport (New) acknowledging order `cl_ord_id`: ExecID `E<id>`, OrderID
/// `O<id>`.
pub fn acknowledgement(cl_ord_id: &[u8]) -> RawBody {
    RawBody::new("8")
        .with(6, "0")
        .with(11, cl_ord_id)
        .with(14, "0")
        .with(17, [b"E".as_slice(), cl_ord_id].concat())
        .with(37, [b"O".as_slice(), cl_ord_id].concat())
        .with(39, "0")
        .with(54, "1")
        .with(55, "IBM")
        .with(150, "0")
        .with(151, "100")
}

/// Answers every NewOrderSingle with its [`acknowledgement`]; refuses other application
/// messages as unsupported.
#[derive(Debug, Default, Clone, Copy)]
pub struct Acknowledger;

impl Application for Acknowledger {
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        if msg.msg_type() != b"D" {
            return Err(AppReject::UnsupportedMessageType);
        }
        out.reply(acknowledgement(msg.field(11).unwrap_or_default()));
        Ok(())
    }
}
