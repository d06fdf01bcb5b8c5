//! Calendar arithmetic without a time-zone database: epoch milliseconds to civil date and time
//! at a fixed UTC offset, and ISO dates (`2026-12-01`) to days since the epoch.

/// A civil date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `ms` (Unix epoch milliseconds) at `offset_minutes` east of UTC.
pub fn civil(ms: i64, offset_minutes: i32) -> Civil {
    let secs = ms.div_euclid(1000) + i64::from(offset_minutes) * 60;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        minute: (rem % 3600 / 60) as u32,
        second: (rem % 60) as u32,
    }
}

/// Parses `YYYY-MM-DD` into days since the epoch; `None` if it is not a real date.
pub fn parse_iso_date(s: &str) -> Option<i64> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

/// `2026-12-01 08:05` at the offset.
pub fn date_time(ms: i64, offset_minutes: i32) -> String {
    let c = civil(ms, offset_minutes);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute
    )
}

/// `2026-12-01 08:05:09` at the offset.
pub fn date_time_seconds(ms: i64, offset_minutes: i32) -> String {
    let c = civil(ms, offset_minutes);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `08:05` at the offset.
pub fn clock(ms: i64, offset_minutes: i32) -> String {
    let c = civil(ms, offset_minutes);
    format!("{:02}:{:02}", c.hour, c.minute)
}

/// The offset as `UTC+07:00`.
pub fn offset_label(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_and_knows_leap_years() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        for z in [-1000, 0, 19_000, 20_423, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            parse_iso_date("2024-02-29"),
            Some(days_from_civil(2024, 2, 29))
        );
        assert_eq!(parse_iso_date("2026-02-29"), None);
        assert_eq!(parse_iso_date("2026-13-01"), None);
        assert_eq!(parse_iso_date("soon"), None);
    }

    #[test]
    fn times_at_the_hall_offset() {
        // 2026-12-01T01:05:09Z is 08:05 in Vietnam.
        let ms = (days_from_civil(2026, 12, 1) * 86_400 + 3600 + 5 * 60 + 9) * 1000;
        assert_eq!(date_time(ms, 420), "2026-12-01 08:05");
        assert_eq!(date_time_seconds(ms, 0), "2026-12-01 01:05:09");
        assert_eq!(clock(ms, -120), "23:05");
        assert_eq!(offset_label(420), "UTC+07:00");
        assert_eq!(offset_label(-90), "UTC-01:30");
    }
}
