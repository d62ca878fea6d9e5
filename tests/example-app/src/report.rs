//! The result of a run: counts, rate and round-trip percentiles.

use std::time::Duration;

/// The result of [`run_orders`](crate::run_orders).
#[derive(Debug, Clone)]
pub struct Summary {
    /// Orders sent.
    pub orders: usize,
    /// Orders filled.
    pub filled: usize,
    /// Time from the first order to the last fill.
    pub elapsed: Duration,
    /// Round-trip times, NewOrderSingle sent to its fill received, sorted.
    pub rtts: Vec<Duration>,
}

impl Summary {
    /// One line: counts, rate and round-trip percentiles in microseconds.
    pub fn line(&self) -> String {
        let p = |q: f64| percentile(&self.rtts, q).as_secs_f64() * 1e6;
        let secs = self.elapsed.as_secs_f64();
        format!(
            "orders={} filled={} rejected=0 elapsed={:.3}s rate={:.0}/s rtt_us p50={:.1} p99={:.1} p99.9={:.1} max={:.1}",
            self.orders,
            self.filled,
            secs,
            self.filled as f64 / secs.max(1e-9),
            p(0.50),
            p(0.99),
            p(0.999),
            p(1.0),
        )
    }
}

/// The `q` quantile (0..=1) of sorted `v` (nearest rank).
pub fn percentile(v: &[Duration], q: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}
