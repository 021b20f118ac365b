//! What an incident channel's messages say, read with the SOP in mind: who owns it, when
//! the topic was set, the latest summary, who took part, the first response, escalations,
//! and when people wrote.

use std::collections::{HashMap, HashSet};

use polars::prelude::DataFrame;

use super::sop::{parse_owners, parse_summary, Owners, Summary};
use crate::error::Result;
use crate::export::model::{Channel, User};
use crate::frames::column;
use crate::time::Instant;

/// What the messages of one channel say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    /// Owners named by the channel's current topic.
    pub owners: Owners,
    /// When the topic was first set (its first `channel_topic` message).
    pub topic_set_at: Option<Instant>,
    /// The latest message that reads as an SOP summary.
    pub summary: Option<Summary>,
    pub summary_at: Option<Instant>,
    /// People who wrote in the channel (joins and bots not counted).
    pub participants: usize,
    /// The first message by someone other than the channel's creator.
    pub first_response_at: Option<Instant>,
    /// Messages that escalate: "escalat…", `@here`, `@channel`.
    pub escalations: usize,
    /// When people wrote, oldest first.
    pub message_times: Vec<Instant>,
    /// The first message saying the incident is mitigated or resolved.
    pub resolved_at: Option<Instant>,
    /// Who wrote when (messages with a user), oldest first: for responders' load.
    pub authored: Vec<(String, Instant)>,
}

/// Subtypes that are Slack's bookkeeping, not people talking.
fn is_bookkeeping(subtype: Option<&str>) -> bool {
    matches!(
        subtype,
        Some(
            "channel_join"
                | "channel_leave"
                | "channel_topic"
                | "channel_purpose"
                | "channel_name"
                | "channel_archive"
                | "channel_unarchive"
                | "group_join"
                | "group_archive"
                | "group_unarchive"
                | "bot_message"
                | "pinned_item"
        )
    )
}

fn is_escalation(text: &str) -> bool {
    contains_ignoring_case(text, "escalat")
        || contains_ignoring_case(text, "@here")
        || text.contains("<!here")
        || text.contains("<!channel")
}

fn is_resolution(text: &str) -> bool {
    let said = ["mitigated", "resolved", "back to normal", "all clear"]
        .iter()
        .any(|w| contains_ignoring_case(text, w));
    // "not resolved yet", "unresolved", "isn't mitigated" say the opposite.
    let denied = ["not ", "n't ", "unresolved", "not yet"]
        .iter()
        .any(|w| contains_ignoring_case(text, w));
    said && !denied
}

/// Whether `text` contains the ASCII `needle` in any case, without allocating: this runs
/// on every message of every incident channel.
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A summary has a line per field: fewer lines cannot be one, and most chat is one line.
fn may_be_summary(text: &str) -> bool {
    text.bytes().filter(|b| *b == b'\n').count() >= 2
}

/// Reads the conversations of `channels` (by id) from the messages frame in one pass.
pub fn read_conversations(
    messages: &DataFrame,
    channels: &[&Channel],
    users: &[User],
) -> Result<HashMap<String, Conversation>> {
    let wanted: HashMap<&str, &Channel> = channels.iter().map(|c| (c.id.as_str(), *c)).collect();
    let ids = column(messages, "channel_id")?.str()?;
    let times = column(messages, "time")?.datetime()?.physical();
    let who = column(messages, "user")?.str()?;
    let subtypes = column(messages, "subtype")?.str()?;
    let texts = column(messages, "text")?.str()?;

    let mut out: HashMap<String, Conversation> = channels
        .iter()
        .map(|c| (c.id.clone(), Conversation::default()))
        .collect();
    let rows = ids
        .iter()
        .zip(times.iter())
        .zip(who.iter())
        .zip(subtypes.iter())
        .zip(texts.iter());
    for ((((id, time), user), subtype), text) in rows {
        let (Some(id), Some(ms)) = (id, time) else {
            continue;
        };
        let (Some(channel), Some(conv)) = (wanted.get(id), out.get_mut(id)) else {
            continue;
        };
        let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else {
            continue;
        };
        let text = text.unwrap_or("");
        if subtype == Some("channel_topic") {
            conv.topic_set_at = Some(conv.topic_set_at.map_or(t, |s| s.min(t)));
        }
        if is_bookkeeping(subtype) {
            continue;
        }
        conv.message_times.push(t);
        if let Some(user) = user {
            conv.authored.push((user.to_string(), t));
            if channel.creator.as_deref() != Some(user)
                && conv.first_response_at.is_none_or(|f| t < f)
            {
                conv.first_response_at = Some(t);
            }
        }
        if is_resolution(text) && conv.resolved_at.is_none_or(|r| t < r) {
            conv.resolved_at = Some(t);
        }
        if is_escalation(text) {
            conv.escalations += 1;
        }
        if let Some(summary) = may_be_summary(text).then(|| parse_summary(text)).flatten() {
            if conv.summary_at.is_none_or(|at| t >= at) {
                conv.summary = Some(summary);
                conv.summary_at = Some(t);
            }
        }
    }
    for channel in channels {
        let conv = out.entry(channel.id.clone()).or_default();
        conv.message_times.sort();
        conv.authored.sort_by_key(|(_, t)| *t);
        conv.participants = conv
            .authored
            .iter()
            .map(|(user, _)| user)
            .collect::<HashSet<_>>()
            .len();
        conv.owners = parse_owners(&channel.topic.value, users);
        // A topic set before the export began has no message; its last_set still tells.
        if conv.topic_set_at.is_none()
            && !channel.topic.value.is_empty()
            && channel.topic.last_set > 0
        {
            conv.topic_set_at = crate::time::from_unix(channel.topic.last_set);
        }
    }
    Ok(out)
}
