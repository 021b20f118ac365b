//! The Slack export layout on disk: reading it into a [`Workspace`] and writing it.
//!
//! `channels.json`, `users.json` and `<channel name>/<YYYY-MM-DD>.json` (messages oldest
//! first) — the layout Slack's own export uses, which `sync` and `generate` also write.

mod activity;
pub(crate) mod lenient;
pub mod model;
mod read;
pub mod source;
pub mod write;

pub use activity::ChannelActivity;
pub use read::{load, load_with, ChannelFilter, LoadOptions, LoadWarning, Skipped};
pub use write::ExportWriter;

use std::path::PathBuf;

use polars::prelude::DataFrame;

use model::{Channel, User};

/// A loaded workspace: its channels, users and every message, as read from an export.
pub struct Workspace {
    /// The folder or zip it was read from.
    pub source: PathBuf,
    /// The channels in list order, each with what its messages told
    /// ([`Channel::activity`]).
    pub channels: Vec<Channel>,
    pub users: Vec<User>,
    /// One row per message: channel_id, ts (Slack's id string), time, user, subtype, text,
    /// thread_ts. Grouped by channel in `channels` order, each channel's in the order of
    /// its day files (oldest first) and of the messages in them. Only the channels
    /// [`LoadOptions::messages_of`] reads have rows.
    pub messages: DataFrame,
    /// What was skipped as unreadable, one entry per file and kind. With
    /// [`LoadOptions::strict`] reading fails instead, and only folders that no channel
    /// lists are reported here.
    pub warnings: Vec<LoadWarning>,
}
