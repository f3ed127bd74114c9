//! The `timestamp` parameter: `yyyy-MM-dd HH:mm:ss` in China time (UTC+8) whatever the host's time
//! zone — most SDKs use host local time, which the gateway rejects outside China.

use std::time::{SystemTime, UNIX_EPOCH};

/// China Standard Time's offset from UTC, in seconds.
const CHINA_OFFSET_SECONDS: i64 = 8 * 3600;

/// The current time as the gateway expects it.
pub fn china_timestamp_now() -> String {
    let seconds = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => elapsed.as_secs() as i64,
        Err(before) => -(before.duration().as_secs() as i64),
    };
    china_timestamp(seconds)
}

/// Formats Unix seconds as `yyyy-MM-dd HH:mm:ss` in UTC+8.
pub fn china_timestamp(unix_seconds: i64) -> String {
    let local = unix_seconds + CHINA_OFFSET_SECONDS;
    let days = local.div_euclid(86_400);
    let second_of_day = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Parses `yyyy-MM-dd HH:mm:ss` (UTC+8) back to Unix seconds; `None` when malformed.
pub fn parse_china_timestamp(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 19 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[10] != b' ' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - CHINA_OFFSET_SECONDS)
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) → days since 1970-01-01 (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_in_china_time() {
        assert_eq!(china_timestamp(0), "1970-01-01 08:00:00");
        // 2026-11-21T15:04:05Z is 23:04:05 in Beijing.
        assert_eq!(china_timestamp(1_795_273_445), "2026-11-21 23:04:05");
        // Crossing midnight and a leap day.
        assert_eq!(china_timestamp(951_753_600), "2000-02-29 00:00:00");
        assert_eq!(china_timestamp(1_709_225_999), "2024-03-01 00:59:59");
    }

    #[test]
    fn parsing_inverts_formatting() {
        for seconds in [0, 951_753_600, 1_709_225_999, 1_795_273_445, 4_102_444_800] {
            assert_eq!(
                parse_china_timestamp(&china_timestamp(seconds)),
                Some(seconds)
            );
        }
        assert_eq!(parse_china_timestamp("2026-13-01 00:00:00"), None);
        assert_eq!(parse_china_timestamp("2026-11-21T15:04:05"), None);
    }

    #[test]
    fn now_does_not_depend_on_the_tz_variable() {
        // The formatter never reads the host time zone; this pins the contract.
        let before = china_timestamp_now();
        assert_eq!(before.len(), 19);
        assert!(parse_china_timestamp(&before).is_some());
    }
}
