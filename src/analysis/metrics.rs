//! The incident metrics incident tools show, each a polars query over the incident
//! frames ([`crate::frames::IncidentFrames`]) with its one-sentence definition: time to
//! archive, created vs archived per month, open channels at any grid, age of the open
//! ones, breakdowns by any column, when incidents start, responders' load, and this
//! period against the previous one.
//!
//! Each takes a `LazyFrame` and gives one, so a reader can filter before (production
//! only, since July) and sort or join after; `summary()` is the aggregation every
//! breakdown uses. `plot::charts` draws the frames the queries give.

use chrono::Duration;
use chrono_tz::Tz;
use polars::lazy::dsl;
use polars::prelude::*;
use serde::Serialize;

use crate::analysis::period::Period;
use crate::analysis::phases::percentile_name;
use crate::error::Result;
use crate::frames::JoinOn;
use crate::frames::{self, exact_div, instant_lit, local_date, polars_zone, span_lit};
use crate::time::Instant;

/// Time from a channel's creation to its archive, of the archived channels.
pub const TIME_TO_ARCHIVE_DEFINITION: &str = "Hours from a channel's creation to its archive (the newest archive not undone by an unarchive). Open channels are left out and counted; the median and p90 interpolate linearly between the closest ranks.";

/// incident.io's rule for time spent on incidents from messages alone.
pub const LOAD_DEFINITION: &str = "Each message counts 10 minutes; messages less than 20 minutes apart join one stretch (from the first to the last, plus 10 minutes). Stretches are split into working (08–19), late (19–23) and sleeping (23–08) hours in the chosen time zone.";

/// What `responders_by_period` counts.
pub const LOAD_BY_PERIOD_DEFINITION: &str = "Per person and period: incidents created in the period that they own (SRE or developer owner in the topic) and that they joined (wrote in without owning); their hours by the responders' load rule, each stretch in the period it starts in; out-of-hours share = late and sleeping hours ÷ all their hours. top_fifth_share_of_hours: the share of all hours carried by the busiest fifth of people.";

/// incident.io's rule for time spent on incidents, and the shifts the hours are split
/// into; [`LoadRule::default`] is [`LOAD_DEFINITION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadRule {
    /// Messages closer than this join one stretch…
    pub stretch_gap: Duration,
    /// …and the last message of a stretch counts this long.
    pub message_counts: Duration,
    /// Working hours, `[from, to)` of the local clock.
    pub working: (i64, i64),
    /// Late hours, `[from, to)`; the rest of the day is sleeping hours.
    pub late: (i64, i64),
}

impl Default for LoadRule {
    fn default() -> Self {
        LoadRule {
            stretch_gap: Duration::minutes(20),
            message_counts: Duration::minutes(10),
            working: (8, 19),
            late: (19, 23),
        }
    }
}

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

