//! The incident metrics incident tools show, each a polars query over the incident
//! frames ([`crate::frames::IncidentFrames`]) with its one-sentence definition: time to
//! archive, created vs archived per month, open channels at any grid, age of the open
//! ones, breakdowns by any column, when incidents start, responders' load, and this
//! period against the previous one.
//!
//! Each takes a `LazyFrame` and gives one, so a reader can filter before (production
//! only, since July) and sort or join after; `summary()` is the aggregation every
//! breakdown uses. `plot::charts` draws the frames the queries give.

use chrono::{Datelike, Duration};
use chrono_tz::Tz;
use polars::lazy::dsl;
use polars::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::frames::JoinOn;
use crate::frames::{self, exact_div, instant_lit, local_date, polars_zone, span_lit};
use crate::time::Instant;

/// Time from a channel's creation to its archive, of the archived channels.
pub const TIME_TO_ARCHIVE_DEFINITION: &str = "Hours from a channel's creation to its archive (the newest archive not undone by an unarchive). Open channels are left out and counted; the median and p90 interpolate linearly between the closest ranks.";

/// incident.io's rule for time spent on incidents from messages alone.
pub const LOAD_DEFINITION: &str = "Each message counts 10 minutes; messages less than 20 minutes apart join one stretch (from the first to the last, plus 10 minutes). Stretches are split into working (08–19), late (19–23) and sleeping (23–08) hours in the chosen time zone.";

/// [`LOAD_DEFINITION`]'s numbers: messages closer than this join one stretch…
const STRETCH_GAP: Duration = Duration::minutes(20);
/// …and the last one counts this long.
const MESSAGE_COUNTS: Duration = Duration::minutes(10);

/// Monday first, as polars' `weekday()` counts (1 = Monday).
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Hours to archive of the archived channels (open ones left out; null where the archive
/// message is missing).
pub fn archived_hours() -> Expr {
    col("hours_to_archive").filter(col("open").not())
}

/// The aggregation of a breakdown: `incidents`, `median_hours_to_archive`,
/// `p90_hours_to_archive`, `open`. Use it as `group_by([col("component")]).agg(summary())`.
pub fn summary() -> [Expr; 4] {
    [
        len().alias("incidents"),
        archived_hours().median().alias("median_hours_to_archive"),
        archived_hours()
            .quantile(lit(0.9), QuantileMethod::Linear)
            .alias("p90_hours_to_archive"),
        col("open").sum().alias("open"),
    ]
}

/// One row: `archived` (with a known archive time), `open_excluded`, `median`, `p90`
/// (hours). See [`TIME_TO_ARCHIVE_DEFINITION`].
pub fn time_to_archive(incidents: LazyFrame) -> LazyFrame {
    incidents.select([
        archived_hours().count().alias("archived"),
        col("open").sum().alias("open_excluded"),
        archived_hours().median().alias("median"),
        archived_hours()
            .quantile(lit(0.9), QuantileMethod::Linear)
            .alias("p90"),
    ])
}

/// The empirical cumulative distribution of time to archive: for each archived channel's
/// `hours`, ascending, the `share_archived` within it.
pub fn time_to_archive_ecdf(incidents: LazyFrame) -> LazyFrame {
    incidents
        .select([archived_hours()
            .drop_nulls()
            .sort(SortOptions::default())
            .alias("hours")])
        .with_column(
            (col("hours").cum_count(false).cast(DataType::Float64)
                / col("hours").count().cast(DataType::Float64))
            .alias("share_archived"),
        )
}

/// Time to archive, computed once for the report and the charts.
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
    /// The figures of an incidents frame (or any filter of one).
    pub fn of(incidents: LazyFrame) -> Result<Self> {
        let row = time_to_archive(incidents.clone()).collect()?;
        let hours = time_to_archive_ecdf(incidents).collect()?;
        Ok(TimeToArchive {
            count: frames::first_count(&row, "archived")?,
            open_excluded: frames::first_count(&row, "open_excluded")?,
            median: frames::first_float(&row, "median")?,
            p90: frames::first_float(&row, "p90")?,
            hours: frames::floats(&hours, "hours")?,
        })
    }
}

