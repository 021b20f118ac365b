//! Instants and time zones: Slack's `ts` strings, Unix seconds, IANA zone names.
//!
//! Inside the crate every time is a UTC instant; a zone is applied only where an
//! analysis cuts time into calendar days or months.

use chrono::{DateTime, LocalResult, NaiveDate, SecondsFormat, TimeZone, Utc};
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
        .map_err(|source| Error::Day {
            text: date.to_string(),
            source,
        })
}

/// "Now" as a notebook parameter writes it: empty for the newest time in the data
/// (`None`), else an RFC 3339 time (`2017-03-24T00:00:00Z`), a date (its midnight UTC) or
/// Unix seconds.
pub fn parse_as_of(text: &str) -> Result<Option<Instant>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let parsed = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| parse_day(text).ok())
        .or_else(|| text.parse::<i64>().ok().and_then(from_unix));
    match parsed {
        Some(t) => Ok(Some(t)),
        None => Err(Error::Parameter {
            name: "as_of",
            value: text.to_string(),
            expected: "give an RFC 3339 time (2017-03-24T00:00:00Z), a date (2017-03-24), Unix seconds, or \"\" for the newest time in the data",
        }),
    }
}

/// The instant of a Slack message id such as `1457679323.000200` (seconds.microseconds).
pub fn parse_slack_ts(ts: &str) -> Option<Instant> {
    ts_parts(ts).and_then(ts_instant)
}

/// A Slack `ts` as seconds and nanoseconds when it is a plausible instant (see
/// [`plausible`]). The loader reads every message's this way: in place, allocating
/// nothing, and without building a calendar date.
pub fn plausible_ts(ts: &str) -> Option<TsKey> {
    ts_parts(ts).filter(|(secs, _)| PLAUSIBLE_SECONDS.contains(secs))
}

/// The instant of a [`plausible_ts`].
pub fn ts_instant((secs, nanos): TsKey) -> Option<Instant> {
    Utc.timestamp_opt(secs, nanos).single()
}

/// The milliseconds since the epoch of a [`plausible_ts`], as [`millis`] gives them.
pub fn ts_millis((secs, nanos): TsKey) -> i64 {
    secs * 1000 + i64::from(nanos / 1_000_000)
}

/// Seconds and nanoseconds of `seconds.fraction`, as written.
fn ts_parts(ts: &str) -> Option<TsKey> {
    slack_written(ts.as_bytes()).or_else(|| any_written(ts))
}

/// [`ts_parts`] the general way.
fn any_written(ts: &str) -> Option<TsKey> {
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
    Some((secs, nanos))
}

/// `ts` as Slack writes it, one to eighteen digits, a dot and one to nine digits (or no
/// dot), read in one pass; `None` for anything else, which [`any_written`] then reads
/// (a sign, a huge number) or refuses.
fn slack_written(bytes: &[u8]) -> Option<TsKey> {
    let digit = |at: usize| {
        bytes
            .get(at)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|d| *d < 10)
    };
    let (mut secs, mut at) = (0u64, 0);
    while let Some(d) = digit(at) {
        secs = secs * 10 + u64::from(d);
        at += 1;
        if at > 18 {
            return None;
        }
    }
    let nanos = match bytes.get(at) {
        None if at > 0 => 0,
        Some(b'.') if at > 0 => {
            let (mut nanos, mut scale, start) = (0u32, 1_000_000_000u32, at + 1);
            at = start;
            while let Some(d) = digit(at) {
                if scale == 1 {
                    return None; // more than nine places
                }
                scale /= 10;
                nanos += u32::from(d) * scale;
                at += 1;
            }
            if at == start || at != bytes.len() {
                return None;
            }
            nanos
        }
        _ => return None,
    };
    Some((secs as i64, nanos))
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
    // The parts themselves, for a `ts` that is an instant at all.
    ts_parts(ts).filter(|&parts| ts_instant(parts).is_some())
}

/// Whether an instant is one Slack could have recorded: between 1970 and 2100. Anything
/// else is a unit mistake (milliseconds for seconds) or damage.
pub fn plausible(t: Instant) -> bool {
    PLAUSIBLE_SECONDS.contains(&t.timestamp())
}

/// 1970 to 2100 in Unix seconds.
const PLAUSIBLE_SECONDS: std::ops::Range<i64> = 0..4_102_444_800;

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

/// The instant a local day begins (the earliest, where a DST change skips midnight).
pub fn day_start(day: NaiveDate, tz: Tz) -> Instant {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        // Midnight does not exist that day: the day starts an hour later.
        LocalResult::None => tz
            .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
            .earliest()
            .map_or_else(
                || Utc.from_utc_datetime(&midnight),
                |t| t.with_timezone(&Utc),
            ),
    }
}

/// Milliseconds since the epoch, the unit of the frames' datetime columns.
pub fn millis(t: Instant) -> i64 {
    t.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_reads_empty_times_dates_and_seconds() {
        assert_eq!(parse_as_of(" ").unwrap(), None);
        let t = Utc.with_ymd_and_hms(2017, 3, 24, 0, 0, 0).unwrap();
        assert_eq!(parse_as_of("2017-03-24T00:00:00Z").unwrap(), Some(t));
        assert_eq!(parse_as_of("2017-03-24T05:30:00+05:30").unwrap(), Some(t));
        assert_eq!(parse_as_of("2017-03-24").unwrap(), Some(t));
        assert_eq!(parse_as_of("1490313600").unwrap(), Some(t));
        let err = parse_as_of("yesterday").unwrap_err().to_string();
        assert!(
            err.starts_with("as_of `yesterday`: give an RFC 3339 time"),
            "{err}"
        );
    }

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
    fn slack_ts_as_slack_writes_it_reads_as_the_general_way_does() {
        // Every string of up to seven of these bytes, and some longer ones.
        let alphabet = ["0", "7", "9", ".", "-", "+", "x", " "];
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..7 {
            last = last
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        texts.extend(
            [
                "1457679323.699671",
                "123456789012345678.1",
                "1234567890123456789.1",
                "1.123456789",
                "1.1234567890",
                "1.",
                ".5",
                "١.٥",
            ]
            .map(String::from),
        );
        for text in &texts {
            assert_eq!(ts_parts(text), any_written(text), "{text:?}");
            if let Some(parts) = slack_written(text.as_bytes()) {
                assert_eq!(Some(parts), any_written(text), "{text:?}");
            }
        }
        assert_eq!(
            slack_written(b"1457679323.699671"),
            Some((1457679323, 699_671_000))
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
