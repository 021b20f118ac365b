//! Instants and time zones: Slack's `ts` strings, Unix seconds, IANA zone names.
//!
//! Inside the crate every time is a UTC instant; a zone is applied only where an
//! analysis cuts time into calendar days or months.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// A point in time, always UTC.
pub type Instant = DateTime<Utc>;

/// Parses an IANA time zone name (`UTC`, `Europe/Berlin`, …).
pub fn parse_tz(name: &str) -> Result<Tz> {
    name.parse::<Tz>()
        .map_err(|_| Error::UnknownTimeZone(name.to_string()))
}

/// Midnight UTC of a `YYYY-MM-DD` date: `parse_day("2016-07-01")?` in a query's filter.
pub fn parse_day(date: &str) -> Result<Instant> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        .map_err(|e| Error::Invalid(format!("`{date}` is not a YYYY-MM-DD date: {e}")))
}

/// The instant of a Slack message id such as `1457679323.000200` (seconds.microseconds).
/// It runs once per message of a large export, so it parses in place, allocating nothing.
pub fn parse_slack_ts(ts: &str) -> Option<Instant> {
    // A byte scan: `split_once` sets up a searcher, which costs more than these few bytes.
    let (secs, frac) = match ts.bytes().position(|b| b == b'.') {
        Some(dot) => (&ts[..dot], &ts[dot + 1..]),
        None => (ts, "0"),
    };
    // Plain digits, as Slack writes them, are read directly; a sign or a huge number
    // goes through the standard parser, which decides as before.
    let secs = match plain_digits(secs) {
        Some(secs) => secs as i64,
        None => secs.parse().ok()?,
    };
    if frac.len() > 9 {
        return None;
    }
    // "0002" is 200,000 ns: the digits, scaled up to nine places.
    let nanos = plain_digits(frac)? as u32 * 10u32.pow(9 - frac.len() as u32);
    Utc.timestamp_opt(secs, nanos).single()
}

/// The number that one to eighteen ASCII digits (never too many for an `i64`) write.
fn plain_digits(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 18 {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// An instant as a sortable key (seconds, nanoseconds): Slack's `ts` order.
pub type TsKey = (i64, u32);

/// The sort key of a Slack `ts`, `None` when it is not one.
pub fn ts_key(ts: &str) -> Option<TsKey> {
    parse_slack_ts(ts).map(|t| (t.timestamp(), t.timestamp_subsec_nanos()))
}

/// Whether an instant is one Slack could have recorded: between 1970 and 2100. Anything
/// else is a unit mistake (milliseconds for seconds) or damage.
pub fn plausible(t: Instant) -> bool {
    (0..4_102_444_800).contains(&t.timestamp())
}

/// Whether a channel or file name is safe to use as one folder name.
pub fn safe_folder_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Slack's `ts` for an instant, with microsecond precision.
pub fn to_slack_ts(t: Instant) -> String {
    format!("{}.{:06}", t.timestamp(), t.timestamp_subsec_micros())
}

/// An instant from Unix seconds, `None` when out of range.
pub fn from_unix(secs: i64) -> Option<Instant> {
    Utc.timestamp_opt(secs, 0).single()
}

/// RFC 3339 in UTC with a `Z`, whole seconds: `2016-03-11T06:55:23Z`.
pub fn rfc3339(t: Instant) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The calendar date of an instant in a time zone.
pub fn local_date(t: Instant, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// An instant as local wall-clock time in `tz`, to the second: `2016-03-11 12:25:23`.
pub fn fmt_time(t: Instant, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Milliseconds since the epoch, the unit of the frames' datetime columns.
pub fn millis(t: Instant) -> i64 {
    t.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_ts_round_trips_with_microseconds() {
        let t = parse_slack_ts("1457679323.000200").unwrap();
        assert_eq!(t.timestamp(), 1457679323);
        assert_eq!(t.timestamp_subsec_micros(), 200);
        assert_eq!(to_slack_ts(t), "1457679323.000200");
    }

    #[test]
    fn slack_ts_fractions_of_any_length() {
        let nanos = |ts: &str| parse_slack_ts(ts).unwrap().timestamp_subsec_nanos();
        assert_eq!(nanos("1.5"), 500_000_000);
        assert_eq!(nanos("1.000001"), 1_000);
        assert_eq!(nanos("1.123456789"), 123_456_789);
        assert_eq!(nanos("1.000000000"), 0);
    }

    #[test]
    fn slack_ts_seconds_read_as_the_standard_parser_reads_them() {
        let secs = |ts: &str| parse_slack_ts(ts).map(|t| t.timestamp());
        assert_eq!(secs("+1457679323.5"), Some(1457679323));
        assert_eq!(secs("-5.5"), Some(-5));
        assert_eq!(secs("000000000000000000001457679323.5"), Some(1457679323));
        assert_eq!(secs("1457679323"), Some(1457679323));
    }

    #[test]
    fn slack_ts_without_fraction_is_whole_seconds() {
        assert_eq!(
            parse_slack_ts("1457679323").unwrap().timestamp(),
            1457679323
        );
    }

    #[test]
    fn malformed_slack_ts_is_none() {
        for bad in [
            "",
            "abc",
            "12.ab",
            "12.",
            "1.0000000001",
            "1.+5",
            "1.-5",
            "1. 5",
            "9".repeat(20).as_str(),
        ] {
            assert!(parse_slack_ts(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn days_parse_to_midnight_utc() {
        assert_eq!(
            rfc3339(parse_day("2016-07-01").unwrap()),
            "2016-07-01T00:00:00Z"
        );
        let err = parse_day("2016-13-01").unwrap_err().to_string();
        assert!(err.contains("2016-13-01"), "{err}");
    }

    #[test]
    fn unknown_zone_names_the_zone() {
        let err = parse_tz("Mars/Olympus").unwrap_err().to_string();
        assert!(err.contains("Mars/Olympus"), "{err}");
        assert!(parse_tz("Asia/Kolkata").is_ok());
    }

    #[test]
    fn local_date_crosses_midnight_by_zone() {
        let t = from_unix(1470783600).unwrap(); // 2016-08-09T23:00:00Z
        assert_eq!(local_date(t, Tz::UTC).to_string(), "2016-08-09");
        assert_eq!(
            local_date(t, parse_tz("Asia/Kolkata").unwrap()).to_string(),
            "2016-08-10"
        );
        assert_eq!(rfc3339(t), "2016-08-09T23:00:00Z");
    }

    #[test]
    fn fmt_time_is_local_wall_clock_time() {
        let t = from_unix(1457679323).unwrap(); // 2016-03-11T06:55:23Z
        assert_eq!(fmt_time(t, Tz::UTC), "2016-03-11 06:55:23");
        assert_eq!(
            fmt_time(t, parse_tz("Asia/Kolkata").unwrap()),
            "2016-03-11 12:25:23"
        );
    }
}
