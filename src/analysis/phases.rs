//! How long each phase of an incident takes: to the first response, to resolution, to
//! closing (the archive), and the post-mortem wait between resolution and archive. Each
//! is the time between two columns of the incidents frame, summarised by any
//! percentiles, overall or grouped by a period or any column.
//!
//! ```ignore
//! incidents.group_by([col("component")]).agg(Phase::Resolve.summary(&[0.5, 0.95]))
//! ```

use chrono::Duration;
use chrono_tz::Tz;
use polars::prelude::*;

use crate::analysis::period::Period;
use crate::error::Result;
use crate::frames::elapsed;

/// The median and p90, as the post's readers know them.
pub const DEFAULT_PERCENTILES: [f64; 2] = [0.5, 0.9];

/// A phase of an incident, from one event to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Creation to the first update by someone other than the channel's creator.
    FirstResponse,
    /// Creation to the first message declaring the incident resolved.
    Resolve,
    /// Creation to the archive: the post's time to archive.
    Close,
    /// The first resolution message to the archive.
    PostmortemWait,
}

impl Phase {
    /// Every phase, in the order an incident goes through them.
    pub const ALL: [Phase; 4] = [
        Phase::FirstResponse,
        Phase::Resolve,
        Phase::Close,
        Phase::PostmortemWait,
    ];

    /// The phase's name in `report --json`.
    pub fn key(self) -> &'static str {
        match self {
            Phase::FirstResponse => "time_to_first_response",
            Phase::Resolve => "time_to_resolve",
            Phase::Close => "time_to_close",
            Phase::PostmortemWait => "postmortem_wait",
        }
    }

    /// One sentence saying what is measured.
    pub fn definition(self) -> &'static str {
        match self {
            Phase::FirstResponse => "Minutes from a channel's creation to the first message by a person other than its creator (joins, topic changes and bots do not count). Channels nobody else wrote in lack it.",
            Phase::Resolve => "Hours from a channel's creation to the first message that says the incident is mitigated, resolved, back to normal or all clear (and does not deny it, as not resolved yet does). Channels without such a message lack it.",
            Phase::Close => "Hours from a channel's creation to its archive (the newest archive not undone by an unarchive): the post's time to archive. Open channels lack it.",
            Phase::PostmortemWait => "Hours from the first resolution message to the archive: the wait for the post-mortem and the root cause fix. Channels without both lack it.",
        }
    }

    /// `minutes` for the first response, `hours` for the rest.
    pub fn unit(self) -> &'static str {
        self.unit_and_span().0
    }

    /// The unit's name and length.
    fn unit_and_span(self) -> (&'static str, Duration) {
        match self {
            Phase::FirstResponse => ("minutes", Duration::minutes(1)),
            _ => ("hours", Duration::hours(1)),
        }
    }

    /// The columns the phase runs between.
    fn events(self) -> (&'static str, &'static str) {
        match self {
            Phase::FirstResponse => ("created", "first_response_at"),
            Phase::Resolve => ("created", "resolved_at"),
            Phase::Close => ("created", "archived_at"),
            Phase::PostmortemWait => ("resolved_at", "archived_at"),
        }
    }

    /// The phase's length of each incident in [`Phase::unit`]; null where an event is
    /// missing or the end comes before the start (a resolution posted after a late
    /// archive, say).
    pub fn length(self) -> Expr {
        let (start, end) = self.events();
        let length = elapsed(col(start), col(end), self.unit_and_span().1);
        when(length.clone().gt_eq(lit(0.0)))
            .then(length)
            .otherwise(lit(NULL).cast(DataType::Float64))
    }

    /// The aggregation of a phase over any group: `incidents`, `measured`, `missing` (no
    /// end event yet, or none at all), and a column per percentile (`p50`, `p90`, …,
    /// interpolated linearly between the closest ranks).
    pub fn summary(self, percentiles: &[f64]) -> Vec<Expr> {
        let mut exprs = vec![
            len().alias("incidents"),
            self.length().count().alias("measured"),
            self.length().null_count().alias("missing"),
        ];
        exprs.extend(percentiles.iter().map(|&q| {
            self.length()
                .quantile(lit(q), QuantileMethod::Linear)
                .alias(percentile_name(q))
        }));
        exprs
    }

    /// One row: the phase's [`summary`](Phase::summary) over every incident.
    pub fn overall(self, incidents: LazyFrame, percentiles: &[f64]) -> LazyFrame {
        incidents.select(self.summary(percentiles))
    }

    /// The phase's summary per `period` of creation in `tz` (`period` is the period's first
    /// day), oldest first; periods without incidents are left out.
    pub fn by_period(
        self,
        incidents: LazyFrame,
        period: &Period,
        tz: Tz,
        percentiles: &[f64],
    ) -> Result<LazyFrame> {
        Ok(incidents
            .group_by([period.start_of(col("created"), tz)?.alias("period")])
            .agg(self.summary(percentiles))
            .sort(["period"], SortMultipleOptions::default()))
    }

    /// The phase's summary per value of `column` (missing values as `(none)`), most
    /// incidents first.
    pub fn by(self, incidents: LazyFrame, column: &str, percentiles: &[f64]) -> LazyFrame {
        incidents
            .group_by([col(column)
                .cast(DataType::String)
                .fill_null(lit(NONE_LABEL))
                .alias(column)])
            .agg(self.summary(percentiles))
            .sort_by_exprs(
                [col("incidents"), col(column)],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
    }
}

/// How a group without a value is labelled.
pub const NONE_LABEL: &str = "(none)";

/// `p50`, `p90`, `p95`, `p99.9`: a percentile's column name.
pub fn percentile_name(q: f64) -> String {
    let percent = q * 100.0;
    if (percent - percent.round()).abs() < 1e-9 {
        format!("p{}", percent.round() as i64)
    } else {
        format!("p{}", (percent * 1000.0).round() / 1000.0)
    }
}
