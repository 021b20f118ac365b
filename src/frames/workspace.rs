//! The workspace as loaded, as frames: every channel, every user, every message.

use foldhash::HashMap;
use polars::prelude::*;
use rayon::prelude::*;

use super::{datetime_column, non_empty};
use crate::error::Result;
use crate::export::Workspace;
use crate::incidents::sop::UserNames;
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
        datetime_column("archived_at", ch.iter().map(|c| c.activity.archived_at())),
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
            ch.iter()
                .map(|c| c.activity.message_count as u32)
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
    let names = UserNames::new(&ws.users);
    crate::threads::on_polars_pool(|| with_authors(ws.messages.clone(), &names))
}

/// Adds `author` after `user`: the user's name, or the id when the user is unknown. One
/// hash lookup per message in a map of the users, so its cost grows with messages +
/// users, never with their product; unlike a join, it writes nothing but the new column.
///
/// Each name is stored once, and every message's author is a view of it (a gather shares
/// a string column's bytes): a name longer than the 12 bytes a view holds inline, such as
/// `firstname.lastname`, would otherwise be copied for every message.
pub(crate) fn with_authors(mut messages: DataFrame, names: &UserNames) -> Result<DataFrame> {
    let users = super::column(&messages, "user")?.str()?;
    // The users' names, then any id missing from the users (its own author).
    let mut authors: Vec<&str> = names.names().to_vec();
    // Each message's place in `authors`, in parts on all cores; a missing id is marked
    // here and placed below.
    const UNKNOWN: IdxSize = IdxSize::MAX;
    let part = users
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(1);
    let parts: Vec<Vec<Option<IdxSize>>> = (0..users.len())
        .into_par_iter()
        .step_by(part)
        .map(|start| {
            let ids = users.slice(start as i64, part);
            ids.iter()
                .map(|id| id.map(|id| names.place(id).unwrap_or(UNKNOWN)))
                .collect()
        })
        .collect();
    let mut places: Vec<Option<IdxSize>> = Vec::with_capacity(users.len());
    for part in parts {
        places.extend(part);
    }
    if places.contains(&Some(UNKNOWN)) {
        let mut unknown: HashMap<&str, IdxSize> = HashMap::default();
        for (at, id) in places.iter_mut().zip(users.iter()) {
            if let (Some(UNKNOWN), Some(id)) = (*at, id) {
                *at = Some(*unknown.entry(id).or_insert_with(|| {
                    authors.push(id);
                    (authors.len() - 1) as IdxSize
                }));
            }
        }
    }
    let places = IdxCa::from_iter_options("author".into(), places.into_iter());
    let author = StringChunked::from_slice("author".into(), &authors)
        .take(&places)?
        .into_column();
    let after_user = messages
        .columns()
        .iter()
        .position(|c| c.name().as_str() == "user")
        .map_or(messages.width(), |at| at + 1);
    messages.insert_column(after_user, author)?;
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::model::User;

    #[test]
    fn authors_are_names_stored_once_and_unknown_ids_are_their_own() {
        let (long, stranger) = (
            "firstname.lastname.incident-response",
            "U9-not-in-users-json",
        );
        let users = vec![User {
            id: "U1".into(),
            name: long.into(),
            ..User::default()
        }];
        let ids: Vec<Option<&str>> = (0..1000)
            .map(|i| [Some("U1"), Some(stranger), None, Some("U1")][i % 4])
            .collect();
        let messages = df!("user" => &ids, "time" => vec![0i64; ids.len()]).unwrap();
        let framed = with_authors(messages, &UserNames::new(&users)).unwrap();
        let names: Vec<&str> = framed
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect();
        assert_eq!(names, ["user", "author", "time"]);
        let author = framed.column("author").unwrap().str().unwrap();
        let expected: Vec<Option<&str>> = ids
            .iter()
            .map(|id| id.map(|id| if id == "U1" { long } else { id }))
            .collect();
        assert_eq!(author.iter().collect::<Vec<_>>(), expected);
        // Each name's bytes are stored once, not once per message.
        let stored: usize = author.downcast_iter().map(|a| a.total_buffer_len()).sum();
        assert!(stored <= long.len() + stranger.len(), "{stored} bytes");
    }
}
