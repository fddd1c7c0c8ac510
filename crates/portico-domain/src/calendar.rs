//! Calendar arithmetic on unix timestamps (UTC), without the wall clock.

/// The latest moment Portico takes from a request: the last second of the year 9999 (UTC).
/// Every time a request names (a clock's frozen time, a cancellation, a trial's end, a phase's
/// dates…) lies between 0 and this, so that the billing cycles computed from them stay far from
/// the limits of `i64`.
pub const LATEST: i64 = 253_402_300_799;

/// Whether `t` is a moment Portico takes from a request (see [`LATEST`]).
pub fn in_range(t: i64) -> bool {
    (0..=LATEST).contains(&t)
}

/// The `(year, month)` of a unix timestamp in UTC, month 1–12.
pub fn year_month(unix: i64) -> (i64, i64) {
    let (y, m, _) = civil_from_days(unix.div_euclid(86_400));
    (y, m)
}

/// Days since 1970-01-01 to `(year, month, day)` (proleptic Gregorian; Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of `(year, month, day)` (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether `y` is a leap year.
pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `(year, month, day)` of a real calendar date written `YYYY-MM-DD` (as API versions are).
pub fn parse_date(s: &str) -> Option<(i64, i64, i64)> {
    let number = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|c| c.is_ascii_digit()))
            .then(|| p.parse::<i64>().ok())
            .flatten()
    };
    let mut parts = s.split('-');
    let (y, m, d) = (
        number(parts.next()?, 4)?,
        number(parts.next()?, 2)?,
        number(parts.next()?, 2)?,
    );
    let real =
        parts.next().is_none() && (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d);
    real.then_some((y, m, d))
}

/// Days in month `m` (1–12) of year `y`.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// The same moment `months` calendar months later (or earlier), with the day clamped to the
/// target month's length: Jan 31 + 1 month is Feb 28 (29 in a leap year).
pub fn add_months(unix: i64, months: i64) -> i64 {
    add_months_on(unix, months, None)
}

/// [`add_months`], landing on `day` of the month (or the month's last day, if shorter) instead
/// of `unix`'s own day when `day` is given.
pub fn add_months_on(unix: i64, months: i64, day: Option<i64>) -> i64 {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let (ny, nm) = month_after(y, m, months);
    let nd = day.unwrap_or(d).min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * 86_400 + unix.rem_euclid(86_400)
}

/// The year and month `months` months after month `m` of year `y`.
pub fn month_after(y: i64, m: i64, months: i64) -> (i64, i64) {
    let total = y * 12 + (m - 1) + months;
    (total.div_euclid(12), total.rem_euclid(12) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_versions_write_them() {
        assert_eq!(parse_date("2026-07-29"), Some((2026, 7, 29)));
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-7-29",
            "2026-07-29-1",
            "26-07-29",
            "2026-07-2x",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(year_month(951_782_400), (2000, 2)); // 2000-02-29
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(year_month(1_795_577_783), (2026, 11));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn round_trips_and_month_arithmetic() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        let jan31 = days_from_civil(2024, 1, 31) * 86_400 + 3_600;
        assert_eq!(
            civil_from_days(add_months(jan31, 1).div_euclid(86_400)),
            (2024, 2, 29)
        );
        assert_eq!(
            add_months(jan31, 1).rem_euclid(86_400),
            3_600,
            "time of day kept"
        );
        assert_eq!(
            civil_from_days(add_months(jan31, 13).div_euclid(86_400)),
            (2025, 2, 28)
        );
        assert_eq!(
            civil_from_days(add_months(jan31, -2).div_euclid(86_400)),
            (2023, 11, 30)
        );
    }
}
