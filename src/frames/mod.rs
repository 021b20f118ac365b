//! The model: polars DataFrames of a workspace, which every analysis queries.
//!
//! - [`channels_frame`], [`users_frame`], [`messages_frame`]: the workspace as loaded.
//! - [`IncidentFrames`]: for the incident channels of a naming convention, `incidents`
//!   (one row per channel, every fact a typed column) and `messages` (their messages with
//!   the author's name and the flags the audit reads), computed once.
//!
//! Times are `Datetime(ms, "UTC")`, dates are `Date`; missing values are nulls. The
//! helpers below turn the crate's instants and zones into polars literals, so that a
//! query can mix frame columns with an `as_of` or a time zone.

mod incidents;
mod workspace;

pub use incidents::{longest_silences, IncidentFrames, DEFAULT_HOT_WINDOW};
pub use workspace::{channels_frame, messages_frame, users_frame};

use chrono::NaiveDate;
use chrono_tz::Tz;
use polars::prelude::*;
use serde_json::{json, Value};

use crate::error::Result;
use crate::incidents::sop::UserNames;
use crate::time::{millis, Instant};

/// Slack's encoded mention of a user, `<@U123>`; and with a label, `<@U123|label>`.
const MENTION: &str = r"<@[UW][A-Z0-9]+>";
const LABELLED_MENTION: &str = r"<@[UW][A-Z0-9]+\|([^>]+)>";

/// `frame` with Slack's encoded user mentions in `columns` written as Slack shows them:
/// `<@U123>` as `@name` (the user's name, as in `author`), `<@U123|label>` as `@label`.
/// One query finds the ids the columns mention; an automaton of those alone rewrites each
/// text in one pass. The cost grows with the texts and the ids they mention, never with
/// everyone in `users.json` nor with texts × users. An id missing from the users stays
/// as written.
pub fn with_readable_mentions(
    frame: DataFrame,
    columns: &[&str],
    names: &UserNames,
) -> Result<DataFrame> {
    let texts = concat_str(
        columns.iter().map(|c| col(*c)).collect::<Vec<_>>(),
        "\n",
        true,
    );
    let whole_list = ExplodeOptions {
        empty_as_null: false,
        keep_nulls: false,
    };
    let found = frame
        .clone()
        .lazy()
        .select([texts
            .str()
            .extract_all(lit(MENTION))
            .explode(whole_list)
            .unique()
            .alias("mention")])
        .collect()?;
    let (ids, shown): (Vec<String>, Vec<String>) = strings(&found, "mention")?
        .into_iter()
        .filter_map(|mention| {
            let id = mention.strip_prefix("<@")?.strip_suffix('>')?;
            let name = names.get(id)?;
            Some((mention.clone(), format!("@{name}")))
        })
        .unzip();
    // The patterns and their replacements as one list each (polars reads a flat column
    // as one pattern per row), built once for every column.
    let any_known = !ids.is_empty();
    let patterns = lit(Series::new("ids".into(), ids)).implode(true);
    let replacements = lit(Series::new("names".into(), shown)).implode(true);
    let readable = |column: &str| {
        let labelled = col(column)
            .str()
            .replace_all(lit(LABELLED_MENTION), lit("@${1}"), false);
        if !any_known {
            return labelled.alias(column);
        }
        // Ids do not overlap (each mention is closed by `>`): any match order gives the
        // same text.
        labelled
            .str()
            .replace_many(patterns.clone(), replacements.clone(), false, false)
            .alias(column)
    };
    let rewritten: Vec<Expr> = columns.iter().map(|c| readable(c)).collect();
    Ok(frame.lazy().with_columns(rewritten).collect()?)
}

/// A frame's column by name, found by scanning the columns.
///
/// `DataFrame::column` on a frame wider than four columns caches a hashed schema inside
/// the frame. A notebook that links the plain crate (not `notebooks/dylib`) gives every
/// evcxr cell its own copy of polars and of its hash seed, so a schema cached by one cell
/// cannot be searched by the next ("column not found"). Library code reading frames a
/// notebook keeps therefore never caches one.
pub fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Column> {
    df.columns()
        .iter()
        .find(|c| c.name().as_str() == name)
        .ok_or_else(|| PolarsError::ColumnNotFound(format!("{name:?} not found").into()).into())
}

/// The frames' datetime type: milliseconds, UTC.
pub fn datetime_type() -> DataType {
    DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
}

/// An instant as a literal of the frames' datetime type, to compare with their columns.
pub fn instant_lit(t: Instant) -> Expr {
    lit(millis(t)).cast(datetime_type())
}

/// A span of time as a literal duration (milliseconds), to add to datetime columns.
pub fn span_lit(span: chrono::Duration) -> Expr {
    lit(span.num_milliseconds()).cast(DataType::Duration(TimeUnit::Milliseconds))
}

/// A chrono-tz zone as polars' time zone.
pub fn polars_zone(tz: Tz) -> Result<TimeZone> {
    Ok(TimeZone::opt_try_new(Some(tz.name()))?.unwrap_or(TimeZone::UTC))
}

