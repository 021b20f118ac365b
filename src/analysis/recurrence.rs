//! Incidents that come back: an incident recurs when its component (or, where the
//! summary names none, the topic word of its channel's name) had another incident in the
//! days before it.

use polars::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::frames::{self, span_lit};

/// The window by default: a month.
pub const DEFAULT_DAYS: i64 = 30;

/// What recurs, in one sentence.
pub const RECURRENCE_DEFINITION: &str = "An incident recurs when another incident of the same component (the summary's, or the channel name's topic word where the summary names none or says UNKNOWN) was created in the days before it.";

/// What an incident is the same as another by: the summary's component, else the name's
/// topic word, in lower case.
pub fn recurrence_key() -> Expr {
    let component = when(col("component").eq(lit("UNKNOWN")))
        .then(lit(NULL).cast(DataType::String))
        .otherwise(col("component"));
    coalesce(&[component, col("topic_word")])
        .str()
        .to_lowercase()
        .alias("recurrence_key")
}

/// Each incident with `recurrence_key`, `previous` (the name of the key's incident just
/// before it), `days_since_previous` and `recurs` (within `days`), oldest first.
pub fn recurrences(incidents: LazyFrame, days: i64) -> Result<LazyFrame> {
    // `over` puts the incidents without a key in one group of their own: they have no
    // previous incident, not the one before them without a key.
    let keyed = |previous: Expr| {
        when(col("recurrence_key").is_not_null())
            .then(previous)
            .otherwise(lit(NULL))
    };
    let previous_created = keyed(col("created").shift(lit(1)).over([col("recurrence_key")])?);
    Ok(incidents
        .with_column(recurrence_key())
        .sort(
            ["created", "name"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_columns([
            keyed(col("name").shift(lit(1)).over([col("recurrence_key")])?).alias("previous"),
            frames::elapsed(
                previous_created.clone(),
                col("created"),
                chrono::Duration::days(1),
            )
            .alias("days_since_previous"),
            (col("created") - previous_created)
                .lt_eq(span_lit(chrono::Duration::days(days)))
                .fill_null(lit(false))
                .alias("recurs"),
        ]))
}

/// Per `recurrence_key`: `incidents` and `recurrences` (incidents that recurred), the
/// most recurring first.
pub fn recurring(incidents: LazyFrame, days: i64) -> Result<LazyFrame> {
    Ok(per_key(recurrences(incidents, days)?))
}

/// [`recurring`] of [`recurrences`] computed already.
fn per_key(recurrences: LazyFrame) -> LazyFrame {
    recurrences
        .filter(col("recurrence_key").is_not_null())
        .group_by([col("recurrence_key")])
        .agg([
            len().alias("incidents"),
            col("recurs").sum().alias("recurrences"),
        ])
        .sort_by_exprs(
            [col("recurrences"), col("incidents"), col("recurrence_key")],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false]),
        )
}

/// Recurrence for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recurrence {
    pub definition: &'static str,
    pub days: i64,
    pub incidents: usize,
    pub recurring: usize,
    pub share: Option<f64>,
    /// The five keys that recur most: `recurrence_key`, `incidents`, `recurrences`.
    pub top: Vec<serde_json::Value>,
}

impl Recurrence {
    pub fn of(incidents: LazyFrame, days: i64) -> Result<Self> {
        // Each incident's recurrence once, for both the counts and the keys.
        let each = recurrences(incidents, days)?.collect()?;
        let counts = each
            .clone()
            .lazy()
            .select([
                len().alias("incidents"),
                col("recurs").sum().alias("recurring"),
            ])
            .collect()?;
        let top = per_key(each.lazy()).limit(5).collect()?;
        let total = frames::first_count(&counts, "incidents")?;
        let recurring = frames::first_count(&counts, "recurring")?;
        Ok(Recurrence {
            definition: RECURRENCE_DEFINITION,
            days,
            incidents: total,
            recurring,
            share: (total > 0).then(|| recurring as f64 / total as f64),
            top: frames::rows_json(&top)?,
        })
    }
}
