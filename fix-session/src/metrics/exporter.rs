//! The Prometheus exposition of the sessions' metrics: a prometheus-client collector that
//! reads every session's atomics when scraped.

use prometheus_client::encoding::{DescriptorEncoder, EncodeGaugeValue, EncodeMetric as _};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use super::histogram::HistogramSnapshot;
use super::registry::Sessions;
use super::session::{MetricsSnapshot, MsgClass, STATES};

/// Labels of one series: the session's, then the series' own.
type Labels = Vec<(&'static str, String)>;

/// One session's values at scrape time.
struct Row {
    labels: Labels,
    snap: MetricsSnapshot,
    queue_depth: u64,
}

/// Reads the sessions at each scrape.
#[derive(Debug)]
struct Exporter {
    sessions: Sessions,
}

/// A registry whose one collector reports on `sessions`.
pub(crate) fn registry(sessions: Sessions) -> Registry {
    let mut r = Registry::default();
    r.register_collector(Box::new(Exporter { sessions }));
    r
}

/// The OpenMetrics text of `registry`.
pub(crate) fn render(registry: &Registry) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, registry)?;
    Ok(out)
}

fn with(row: &Row, extra: &[(&'static str, String)]) -> Labels {
    let mut l = row.labels.clone();
    l.extend_from_slice(extra);
    l
}

fn by_class(v: [u64; 2]) -> Vec<(Labels, u64)> {
    [MsgClass::Admin, MsgClass::App]
        .into_iter()
        .zip(v)
        .map(|(c, n)| (vec![("class", c.label().to_string())], n))
        .collect()
}

fn plain(n: u64) -> Vec<(Labels, u64)> {
    vec![(Vec::new(), n)]
}

fn by_reason(v: &[(String, u64)]) -> Vec<(Labels, u64)> {
    v.iter()
        .map(|(r, n)| (vec![("reason", r.clone())], *n))
        .collect()
}

/// A counter family: for each session, the series `values` gives (own labels, value).
fn counters(
    enc: &mut DescriptorEncoder<'_>,
    rows: &[Row],
    name: &str,
    help: &str,
    values: impl Fn(&MetricsSnapshot) -> Vec<(Labels, u64)>,
) -> Result<(), std::fmt::Error> {
    let mut m = enc.encode_descriptor(name, help, None, MetricType::Counter)?;
    for row in rows {
        for (extra, v) in values(&row.snap) {
            let labels = with(row, &extra);
            ConstCounter::new(v).encode(m.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

/// A gauge family, as [`counters`].
fn gauges<V: EncodeGaugeValue>(
    enc: &mut DescriptorEncoder<'_>,
    rows: &[Row],
    name: &str,
    help: &str,
    values: impl Fn(&Row) -> Vec<(Labels, V)>,
) -> Result<(), std::fmt::Error> {
    let mut m = enc.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for row in rows {
        for (extra, v) in values(row) {
            let labels = with(row, &extra);
            m.encode_family(&labels)?.encode_gauge(&v)?;
        }
    }
    Ok(())
}

/// A histogram family, one series per session.
fn histograms(
    enc: &mut DescriptorEncoder<'_>,
    rows: &[Row],
    name: &str,
    help: &str,
    value: impl Fn(&MetricsSnapshot) -> &HistogramSnapshot,
) -> Result<(), std::fmt::Error> {
    let mut m = enc.encode_descriptor(name, help, None, MetricType::Histogram)?;
    for row in rows {
        let h = value(&row.snap);
        m.encode_family(&row.labels)?
            .encode_histogram::<prometheus_client::encoding::NoLabelSet>(
                h.sum, h.count, &h.buckets, None,
            )?;
    }
    Ok(())
}

impl prometheus_client::collector::Collector for Exporter {
    fn encode(&self, mut enc: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let rows: Vec<Row> = self
            .sessions
            .iter()
            .map(|e| Row {
                labels: e.labels(),
                snap: e.metrics.snapshot(),
                queue_depth: (e.queue_depth)(),
            })
            .collect();
        let e = &mut enc;
        let r = &rows;
        counters(
            e,
            r,
            "fix_messages_received",
            "Messages received, by class (admin or app).",
            |s| by_class(s.messages_in),
        )?;
        counters(
            e,
            r,
            "fix_messages_sent",
            "Messages sent (resent ones included), by class.",
            |s| by_class(s.messages_out),
        )?;
        counters(
            e,
            r,
            "fix_received_bytes",
            "Bytes of the messages received, by class.",
            |s| by_class(s.bytes_in),
        )?;
        counters(
            e,
            r,
            "fix_sent_bytes",
            "Bytes of the messages sent, by class.",
            |s| by_class(s.bytes_out),
        )?;
        counters(
            e,
            r,
            "fix_resend_requests_sent",
            "ResendRequests sent (gaps detected).",
            |s| plain(s.resend_requests_sent),
        )?;
        counters(
            e,
            r,
            "fix_resend_requests_received",
            "ResendRequests received and served.",
            |s| plain(s.resend_requests_received),
        )?;
        counters(
            e,
            r,
            "fix_messages_resent",
            "Messages resent (PossDupFlag=Y) to serve ResendRequests.",
            |s| plain(s.messages_resent),
        )?;
        counters(
            e,
            r,
            "fix_gap_fills_sent",
            "SequenceReset-GapFills sent.",
            |s| plain(s.gap_fills_sent),
        )?;
        counters(
            e,
            r,
            "fix_gap_fills_received",
            "SequenceReset-GapFills received.",
            |s| plain(s.gap_fills_received),
        )?;
        counters(
            e,
            r,
            "fix_rejects_sent",
            "Rejects (35=3) sent, by SessionRejectReason (373).",
            |s| by_reason(&s.rejects_sent),
        )?;
        counters(
            e,
            r,
            "fix_rejects_received",
            "Rejects (35=3) received, by SessionRejectReason (373).",
            |s| by_reason(&s.rejects_received),
        )?;
        counters(
            e,
            r,
            "fix_business_rejects_sent",
            "BusinessMessageRejects (35=j) sent.",
            |s| plain(s.business_rejects_sent),
        )?;
        counters(
            e,
            r,
            "fix_business_rejects_received",
            "BusinessMessageRejects (35=j) received.",
            |s| plain(s.business_rejects_received),
        )?;
        counters(e, r, "fix_logons", "Logons completed.", |s| plain(s.logons))?;
        counters(e, r, "fix_logouts", "Logouts after a logon.", |s| {
            plain(s.logouts)
        })?;
        counters(e, r, "fix_disconnects", "Connections closed.", |s| {
            plain(s.disconnects)
        })?;
        gauges(
            e,
            r,
            "fix_session_state",
            "1 for the state the session is in, 0 for the others.",
            |row| {
                STATES
                    .iter()
                    .map(|(st, name)| {
                        (
                            vec![("state", (*name).to_string())],
                            u64::from(row.snap.state == *st),
                        )
                    })
                    .collect()
            },
        )?;
        gauges(
            e,
            r,
            "fix_next_sender_seq_num",
            "The next MsgSeqNum to send.",
            |row| vec![(Vec::new(), row.snap.next_sender_seq)],
        )?;
        gauges(
            e,
            r,
            "fix_next_target_seq_num",
            "The next MsgSeqNum expected.",
            |row| vec![(Vec::new(), row.snap.next_target_seq)],
        )?;
        gauges(
            e,
            r,
            "fix_send_queue_depth",
            "Messages waiting in the session's send queue.",
            |row| vec![(Vec::new(), row.queue_depth)],
        )?;
        gauges(
            e,
            r,
            "fix_last_received_timestamp_seconds",
            "Unix time of the last message received (absent before the first).",
            |row| {
                row.snap
                    .last_received
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| (Vec::new(), d.as_secs_f64()))
                    .into_iter()
                    .collect()
            },
        )?;
        histograms(
            e,
            r,
            "fix_store_write_seconds",
            "Latency of the store calls that persist a batch.",
            |s| &s.store_write,
        )?;
        histograms(
            e,
            r,
            "fix_test_request_round_trip_seconds",
            "Time from a TestRequest sent to the Heartbeat answering it.",
            |s| &s.round_trip,
        )?;
        Ok(())
    }
}
