//! The rules that read incident channels: which channels are incidents (the naming
//! convention), and what the SOP asks people to write in them (owners, summaries) and
//! say (escalations, resolutions). The frames apply these rules; nothing here holds data.

pub mod naming;
pub mod phrases;
pub mod sop;

pub use naming::{parse_name, Convention, NameFacts, NameParts};

/// Slack's bookkeeping subtypes: joins, topic and name changes, archiving, bots, pins. A
/// message with any other subtype (or none) is people talking: an update.
pub const BOOKKEEPING_SUBTYPES: [&str; 12] = [
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "channel_unarchive",
    "group_join",
    "group_archive",
    "group_unarchive",
    "bot_message",
    "pinned_item",
];

/// Whether a message of this subtype is an update: people talking, not Slack's
/// bookkeeping (the Rust twin of the frames' `is_update` column).
pub fn is_update(subtype: Option<&str>) -> bool {
    subtype.is_none_or(|s| !BOOKKEEPING_SUBTYPES.contains(&s))
}

/// Words that escalate, matched in any case: "escalat…", `@here`, `@channel`…
pub const ESCALATION_PHRASES: [&str; 3] = ["escalat", "@here", "@channel"];

/// …and Slack's encoded mentions, matched exactly as Slack writes them.
pub const ESCALATION_MENTIONS: [&str; 2] = ["<!here", "<!channel"];

/// Words that declare an incident mitigated or resolved, in any case…
pub const RESOLUTION_PHRASES: [&str; 4] = ["mitigated", "resolved", "back to normal", "all clear"];

/// …unless the message also denies it: "not resolved yet", "unresolved", "isn't mitigated".
pub const DENIAL_PHRASES: [&str; 4] = ["not ", "n't ", "unresolved", "not yet"];

/// The subtype of a topic change.
pub const TOPIC_SUBTYPE: &str = "channel_topic";

/// Subtypes that reopen a channel.
pub const UNARCHIVE_SUBTYPES: [&str; 2] = ["channel_unarchive", "group_unarchive"];

/// Subtypes that rename a channel.
pub const RENAME_SUBTYPES: [&str; 2] = ["channel_name", "group_name"];