/// [`summary`] with any percentiles of time to archive: `incidents`, a
/// `p<percent>_hours_to_archive` per percentile (`summary_with(&[0.5, 0.95])` gives `p50_…`
/// and `p95_…`), `open`.
pub fn summary_with(percentiles: &[f64]) -> Vec<Expr> {
    let mut exprs = vec![len().alias("incidents")];
    exprs.extend(percentiles.iter().map(|&q| {
        archived_hours()
            .quantile(lit(q), QuantileMethod::Linear)
            .alias(format!("{}_hours_to_archive", percentile_name(q)))
    }));
    exprs.push(col("open").sum().alias("open"));
    exprs
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
/// from the first event to the last, empty ones included so bars keep calendar spacing:
/// [`created_vs_archived_by`] a month, labelled as the post's readers know months.
pub fn created_vs_archived(incidents: LazyFrame, tz: Tz) -> Result<LazyFrame> {
    Ok(
        created_vs_archived_by(incidents, tz, &Period::month())?.select([
            col("period").dt().strftime("%Y-%m").alias("month"),
            col("created"),
            col("archived"),
        ]),
    )
}

/// Channels `created` and `archived` per `period` (its first day, on `tz`'s calendar),
/// every period from the first event to the last, empty ones included:
/// `created_vs_archived_by(incidents, tz, &Period::week())`.
pub fn created_vs_archived_by(incidents: LazyFrame, tz: Tz, period: &Period) -> Result<LazyFrame> {
    let archived = incidents.clone().filter(col("archived_at").is_not_null());
    let created_counts = counts(
        incidents.clone(),
        period.start_of(col("created"), tz)?,
        "created",
    );
    let archived_counts = counts(
        archived,
        period.start_of(col("archived_at"), tz)?,
        "archived",
    );
    let events = concat(
        [
            incidents.clone().select([col("created").alias("t")]),
            incidents.select([col("archived_at").alias("t")]),
        ],
        UnionArgs::default(),
    )?;
    // Every day of the span, each taken to its period's start: the grid keeps the same
    // periods the counts were bucketed into, however the period aligns.
    let days: Vec<i32> = match bounds(events, col("t"))? {
        Some((first, last)) => crate::time::local_date(first, tz)
            .iter_days()
            .take_while(|d| *d <= crate::time::local_date(last, tz))
            .map(frames::epoch_days)
            .collect(),
        None => vec![],
    };
    let grid = df!("day" => Series::new("day".into(), days).cast(&DataType::Date)?)?
        .lazy()
        .select([col("day")
            .dt()
            .truncate(lit(period.every().to_string()))
            .alias("key")])
        .unique_stable(None, UniqueKeepStrategy::First);
    Ok(on_grid(
        grid,
        &[(created_counts, "created"), (archived_counts, "archived")],
    )
    .rename(["key"], ["period"], true))
}

/// Open channels per `date` in `tz`: a day counts a channel that was open at any moment
/// of it, created before the day ended and not archived before it began (channels
/// archived without a known time count as open). Days run from the first creation to
/// `as_of`. Counted from the sorted creations and archives (a running sum over days),
/// never days × channels. `opened_channels` and `archived_channels` name the channels
/// created and archived that day (comma-separated, empty when none): what moved the count.
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
    let archived = counted.clone().filter(col("archived_at").is_not_null());
    let day_after = |day: Expr| (day.cast(DataType::Int32) + lit(1)).cast(DataType::Date);
    let opened = counts(counted.clone(), created_day.clone(), "opened");
    let closed = counts(archived.clone(), day_after(archived_day.clone()), "closed");
    let names = |frame: LazyFrame, day: Expr, column: &str| {
        frame.group_by([day.alias("key")]).agg([col("name")
            .sort(Default::default())
            .str()
            .join(", ", true)
            .alias(column)])
    };
    let grid = df!("key" => Series::new("key".into(), days).cast(&DataType::Date)?)?.lazy();
    let counted_days = on_grid(grid, &[(opened, "opened"), (closed, "closed")]);
    let named_days = [
        names(counted, created_day, "opened_channels"),
        names(archived, archived_day, "archived_channels"),
    ]
    .into_iter()
    .fold(counted_days, |days, named| {
        days.join_on(named, "key", JoinType::Left)
    });
    Ok(named_days.select([
        col("key").alias("date"),
        (col("opened").cast(DataType::Int64).cum_sum(false)
            - col("closed").cast(DataType::Int64).cum_sum(false))
        .cast(DataType::UInt32)
        .alias("open"),
        col("opened_channels").fill_null(lit("")),
        col("archived_channels").fill_null(lit("")),
    ]))
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
    open_ages_in(incidents, as_of, &AGE_BUCKETS)
}

/// [`open_ages`] in buckets of your own: each a label and the whole days it is below,
/// youngest first (the last bucket takes every older channel, whatever its bound).
pub fn open_ages_in(
    incidents: LazyFrame,
    as_of: Instant,
    buckets: &[(&str, i64)],
) -> Result<LazyFrame> {
    let days = (instant_lit(as_of) - col("created")).dt().total_days(false);
    let Some((oldest, younger)) = buckets.split_last() else {
        return Err(crate::error::Error::Parameter {
            name: "buckets",
            value: "[]".into(),
            expected: "at least one age bucket, such as (\"< 1 day\", 1)",
        });
    };
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
    let grid = df!("key" => buckets.iter().map(|(n, _)| *n).collect::<Vec<_>>())?.lazy();
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
    LoadRule::default().stretches(messages)
}

