//! The seed post's analysis: how many incident channels, over what span, how many per
//! month, how many still open, the worst day, and open channels over time.
//!
//! Definitions follow the post so that its figures can be checked, with two fixes: "now"
//! is an explicit `as_of` instead of the wall clock, and days are cut in a chosen time
//! zone instead of the machine's.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::export::Workspace;
use crate::incidents::{find_incidents, newest_activity, Incident};
use crate::time::{local_date, rfc3339, Instant};

/// The post's "month": 30 days.
pub const MONTH: Duration = Duration::days(30);

/// The post starts its time axis this long before the first channel.
pub const AXIS_LEAD: Duration = Duration::seconds(1000);

/// Which channels, which zone, which "now".
#[derive(Debug, Clone)]
pub struct PostOptions {
    /// Channel name prefix of incident channels, without `#`.
    pub prefix: String,
    /// Zone in which creation times are cut into days.
    pub tz: Tz,
    /// "Now"; `None` takes the newest message or creation in the incident channels.
    pub as_of: Option<Instant>,
}

impl Default for PostOptions {
    fn default() -> Self {
        PostOptions {
            prefix: "issue-".into(),
            tz: Tz::UTC,
            as_of: None,
        }
    }
}

/// A point of the open-channels curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenAt {
    pub t: Instant,
    pub open: usize,
}

/// Every figure the post prints.
#[derive(Debug, Clone, PartialEq)]
pub struct PostFigures {
    pub prefix: String,
    pub tz: Tz,
    pub as_of: Instant,
    pub issue_channels: usize,
    pub first_created: Instant,
    pub last_created: Instant,
    /// From first to last creation, in days.
    pub span_days: f64,
    /// Integer part of count ÷ (span ÷ 30 days); `None` when all were created at once.
    pub average_per_month: Option<u64>,
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
    /// Loads the incident channels of `ws` and computes the figures.
    pub fn from_workspace(ws: &Workspace, options: &PostOptions) -> Result<Self> {
        let (incidents, as_of) = incidents_as_of(ws, options)?;
        Ok(Self::compute(&incidents, options, as_of))
    }

