//! The seed post's analysis: how many incident channels, over what span, how many per
//! month, how many still open, the worst day, and open channels over time.
//!
//! Definitions follow the post so that its figures can be checked, with two fixes: "now"
//! is an explicit `as_of` instead of the wall clock, and days are cut in a chosen time
//! zone instead of the machine's.

use std::fmt;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use polars::prelude::*;
use serde::Serialize;

use super::metrics::{open_at, time_grid};
use crate::error::Result;
use crate::export::Workspace;
use crate::frames::{self, local_date, IncidentFrames};
use crate::incidents::Convention;
use crate::time::{fmt_time, rfc3339, Instant};

/// The post's "month": 30 days.
pub const MONTH: Duration = Duration::days(30);

/// The post starts its time axis this long before the first channel.
pub const AXIS_LEAD: Duration = Duration::seconds(1000);

/// Which channels, which zone, which "now".
#[derive(Debug, Clone)]
pub struct PostOptions {
    /// Which channels are incidents and how their names read: the post's
    /// `issue-<topic>-<ddmm>` by default (`"inc-".into()` for another prefix).
    pub convention: Convention,
    /// Zone in which creation times are cut into days.
    pub tz: Tz,
    /// "Now"; `None` takes the newest message or creation in the incident channels.
    pub as_of: Option<Instant>,
}

impl Default for PostOptions {
    fn default() -> Self {
        PostOptions {
            convention: Convention::default(),
            tz: Tz::UTC,
            as_of: None,
        }
    }
}

/// A point of the open-channels curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAt {
    pub t: Instant,
    pub open: usize,
    /// The channels that moved the count since the previous point: created after it and
    /// counted at this one, and archived at or after it and no longer counted here (the
    /// post counts a channel open at the instant of its archive). By name.
    pub opened: Vec<String>,
    pub archived: Vec<String>,
}

/// Every figure the post prints.
#[derive(Debug, Clone, PartialEq)]
pub struct PostFigures {
    /// The convention as text: `#issue-*`, or the names a pattern matches.
    pub convention: String,
    /// The prefix of the convention, if it has one (the JSON's `prefix`).
    pub prefix: Option<String>,
    pub tz: Tz,
    pub as_of: Instant,
    pub issue_channels: usize,
    pub first_created: Instant,
    pub last_created: Instant,
    /// From first to last creation, in days.
    pub span_days: f64,
    /// Integer part of count ÷ (span ÷ 30 days); `None` when all were created at once.
    pub average_per_month: Option<u64>,
    /// The same rate unrounded, for small workspaces where the integer is 0 or 1.
    pub rate_per_month: Option<f64>,
    /// Incident channels renamed at least once; each counts under its current name.
    pub renamed: usize,
    /// Channels not archived.
    pub active: usize,
    /// Every date with the most channels created, ascending.
    pub worst_days: Vec<NaiveDate>,
    pub worst_day_count: usize,
    /// Open channels from 1000 s before the first channel, every 30 days, then at `as_of`.
    pub open_over_time_monthly: Vec<OpenAt>,
    /// Archived channels whose archive message is missing (counted open, as the post did).
    pub archived_without_time: usize,
}

impl PostFigures {
    /// Reads the incident channels of `ws` and computes the figures.
    pub fn from_workspace(ws: &Workspace, options: &PostOptions) -> Result<Self> {
        let frames = IncidentFrames::new(ws, options.convention.clone())?;
        Self::compute(&frames.incidents, options, frames.as_of)
    }

    /// Computes the figures of a non-empty incidents frame as of `options.as_of`, or,
    /// when that is `None`, as of `newest` (the frames' `as_of`: the newest time seen).
    pub fn compute(incidents: &DataFrame, options: &PostOptions, newest: Instant) -> Result<Self> {
        let as_of = options.as_of.unwrap_or(newest);
        let lf = || incidents.clone().lazy();
        let totals = lf()
            .select([
                len().alias("count"),
                col("created").min().alias("first"),
                col("created").max().alias("last"),
                col("open").sum().alias("active"),
                (col("open").not().and(col("archived_at").is_null()))
                    .sum()
                    .alias("archived_without_time"),
                col("renames").gt(lit(0)).sum().alias("renamed"),
            ])
            .collect()?;
        let count = frames::first_count(&totals, "count")?;
        let first_last = (
            frames::instants(&totals, "first")?[0],
            frames::instants(&totals, "last")?[0],
        );
        let (Some(first_created), Some(last_created)) = first_last else {
            return Err(crate::error::Error::NoIncidents);
        };
        let span = last_created - first_created;
        let rate_per_month = (span > Duration::zero()).then(|| {
            count as f64 / (span.num_milliseconds() as f64 / MONTH.num_milliseconds() as f64)
        });
        let average_per_month = rate_per_month.map(|rate| rate.floor() as u64);
        let (worst_days, worst_day_count) = worst_days(lf(), options.tz)?;
        let times = time_grid(first_created - AXIS_LEAD, as_of, MONTH);
        let open = open_at(lf(), &times)?.collect()?;
        let (mut opened, mut archived) = (vec![vec![]; times.len()], vec![vec![]; times.len()]);
        let names = frames::strings(incidents, "name")?;
        let created = frames::instants(incidents, "created")?;
        let archived_at = frames::instants(incidents, "archived_at")?;
        for ((name, created), archived_at) in names.into_iter().zip(created).zip(archived_at) {
            // The first point that counts the channel, and the first that no longer does.
            let counted_from = created.map(|c| times.partition_point(|t| *t < c));
            let dropped_at = archived_at.map(|a| times.partition_point(|t| *t <= a));
            if let Some(point) = dropped_at.and_then(|i| archived.get_mut(i)) {
                point.push(name.clone());
            }
            if let Some(point) = counted_from.and_then(|i| opened.get_mut(i)) {
                point.push(name);
            }
        }
        Ok(PostFigures {
            convention: options.convention.describe(),
            prefix: options.convention.prefix.clone(),
            tz: options.tz,
            as_of,
            issue_channels: count,
            first_created,
            last_created,
            span_days: span.num_seconds() as f64 / 86_400.0,
            average_per_month,
            rate_per_month,
            renamed: frames::first_count(&totals, "renamed")?,
            active: frames::first_count(&totals, "active")?,
            worst_days,
            worst_day_count,
            open_over_time_monthly: times
                .into_iter()
                .zip(frames::floats(&open, "open")?)
                .zip(opened.into_iter().zip(archived))
                .map(|((t, open), (opened, archived))| OpenAt {
                    t,
                    open: open as usize,
                    opened,
                    archived,
                })
                .collect(),
            archived_without_time: frames::first_count(&totals, "archived_without_time")?,
        })
    }