/// Each responder's load: `responder`, `working_hours`, `late_hours`,
/// `sleeping_hours`, `total_hours`, most hours first (see [`LOAD_DEFINITION`]).
pub fn responders_load(messages: LazyFrame, tz: Tz) -> Result<LazyFrame> {
    LoadRule::default().load(messages, tz)
}

impl LoadRule {
    /// The three shifts' names with their hours, as charts label them:
    /// `working (08-19)`, `late (19-23)`, `sleeping (23-08)`.
    pub fn shift_labels(&self) -> [String; 3] {
        let ((w0, w1), (l0, l1)) = (self.working, self.late);
        [
            format!("working ({w0:02}-{w1:02})"),
            format!("late ({l0:02}-{l1:02})"),
            format!("sleeping ({l1:02}-{w0:02})"),
        ]
    }

    /// [`stretches`] by this rule.
    pub fn stretches(&self, messages: LazyFrame) -> Result<LazyFrame> {
        // Within each author's messages, oldest first: a stretch starts at the first message
        // and after every gap of 20 minutes or more, and ends before the next such gap or at
        // the last message. The k-th start and the k-th end then belong to one stretch.
        let gap_at_least = |gap: Expr| {
            gap.clone()
                .is_null()
                .or(gap.gt_eq(span_lit(self.stretch_gap)))
        };
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
                (col("time").filter(ends) + span_lit(self.message_counts)).alias("end"),
            ])
            .explode(by_name(["start", "end"], true, false), no_empty_lists)
            .sort(
                ["author", "start"],
                SortMultipleOptions::default().with_maintain_order(true),
            ))
    }

    /// Each responder's stretches (as [`LoadRule::stretches`]) with their milliseconds by
    /// shift in `tz`: `working`, `late` and `total`. [`load_of`] and
    /// [`LoadRule::by_period_of`] sum them; compute them once for both.
    pub fn shifts(&self, messages: LazyFrame, tz: Tz) -> Result<LazyFrame> {
        let stretches = self.stretches(messages)?;
        let band = |(from, to): (i64, i64)| -> Result<Expr> {
            Ok(band_ms_until(col("end_clock"), from, to)?
                - band_ms_until(col("start_clock"), from, to)?)
        };
        Ok(stretches
            .with_columns([
                local_clock_ms(col("start"), tz)?.alias("start_clock"),
                local_clock_ms(col("end"), tz)?.alias("end_clock"),
            ])
            .with_columns([
                band(self.working)?.alias("working"),
                band(self.late)?.alias("late"),
                (col("end") - col("start"))
                    .dt()
                    .total_milliseconds(false)
                    .alias("total"),
            ]))
    }

    /// [`responders_load`] by this rule.
    pub fn load(&self, messages: LazyFrame, tz: Tz) -> Result<LazyFrame> {
        Ok(load_of(self.shifts(messages, tz)?))
    }

    /// [`LoadRule::by_period_of`] this rule's [`shifts`](LoadRule::shifts).
    pub fn by_period(
        &self,
        messages: LazyFrame,
        incidents: LazyFrame,
        period: &Period,
        tz: Tz,
    ) -> Result<LazyFrame> {
        let shifts = self.shifts(messages.clone(), tz)?;
        Self::by_period_of(shifts, messages, incidents, period, tz)
    }

    /// Each responder's burden per `period` from their [`shifts`](LoadRule::shifts) (each
    /// stretch counted in the period it starts in, on `tz`'s calendar): `period`,
    /// `responder`, `led` (incidents created in the period with them as SRE or developer
    /// owner), `joined` (incidents created in the period they wrote in without owning),
    /// the shift hours as in [`LoadRule::load`], and `out_of_hours_share` (late and
    /// sleeping hours ÷ total). `incidents` needs `channel_id`, `created`, `sre_owner`,
    /// `dev_owner`; `messages` `channel_id`, `author`, `is_update`.
    pub fn by_period_of(
        shifts: LazyFrame,
        messages: LazyFrame,
        incidents: LazyFrame,
        period: &Period,
        tz: Tz,
    ) -> Result<LazyFrame> {
        let hours = shifts
            .group_by([
                period.start_of(col("start"), tz)?.alias("period"),
                col("author").alias("responder"),
            ])
            .agg(shift_sums());
        let incident_period = incidents.select([
            col("channel_id"),
            period.start_of(col("created"), tz)?.alias("period"),
            col("sre_owner"),
            col("dev_owner"),
        ]);
        let owners = concat(
            [
                incident_period.clone().select([
                    col("channel_id"),
                    col("period"),
                    col("sre_owner").alias("responder"),
                ]),
                incident_period.clone().select([
                    col("channel_id"),
                    col("period"),
                    col("dev_owner").alias("responder"),
                ]),
            ],
            UnionArgs::default(),
        )?
        .filter(col("responder").is_not_null())
        .unique_stable(None, UniqueKeepStrategy::First)
        .with_column(lit(true).alias("owns"));
        let writers = messages
            .filter(col("is_update").and(col("author").is_not_null()))
            .select([col("channel_id"), col("author").alias("responder")])
            .unique_stable(None, UniqueKeepStrategy::First)
            .join_on(
                incident_period.select([col("channel_id"), col("period")]),
                "channel_id",
                JoinType::Inner,
            )
            .select([col("channel_id"), col("period"), col("responder")]);
        let roles = concat(
            [owners, writers.with_column(lit(false).alias("owns"))],
            UnionArgs::default(),
        )?
        .group_by([col("period"), col("responder"), col("channel_id")])
        .agg([col("owns").any(true)])
        .group_by([col("period"), col("responder")])
        .agg([
            col("owns").sum().alias("led"),
            col("owns").not().sum().alias("joined"),
        ]);
        let keys = [col("period"), col("responder")];
        Ok(roles
            .join(
                hours,
                keys.clone(),
                keys,
                JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
            )
            .with_columns([
                col("led").fill_null(lit(0)).cast(DataType::UInt32),
                col("joined").fill_null(lit(0)).cast(DataType::UInt32),
                col("working").fill_null(lit(0i64)),
                col("late").fill_null(lit(0i64)),
                col("total").fill_null(lit(0i64)),
            ])
            .select(
                [col("period")]
                    .into_iter()
                    .chain(shift_hours())
                    .chain([
                        col("led"),
                        col("joined"),
                        ((col("total") - col("working")).cast(DataType::Float64)
                            / col("total").cast(DataType::Float64))
                        .alias("out_of_hours_share"),
                    ])
                    .collect::<Vec<_>>(),
            )
            .sort_by_exprs(
                [col("period"), col("total_hours"), col("responder")],
                SortMultipleOptions::default().with_order_descending_multi([false, true, false]),
            ))
    }
}

