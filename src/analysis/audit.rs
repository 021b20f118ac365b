//! The SOP, audited from the channels: were they named by the convention, was the topic
//! set with both owners, was a summary posted with every field, did updates keep to the
//! 10-minute timer, were incidents escalated, and which channels still wait for their
//! post-mortem.
//!
//! Each check is a polars expression or query over the incident frames, with the SOP's
//! numbers in [`AuditOptions`], so a team can audit itself against its own rule.

use chrono::Duration;
use polars::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::frames::JoinOn;
use crate::frames::{
    self, exact_div, instant_lit, longest_silences, span_lit, IncidentFrames, DEFAULT_HOT_WINDOW,
};
/// The SOP summary's fields, for queries over each.
pub use crate::incidents::sop::Field;
use crate::time::Instant;

/// Thresholds of the audit.
#[derive(Debug, Clone, Copy)]
pub struct AuditOptions {
    /// The SOP's timer: an update at least this often while the incident is hot.
    pub timer: Duration,
    /// How long after creation the cadence is checked.
    pub hot_window: Duration,
    /// A topic set later than this after creation is late.
    pub topic_within: Duration,
    /// Open channels older than this are waiting for their post-mortem.
    pub postmortem_within: Duration,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            timer: Duration::minutes(10),
            hot_window: DEFAULT_HOT_WINDOW,
            topic_within: Duration::minutes(15),
            postmortem_within: Duration::days(7),
        }
    }
}

