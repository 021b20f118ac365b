//! polars DataFrames of a workspace: `channels`, `messages` and `incidents`.
//!
//! Times are `Datetime(ms, "UTC")`, dates are `Date`; missing values are nulls.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::error::Result;
use crate::export::Workspace;
use crate::incidents::sop::Field;
use crate::incidents::Incident;
use crate::time::{from_unix, millis, Instant};

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

/// A datetime column in the frames' unit and zone.
fn datetime_column(name: &str, values: impl IntoIterator<Item = Option<Instant>>) -> Column {
    let ms: Vec<Option<i64>> = values.into_iter().map(|t| t.map(millis)).collect();
    Series::new(name.into(), ms)
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        .into_column()
}

/// A date column (days since the epoch underneath).
fn date_column(name: &str, values: impl IntoIterator<Item = Option<NaiveDate>>) -> Column {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let days: Vec<Option<i32>> = values
        .into_iter()
        .map(|d| d.map(|d| (d - epoch).num_days() as i32))
        .collect();
    Series::new(name.into(), days).into_date().into_column()
}

/// Text that is null when empty, as Slack sends "" for "not set".
fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// One row per channel: id, name, created, creator, is_archived, archived_at, topic,
/// purpose, num_members, is_private, message_count.
pub fn channels_frame(ws: &Workspace) -> Result<DataFrame> {
    let ch = &ws.channels;
    let df = DataFrame::new_infer_height(vec![
        Column::new(
            "id".into(),
            ch.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "name".into(),
            ch.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ),
        datetime_column("created", ch.iter().map(|c| from_unix(c.created))),
        Column::new(
            "creator".into(),
            ch.iter().map(|c| c.creator.as_deref()).collect::<Vec<_>>(),
        ),
        Column::new(
            "is_archived".into(),
            ch.iter().map(|c| c.is_archived).collect::<Vec<_>>(),
        ),
        datetime_column("archived_at", ws.activity.iter().map(|a| a.archived_at())),
        Column::new(
            "topic".into(),
            ch.iter()
                .map(|c| non_empty(&c.topic.value))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "purpose".into(),
            ch.iter()
                .map(|c| non_empty(&c.purpose.value))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "num_members".into(),
            ch.iter().map(|c| c.member_count()).collect::<Vec<_>>(),
        ),
        Column::new(
            "is_private".into(),
            ch.iter()
                .map(|c| c.is_private.unwrap_or(false))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "message_count".into(),
            ws.activity
                .iter()
                .map(|a| a.message_count as u32)
                .collect::<Vec<_>>(),
        ),
    ])?;
    Ok(df)
}

/// One row per message: channel_id, ts (Slack's id string), time, user, subtype, text,
/// thread_ts. A cheap clone of the frame the loader built.
pub fn messages_frame(ws: &Workspace) -> DataFrame {
    ws.messages.clone()
}

fn conv(i: &Incident) -> &crate::incidents::Conversation {
    &i.conversation
}

/// Minutes from `from` to `to`, when both are known.
fn minutes(from: Instant, to: Option<Instant>) -> Option<f64> {
    to.map(|t| (t - from).num_milliseconds() as f64 / 60_000.0)
}

/// One row per incident channel: name, channel_id, topic_word, name_date, created,
/// archived_at, open, hours_to_archive, topic, creator, message_count, sre_owner,
/// dev_owner, minutes_to_topic, minutes_to_first_response, participants, escalations,
/// has_summary, and the summary's fields (environment, component, probable_cause,
/// duration, type, etr, who, current_action, next_action: null when not written,
/// "UNKNOWN" when written as unknown).
pub fn incidents_frame(incidents: &[Incident]) -> Result<DataFrame> {
    let inc = incidents;
    let mut columns = vec![
        Column::new(
            "name".into(),
            inc.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "channel_id".into(),
            inc.iter()
                .map(|i| i.channel_id.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "topic_word".into(),
            inc.iter()
                .map(|i| i.topic_word.as_deref())
                .collect::<Vec<_>>(),
        ),
        date_column("name_date", inc.iter().map(|i| i.name_date)),
        datetime_column("created", inc.iter().map(|i| Some(i.created))),
        datetime_column("archived_at", inc.iter().map(|i| i.archived_at)),
        Column::new(
            "open".into(),
            inc.iter().map(|i| i.open).collect::<Vec<_>>(),
        ),
        Column::new(
            "hours_to_archive".into(),
            inc.iter()
                .map(Incident::hours_to_archive)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "topic".into(),
            inc.iter().map(|i| non_empty(&i.topic)).collect::<Vec<_>>(),
        ),
        Column::new(
            "creator".into(),
            inc.iter().map(|i| i.creator.as_deref()).collect::<Vec<_>>(),
        ),
        Column::new(
            "message_count".into(),
            inc.iter()
                .map(|i| i.message_count as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "sre_owner".into(),
            inc.iter()
                .map(|i| conv(i).owners.sre.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "dev_owner".into(),
            inc.iter()
                .map(|i| conv(i).owners.developer.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "minutes_to_topic".into(),
            inc.iter()
                .map(|i| minutes(i.created, conv(i).topic_set_at))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "minutes_to_first_response".into(),
            inc.iter()
                .map(|i| minutes(i.created, conv(i).first_response_at))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "participants".into(),
            inc.iter()
                .map(|i| conv(i).participants as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "escalations".into(),
            inc.iter()
                .map(|i| conv(i).escalations as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "has_summary".into(),
            inc.iter()
                .map(|i| conv(i).summary.is_some())
                .collect::<Vec<_>>(),
        ),
    ];
    for field in Field::ALL {
        let values: Vec<Option<&str>> = inc
            .iter()
            .map(|i| conv(i).summary.as_ref().and_then(|s| s.get(field)))
            .collect();
        columns.push(Column::new(field.name().into(), values));
    }
    Ok(DataFrame::new_infer_height(columns)?)
}
