//! Slack objects as they appear in `channels.json`, `users.json` and the Web API.
//!
//! Fields the crate uses are typed; everything else a channel or user carries is kept in
//! `extra`, so that writing an export loses nothing that Slack sent. Numbers Slack has
//! also written as strings (old exports) are read either way and written as numbers.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;
use super::ChannelActivity;
use crate::incidents::sop::Person;

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
    /// What the loader saw of the channel's messages; not part of `channels.json`, so it
    /// travels with its channel instead of in a list beside the channels.
    #[serde(skip)]
    pub activity: ChannelActivity,
}

impl Channel {
    /// Members as Slack reports them: the count if given, else the member list's length.
    pub fn member_count(&self) -> Option<u32> {
        self.num_members
            .or_else(|| self.members.as_ref().map(|m| m.len() as u32))
    }
}

/// A member of the workspace from `users.json` (or `users.list`).
///
/// Read by hand (`UserFields`) rather than derived with serde's `flatten`, which copies
/// every field into a buffer of its own first: a lean load ([`LeanUser`]) can then skip
/// `extra` without a second struct, and reads a company's 20,000 users 2.6 times faster.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_name: Option<String>,
    pub deleted: bool,
    pub is_bot: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Person for User {
    fn id(&self) -> &str {
        &self.id
    }
    fn user_name(&self) -> &str {
        &self.name
    }
    fn real_name(&self) -> Option<&str> {
        self.real_name.as_deref()
    }
}

impl<'de> Deserialize<'de> for User {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(UserFields { keep_extra: true })
    }
}

/// A [`User`] read without `extra` (Slack's profile and the rest the crate does not
/// read): what a lean load keeps.
pub struct LeanUser(pub User);

impl<'de> Deserialize<'de> for LeanUser {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(UserFields { keep_extra: false })
            .map(LeanUser)
    }
}

/// Reads a user object field by field: `id` is required, the other typed fields default
/// when absent, and any other field goes to `extra` (or is skipped).
struct UserFields {
    keep_extra: bool,
}

impl<'de> Visitor<'de> for UserFields {
    type Value = User;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a user object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<User, A::Error> {
        let mut user = User::default();
        let mut has_id = false;
        while let Some(Key(key)) = map.next_key()? {
            match key.as_ref() {
                "id" => (user.id, has_id) = (map.next_value()?, true),
                "name" => user.name = map.next_value()?,
                "real_name" => user.real_name = map.next_value()?,
                "deleted" => user.deleted = map.next_value()?,
                "is_bot" => user.is_bot = map.next_value()?,
                "tz" => user.tz = map.next_value()?,
                _ if self.keep_extra => {
                    user.extra.insert(key.into_owned(), map.next_value()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !has_id {
            return Err(de::Error::missing_field("id"));
        }
        Ok(user)
    }
}

/// An object's key, borrowed from the input when it has no escapes.
#[derive(Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// A message read from a day file, borrowing from the file's bytes where it can, so that
/// loading a large export copies each string once: from the file into the frame.
#[derive(Debug, Deserialize)]
pub struct MessageView<'a> {
    /// A string as Slack writes it; a number in some old exports (see `lenient::ts`).
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
        ts_field(message, "ts").as_deref(),
        ts_field(message, "thread_ts").as_deref(),
    )
}

/// A Slack timestamp field (`ts`, `thread_ts`) of a message as JSON, read as the loader
/// reads it: a string, or a number as old exports wrote it.
pub fn ts_field<'a>(message: &'a Value, key: &str) -> Option<Cow<'a, str>> {
    lenient::ts(message.get(key)?).ok()
}

fn reply_rule(ts: Option<&str>, thread_ts: Option<&str>) -> bool {
    matches!((ts, thread_ts), (Some(ts), Some(thread)) if thread != ts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn users_keep_the_fields_they_do_not_type_unless_lean() {
        let text = r#"{"id": "U1", "name": "arjun", "tz": null, "is_bot": true,
            "profile": {"display_name": "Arjun"}, "na\u006de2": "x"}"#;
        let user: User = serde_json::from_str(text).unwrap();
        assert_eq!((user.id.as_str(), user.name.as_str()), ("U1", "arjun"));
        assert!(user.is_bot && !user.deleted && user.tz.is_none());
        assert_eq!(user.extra["profile"], json!({"display_name": "Arjun"}));
        assert_eq!(
            user.extra["name2"],
            json!("x"),
            "an escaped key is read too"
        );
        let written = serde_json::to_value(&user).unwrap();
        assert_eq!(written["profile"]["display_name"], "Arjun");
        let lean: LeanUser = serde_json::from_str(text).unwrap();
        assert_eq!(
            lean.0,
            User {
                extra: Map::new(),
                ..user
            }
        );

        let no_id = serde_json::from_str::<User>(r#"{"name": "arjun"}"#).unwrap_err();
        assert!(no_id.to_string().contains("missing field `id`"), "{no_id}");
        let bad = serde_json::from_value::<User>(json!({"id": "U1", "deleted": "no"}));
        assert!(bad.unwrap_err().to_string().contains("expected a boolean"));
        assert!(serde_json::from_value::<User>(json!(["U1"])).is_err());
    }

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
