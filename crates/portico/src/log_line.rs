//! The text log format: one line per event,
//! `2026-12-02T15:30:00.123456Z  INFO portico_server::http: request request_id=req_… status=200 …`.
//!
//! Written straight into the line instead of through the general formatter, which styles every
//! field name (even with colours off) and passes every value through `Debug`: on an API call
//! answered from memory, the request's log line had cost more than the call.

use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The text format (see the module's doc).
pub struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // Events from the `log` crate carry their real target in fields of their own.
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        let mut line = String::with_capacity(192);
        timestamp(&mut line, SystemTime::now());
        let level = meta.level().as_str();
        line.push_str(&"      "[..6 - level.len().min(5)]);
        line.push_str(level);
        line.push(' ');
        line.push_str(meta.target());
        line.push(':');
        event.record(&mut Fields { line: &mut line });
        line.push('\n');
        w.write_str(&line)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC).
fn timestamp(out: &mut String, now: SystemTime) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() as i64;
    let (y, mo, d) = portico_domain::calendar::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    padded(out, y, 4);
    out.push('-');
    padded(out, mo, 2);
    out.push('-');
    padded(out, d, 2);
    out.push('T');
    padded(out, s / 3600, 2);
    out.push(':');
    padded(out, s % 3600 / 60, 2);
    out.push(':');
    padded(out, s % 60, 2);
    out.push('.');
    padded(out, i64::from(since.subsec_micros()), 6);
    out.push('Z');
}

/// `n` (not negative) in at least `width` digits.
fn padded(out: &mut String, n: i64, width: usize) {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(digits);
}

/// Writes ` name=value` for each field; the message comes without its name.
struct Fields<'a> {
    line: &'a mut String,
}

impl Fields<'_> {
    fn name(&mut self, field: &Field) -> bool {
        let name = field.name();
        // Fields the `log` crate's events carry for `normalized_metadata`.
        if name.starts_with("log.") {
            return false;
        }
        self.line.push(' ');
        if name != "message" {
            self.line.push_str(name);
            self.line.push('=');
        }
        true
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.name(field) {
            return;
        }
        // Quoted when it could be misread: empty, or holding spaces, line breaks, quotes or `=`.
        let bare = field.name() == "message"
            || (!value.is_empty()
                && !value
                    .bytes()
                    .any(|b| b <= b' ' || b == b'"' || b == b'=' || b == 0x7f));
        if bare {
            self.line.push_str(value);
        } else {
            let _ = write!(self.line, "{value:?}");
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.name(field) {
            self.line.push_str(itoa::Buffer::new().format(value));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.name(field) {
            self.line.push_str(itoa::Buffer::new().format(value));
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.name(field) {
            self.line.push_str(if value { "true" } else { "false" });
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if !self.name(field) {
            return;
        }
        // Three decimals, written without the float formatter where the value allows.
        let thousandths = (value * 1000.0).round();
        if value >= 0.0 && thousandths < 1e15 {
            let t = thousandths as i64;
            self.line.push_str(itoa::Buffer::new().format(t / 1000));
            self.line.push('.');
            padded(self.line, t % 1000, 3);
        } else {
            let _ = write!(self.line, "{value:.3}");
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.name(field) {
            let _ = write!(self.line, "{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn lines(emit: impl FnOnce()) -> String {
        let out = Captured::default();
        let sink = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .event_format(Plain)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        let bytes = out.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn an_event_is_one_line_with_its_fields() {
        let text = lines(|| {
            let method = axum::http::Method::GET;
            let path = "/v1/customers/cus_1".to_owned();
            tracing::info!(request_id = "req_1", %method, %path, status = 200u16, ms = 0.12345, account = "acct_1", replayed = false, "request");
            tracing::warn!(error = %"disk full", note = "two words", empty = "", n = -3i64, "write failed: {}", "retrying");
        });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        let (stamp, rest) = lines[0].split_once(' ').unwrap();
        assert_eq!(stamp.len(), "2026-12-02T15:30:00.123456Z".len(), "{stamp}");
        assert!(
            stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
            "{stamp}"
        );
        assert_eq!(
            rest,
            " INFO portico::log_line::tests: request request_id=req_1 method=GET path=/v1/customers/cus_1 status=200 ms=0.123 account=acct_1 replayed=false"
        );
        assert!(
            lines[1].ends_with(
                " WARN portico::log_line::tests: write failed: retrying error=disk full note=\"two words\" empty=\"\" n=-3"
            ),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn numbers_and_quoting() {
        let text = lines(|| {
            tracing::info!(
                a = 0.0005,
                b = 12.3456,
                c = -1.5,
                d = f64::NAN,
                e = 7.0,
                "n"
            );
            tracing::info!(
                tab = "a\tb",
                eq = "a=b",
                nl = "a\nb",
                quote = "a\"b",
                plain = "a-b_c/d",
                "q"
            );
        });
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].ends_with(": n a=0.001 b=12.346 c=-1.500 d=NaN e=7.000"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].ends_with(
                ": q tab=\"a\\tb\" eq=\"a=b\" nl=\"a\\nb\" quote=\"a\\\"b\" plain=a-b_c/d"
            ),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn timestamps_are_utc_with_microseconds() {
        let mut s = String::new();
        // 2026-12-02T15:30:05.000042Z
        timestamp(
            &mut s,
            UNIX_EPOCH + Duration::from_secs(1_796_225_405) + Duration::from_micros(42),
        );
        assert_eq!(s, "2026-12-02T15:30:05.000042Z");
    }
}
