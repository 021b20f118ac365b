//! Whether the SOP's "Estimated time to recovery" holds: each summary's `etr` read as a
//! range of hours ("30 mins", "2h", "1-2 hours", "a few hours", "a day", "minutes",
//! "end of day"), compared with the time from the summary to the first resolution
//! message.

use std::sync::LazyLock;

use chrono_tz::Tz;
use polars::prelude::*;
use regex::Regex;
use serde::Serialize;

use crate::analysis::phases::NONE_LABEL;
use crate::analysis::severity::{self, SeverityRules};
use crate::error::Result;
use crate::frames::{self, elapsed, polars_zone, JoinOn};

/// What is compared, in one sentence.
pub const ESTIMATE_DEFINITION: &str = "The summary's estimated time to recovery, read as a range of hours, against the hours from the summary to the first resolution message: an estimate holds when the incident was resolved by the range's end; the ratio is actual ÷ the range's end. An end of day ends at midnight of the summary's day in the chosen zone; UNKNOWN and texts that name no time are counted apart.";

/// An estimate read from its text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Estimate {
    /// Between `low` and `high` hours from the summary.
    Hours { low: f64, high: f64 },
    /// By the end of the summary's day.
    EndOfDay,
    /// The SOP's `UNKNOWN`.
    Unknown,
}

/// The hours in one of a unit (`min`, `hours`, `d`, `weeks`…), `None` for any other word.
fn unit_hours(unit: &str) -> Option<f64> {
    let unit = unit.trim_end_matches('s');
    Some(match unit {
        "m" | "min" | "mn" | "minute" => 1.0 / 60.0,
        "h" | "hr" | "hour" => 1.0,
        "d" | "day" => 24.0,
        "w" | "wk" | "week" => 168.0,
        _ => return None,
    })
}

static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:~|about|around|approx\.?|within|under|<|up to)?\s*(\d+(?:\.\d+)?)\s*(?:(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*([a-z]+)\b")
        .expect("a valid regex")
});

static WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:within |in |about |around )?(an?|one|half an?|a few|few|a couple of|couple of|several)?\s*(minute|min|hour|hr|day|week)s?\b")
        .expect("a valid regex")
});

impl Estimate {
    /// Reads an estimate; `None` for a text that names no time ("soon", "asap").
    pub fn parse(text: &str) -> Option<Estimate> {
        let text = text
            .trim()
            .trim_matches(|c: char| c == '*' || c == '_')
            .trim();
        let lower = text.to_lowercase();
        if lower == "unknown" || lower == "n/a" || lower == "?" {
            return Some(Estimate::Unknown);
        }
        if lower.contains("end of day")
            || lower == "eod"
            || lower.contains("end of the day")
            || lower == "today"
        {
            return Some(Estimate::EndOfDay);
        }
        if let Some(c) = RANGE.captures(&lower) {
            let unit = unit_hours(&c[3])?;
            let low: f64 = c[1].parse().ok()?;
            let high: f64 = c.get(2).map_or(Ok(low), |m| m.as_str().parse()).ok()?;
            return Some(Estimate::Hours {
                low: low.min(high) * unit,
                high: low.max(high) * unit,
            });
        }
        let c = WORDS.captures(&lower)?;
        let unit = unit_hours(&c[2])?;
        let (low, high) = match c.get(1).map(|m| m.as_str()) {
            Some("a" | "an" | "one") => (1.0, 1.0),
            Some(half) if half.starts_with("half") => (0.5, 0.5),
            Some("a couple of" | "couple of") => (2.0, 2.0),
            Some("a few" | "few") => (2.0, 5.0),
            Some("several") => (3.0, 9.0),
            // A bare unit, as the SOP allows: "minutes", "hours", "days".
            _ => match unit {
                u if u < 1.0 => (1.0, 59.0),
                u if u < 24.0 => (1.0, 23.0),
                u if u < 168.0 => (1.0, 6.0),
                _ => (1.0, 4.0),
            },
        };
        Some(Estimate::Hours {
            low: low * unit,
            high: high * unit,
        })
    }
}

/// The estimates of the distinct `etr` texts: `etr`, `estimate_low_hours`,
/// `estimate_high_hours` (null for end of day, read per incident), and `estimate_kind`
/// (`hours`, `end of day`, `unknown`, `unparsed`). Grows with the distinct texts, not
/// the incidents.
fn read_estimates(incidents: LazyFrame) -> Result<DataFrame> {
    let texts = incidents
        .select([col("etr").drop_nulls().unique_stable()])
        .collect()?;
    let texts = frames::strings(&texts, "etr")?;
    let (mut low, mut high, mut kind) = (vec![], vec![], vec![]);
    for text in &texts {
        let (l, h, k) = match Estimate::parse(text) {
            Some(Estimate::Hours { low, high }) => (Some(low), Some(high), "hours"),
            Some(Estimate::EndOfDay) => (None, None, "end of day"),
            Some(Estimate::Unknown) => (None, None, "unknown"),
            None => (None, None, "unparsed"),
        };
        low.push(l);
        high.push(h);
        kind.push(k);
    }
    Ok(df!(
        "etr" => texts,
        "estimate_low_hours" => low,
        "estimate_high_hours" => high,
        "estimate_kind" => kind,
    )?)
}