/// Each responder's load from their [`LoadRule::shifts`]: `responder`, `working_hours`,
/// `late_hours`, `sleeping_hours`, `total_hours`, most hours first.
pub fn load_of(shifts: LazyFrame) -> LazyFrame {
    shifts
        .group_by([col("author").alias("responder")])
        .agg(shift_sums())
        .select(shift_hours())
        .sort_by_exprs(
            [col("total_hours"), col("responder")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
}

/// The sums of a group of stretches by shift, in milliseconds.
fn shift_sums() -> [Expr; 3] {
    [col("working").sum(), col("late").sum(), col("total").sum()]
}

/// `responder` and the hours of each shift from [`shift_sums`].
fn shift_hours() -> [Expr; 5] {
    let hours = |ms: Expr| exact_div(ms, 3_600_000.0);
    [
        col("responder"),
        hours(col("working")).alias("working_hours"),
        hours(col("late")).alias("late_hours"),
        hours(col("total") - col("working") - col("late")).alias("sleeping_hours"),
        hours(col("total")).alias("total_hours"),
    ]
}

/// The share of all hours of a load (any frame with `total_hours` per person) carried by
/// the `top` share of people with the most (at least one person): 0.2 asks how much the
/// busiest fifth carries. `None` without hours.
pub fn concentration(load: LazyFrame, top: f64) -> Result<Option<f64>> {
    // One value per person: the busiest are taken from the sorted totals.
    let sorted = load
        .select([col("total_hours")
            .drop_nulls()
            .sort(SortOptions::default().with_order_descending(true))])
        .collect()?;
    let hours = frames::floats(&sorted, "total_hours")?;
    let busiest = ((hours.len() as f64 * top).ceil() as usize).max(1);
    let all: f64 = hours.iter().sum();
    Ok((all > 0.0).then(|| hours.iter().take(busiest).sum::<f64>() / all))
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