    /// The `report --json` object.
    pub fn to_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Point {
            t: String,
            open: usize,
        }
        serde_json::json!({
            "prefix": self.prefix,
            "convention": self.convention,
            "tz": self.tz.name(),
            "as_of": rfc3339(self.as_of),
            "issue_channels": self.issue_channels,
            "first_created": rfc3339(self.first_created),
            "last_created": rfc3339(self.last_created),
            "span_days": self.span_days,
            "average_per_month": self.average_per_month,
            "rate_per_month": self.rate_per_month,
            "renamed_channels": self.renamed,
            "active": self.active,
            "worst_days": self.worst_days.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            "worst_day_count": self.worst_day_count,
            "archived_without_time": self.archived_without_time,
            "open_over_time_monthly": self.open_over_time_monthly.iter()
                .map(|p| Point { t: rfc3339(p.t), open: p.open })
                .collect::<Vec<_>>(),
        })
    }
}

/// Channels created per local date in `tz`: `date`, `created` (dates with none absent).
pub fn created_per_day(incidents: LazyFrame, tz: Tz) -> Result<LazyFrame> {
    Ok(incidents
        .group_by([local_date(col("created"), tz)?.alias("date")])
        .agg([len().alias("created")])
        .sort(["date"], SortMultipleOptions::default()))
}

/// Every date with the most channels created, ascending, and that most.
pub fn worst_days(incidents: LazyFrame, tz: Tz) -> Result<(Vec<NaiveDate>, usize)> {
    let worst = created_per_day(incidents, tz)?
        .filter(col("created").eq(col("created").max()))
        .collect()?;
    let days = frames::dates(&worst, "date")?
        .into_iter()
        .flatten()
        .collect();
    let most = frames::floats(&worst, "created")?
        .first()
        .copied()
        .unwrap_or(0.0);
    Ok((days, most as usize))
}

impl PostFigures {
    /// The figures as labelled lines, which the text summary and the HTML table both
    /// show: the count, first and last channel, average, still open, worst day, and the
    /// notes on renamed channels and archives without a time where there are any.
    pub fn rows(&self) -> Vec<(String, String)> {
        let fmt_time = |t: Instant| fmt_time(t, self.tz);
        let days: Vec<String> = self.worst_days.iter().map(|d| d.to_string()).collect();
        let average = match self.average_per_month {
            Some(avg) => {
                let exact = match self.rate_per_month {
                    Some(rate) if avg < 2 => format!("{rate:.1} a month, "),
                    _ => String::new(),
                };
                format!("{avg} ({exact}over {:.0} days)", self.span_days)
            }
            None => "n/a (all created at the same second)".into(),
        };
        let mut rows = vec![
            (
                format!("Incident channels ({})", self.convention),
                self.issue_channels.to_string(),
            ),
            (
                "First incident channel".into(),
                format!("{} ({})", fmt_time(self.first_created), self.tz),
            ),
            (
                "Last incident channel".into(),
                format!("{} ({})", fmt_time(self.last_created), self.tz),
            ),
            ("Average per month".into(), average),
            (
                "Still open".into(),
                format!("{} (as of {})", self.active, fmt_time(self.as_of)),
            ),
            (
                "Worst day".into(),
                format!("{} with {} channels", days.join(", "), self.worst_day_count),
            ),
        ];
        if self.renamed > 0 {
            rows.push((
                "Renamed channels".into(),
                format!("{} (each counted under its current name)", self.renamed),
            ));
        }
        if self.archived_without_time > 0 {
            rows.push((
                "Archived without a time".into(),
                format!(
                    "{} (no archive message; counted open over time)",
                    self.archived_without_time
                ),
            ));
        }
        rows
    }
}

impl fmt::Display for PostFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (label, value) in self.rows() {
            // Values line up after the longest usual label, "First incident channel:".
            writeln!(f, "{:<23} {value}", format!("{label}:"))?;
        }
        writeln!(f, "Open channels over time (every 30 days):")?;
        let peak = self
            .open_over_time_monthly
            .iter()
            .map(|p| p.open)
            .max()
            .unwrap_or(0)
            .max(1);
        for p in &self.open_over_time_monthly {
            let bar = "#".repeat((p.open * 40).div_ceil(peak));
            writeln!(
                f,
                "  {}  {:>4}  {bar}",
                p.t.with_timezone(&self.tz).format("%Y-%m-%d"),
                p.open
            )?;
        }
        Ok(())
    }
}