/// A span as a short label: "10 minutes", "2 hours", "7 days".
pub fn span_label(span: Duration) -> String {
    let (n, unit) = if span.num_days() > 0 && span == Duration::days(span.num_days()) {
        (span.num_days(), "day")
    } else if span.num_hours() > 0 && span == Duration::hours(span.num_hours()) {
        (span.num_hours(), "hour")
    } else {
        (span.num_minutes(), "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

impl AuditOptions {
    /// The silence that counts as a lapse: three timer periods.
    pub fn long_silence(&self) -> Duration {
        self.timer * 3
    }
}

/// The topic statuses, in the order tables show them.
pub const TOPIC_STATUSES: [&str; 4] = [
    "both owners",
    "one owner",
    "topic without owners",
    "no topic",
];

/// How a channel's topic did against the SOP: one of [`TOPIC_STATUSES`].
pub fn topic_status() -> Expr {
    let no_topic = col("topic")
        .fill_null(lit(""))
        .str()
        .strip_chars(lit(NULL))
        .eq(lit(""));
    let (sre, dev) = (
        col("sre_owner").is_not_null(),
        col("dev_owner").is_not_null(),
    );
    when(no_topic)
        .then(lit(TOPIC_STATUSES[3]))
        .when(sre.clone().and(dev.clone()))
        .then(lit(TOPIC_STATUSES[0]))
        .when(sre.or(dev).not())
        .then(lit(TOPIC_STATUSES[2]))
        .otherwise(lit(TOPIC_STATUSES[1]))
        .alias("topic_status")
}

/// Whether a channel's summary has every SOP field (UNKNOWN counts as written).
pub fn summary_complete() -> Expr {
    Field::ALL
        .iter()
        .fold(col("has_summary"), |all, f| {
            all.and(col(f.name()).is_not_null())
        })
        .alias("summary_complete")
}

/// Whether the topic was set later than the SOP allows.
pub fn topic_late(options: &AuditOptions) -> Expr {
    col("minutes_to_topic")
        .gt(lit(minutes(options.topic_within)))
        .fill_null(lit(false))
        .alias("topic_late")
}

/// Whether a channel is open longer than the post-mortem allowance at `as_of`.
pub fn waiting(as_of: Instant, options: &AuditOptions) -> Expr {
    col("open")
        .and((instant_lit(as_of) - col("created")).gt(span_lit(options.postmortem_within)))
        .alias("waiting_for_postmortem")
}

fn minutes(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 60_000.0
}

/// The incidents with the audit's per-channel columns: `topic_status`,
/// `summary_complete`, `topic_late`, `waiting_for_postmortem`, and, for the options' hot
/// window, `longest_silence_minutes`, `updates_in_window` and `timers_missed` (see
/// [`timers_missed`]).
pub fn audited(
    incidents: LazyFrame,
    messages: LazyFrame,
    as_of: Instant,
    options: &AuditOptions,
) -> Result<LazyFrame> {
    let silences = longest_silences(incidents.clone(), messages, options.hot_window)?;
    let incidents = incidents.drop(cols(["longest_silence_minutes"])).join_on(
        silences,
        "channel_id",
        JoinType::Left,
    );
    Ok(with_checks(incidents, as_of, options))
}

/// The audit's per-channel columns of incidents that have their `longest_silence_minutes`.
fn with_checks(incidents: LazyFrame, as_of: Instant, options: &AuditOptions) -> LazyFrame {
    incidents.with_columns([
        topic_status(),
        summary_complete(),
        topic_late(options),
        waiting(as_of, options),
        timers_missed(col("longest_silence_minutes"), options.timer).alias("timers_missed"),
    ])
}

/// How often a repeating `timer` rang inside a silence of `silence_minutes` with no
/// update: every ring before the silence ended. One that rings as the update comes is
/// heard, so a 10-minute silence misses no 10-minute timer and a 25-minute one misses two.
pub fn timers_missed(silence_minutes: Expr, timer: Duration) -> Expr {
    let periods = exact_div(silence_minutes, minutes(timer));
    when(periods.clone().eq(lit(0.0)))
        .then(lit(0.0))
        .otherwise(periods.ceil() - lit(1.0))
        .cast(DataType::UInt32)
}

/// The audit's headline counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditSummary {
    pub channels: usize,
    pub named_by_convention: usize,
    pub topic_with_both_owners: usize,
    pub topic_with_one_owner: usize,
    pub topic_without_owners: usize,
    pub no_topic: usize,
    pub topic_late: usize,
    pub median_minutes_to_topic: Option<f64>,
    pub with_summary: usize,
    pub summary_complete: usize,
    pub with_long_silence: usize,
    pub escalated: usize,
    pub waiting_for_postmortem: usize,
}

/// The headline counts as one row, from [`audited`] incidents.
pub fn summary_row(audited: LazyFrame, options: &AuditOptions) -> LazyFrame {
    let status = |i: usize| col("topic_status").eq(lit(TOPIC_STATUSES[i])).sum();
    audited.select([
        len().alias("channels"),
        col("follows_convention").sum().alias("named_by_convention"),
        status(0).alias("topic_with_both_owners"),
        status(1).alias("topic_with_one_owner"),
        status(2).alias("topic_without_owners"),
        status(3).alias("no_topic"),
        col("topic_late").sum(),
        col("minutes_to_topic")
            .median()
            .alias("median_minutes_to_topic"),
        col("has_summary").sum().alias("with_summary"),
        col("summary_complete").sum(),
        col("longest_silence_minutes")
            .gt(lit(minutes(options.long_silence())))
            .sum()
            .alias("with_long_silence"),
        col("escalations").gt(lit(0)).sum().alias("escalated"),
        col("waiting_for_postmortem").sum(),
    ])
}

/// Runs the whole audit.
pub fn summarize(
    incidents: LazyFrame,
    messages: LazyFrame,
    as_of: Instant,
    options: &AuditOptions,
) -> Result<AuditSummary> {
    summary_of(audited(incidents, messages, as_of, options)?, options)
}

/// [`summarize`] of incident frames as [`IncidentFrames::new`] made them. For the default
/// hot window their `longest_silence_minutes` already is the audit's, so the messages
/// are not read again; for another, the silences are counted anew.
pub fn summarize_frames(
    frames: &IncidentFrames,
    as_of: Instant,
    options: &AuditOptions,
) -> Result<AuditSummary> {
    let incidents = frames.incidents.clone().lazy();
    if options.hot_window != DEFAULT_HOT_WINDOW {
        return summarize(incidents, frames.messages.clone().lazy(), as_of, options);
    }
    summary_of(with_checks(incidents, as_of, options), options)
}

/// The headline counts of audited incidents.
fn summary_of(audited: LazyFrame, options: &AuditOptions) -> Result<AuditSummary> {
    let row = summary_row(audited, options).collect()?;
    let n = |name: &str| frames::first_count(&row, name);
    Ok(AuditSummary {
        channels: n("channels")?,
        named_by_convention: n("named_by_convention")?,
        topic_with_both_owners: n("topic_with_both_owners")?,
        topic_with_one_owner: n("topic_with_one_owner")?,
        topic_without_owners: n("topic_without_owners")?,
        no_topic: n("no_topic")?,
        topic_late: n("topic_late")?,
        median_minutes_to_topic: frames::first_float(&row, "median_minutes_to_topic")?,
        with_summary: n("with_summary")?,
        summary_complete: n("summary_complete")?,
        with_long_silence: n("with_long_silence")?,
        escalated: n("escalated")?,
        waiting_for_postmortem: n("waiting_for_postmortem")?,
    })
}

/// Channels whose names do not follow the convention: `name`, `created`.
pub fn off_convention(incidents: LazyFrame) -> LazyFrame {
    incidents
        .filter(col("follows_convention").not())
        .select([col("name"), col("created")])
}

/// Channels per topic status, every status listed: `topic`, `channels`.
pub fn topics(incidents: LazyFrame) -> Result<LazyFrame> {
    let counted = incidents
        .group_by([topic_status()])
        .agg([len().alias("channels")]);
    Ok(df!("topic" => TOPIC_STATUSES)?
        .lazy()
        .join_by(counted, "topic", "topic_status", JoinType::Left)
        .with_column(col("channels").fill_null(lit(0)).cast(DataType::UInt32)))
}

/// For each SOP field: in how many summaries it is `missing`, and how many say
/// `unknown` (UNKNOWN).
pub fn summary_fields(incidents: LazyFrame) -> Result<LazyFrame> {
    let with_summary = incidents.filter(col("has_summary"));
    let per_field: Vec<LazyFrame> = Field::ALL
        .iter()
        .map(|f| {
            with_summary.clone().select([
                lit(f.name()).alias("field"),
                col(f.name()).is_null().sum().alias("missing"),
                col(f.name())
                    .eq(lit("UNKNOWN"))
                    .fill_null(lit(false))
                    .sum()
                    .alias("unknown"),
            ])
        })
        .collect();
    Ok(concat(per_field, UnionArgs::default())?)
}

/// Open channels older than the post-mortem allowance, oldest first: `name`,
/// `days_open`, `topic`.
pub fn waiting_for_postmortem(
    incidents: LazyFrame,
    as_of: Instant,
    options: &AuditOptions,
) -> LazyFrame {
    incidents
        .filter(waiting(as_of, options))
        .sort(
            ["created"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select([
            col("name"),
            (instant_lit(as_of) - col("created"))
                .dt()
                .total_days(false)
                .cast(DataType::UInt32)
                .alias("days_open"),
            col("topic").fill_null(lit("")),
        ])
}