    /// Computes the figures of non-empty `incidents` as of `as_of`.
    pub fn compute(incidents: &[Incident], options: &PostOptions, as_of: Instant) -> Self {
        assert!(
            !incidents.is_empty(),
            "find_incidents never returns an empty list"
        );
        let first_created = incidents
            .iter()
            .map(|i| i.created)
            .min()
            .expect("non-empty");
        let last_created = incidents
            .iter()
            .map(|i| i.created)
            .max()
            .expect("non-empty");
        let span = last_created - first_created;
        let average_per_month = (span > Duration::zero()).then(|| {
            let months = span.num_milliseconds() as f64 / MONTH.num_milliseconds() as f64;
            (incidents.len() as f64 / months).floor() as u64
        });

        let (worst_days, worst_day_count) = worst_days(incidents, options.tz);
        PostFigures {
            prefix: options.prefix.clone(),
            tz: options.tz,
            as_of,
            issue_channels: incidents.len(),
            first_created,
            last_created,
            span_days: span.num_seconds() as f64 / 86_400.0,
            average_per_month,
            active: incidents.iter().filter(|i| i.open).count(),
            worst_days,
            worst_day_count,
            open_over_time_monthly: open_over_time(
                incidents,
                first_created - AXIS_LEAD,
                as_of,
                MONTH,
            ),
            archived_without_time: incidents
                .iter()
                .filter(|i| !i.open && i.archived_at.is_none())
                .count(),
        }
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
            "tz": self.tz.name(),
            "as_of": rfc3339(self.as_of),
            "issue_channels": self.issue_channels,
            "first_created": rfc3339(self.first_created),
            "last_created": rfc3339(self.last_created),
            "span_days": self.span_days,
            "average_per_month": self.average_per_month,
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

impl PostFigures {
    /// The figures as a small HTML table, for notebooks.
    pub fn html(&self) -> String {
        let fmt_time = |t: Instant| {
            t.with_timezone(&self.tz)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        };
        let days: Vec<String> = self.worst_days.iter().map(|d| d.to_string()).collect();
        let rows = [
            (
                "Incident channels",
                format!("{} (#{}*)", self.issue_channels, self.prefix),
            ),
            (
                "First created",
                format!("{} {}", fmt_time(self.first_created), self.tz),
            ),
            (
                "Last created",
                format!("{} {}", fmt_time(self.last_created), self.tz),
            ),
            (
                "Average per month",
                self.average_per_month
                    .map_or("n/a".into(), |a| a.to_string()),
            ),
            (
                "Still open",
                format!("{} as of {}", self.active, fmt_time(self.as_of)),
            ),
            (
                "Worst day",
                format!("{} with {}", days.join(", "), self.worst_day_count),
            ),
        ];
        let body: String = rows
            .iter()
            .map(|(k, v)| format!("<tr><th>{k}</th><td>{v}</td></tr>"))
            .collect();
        format!("<table class=\"dataframe\">{body}</table>")
    }

    /// Shows the figures in an evcxr notebook.
    pub fn evcxr_display(&self) {
        crate::plot::print_outputs(&[
            crate::plot::MimeOutput {
                mime: "text/html",
                content: self.html(),
            },
            crate::plot::MimeOutput {
                mime: "text/plain",
                content: self.to_string(),
            },
        ]);
    }

    /// Open channels over time as a chart, as the post plotted it.
    pub fn open_chart(&self) -> crate::plot::Chart {
        crate::plot::Chart::over_time("Issue channels over time", "open issue channels").line(
            "open",
            self.open_over_time_monthly
                .iter()
                .map(|p| (p.t, p.open as f64)),
        )
    }
}

/// The incident channels of `ws` and the "now" of the options (by default the newest
/// activity in them).
pub fn incidents_as_of(ws: &Workspace, options: &PostOptions) -> Result<(Vec<Incident>, Instant)> {
    let incidents = find_incidents(ws, &options.prefix)?;
    let as_of = options
        .as_of
        .or_else(|| newest_activity(&incidents))
        .ok_or_else(|| Error::Invalid("the workspace holds no time to use as `as_of`".into()))?;
    Ok((incidents, as_of))
}

/// Channels created per local date, and every date with the most.
pub fn worst_days(incidents: &[Incident], tz: Tz) -> (Vec<NaiveDate>, usize) {
    let per_day = created_per_day(incidents, tz);
    let max = per_day.values().copied().max().unwrap_or(0);
    let days = per_day
        .into_iter()
        .filter(|&(_, n)| n == max)
        .map(|(d, _)| d)
        .collect();
    (days, max)
}

/// How many channels were created on each local date (dates with none are absent).
pub fn created_per_day(incidents: &[Incident], tz: Tz) -> BTreeMap<NaiveDate, usize> {
    let mut per_day = BTreeMap::new();
    for i in incidents {
        *per_day.entry(local_date(i.created, tz)).or_insert(0) += 1;
    }
    per_day
}

/// Open channels at `start`, `start + step`, … while before `end`, and at `end`.
pub fn open_over_time(
    incidents: &[Incident],
    start: Instant,
    end: Instant,
    step: Duration,
) -> Vec<OpenAt> {
    let mut times = Vec::new();
    let mut t = start;
    while t < end {
        times.push(t);
        t += step;
    }
    times.push(end);
    times
        .into_iter()
        .map(|t| OpenAt {
            t,
            open: incidents.iter().filter(|i| i.open_at(t)).count(),
        })
        .collect()
}

impl fmt::Display for PostFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fmt_time = |t: Instant| {
            t.with_timezone(&self.tz)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        };
        writeln!(
            f,
            "Incident channels (#{}*): {}",
            self.prefix, self.issue_channels
        )?;
        writeln!(
            f,
            "First incident channel: {} ({})",
            fmt_time(self.first_created),
            self.tz
        )?;
        writeln!(
            f,
            "Last incident channel:  {} ({})",
            fmt_time(self.last_created),
            self.tz
        )?;
        match self.average_per_month {
            Some(avg) => writeln!(
                f,
                "Average per month:      {avg} (over {:.0} days)",
                self.span_days
            )?,
            None => writeln!(
                f,
                "Average per month:      n/a (all created at the same second)"
            )?,
        }
        writeln!(
            f,
            "Still open:             {} (as of {})",
            self.active,
            fmt_time(self.as_of)
        )?;
        let days: Vec<String> = self.worst_days.iter().map(|d| d.to_string()).collect();
        writeln!(
            f,
            "Worst day:              {} with {} channels",
            days.join(", "),
            self.worst_day_count
        )?;
        if self.archived_without_time > 0 {
            writeln!(
                f,
                "Note: {} archived channels have no archive message; counted open over time.",
                self.archived_without_time
            )?;
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