/// The first and last value of a datetime column, `None` when it has none.
fn bounds(frame: LazyFrame, column: Expr) -> Result<Option<(Instant, Instant)>> {
    let row = frame
        .select([
            column.clone().min().alias("first"),
            column.max().alias("last"),
        ])
        .collect()?;
    let first = frames::instants(&row, "first")?
        .into_iter()
        .next()
        .flatten();
    let last = frames::instants(&row, "last")?.into_iter().next().flatten();
    Ok(first.zip(last))
}

/// Counts of rows per value of `key`, as `name`.
fn counts(frame: LazyFrame, key: Expr, name: &str) -> LazyFrame {
    frame.group_by([key.alias("key")]).agg([len().alias(name)])
}

/// Left-joins counts onto a grid by its `key`, zero where a key has none.
fn on_grid(grid: LazyFrame, counted: &[(LazyFrame, &str)]) -> LazyFrame {
    let mut out = grid;
    for (frame, name) in counted {
        out = out
            .join_on(frame.clone(), "key", JoinType::Left)
            .with_column(col(*name).fill_null(lit(0)).cast(DataType::UInt32));
    }
    out
}

/// Channels `created` and `archived` in each `month` (`YYYY-MM` in `tz`), every month
/// from the first event to the last, empty ones included so bars keep calendar spacing.
pub fn created_vs_archived(incidents: LazyFrame, tz: Tz) -> Result<LazyFrame> {
    let month = |t: Expr| -> Result<Expr> { Ok(local_date(t, tz)?.dt().strftime("%Y-%m")) };
    let archived = incidents.clone().filter(col("archived_at").is_not_null());
    let created_counts = counts(incidents.clone(), month(col("created"))?, "created");
    let archived_counts = counts(archived, month(col("archived_at"))?, "archived");
    let events = concat(
        [
            incidents.clone().select([col("created").alias("t")]),
            incidents.select([col("archived_at").alias("t")]),
        ],
        UnionArgs::default(),
    )?;
    let months: Vec<String> = match bounds(events, col("t"))? {
        Some((first, last)) => month_grid(first, last, tz),
        None => vec![],
    };
    let grid = df!("key" => months)?.lazy();
    Ok(on_grid(
        grid,
        &[(created_counts, "created"), (archived_counts, "archived")],
    )
    .rename(["key"], ["month"], true))
}

/// `YYYY-MM` of every month from `first` to `last` in `tz`.
fn month_grid(first: Instant, last: Instant, tz: Tz) -> Vec<String> {
    let start = crate::time::local_date(first, tz).with_day(1);
    let end = crate::time::local_date(last, tz);
    let mut months = vec![];
    let mut month = start;
    while let Some(m) = month.filter(|m| *m <= end) {
        months.push(m.format("%Y-%m").to_string());
        month = m.checked_add_months(chrono::Months::new(1));
    }
    months
}

/// Open channels per `date` in `tz`: a day counts a channel that was open at any moment
/// of it, created before the day ended and not archived before it began (channels
/// archived without a known time count as open). Days run from the first creation to
/// `as_of`. Counted from the sorted creations and archives (a running sum over days),
/// never days × channels.
pub fn open_per_day(incidents: LazyFrame, tz: Tz, as_of: Instant) -> Result<LazyFrame> {
    let first = bounds(incidents.clone(), col("created"))?.map(|(first, _)| first);
    let days: Vec<i32> = match first {
        Some(first) => {
            let (from, to) = (
                crate::time::local_date(first, tz),
                crate::time::local_date(as_of, tz),
            );
            from.iter_days()
                .take_while(|d| *d <= to)
                .map(frames::epoch_days)
                .collect()
        }
        None => vec![],
    };
    let created_day = local_date(col("created"), tz)?;
    let archived_day = local_date(col("archived_at"), tz)?;
    // A channel archived before the day it was created was never open.
    let counted = incidents.filter(
        col("created").lt_eq(instant_lit(as_of)).and(
            col("archived_at")
                .is_null()
                .or(archived_day.clone().gt_eq(created_day.clone())),
        ),
    );
    let day_after = |day: Expr| (day.cast(DataType::Int32) + lit(1)).cast(DataType::Date);
    let opened = counts(counted.clone(), created_day, "opened");
    let closed = counts(
        counted.filter(col("archived_at").is_not_null()),
        day_after(archived_day),
        "closed",
    );
    let grid = df!("key" => Series::new("key".into(), days).cast(&DataType::Date)?)?.lazy();
    Ok(
        on_grid(grid, &[(opened, "opened"), (closed, "closed")]).select([
            col("key").alias("date"),
            (col("opened").cast(DataType::Int64).cum_sum(false)
                - col("closed").cast(DataType::Int64).cum_sum(false))
            .cast(DataType::UInt32)
            .alias("open"),
        ]),
    )
}