/// Each incident with a summary's estimate: `name`, `etr`, `estimate_kind`,
/// `estimate_hours` (the range's end; for end of day, the hours from the summary to
/// midnight in `tz`), `actual_hours` (summary to the first resolution message; null
/// when unresolved or resolved before the summary), `held` (resolved by the range's end)
/// and `ratio` (actual ÷ estimate). Other columns of `incidents` are kept.
pub fn estimates(incidents: LazyFrame, tz: Tz) -> Result<LazyFrame> {
    let read = read_estimates(incidents.clone())?;
    let local = col("summary_at").dt().convert_time_zone(polars_zone(tz)?);
    // Midnight after the summary, on the zone's calendar.
    let midnight = (local.clone().dt().date().cast(DataType::Int32) + lit(1))
        .cast(DataType::Date)
        .cast(DataType::Datetime(TimeUnit::Milliseconds, None))
        .dt()
        .replace_time_zone(Some(polars_zone(tz)?), lit("earliest"), NonExistent::Null);
    let hours_to_midnight = elapsed(local, midnight, chrono::Duration::hours(1));
    let actual = elapsed(
        col("summary_at"),
        col("resolved_at"),
        chrono::Duration::hours(1),
    );
    Ok(incidents
        .filter(col("etr").is_not_null())
        .join_on(read.lazy(), "etr", JoinType::Left)
        .with_columns([
            when(col("estimate_kind").eq(lit("end of day")))
                .then(hours_to_midnight)
                .otherwise(col("estimate_high_hours"))
                .alias("estimate_hours"),
            when(actual.clone().gt_eq(lit(0.0)))
                .then(actual)
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("actual_hours"),
        ])
        .with_columns([
            col("actual_hours")
                .lt_eq(col("estimate_hours"))
                .alias("held"),
            when(col("estimate_hours").gt(lit(0.0)))
                .then(col("actual_hours") / col("estimate_hours"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("ratio"),
        ]))
}

/// The aggregation of estimate accuracy over any group: `estimates` (summaries with an
/// estimate), `unknown`, `unparsed`, `compared` (read as a time and resolved after the
/// summary), `held`, `share_held`, `median_ratio`.
pub fn accuracy() -> [Expr; 7] {
    let compared = col("held").is_not_null();
    [
        len().alias("estimates"),
        col("estimate_kind")
            .eq(lit("unknown"))
            .sum()
            .alias("unknown"),
        col("estimate_kind")
            .eq(lit("unparsed"))
            .sum()
            .alias("unparsed"),
        compared.clone().sum().alias("compared"),
        col("held").sum().alias("held"),
        (col("held").sum().cast(DataType::Float64) / compared.sum().cast(DataType::Float64))
            .alias("share_held"),
        col("ratio").median().alias("median_ratio"),
    ]
}

/// Estimate accuracy overall, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateAccuracy {
    pub definition: &'static str,
    pub estimates: usize,
    pub unknown: usize,
    pub unparsed: usize,
    /// Up to five texts that named no time, most frequent first.
    pub unparsed_examples: Vec<String>,
    pub compared: usize,
    pub held: usize,
    pub share_held: Option<f64>,
    pub median_ratio: Option<f64>,
    /// The same per severity, most severe first.
    pub by_severity: Vec<serde_json::Value>,
}

impl EstimateAccuracy {
    pub fn of(incidents: LazyFrame, tz: Tz, rules: &SeverityRules) -> Result<Self> {
        // Collected once: the overall figures, the examples and the severities read it.
        let rows = estimates(incidents.with_columns(rules.columns()?), tz)?
            .collect()?
            .lazy();
        let overall = rows.clone().select(accuracy()).collect()?;
        let examples = rows
            .clone()
            .filter(col("estimate_kind").eq(lit("unparsed")))
            .group_by([col("etr")])
            .agg([len().alias("n")])
            .sort_by_exprs(
                [col("n"), col("etr")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .limit(5)
            .collect()?;
        let by_severity = rows
            .group_by([col("severity")])
            .agg(accuracy())
            .sort_by_exprs([severity::rank()], SortMultipleOptions::default())
            .with_column(col("severity").fill_null(lit(NONE_LABEL)))
            .collect()?;
        let count = |name: &str| frames::first_count(&overall, name);
        let float = |name: &str| frames::first_float(&overall, name);
        Ok(EstimateAccuracy {
            definition: ESTIMATE_DEFINITION,
            estimates: count("estimates")?,
            unknown: count("unknown")?,
            unparsed: count("unparsed")?,
            unparsed_examples: frames::strings(&examples, "etr")?,
            compared: count("compared")?,
            held: count("held")?,
            share_held: float("share_held")?.filter(|v| v.is_finite()),
            median_ratio: float("median_ratio")?,
            by_severity: frames::rows_json(&by_severity)?,
        })
    }
}
