//! The incident metrics incident tools show, each with its definition: time to archive,
//! created vs archived per month, open channels per day, age of the open ones, breakdowns,
//! when incidents start, responders' load, and this period against the previous one.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;
use polars::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::incidents::sop::Field;
use crate::incidents::Incident;
use crate::plot::Chart;
use crate::time::{local_date, Instant};

/// The `p`-quantile (0..=1) of sorted values by linear interpolation between closest
/// ranks (numpy's default): position `p × (n − 1)`.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

/// Time from a channel's creation to its archive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeToArchive {
    /// Archived channels with a known archive time.
    pub count: usize,
    /// Channels still open, left out of the figures.
    pub open_excluded: usize,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    /// Every duration, in hours, ascending.
    #[serde(skip)]
    pub hours: Vec<f64>,
}

impl TimeToArchive {
    pub const DEFINITION: &'static str = "Hours from a channel's creation to its archive (the newest archive not undone by an unarchive). Open channels are left out and counted; the median and p90 interpolate linearly between the closest ranks.";

    pub fn of(incidents: &[Incident]) -> Self {
        let mut hours: Vec<f64> = incidents
            .iter()
            .filter(|i| !i.open)
            .filter_map(Incident::hours_to_archive)
            .collect();
        hours.sort_by(f64::total_cmp);
        TimeToArchive {
            count: hours.len(),
            open_excluded: incidents.iter().filter(|i| i.open).count(),
            median: quantile(&hours, 0.5),
            p90: quantile(&hours, 0.9),
            hours,
        }
    }

    /// A histogram on a log axis.
    pub fn histogram(&self) -> Chart {
        Chart::histogram(
            "Time to archive",
            "hours (log scale)",
            self.hours.clone(),
            24,
            true,
        )
    }

    /// The share of channels archived within each duration, as a chart (log axis).
    pub fn ecdf_chart(&self) -> Chart {
        Chart::cumulative(
            "Share of channels archived within a time",
            "hours (log scale)",
            self.hours.clone(),
            true,
        )
    }

    /// The empirical cumulative distribution: share archived within each duration.
    pub fn ecdf(&self) -> Result<DataFrame> {
        let n = self.hours.len().max(1) as f64;
        let share: Vec<f64> = (1..=self.hours.len()).map(|k| k as f64 / n).collect();
        Ok(df!("hours" => self.hours.clone(), "share_archived" => share)?)
    }
}

/// The calendar month (`YYYY-MM`) of an instant in a zone.
fn month_of(t: Instant, tz: Tz) -> String {
    local_date(t, tz).format("%Y-%m").to_string()
}

/// Channels created and archived in each month (in `tz`), every month from the first
/// channel to the last event.
pub fn created_vs_archived(incidents: &[Incident], tz: Tz) -> Result<DataFrame> {
    let mut months: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for i in incidents {
        months.entry(month_of(i.created, tz)).or_default().0 += 1;
        if let Some(a) = i.archived_at {
            months.entry(month_of(a, tz)).or_default().1 += 1;
        }
    }
    // Fill months with nothing in them, so that the bars keep calendar spacing.
    if let (Some(first), Some(last)) =
        (months.keys().next().cloned(), months.keys().last().cloned())
    {
        let parse = |m: &str| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d");
        if let (Ok(mut d), Ok(end)) = (parse(&first), parse(&last)) {
            while d <= end {
                months.entry(d.format("%Y-%m").to_string()).or_default();
                d = d
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(end + Duration::days(1));
            }
        }
    }
    let month: Vec<String> = months.keys().cloned().collect();
    let created: Vec<u32> = months.values().map(|v| v.0).collect();
    let archived: Vec<u32> = months.values().map(|v| v.1).collect();
    Ok(df!("month" => month, "created" => created, "archived" => archived)?)
}

/// Created and archived per month as side-by-side bars.
pub fn created_vs_archived_chart(incidents: &[Incident], tz: Tz) -> Result<Chart> {
    let months = created_vs_archived(incidents, tz)?;
    let labels = string_column(&months, "month")?;
    Ok(Chart::bars(
        "Created and archived per month",
        "month",
        "channels",
        labels,
        "created",
        number_column(&months, "created")?,
    )
    .with_bars("archived", number_column(&months, "archived")?))
}

/// Open channels per day as steps.
pub fn open_per_day_chart(incidents: &[Incident], tz: Tz, as_of: Instant) -> Chart {
    let points = open_per_day(incidents, tz, as_of)
        .into_iter()
        .map(|(d, n)| (day_start(d, tz), n as f64));
    Chart::over_time("Open incident channels per day", "open channels").steps("open", points)
}

fn string_column(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(crate::frames::column(df, name)?
        .str()?
        .iter()
        .map(|s| s.unwrap_or_default().to_string())
        .collect())
}

fn number_column(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    Ok(crate::frames::column(df, name)?
        .u32()?
        .iter()
        .map(|n| n.unwrap_or(0) as f64)
        .collect())
}

