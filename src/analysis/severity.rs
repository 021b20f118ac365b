//! An incident's severity: read where a team writes it (`SEV1`, `P2`, `Severity:
//! minor`, in the topic, the name or the summary), otherwise classified by the SOP's own
//! rule ("critical or severe if one or more customers are facing a downtime"). Both are
//! polars expressions over the incidents frame, and [`SeverityRules`] holds every
//! pattern, so a team can swap in its own words.

use polars::prelude::*;

use crate::analysis::phases::{percentile_name, Phase, NONE_LABEL};
use crate::error::{Error, Result};

/// The levels, most severe first.
pub const LEVELS: [&str; 3] = ["critical", "major", "minor"];

/// `severity_source` of a severity the SOP's rule gave.
pub const SOP_RULE: &str = "SOP rule";

/// What severity is read from, and the SOP's rule for the rest. The defaults:
/// - written, in `topic`, `name`, `type`, `probable_cause` (first found wins):
///   `SEV0`/`SEV1`/`P0`/`P1`/`Severity: critical|severe|high` → critical,
///   `SEV2`/`P2`/`Severity: major|medium` → major, `SEV3`/`SEV4`/`P3`/`P4`/`Severity:
///   minor|low` → minor;
/// - otherwise the SOP's rule: an `environment` reading as production whose `topic`,
///   `probable_cause` or `duration` says customers face downtime (down, outage, failing,
///   unable to…, 5xx, continuous, ongoing) → critical; production otherwise → major; any
///   other stated environment → minor; no environment (or `UNKNOWN`) → none.
#[derive(Debug, Clone, PartialEq)]
pub struct SeverityRules {
    /// Columns a written severity is looked for in, in order.
    pub read_from: Vec<String>,
    /// Written forms: a regex (polars' syntax, `(?i)` for any case) and its level.
    pub written: Vec<(String, String)>,
    /// Regex an `environment` matching is production.
    pub production: String,
    /// Columns the SOP's rule reads for customers facing downtime.
    pub downtime_in: Vec<String>,
    /// Regex of customers facing downtime.
    pub downtime: String,
}

impl Default for SeverityRules {
    fn default() -> Self {
        let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        SeverityRules {
            read_from: strings(&["topic", "name", "type", "probable_cause"]),
            written: vec![
                (
                    r"(?i:\bsev[ -]?[01]\b)|\bP[01]\b|(?i:\bseverity\W*(critical|severe|high)\b)".into(),
                    "critical".into(),
                ),
                (
                    r"(?i:\bsev[ -]?2\b)|\bP2\b|(?i:\bseverity\W*(major|medium)\b)".into(),
                    "major".into(),
                ),
                (
                    r"(?i:\bsev[ -]?[34]\b)|\bP[34]\b|(?i:\bseverity\W*(minor|low)\b)".into(),
                    "minor".into(),
                ),
            ],
            production: r"(?i)^\s*prod".into(),
            downtime_in: strings(&["topic", "probable_cause", "duration"]),
            downtime: r"(?i)\b(down|downtime|outage|unavailable|unreachable|unable to|failing|fails|not (resolving|loading|reachable|reaching|working)|5\d\d|5xx|continuous|ongoing)\b|\b5\d\ds\b".into(),
        }
    }
}

impl SeverityRules {
    /// Checks every pattern, so that a typo is named here rather than failing a query.
    pub fn check(&self) -> Result<()> {
        let patterns = self
            .written
            .iter()
            .map(|(pattern, _)| pattern)
            .chain([&self.production, &self.downtime]);
        for pattern in patterns {
            regex::Regex::new(pattern).map_err(|source| Error::Pattern {
                rule: "severity",
                pattern: pattern.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// `severity` (one of [`LEVELS`], null when nothing tells) and `severity_source`
    /// (the column it was written in, [`SOP_RULE`], or null): add them with
    /// `incidents.with_columns(rules.columns()?)`.
    pub fn columns(&self) -> Result<[Expr; 2]> {
        self.check()?;
        let says = |column: &str, pattern: &str| {
            col(column)
                .cast(DataType::String)
                .str()
                .contains(lit(pattern.to_string()), true)
                .fill_null(lit(false))
        };
        let mut levels = vec![];
        let mut sources = vec![];
        for column in &self.read_from {
            for (pattern, level) in &self.written {
                let found = says(column, pattern);
                levels.push(when(found.clone()).then(lit(level.clone())));
                sources.push(when(found).then(lit(column.clone())));
            }
        }
        let production = says("environment", &self.production);
        let downtime = self
            .downtime_in
            .iter()
            .map(|column| says(column, &self.downtime))
            .reduce(|a, b| a.or(b))
            .unwrap_or(lit(false));
        let stated = col("environment")
            .is_not_null()
            .and(col("environment").neq(lit("UNKNOWN")));
        let rule = [
            (production.clone().and(downtime), "critical"),
            (production, "major"),
            (stated, "minor"),
        ];
        for (condition, level) in rule {
            levels.push(when(condition.clone()).then(lit(level)));
            sources.push(when(condition).then(lit(SOP_RULE)));
        }
        let first = |exprs: Vec<Then>| {
            coalesce(
                &exprs
                    .into_iter()
                    .map(|then| then.otherwise(lit(NULL).cast(DataType::String)))
                    .collect::<Vec<_>>(),
            )
        };
        Ok([
            first(levels).alias("severity"),
            first(sources).alias("severity_source"),
        ])
    }
}

/// Incidents per severity with the median (and any percentiles) of each phase:
/// `severity` (most severe first, then `(none)`), `incidents`, `written` (how many had it
/// written rather than classified), and per phase `<phase>_<percentile>`.
pub fn by_severity(
    incidents: LazyFrame,
    rules: &SeverityRules,
    percentiles: &[f64],
) -> Result<LazyFrame> {
    let mut aggregations = vec![
        len().alias("incidents"),
        col("severity_source")
            .neq(lit(SOP_RULE))
            .sum()
            .alias("written"),
    ];
    for phase in Phase::ALL {
        for &q in percentiles {
            aggregations.push(
                phase
                    .length()
                    .quantile(lit(q), QuantileMethod::Linear)
                    .alias(format!("{}_{}", phase.key(), percentile_name(q))),
            );
        }
    }
    Ok(incidents
        .with_columns(rules.columns()?)
        .group_by([col("severity")])
        .agg(aggregations)
        .sort_by_exprs([rank()], SortMultipleOptions::default())
        .with_column(col("severity").fill_null(lit(NONE_LABEL))))
}

/// A `severity`'s place in [`LEVELS`] (0 = critical), past the end for none: sort by it
/// for the most severe first.
pub fn rank() -> Expr {
    LEVELS
        .iter()
        .enumerate()
        .fold(lit(LEVELS.len() as u32), |other, (i, level)| {
            when(col("severity").eq(lit(*level)))
                .then(lit(i as u32))
                .otherwise(other)
        })
}
