//! The order-sending side's application: reads ExecutionReports into its [`Blotter`].

use std::sync::Arc;

use fix44::fields::OrdStatus;
use fix_session::app::{AppReject, Responder};
use fix_session::settings::SessionId;
use fix_session::typed::TypedApplication;

use crate::blotter::{Blotter, Report, ReportKind};
use crate::with_fix44;

/// The order sender's [`TypedApplication`] (run it with `Typed(client)`): reads each
/// ExecutionReport through the zero-copy `fix44::ExecutionReportRef` (ClOrdID, OrdStatus,
/// the header's MsgSeqNum and PossDupFlag) into its [`Blotter`]. Nothing is allocated per
/// report; a reject's text is copied once, as the run's failure.
#[derive(Debug, Clone)]
pub struct Client {
    blotter: Arc<Blotter>,
}

impl Client {
    /// The application filling `blotter`.
    pub fn new(blotter: Arc<Blotter>) -> Client {
        Client { blotter }
    }

    fn read(&self, msg: fix44::MessageRef<'_>) {
        let header = msg.header();
        let (seq, poss_dup) = (header.msg_seq_num(), header.poss_dup_flag() == Some(true));
        let (cl_ord_id, kind) = match &msg {
            fix44::MessageRef::ExecutionReport(er) => {
                let cl_ord_id = er.cl_ord_id().unwrap_or("");
                let kind = match er.ord_status() {
                    OrdStatus::New => ReportKind::New,
                    OrdStatus::Filled => ReportKind::Filled,
                    OrdStatus::Rejected => {
                        let text = er.text().unwrap_or("order rejected");
                        self.blotter
                            .fail(|| format!("rejected ({cl_ord_id}): {text}"));
                        ReportKind::Rejected
                    }
                    _ => ReportKind::Other,
                };
                (cl_ord_id, kind)
            }
            fix44::MessageRef::BusinessMessageReject(r) => {
                let text = r.text().unwrap_or("");
                self.blotter
                    .fail(|| format!("BusinessMessageReject: {text}"));
                ("", ReportKind::Rejected)
            }
            _ => return,
        };
        let report = Report {
            seq,
            poss_dup,
            index: self.blotter.index(cl_ord_id),
            kind,
        };
        self.blotter.report(report, cl_ord_id);
    }
}

impl TypedApplication for Client {
    type Version = fix44::Message;

    fn on_message(
        &self,
        msg: fix44::MessageRef<'_>,
        _id: &SessionId,
        _out: &mut Responder,
    ) -> Result<(), AppReject> {
        with_fix44(msg, |msg| self.read(msg));
        Ok(())
    }
}
