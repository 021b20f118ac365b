//! The workspace as loaded, as frames: every channel, every user, every message.

use polars::prelude::*;

use super::JoinOn;
use super::{datetime_column, non_empty};
use crate::error::Result;
use crate::export::Workspace;
use crate::time::from_unix;

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

/// One row per user: id, name, real_name, is_bot, deleted, tz.
pub fn users_frame(ws: &Workspace) -> Result<DataFrame> {
    let u = &ws.users;
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "id".into(),
            u.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "name".into(),
            u.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "real_name".into(),
            u.iter().map(|u| u.real_name.as_deref()).collect::<Vec<_>>(),
        ),
        Column::new(
            "is_bot".into(),
            u.iter().map(|u| u.is_bot).collect::<Vec<_>>(),
        ),
        Column::new(
            "deleted".into(),
            u.iter().map(|u| u.deleted).collect::<Vec<_>>(),
        ),
        Column::new(
            "tz".into(),
            u.iter().map(|u| u.tz.as_deref()).collect::<Vec<_>>(),
        ),
    ])?)
}

/// One row per message: channel_id, ts (Slack's id string), time, user, author (the
/// user's name, joined from users; the id when the user is unknown), subtype, text,
/// thread_ts.
pub fn messages_frame(ws: &Workspace) -> Result<DataFrame> {
    with_authors(ws.messages.clone(), ws)
}

/// Adds `author` after `user`: a hash join on the user id, so its cost grows with
/// messages + users, never with their product. Only the `user` column goes through the
/// join; the other columns stay where they are instead of being gathered anew.
pub(crate) fn with_authors(mut messages: DataFrame, ws: &Workspace) -> Result<DataFrame> {
    let names = users_frame(ws)?
        .lazy()
        .select([col("id"), col("name").alias("author")])
        // users.json may list someone twice: the first entry wins, as a lookup would.
        .unique_stable(Some(cols(["id"])), UniqueKeepStrategy::First);
    let users = super::column(&messages, "user")?.clone();
    let authors = DataFrame::new_infer_height(vec![users])?
        .lazy()
        .join_by(names, "user", "id", JoinType::Left)
        .select([coalesce(&[col("author"), col("user")]).alias("author")])
        .collect()?;
    // A left join on unique ids keeps one row per message, in order.
    let author = super::column(&authors, "author")?.clone();
    let after_user = messages
        .columns()
        .iter()
        .position(|c| c.name().as_str() == "user")
        .map_or(messages.width(), |at| at + 1);
    messages.insert_column(after_user, author)?;
    Ok(messages)
}