/// Open channels per day, in `tz`: a day counts a channel that was open at any moment of
/// it — created before the day ends and not archived before it starts. Channels archived
/// without a known time count as open. Days run from the first creation to `as_of`.
pub fn open_per_day(incidents: &[Incident], tz: Tz, as_of: Instant) -> Vec<(NaiveDate, usize)> {
    let Some(first) = incidents.iter().map(|i| i.created).min() else {
        return vec![];
    };
    let (mut day, last) = (local_date(first, tz), local_date(as_of, tz));
    let mut out = Vec::new();
    while day <= last {
        let start = day_start(day, tz);
        let end = day_start(day + Duration::days(1), tz);
        let open = incidents
            .iter()
            .filter(|i| i.created < end && i.archived_at.is_none_or(|a| a >= start))
            .filter(|i| i.created <= as_of)
            .count();
        out.push((day, open));
        day += Duration::days(1);
    }
    out
}

/// The instant a local day begins (the earliest, where a DST change skips midnight).
fn day_start(day: NaiveDate, tz: Tz) -> Instant {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight");
    match tz.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.with_timezone(&chrono::Utc)
        }
        // Midnight does not exist that day: the day starts an hour later.
        chrono::LocalResult::None => tz
            .from_local_datetime(&(midnight + Duration::hours(1)))
            .earliest()
            .map_or_else(
                || chrono::Utc.from_utc_datetime(&midnight),
                |t| t.with_timezone(&chrono::Utc),
            ),
    }
}

/// Age buckets of the channels still open at `as_of`.
pub fn open_ages(incidents: &[Incident], as_of: Instant) -> Result<DataFrame> {
    const BUCKETS: [(&str, i64); 5] = [
        ("< 1 day", 1),
        ("1–7 days", 7),
        ("7–30 days", 30),
        ("30–90 days", 90),
        ("≥ 90 days", i64::MAX),
    ];
    let mut counts = [0u32; 5];
    let mut names: Vec<Vec<String>> = vec![vec![]; 5];
    for i in incidents.iter().filter(|i| i.open && i.created <= as_of) {
        let days = (as_of - i.created).num_days();
        let b = BUCKETS
            .iter()
            .position(|(_, upto)| days < *upto)
            .unwrap_or(4);
        counts[b] += 1;
        names[b].push(i.name.clone());
    }
    Ok(df!(
        "age" => BUCKETS.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "open_channels" => counts.to_vec(),
        "channels" => names.iter().map(|n| n.join(", ")).collect::<Vec<_>>()
    )?)
}

/// What a breakdown groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    TopicWord,
    Summary(Field),
}

impl By {
    fn key(self, i: &Incident) -> String {
        let value = match self {
            By::TopicWord => i.topic_word.clone(),
            By::Summary(f) => i
                .conversation
                .summary
                .as_ref()
                .and_then(|s| s.get(f).map(str::to_string)),
        };
        value.unwrap_or_else(|| "(none)".into())
    }

    fn name(self) -> &'static str {
        match self {
            By::TopicWord => "topic_word",
            By::Summary(f) => f.name(),
        }
    }
}

/// Incidents per group, with the median hours to archive of each, most incidents first.
pub fn breakdown(incidents: &[Incident], by: By) -> Result<DataFrame> {
    let mut groups: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
    for i in incidents {
        groups.entry(by.key(i)).or_default().push(i);
    }
    let mut rows: Vec<(String, u32, Option<f64>, u32)> = groups
        .into_iter()
        .map(|(k, v)| {
            let tta = TimeToArchive::of(&v.iter().map(|i| (*i).clone()).collect::<Vec<_>>());
            (
                k,
                v.len() as u32,
                tta.median,
                v.iter().filter(|i| i.open).count() as u32,
            )
        })
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(df!(
        by.name() => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "incidents" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "median_hours_to_archive" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "open" => rows.iter().map(|r| r.3).collect::<Vec<_>>()
    )?)
}

pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Incident starts by weekday (rows, Monday first) and hour (columns), in `tz`.
pub fn weekday_hour(incidents: &[Incident], tz: Tz) -> Vec<Vec<f64>> {
    let mut grid = vec![vec![0.0; 24]; 7];
    for i in incidents {
        let local = i.created.with_timezone(&tz);
        grid[local.weekday().num_days_from_monday() as usize][local.hour() as usize] += 1.0;
    }
    grid
}

/// The weekday × hour heat map.
pub fn weekday_hour_chart(incidents: &[Incident], tz: Tz) -> Chart {
    Chart::heat_map(
        &format!("Incident starts by weekday and hour ({tz})"),
        WEEKDAYS.iter().map(|d| d.to_string()).collect(),
        (0..24).map(|h| format!("{h:02}")).collect(),
        weekday_hour(incidents, tz),
    )
    .x_label("hour of day")
}

/// When in the day time was spent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Load {
    pub working_hours: f64,
    pub late_hours: f64,
    pub sleeping_hours: f64,
}

impl Load {
    pub fn total(&self) -> f64 {
        self.working_hours + self.late_hours + self.sleeping_hours
    }
}

