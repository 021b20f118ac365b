//! Axis ticks a reader can read without decoding: calendar boundaries (days, weeks,
//! months, years) in the chart's zone, durations in minutes, hours, days and weeks, and
//! round numbers; plus the plotters coordinate that puts its grid on those ticks.

use std::ops::Range;

use chrono::{Datelike, Months, NaiveDate, Weekday};
use chrono_tz::Tz;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use crate::time::{day_start, local_date, Instant};

/// At most this many labelled ticks on a numeric x axis of 900 pixels.
const MAX_TICKS: usize = 10;

/// At most this many on a time axis: a year and a month of month ticks, so that a year of
/// incidents gets every month.
const MAX_TIME_TICKS: usize = 13;

/// Tick positions on an axis and the label of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Ticks {
    pub values: Vec<f64>,
    pub labels: Vec<String>,
}

impl Ticks {
    fn push(&mut self, value: f64, label: String) {
        self.values.push(value);
        self.labels.push(label);
    }

    /// The label of the tick at `value`; empty between ticks.
    pub fn label_at(&self, value: f64) -> String {
        self.values
            .iter()
            .position(|v| (v - value).abs() <= 1e-9 * v.abs().max(1.0))
            .map(|i| self.labels[i].clone())
            .unwrap_or_default()
    }
}

/// What the numbers on a numeric axis are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Plain numbers.
    #[default]
    Number,
    /// Hours, labelled as minutes, hours, days or weeks, whichever reads best.
    Hours,
}

/// A plotters x coordinate over `lo..hi`, linear or logarithmic, whose grid lines and
/// labels sit on given ticks rather than on plotters' evenly spaced ones.
pub(super) struct TickedAxis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub ticks: Vec<f64>,
}