/// A datetime column's calendar date in `tz`.
pub fn local_date(datetime: Expr, tz: Tz) -> Result<Expr> {
    Ok(datetime
        .dt()
        .convert_time_zone(polars_zone(tz)?)
        .dt()
        .date())
}

/// Hours, minutes… between two datetime expressions, as a float: `(to − from) ÷ unit`.
pub fn elapsed(from: Expr, to: Expr, unit: chrono::Duration) -> Expr {
    exact_div(
        (to - from).dt().total_milliseconds(false),
        unit.num_milliseconds() as f64,
    )
}

/// `numerator ÷ denominator` as a float, rounded once. polars divides by a scalar by
/// multiplying with its reciprocal, which is an ulp off for whole results (3,600,000 ms
/// make 0.9999999999999999 hours); dividing by a column of the constant keeps IEEE
/// division, so whole hours stay whole.
pub fn exact_div(numerator: Expr, denominator: f64) -> Expr {
    let numerator = numerator.cast(DataType::Float64);
    let denominators = numerator.clone() * lit(0.0) + lit(denominator);
    numerator / denominators
}

/// A datetime column in the frames' unit and zone.
pub(crate) fn datetime_column(
    name: &str,
    values: impl IntoIterator<Item = Option<Instant>>,
) -> Column {
    let ms: Vec<Option<i64>> = values.into_iter().map(|t| t.map(millis)).collect();
    Series::new(name.into(), ms)
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        .into_column()
}

/// Days since the epoch, polars' `Date` underneath.
pub(crate) fn epoch_days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    (d - epoch).num_days() as i32
}

/// A date column.
pub(crate) fn date_column(
    name: &str,
    values: impl IntoIterator<Item = Option<NaiveDate>>,
) -> Column {
    let days: Vec<Option<i32>> = values.into_iter().map(|d| d.map(epoch_days)).collect();
    Series::new(name.into(), days).into_date().into_column()
}

/// Text that is null when empty, as Slack sends "" for "not set".
pub(crate) fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Joins that keep the left frame's rows in their order (a sorted frame stays sorted),
/// on one key column: `incidents.join_on(counts, "channel_id", JoinType::Left)`.
pub trait JoinOn {
    /// Joins `right` where both frames' `on` columns are equal.
    fn join_on(self, right: LazyFrame, on: &str, how: JoinType) -> LazyFrame;
    /// Joins `right` where `left_on` equals `right_on`.
    fn join_by(self, right: LazyFrame, left_on: &str, right_on: &str, how: JoinType) -> LazyFrame;
}

impl JoinOn for LazyFrame {
    fn join_on(self, right: LazyFrame, on: &str, how: JoinType) -> LazyFrame {
        self.join_by(right, on, on, how)
    }

    fn join_by(self, right: LazyFrame, left_on: &str, right_on: &str, how: JoinType) -> LazyFrame {
        self.join(
            right,
            [col(left_on)],
            [col(right_on)],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(how)
            },
        )
    }
}

/// `df` with each `key`'s rows together and oldest first by `time`. A frame that already
/// is so comes back as it is, its order untouched (a check of a few shifts, far cheaper
/// than a sort); any other is sorted by `key`, then `time` (stable: rows of one instant
/// keep their order).
pub fn grouped_oldest_first(df: DataFrame, key: &str) -> Result<DataFrame> {
    let same_as_above = || col(key).eq(col(key).shift(lit(1)));
    let check = df
        .clone()
        .lazy()
        .select([
            col("time")
                .lt(col("time").shift(lit(1)))
                .and(same_as_above())
                .any(true)
                .alias("out_of_order"),
            // Runs of equal keys, against distinct keys: more runs than keys means some
            // key's rows are apart.
            (same_as_above().not().sum().cast(DataType::UInt64) + lit(1u64)).alias("runs"),
            col(key).n_unique().cast(DataType::UInt64).alias("keys"),
        ])
        .collect()?;
    let out_of_order = column(&check, "out_of_order")?.bool()?.get(0) == Some(true);
    let runs = column(&check, "runs")?.u64()?.get(0);
    let keys = column(&check, "keys")?.u64()?.get(0);
    if df.height() < 2 || (!out_of_order && runs == keys) {
        return Ok(df);
    }
    sort_by_key_and_time(df, key)
}

/// `df` sorted by `key`, then `time`, stably (rows of one instant keep their order): the
/// fallback of [`grouped_oldest_first`], for callers that already know it is needed.
pub(crate) fn sort_by_key_and_time(df: DataFrame, key: &str) -> Result<DataFrame> {
    Ok(df.sort(
        [key, "time"],
        SortMultipleOptions::default().with_maintain_order(true),
    )?)
}

/// Strings as a one-row list literal: the pattern argument of `str().contains_any` and
/// the set of `is_in`.
pub fn string_list(values: &[&str]) -> Expr {
    lit(Series::new("values".into(), values)).implode(true)
}