/// incident.io's rule for time spent on incidents from messages alone.
pub const LOAD_DEFINITION: &str = "Each message counts 10 minutes; messages less than 20 minutes apart join one stretch (from the first to the last, plus 10 minutes). Stretches are split into working (08–19), late (19–23) and sleeping (23–08) hours in the chosen time zone.";

/// Who wrote when in the incident channels, by user name: the input of
/// [`responders_load`].
pub fn authored(ws: &crate::export::Workspace, incidents: &[Incident]) -> Vec<(String, Instant)> {
    incidents
        .iter()
        .flat_map(|i| i.conversation.authored.iter())
        .map(|(user, t)| (ws.user_name(user).to_string(), *t))
        .collect()
}

/// Each responder's load across incident channels, by incident.io's rule.
pub fn responders_load(messages: &[(String, Instant)], tz: Tz) -> BTreeMap<String, Load> {
    let mut by_user: BTreeMap<&str, Vec<Instant>> = BTreeMap::new();
    for (user, t) in messages {
        by_user.entry(user).or_default().push(*t);
    }
    let credit = Duration::minutes(10);
    let join = Duration::minutes(20);
    by_user
        .into_iter()
        .map(|(user, mut times)| {
            times.sort();
            let mut load = Load::default();
            let mut i = 0;
            while i < times.len() {
                let start = times[i];
                let mut end = start;
                while i + 1 < times.len() && times[i + 1] - end < join {
                    i += 1;
                    end = times[i];
                }
                add_stretch(&mut load, start, end + credit, tz);
                i += 1;
            }
            (user.to_string(), load)
        })
        .collect()
}

/// Splits [start, end) by local hour into the load's three kinds of hours.
fn add_stretch(load: &mut Load, start: Instant, end: Instant, tz: Tz) {
    let mut t = start;
    while t < end {
        let local = t.with_timezone(&tz);
        // To the next full hour, or the end.
        let next_hour = t + Duration::seconds(3600 - (local.minute() * 60 + local.second()) as i64);
        let until = next_hour.min(end);
        let hours = (until - t).num_milliseconds() as f64 / 3_600_000.0;
        match local.hour() {
            8..=18 => load.working_hours += hours,
            19..=22 => load.late_hours += hours,
            _ => load.sleeping_hours += hours,
        }
        t = until;
    }
}

/// Responders' load as a frame, most hours first.
pub fn load_frame(loads: &BTreeMap<String, Load>) -> Result<DataFrame> {
    let mut rows: Vec<(&String, &Load)> = loads.iter().collect();
    rows.sort_by(|a, b| b.1.total().total_cmp(&a.1.total()));
    let round = |h: f64| (h * 10.0).round() / 10.0;
    Ok(df!(
        "responder" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "working_hours" => rows.iter().map(|r| round(r.1.working_hours)).collect::<Vec<_>>(),
        "late_hours" => rows.iter().map(|r| round(r.1.late_hours)).collect::<Vec<_>>(),
        "sleeping_hours" => rows.iter().map(|r| round(r.1.sleeping_hours)).collect::<Vec<_>>(),
        "total_hours" => rows.iter().map(|r| round(r.1.total())).collect::<Vec<_>>()
    )?)
}

/// Each responder's hours as grouped bars (working, late, sleeping), the `top` busiest.
pub fn load_chart(loads: &BTreeMap<String, Load>, top: usize) -> Chart {
    let mut rows: Vec<(&String, &Load)> = loads.iter().collect();
    rows.sort_by(|a, b| b.1.total().total_cmp(&a.1.total()));
    rows.truncate(top);
    Chart::bars(
        "Responders' load",
        "responder",
        "hours",
        rows.iter().map(|r| r.0.clone()).collect(),
        "working (08-19)",
        rows.iter().map(|r| r.1.working_hours).collect(),
    )
    .with_bars(
        "late (19-23)",
        rows.iter().map(|r| r.1.late_hours).collect(),
    )
    .with_bars(
        "sleeping (23-08)",
        rows.iter().map(|r| r.1.sleeping_hours).collect(),
    )
}

/// This period against the one before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodComparison {
    pub days: i64,
    pub this_created: usize,
    pub previous_created: usize,
    pub this_median_hours_to_archive: Option<f64>,
    pub previous_median_hours_to_archive: Option<f64>,
}

/// Incidents created in the `days` before `as_of` against the `days` before those.
pub fn compare_periods(incidents: &[Incident], as_of: Instant, days: i64) -> PeriodComparison {
    let span = Duration::days(days);
    let within = |from: Instant, to: Instant| -> Vec<Incident> {
        incidents
            .iter()
            .filter(|i| i.created > from && i.created <= to)
            .cloned()
            .collect()
    };
    let this = within(as_of - span, as_of);
    let previous = within(as_of - span - span, as_of - span);
    PeriodComparison {
        days,
        this_created: this.len(),
        previous_created: previous.len(),
        this_median_hours_to_archive: TimeToArchive::of(&this).median,
        previous_median_hours_to_archive: TimeToArchive::of(&previous).median,
    }
}
