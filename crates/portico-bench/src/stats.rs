//! Latencies and outcomes per operation, and their summary.

use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// What one operation did, over a run.
pub struct OpStats {
    pub latencies: Histogram<u64>,
    pub errors: u64,
    /// A few error descriptions, for the report.
    pub samples: Vec<String>,
}

impl Default for OpStats {
    fn default() -> Self {
        OpStats {
            latencies: Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds"),
            errors: 0,
            samples: Vec::new(),
        }
    }
}

/// Per-operation statistics.
#[derive(Default)]
pub struct Stats {
    pub ops: BTreeMap<&'static str, OpStats>,
}

impl Stats {
    /// Records a success that took `d`.
    pub fn ok(&mut self, op: &'static str, d: Duration) {
        let us = d.as_micros().clamp(1, 60_000_000) as u64;
        let _ = self.ops.entry(op).or_default().latencies.record(us);
    }

    /// Records a failure.
    pub fn error(&mut self, op: &'static str, what: String) {
        let s = self.ops.entry(op).or_default();
        s.errors += 1;
        if s.samples.len() < 5 {
            s.samples.push(what);
        }
    }

    /// Adds another run's statistics.
    pub fn merge(&mut self, other: Stats) {
        for (op, s) in other.ops {
            let mine = self.ops.entry(op).or_default();
            let _ = mine.latencies.add(&s.latencies);
            mine.errors += s.errors;
            for x in s.samples {
                if mine.samples.len() < 5 {
                    mine.samples.push(x);
                }
            }
        }
    }

    /// All requests, and all errors.
    pub fn totals(&self) -> (u64, u64) {
        self.ops.values().fold((0, 0), |(n, e), s| {
            (n + s.latencies.len() + s.errors, e + s.errors)
        })
    }

    /// The figures of one operation (or all, merged) over `seconds`.
    pub fn summary(&self, op: Option<&str>, seconds: f64) -> Value {
        let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
        let mut errors = 0;
        for (name, s) in &self.ops {
            if op.is_none_or(|o| o == *name) {
                let _ = h.add(&s.latencies);
                errors += s.errors;
            }
        }
        let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        json!({
            "operations": h.len() + errors,
            "errors": errors,
            "per_second": (h.len() as f64 / seconds * 10.0).round() / 10.0,
            "p50_ms": ms(0.5),
            "p90_ms": ms(0.9),
            "p99_ms": ms(0.99),
            "max_ms": h.max() as f64 / 1000.0,
        })
    }
}

/// The resident memory of process `pid` in KiB, from /proc.
pub fn rss_kib(pid: u32) -> Option<u64> {
    proc_status_kib(pid, "VmRSS:")
}

/// The peak resident memory of process `pid` in KiB, from /proc.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    proc_status_kib(pid, "VmHWM:")
}

/// A KiB figure of `/proc/{pid}/status`.
fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The CPU time process `pid` has used so far (all its threads, user and system), in seconds,
/// from /proc. Linux reports it in clock ticks of 1/100 s (`USER_HZ`, fixed by the kernel's ABI).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11); // field 3 is the first after ')'
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_of_this_process_grows_with_work() {
        let before = cpu_seconds(std::process::id()).expect("this process's /proc/PID/stat");
        let t = std::time::Instant::now();
        let mut x = 0u64;
        while t.elapsed() < Duration::from_millis(300) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let after = cpu_seconds(std::process::id()).unwrap();
        assert!(
            after - before >= 0.2,
            "300 ms of spinning counted {} s",
            after - before
        );
        assert!(cpu_seconds(u32::MAX).is_none());
    }
}