impl TickedAxis {
    fn fraction(&self, v: f64) -> f64 {
        if self.log {
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = f64::from(limit.1 - limit.0);
        limit.0 + (self.fraction(*value) * span).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.max_num_points() == 0 {
            return vec![];
        }
        self.ticks.clone()
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Ticks on the local calendar of `tz` between two instants, as days since the epoch
/// (the x of time charts): the finest of days, weeks (Mondays), months, quarters, half
/// years and years that gives at most [`MAX_TIME_TICKS`]. A label carries the year on the
/// first tick and where the year changes.
pub(super) fn calendar_ticks(from: Instant, to: Instant, tz: Tz) -> Ticks {
    let (first, last) = (local_date(from, tz), local_date(to, tz));
    let days = (last - first).num_days().max(0) as usize + 1;
    let (dates, by_month): (Vec<NaiveDate>, bool) = if days <= MAX_TIME_TICKS * 7 {
        let (start, step) = match days {
            d if d <= MAX_TIME_TICKS => (first, 1),
            d if d <= MAX_TIME_TICKS * 2 => (first, 2),
            _ => (first.week(Weekday::Mon).first_day(), 7),
        };
        let dates = start.iter_days().step_by(step).take_while(|d| *d <= last);
        (dates.collect(), false)
    } else {
        let months =
            (last.year() - first.year()) * 12 + last.month0() as i32 - first.month0() as i32 + 1;
        let step = [1u32, 2, 3, 6, 12, 24, 60, 120, 600]
            .into_iter()
            .find(|s| months as usize / *s as usize <= MAX_TIME_TICKS)
            .unwrap_or(600);
        // Steps divide the calendar: quarters start in Jan, Apr, Jul, Oct; decades in a
        // year ending in 0.
        let year = first.year() - first.year().rem_euclid((step / 12).max(1) as i32);
        let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(first);
        let dates = (0..)
            .map_while(|i| start.checked_add_months(Months::new(i * step)))
            .take_while(|d| *d <= last);
        (dates.collect(), true)
    };
    let years_only = by_month && dates.iter().all(|d| d.month() == 1);
    let mut ticks = Ticks::default();
    let mut previous_year = None;
    for d in dates {
        let t = day_start(d, tz);
        if t < from || t > to {
            continue;
        }
        let new_year = previous_year != Some(d.year());
        previous_year = Some(d.year());
        let format = match (by_month, new_year) {
            _ if years_only => "%Y",
            (true, true) => "%b %Y",
            (true, false) => "%b",
            (false, true) => "%-d %b %Y",
            (false, false) => "%-d %b",
        };
        ticks.push(
            t.timestamp() as f64 / 86_400.0,
            d.format(format).to_string(),
        );
    }
    ticks
}

/// Durations worth a tick, in hours, with their labels and how important each is: the
/// hour, day and week are kept first, as the references a reader measures by.
const DURATIONS: [(f64, &str, u8); 20] = [
    (1.0 / 60.0, "1 min", 0),
    (5.0 / 60.0, "5 min", 1),
    (15.0 / 60.0, "15 min", 2),
    (0.5, "30 min", 1),
    (1.0, "1 h", 0),
    (2.0, "2 h", 2),
    (3.0, "3 h", 2),
    (6.0, "6 h", 1),
    (12.0, "12 h", 2),
    (24.0, "1 d", 0),
    (48.0, "2 d", 1),
    (72.0, "3 d", 2),
    (168.0, "1 wk", 0),
    (336.0, "2 wk", 1),
    (672.0, "4 wk", 0),
    (1344.0, "8 wk", 2),
    (2184.0, "13 wk", 1),
    (4368.0, "26 wk", 2),
    (8760.0, "1 yr", 0),
    (17520.0, "2 yr", 1),
];

/// Ticks for numbers in `lo..=hi` on a linear or log axis, labelled in `unit`.
pub(super) fn number_ticks(lo: f64, hi: f64, log: bool, unit: Unit) -> Ticks {
    let candidates: Vec<(f64, String, u8)> = match (unit, log) {
        (Unit::Hours, true) => DURATIONS
            .iter()
            .map(|&(h, label, rank)| (h, label.to_string(), rank))
            .collect(),
        (Unit::Number, true) => log_candidates(lo, hi),
        (Unit::Hours, false) if hi >= 48.0 => linear_candidates(lo / 24.0, hi / 24.0)
            .into_iter()
            .map(|v| (v * 24.0, format!("{} d", short_number(v)), 0))
            .collect(),
        (Unit::Hours, false) => linear_candidates(lo, hi)
            .into_iter()
            .map(|v| (v, duration_text(v), 0))
            .collect(),
        (Unit::Number, false) => linear_candidates(lo, hi)
            .into_iter()
            .map(|v| (v, short_number(v), 0))
            .collect(),
    };
    let inside: Vec<&(f64, String, u8)> = candidates
        .iter()
        .filter(|(v, _, _)| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
        .collect();
    // The most important ranks that fit.
    let mut keep_rank = 0;
    for rank in 0..=2 {
        if inside.iter().filter(|(_, _, r)| *r <= rank).count() <= MAX_TICKS {
            keep_rank = rank;
        }
    }
    let mut ticks = Ticks::default();
    for (v, label, _) in inside.into_iter().filter(|(_, _, r)| *r <= keep_rank) {
        ticks.push(*v, label.clone());
    }
    ticks
}

/// 1, 2, 5 × powers of ten around `lo..hi`; the powers ranked first.
fn log_candidates(lo: f64, hi: f64) -> Vec<(f64, String, u8)> {
    let (from, to) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    (from..=to)
        .flat_map(|p| {
            [(1.0, 0), (2.0, 1), (5.0, 1)]
                .map(|(m, rank)| (m * 10f64.powi(p), rank))
                .into_iter()
        })
        .map(|(v, rank)| (v, short_number(v), rank))
        .collect()
}

/// Multiples of a round step (1, 2 or 5 × a power of ten) spanning `lo..hi`.
fn linear_candidates(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / MAX_TICKS as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| span / s <= MAX_TICKS as f64)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// A duration in hours as a reader says it: `45 min`, `5.5 h`, `5.2 d`, `21 d`, `9.5 wk`.
pub fn duration_text(hours: f64) -> String {
    let (value, unit) = if hours < 1.0 {
        (hours * 60.0, "min")
    } else if hours < 48.0 {
        (hours, "h")
    } else if hours < 24.0 * 60.0 {
        (hours / 24.0, "d")
    } else {
        (hours / 168.0, "wk")
    };
    format!("{} {unit}", short_number(value))
}

/// 0.5, 3, 5.2, 12, 1.2k: numbers that fit on an axis.
pub(super) fn short_number(x: f64) -> String {
    match x.abs() {
        0.0 => "0".into(),
        a if a >= 1000.0 => format!("{:.1}k", x / 1000.0),
        a if a >= 10.0 => format!("{x:.0}"),
        a if a >= 1.0 => format!("{x:.1}").trim_end_matches(".0").to_string(),
        _ => format!("{x:.2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn day(y: i32, m: u32, d: u32) -> Instant {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn months_start_on_the_first_in_the_zone() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        let ticks = calendar_ticks(day(2016, 3, 10), day(2017, 3, 24), kolkata);
        assert_eq!(
            ticks.labels,
            [
                "Apr 2016", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan 2017",
                "Feb", "Mar"
            ],
            "{ticks:?}"
        );
        // 1 April 2016, 00:00 in Kolkata is 31 March, 18:30 UTC.
        let april = Utc.with_ymd_and_hms(2016, 3, 31, 18, 30, 0).unwrap();
        assert_eq!(ticks.values[0], april.timestamp() as f64 / 86_400.0);
    }

    #[test]
    fn short_spans_tick_days_and_weeks() {
        let ticks = calendar_ticks(day(2017, 3, 1), day(2017, 3, 6), Tz::UTC);
        assert_eq!(ticks.labels[0], "2 Mar 2017");
        assert_eq!(ticks.labels[1], "3 Mar");
        let weeks = calendar_ticks(day(2017, 3, 1), day(2017, 4, 20), Tz::UTC);
        // Mondays.
        assert_eq!(weeks.labels[..2], ["6 Mar 2017", "13 Mar"]);
    }

    #[test]
    fn durations_keep_the_day_and_the_week() {
        let ticks = number_ticks(2.0, 900.0, true, Unit::Hours);
        assert!(ticks.labels.contains(&"1 d".to_string()), "{ticks:?}");
        assert!(ticks.labels.contains(&"1 wk".to_string()), "{ticks:?}");
        assert!(ticks.values.len() <= MAX_TICKS);
        assert_eq!(duration_text(125.7), "5.2 d");
        assert_eq!(duration_text(508.0), "21 d");
        assert_eq!(duration_text(0.5), "30 min");
        assert_eq!(duration_text(5.5), "5.5 h");
    }

    #[test]
    fn round_numbers_on_linear_and_log_axes() {
        assert_eq!(
            number_ticks(0.0, 10.0, false, Unit::Number).labels[..3],
            ["0", "1", "2"]
        );
        let log = number_ticks(1.0, 1000.0, true, Unit::Number);
        assert!(log.labels.contains(&"1.0k".to_string()), "{log:?}");
        assert_eq!(short_number(1500.0), "1.5k");
        assert_eq!(short_number(0.25), "0.25");
    }
}
