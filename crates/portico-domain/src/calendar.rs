//! Calendar arithmetic on unix timestamps (UTC), without the wall clock.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(year_month(951_782_400), (2000, 2)); // 2000-02-29
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(year_month(1_795_577_783), (2026, 11));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