/// A column's values as strings (null as "").
pub fn strings(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    let values = column(df, name)?.cast(&DataType::String)?;
    Ok(values
        .str()?
        .iter()
        .map(|s| s.unwrap_or_default().to_string())
        .collect())
}

/// A numeric column's values as floats (null as NaN).
pub fn floats(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let values = column(df, name)?.cast(&DataType::Float64)?;
    Ok(values
        .f64()?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

/// A numeric column's first value as a float, `None` when null or absent.
pub fn first_float(df: &DataFrame, name: &str) -> Result<Option<f64>> {
    let values = column(df, name)?.cast(&DataType::Float64)?;
    let first = values.f64()?.get(0);
    Ok(first)
}

/// A count column's first value (null as 0).
pub fn first_count(df: &DataFrame, name: &str) -> Result<usize> {
    Ok(first_float(df, name)?.unwrap_or(0.0) as usize)
}

/// A datetime column's values as instants.
pub fn instants(df: &DataFrame, name: &str) -> Result<Vec<Option<Instant>>> {
    let values = column(df, name)?.cast(&datetime_type())?;
    Ok(values
        .datetime()?
        .physical()
        .iter()
        .map(|ms| ms.and_then(chrono::DateTime::from_timestamp_millis))
        .collect())
}

/// A date column's values.
pub fn dates(df: &DataFrame, name: &str) -> Result<Vec<Option<NaiveDate>>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let values = column(df, name)?.cast(&DataType::Date)?;
    Ok(values
        .date()?
        .physical()
        .iter()
        .map(|d| d.and_then(|d| epoch.checked_add_signed(chrono::Duration::days(d.into()))))
        .collect())
}

/// A frame as a list of JSON objects, one per row (datetimes as their text, in UTC).
pub fn rows_json(df: &DataFrame) -> Result<Vec<Value>> {
    let mut out = vec![serde_json::Map::new(); df.height()];
    for column in df.columns() {
        for (i, row) in out.iter_mut().enumerate() {
            let value = match column.get(i)? {
                AnyValue::Null => Value::Null,
                AnyValue::String(s) => json!(s),
                // A one-row frame may hold its strings owned; either is the same text.
                AnyValue::StringOwned(s) => json!(s.as_str()),
                AnyValue::UInt8(n) => json!(n),
                AnyValue::UInt16(n) => json!(n),
                AnyValue::UInt32(n) => json!(n),
                AnyValue::UInt64(n) => json!(n),
                AnyValue::Int8(n) => json!(n),
                AnyValue::Int16(n) => json!(n),
                AnyValue::Int32(n) => json!(n),
                AnyValue::Int64(n) => json!(n),
                AnyValue::Float32(f) => json!(f),
                AnyValue::Float64(f) => json!(f),
                AnyValue::Boolean(b) => json!(b),
                other => json!(other.to_string()),
            };
            row.insert(column.name().to_string(), value);
        }
    }
    Ok(out.into_iter().map(Value::Object).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_read_as_slack_shows_them() {
        use crate::export::model::User;
        let user = |id: &str, name: &str| User {
            id: id.into(),
            name: name.into(),
            ..User::default()
        };
        let users = vec![user("U1", "arjun"), user("U2", "meera")];
        let names = UserNames::new(&users);
        let texts = df!("text" => [
            Some("<@U1> and <@U2>: <@U1>?"),
            Some("<@U9> is unknown, <@U2|old label> is labelled"),
            None,
            Some("no mention"),
        ])
        .unwrap();
        let shown = with_readable_mentions(texts, &["text"], &names).unwrap();
        let shown: Vec<Option<&str>> = shown
            .column("text")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            shown,
            [
                Some("@arjun and @meera: @arjun?"),
                Some("<@U9> is unknown, @old label is labelled"),
                None,
                Some("no mention"),
            ]
        );
    }

    fn order(df: &DataFrame) -> Vec<(String, i64)> {
        let keys = strings(df, "key").unwrap();
        let times = column(df, "time").unwrap().i64().unwrap();
        keys.into_iter().zip(times.into_no_null_iter()).collect()
    }

    #[test]
    fn grouped_frames_keep_their_order_and_others_are_sorted() {
        let grouped = df!("key" => ["b", "b", "a"], "time" => [1i64, 2, 0]).unwrap();
        let kept = grouped_oldest_first(grouped.clone(), "key").unwrap();
        assert_eq!(order(&kept), order(&grouped));
        let late = df!("key" => ["b", "b", "a"], "time" => [2i64, 1, 0]).unwrap();
        let sorted = grouped_oldest_first(late, "key").unwrap();
        assert_eq!(
            order(&sorted),
            [("a".into(), 0), ("b".into(), 1), ("b".into(), 2)]
        );
        let apart = df!("key" => ["b", "a", "b"], "time" => [1i64, 0, 2]).unwrap();
        let together = grouped_oldest_first(apart, "key").unwrap();
        assert_eq!(
            order(&together),
            [("a".into(), 0), ("b".into(), 1), ("b".into(), 2)]
        );
    }
}