/// `start`, `start + step`, … while before `end`, and `end`: a time axis for
/// [`open_at`] (the post's is every 30 days from just before the first channel).
pub fn time_grid(start: Instant, end: Instant, step: Duration) -> Vec<Instant> {
    let mut times: Vec<Instant> = std::iter::successors(Some(start), |t| Some(*t + step))
        .take_while(|t| *t < end)
        .collect();
    times.push(end);
    times
}

/// Open channels at each of `times`: created at or before `t` and not archived before
/// it, as the post counts (an archived channel without a known archive time counts as
/// open). Gives `t`, `open`. A running sum over the sorted creations and archives, so its
/// cost grows with channels + times, not their product.
pub fn open_at(incidents: LazyFrame, times: &[Instant]) -> Result<LazyFrame> {
    let counted = incidents.filter(
        col("archived_at")
            .is_null()
            .or(col("archived_at").gt_eq(col("created"))),
    );
    let event = |t: Expr, delta: i64| {
        [
            t.alias("t"),
            lit(delta).cast(DataType::Int64).alias("delta"),
            lit(false).alias("probe"),
        ]
    };
    let probes = DataFrame::new_infer_height(vec![
        frames::datetime_column("t", times.iter().map(|t| Some(*t))),
        Column::new("delta".into(), vec![0i64; times.len()]),
        Column::new("probe".into(), vec![true; times.len()]),
    ])?;
    let events = concat(
        [
            counted.clone().select(event(col("created"), 1)),
            counted
                .filter(col("archived_at").is_not_null())
                // Still open at the archive's own instant, closed a millisecond later.
                .select(event(
                    col("archived_at") + span_lit(Duration::milliseconds(1)),
                    -1,
                )),
            probes.lazy(),
        ],
        UnionArgs::default(),
    )?;
    Ok(events
        .sort(
            ["t", "probe"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_column(col("delta").cum_sum(false).alias("open"))
        .filter(col("probe"))
        .select([col("t"), col("open").cast(DataType::UInt32)]))
}

/// The age buckets of open channels, youngest first.
pub const AGE_BUCKETS: [(&str, i64); 5] = [
    ("< 1 day", 1),
    ("1–7 days", 7),
    ("7–30 days", 30),
    ("30–90 days", 90),
    ("≥ 90 days", i64::MAX),
];

/// The channels still open at `as_of` by age (whole days since creation): `age`,
/// `open_channels`, and the `channels`' names; every bucket, empty ones included.
pub fn open_ages(incidents: LazyFrame, as_of: Instant) -> Result<LazyFrame> {
    let days = (instant_lit(as_of) - col("created")).dt().total_days(false);
    let (oldest, younger) = AGE_BUCKETS.split_last().expect("buckets");
    let bucket = younger
        .iter()
        .rev()
        .fold(lit(oldest.0), |older, (name, below)| {
            when(days.clone().lt(lit(*below)))
                .then(lit(*name))
                .otherwise(older)
        });
    let open = incidents
        .filter(col("open").and(col("created").lt_eq(instant_lit(as_of))))
        .group_by([bucket.alias("key")])
        .agg([
            len().alias("open_channels"),
            col("name").str().join(", ", true).alias("channels"),
        ]);
    let grid = df!("key" => AGE_BUCKETS.iter().map(|(n, _)| *n).collect::<Vec<_>>())?.lazy();
    Ok(grid.join_on(open, "key", JoinType::Left).select([
        col("key").alias("age"),
        col("open_channels")
            .fill_null(lit(0))
            .cast(DataType::UInt32),
        col("channels").fill_null(lit("")),
    ]))
}

/// Incidents per value of any column, with [`summary`]: most incidents first, then by
/// value; a missing value shows as `(none)`.
pub fn breakdown(incidents: LazyFrame, by: &str) -> LazyFrame {
    incidents
        .group_by([col(by)
            .cast(DataType::String)
            .fill_null(lit("(none)"))
            .alias(by)])
        .agg(summary())
        .sort_by_exprs(
            [col("incidents"), col(by)],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
}

/// Incident starts per `weekday` (1 = Monday) and `hour` of day in `tz`, as `incidents`
/// (only the cells with some).
pub fn weekday_hour(incidents: LazyFrame, tz: Tz) -> Result<LazyFrame> {
    let local = col("created").dt().convert_time_zone(polars_zone(tz)?);
    Ok(incidents
        .group_by([
            local.clone().dt().weekday().alias("weekday"),
            local.dt().hour().alias("hour"),
        ])
        .agg([len().alias("incidents")])
        .sort(["weekday", "hour"], SortMultipleOptions::default()))
}

/// `t` as read on a clock in `tz`, in milliseconds since that clock read 1970-01-01
/// 00:00: one time zone conversion, from which every band below is integer arithmetic.
fn local_clock_ms(t: Expr, tz: Tz) -> Result<Expr> {
    Ok(t.dt()
        .convert_time_zone(polars_zone(tz)?)
        .dt()
        .replace_time_zone(None, lit("raise"), NonExistent::Raise)
        .cast(DataType::Int64))
}

/// Milliseconds since the epoch that fell in a daily band `[from_hour, to_hour)` of
/// local time, up to the local clock reading `clock_ms` (see [`local_clock_ms`]): whole
/// local days times the band, plus today's share of it. The difference at two instants
/// is the band's time between them. Whole milliseconds, so that sums are exact and the
/// same on every run.
fn band_ms_until(clock_ms: Expr, from_hour: i64, to_hour: i64) -> Result<Expr> {
    const HOUR_MS: i64 = 3_600_000;
    const DAY_MS: i64 = 24 * HOUR_MS;
    let day = clock_ms.clone().floor_div(lit(DAY_MS));
    let ms_of_day = clock_ms - day.clone() * lit(DAY_MS);
    let band = (to_hour - from_hour) * HOUR_MS;
    let today = dsl::min_horizontal([
        lit(band),
        dsl::max_horizontal([lit(0i64), ms_of_day - lit(from_hour * HOUR_MS)])?,
    ])?;
    Ok(day * lit(band) + today)
}

/// Each responder's stretches of work in the incident channels, by incident.io's rule
/// ([`LOAD_DEFINITION`]): `author`, `start`, `end`. `messages` is
/// [`crate::frames::IncidentFrames::messages`] (or a filter of it); of it the stretches
/// read `time`, `author` and `is_update`.
pub fn stretches(messages: LazyFrame) -> Result<LazyFrame> {
    // Within each author's messages, oldest first: a stretch starts at the first message
    // and after every gap of 20 minutes or more, and ends before the next such gap or at
    // the last message. The k-th start and the k-th end then belong to one stretch.
    let gap_at_least = |gap: Expr| gap.clone().is_null().or(gap.gt_eq(span_lit(STRETCH_GAP)));
    let starts = gap_at_least(col("time") - col("time").shift(lit(1)));
    let ends = gap_at_least(col("time").shift(lit(-1)) - col("time"));
    let no_empty_lists = ExplodeOptions {
        empty_as_null: false,
        keep_nulls: false,
    };
    // The two columns are filtered on their own: a filtered frame would also filter the
    // columns the condition reads (at 1M messages 35 MB more at the report's peak). A
    // message has an author exactly when it has a user, so `user` need not be read.
    let by_people = col("is_update").and(col("author").is_not_null());
    Ok(messages
        .select([
            col("author").filter(by_people.clone()),
            col("time").filter(by_people),
        ])
        // Sorted by time, not by author and time: each author's group keeps that order,
        // and sorting a million names costs more than the rest of the query.
        .sort(
            ["time"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .group_by([col("author")])
        .agg([
            col("time").filter(starts).alias("start"),
            (col("time").filter(ends) + span_lit(MESSAGE_COUNTS)).alias("end"),
        ])
        .explode(by_name(["start", "end"], true, false), no_empty_lists)
        .sort(
            ["author", "start"],
            SortMultipleOptions::default().with_maintain_order(true),
        ))
}

/// Each responder's load: `responder`, `working_hours`, `late_hours`,
/// `sleeping_hours`, `total_hours`, most hours first (see [`LOAD_DEFINITION`]).
pub fn responders_load(messages: LazyFrame, tz: Tz) -> Result<LazyFrame> {
    let band = |from: i64, to: i64| -> Result<Expr> {
        Ok(band_ms_until(col("end_clock"), from, to)?
            - band_ms_until(col("start_clock"), from, to)?)
    };
    let hours = |ms: Expr| exact_div(ms, 3_600_000.0);
    Ok(stretches(messages)?
        .with_columns([
            local_clock_ms(col("start"), tz)?.alias("start_clock"),
            local_clock_ms(col("end"), tz)?.alias("end_clock"),
        ])
        .with_columns([
            band(8, 19)?.alias("working"),
            band(19, 23)?.alias("late"),
            (col("end") - col("start"))
                .dt()
                .total_milliseconds(false)
                .alias("total"),
        ])
        .group_by([col("author").alias("responder")])
        .agg([col("working").sum(), col("late").sum(), col("total").sum()])
        .select([
            col("responder"),
            hours(col("working")).alias("working_hours"),
            hours(col("late")).alias("late_hours"),
            hours(col("total") - col("working") - col("late")).alias("sleeping_hours"),
            hours(col("total")).alias("total_hours"),
        ])
        .sort_by_exprs(
            [col("total_hours"), col("responder")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        ))
}

/// Responders' load rounded to tenths of an hour, for tables.
pub fn rounded(load: LazyFrame) -> LazyFrame {
    let hours = [
        "working_hours",
        "late_hours",
        "sleeping_hours",
        "total_hours",
    ];
    load.with_columns(
        hours
            .iter()
            .map(|h| col(*h).round(1, RoundMode::HalfAwayFromZero))
            .collect::<Vec<_>>(),
    )
}

/// Incidents created in the `days` before `as_of` (`period` "last") against the `days`
/// before those ("previous"), with [`summary`] of each; both rows always present.
pub fn compare_periods(incidents: LazyFrame, as_of: Instant, days: i64) -> Result<LazyFrame> {
    let span = Duration::days(days);
    let in_period = |from: Instant, to: Instant| {
        col("created")
            .gt(instant_lit(from))
            .and(col("created").lt_eq(instant_lit(to)))
    };
    let period = when(in_period(as_of - span, as_of))
        .then(lit("last"))
        .when(in_period(as_of - span - span, as_of - span))
        .then(lit("previous"))
        .otherwise(lit(NULL).cast(DataType::String));
    let grouped = incidents
        .with_column(period.alias("key"))
        .filter(col("key").is_not_null())
        .group_by([col("key")])
        .agg(summary());
    let grid = df!("key" => ["last", "previous"])?.lazy();
    Ok(on_grid(grid, &[(grouped, "incidents")]).rename(["key"], ["period"], true))
}

/// This period against the one before it, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodComparison {
    pub days: i64,
    pub this_created: usize,
    pub previous_created: usize,
    pub this_median_hours_to_archive: Option<f64>,
    pub previous_median_hours_to_archive: Option<f64>,
}

impl PeriodComparison {
    pub fn of(incidents: LazyFrame, as_of: Instant, days: i64) -> Result<Self> {
        let rows = compare_periods(incidents, as_of, days)?.collect()?;
        let counts = frames::floats(&rows, "incidents")?;
        let medians = frames::floats(&rows, "median_hours_to_archive")?;
        let median = |i: usize| Some(medians[i]).filter(|m| !m.is_nan());
        Ok(PeriodComparison {
            days,
            this_created: counts[0] as usize,
            previous_created: counts[1] as usize,
            this_median_hours_to_archive: median(0),
            previous_median_hours_to_archive: median(1),
        })
    }
}
