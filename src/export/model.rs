//! Slack objects as they appear in `channels.json`, `users.json` and the Web API.
//!
//! Fields the crate uses are typed; everything else a channel or user carries is kept in
//! `extra`, so that writing an export loses nothing that Slack sent. Numbers Slack has
//! also written as strings (old exports) are read either way and written as numbers.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// A channel's topic or purpose: its text, who set it and when (Unix seconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextField {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub creator: String,
    #[serde(default, deserialize_with = "lenient::int")]
    pub last_set: i64,
}

/// A conversation from `channels.json` (or `groups.json`, or `conversations.list`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    pub id: String,
    pub name: String,
    /// Unix seconds.
    #[serde(deserialize_with = "lenient::int")]
    pub created: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    #[serde(default)]
    pub is_archived: bool,
    #[serde(default)]
    pub is_general: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_private: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_members: Option<u32>,
    #[serde(default)]
    pub topic: TextField,
    #[serde(default)]
    pub purpose: TextField,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Channel {
    /// Members as Slack reports them: the count if given, else the member list's length.
    pub fn member_count(&self) -> Option<u32> {
        self.num_members
            .or_else(|| self.members.as_ref().map(|m| m.len() as u32))
    }
}

/// A member of the workspace from `users.json` (or `users.list`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_name: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A message read from a day file, borrowing from the file's bytes where it can, so that
/// loading a large export copies each string once: from the file into the frame.
#[derive(Debug, Deserialize)]
pub struct MessageView<'a> {
    /// A string as Slack writes it; a number in some old exports (see [`lenient::ts`]).
    #[serde(borrow, deserialize_with = "lenient::ts")]
    pub ts: Cow<'a, str>,
    #[serde(default, borrow)]
    pub user: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub subtype: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub text: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "lenient::opt_ts")]
    pub thread_ts: Option<Cow<'a, str>>,
}

impl MessageView<'_> {
    /// See [`is_thread_reply`].
    pub fn is_thread_reply(&self) -> bool {
        reply_rule(Some(&self.ts), self.thread_ts.as_deref())
    }
}

/// Whether a message (as Slack's JSON) is a reply in a thread: it has a `thread_ts`, and
/// that is not its own `ts` (a parent carries its own `ts` there). Replies also sent to
/// the channel (`subtype: thread_broadcast`) are replies too. The one rule for sync, the
/// emulator and the reader.
pub fn is_thread_reply(message: &Value) -> bool {
    reply_rule(
        message.get("ts").and_then(Value::as_str),
        message.get("thread_ts").and_then(Value::as_str),
    )
}

fn reply_rule(ts: Option<&str>, thread_ts: Option<&str>) -> bool {
    matches!((ts, thread_ts), (Some(ts), Some(thread)) if thread != ts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_reply_has_a_thread_ts_other_than_its_ts() {
        assert!(is_thread_reply(&json!({"ts": "2.0", "thread_ts": "1.0"})));
        assert!(is_thread_reply(
            &json!({"ts": "2.0", "thread_ts": "1.0", "subtype": "thread_broadcast"})
        ));
        assert!(!is_thread_reply(&json!({"ts": "1.0", "thread_ts": "1.0"})));
        assert!(!is_thread_reply(&json!({"ts": "1.0"})));
        assert!(!is_thread_reply(&json!({"thread_ts": "1.0"})));
        let view: MessageView = serde_json::from_str(r#"{"ts":"2.0","thread_ts":"1.0"}"#).unwrap();
        assert!(view.is_thread_reply());
    }
}
