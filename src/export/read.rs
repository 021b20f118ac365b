//! Loading an export into a [`Workspace`], streaming day files through serde.
//!
//! Each day file is read into one reusable buffer and its messages are parsed as views
//! borrowing from it, then appended straight to the message columns: a string is copied
//! once, from the file into the frame.

use std::path::Path;

use crate::error::{Error, Result};
use crate::export::model::{Channel, MessageView, User};
use crate::export::source::ExportSource;
use crate::export::{ChannelActivity, Workspace};
use crate::time::{from_unix, millis, parse_slack_ts, plausible, safe_folder_name, Instant};
use polars::prelude::*;

/// What to read besides the public channels.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Also read private channels from `groups.json` (exports of paid plans have it).
    pub include_private: bool,
}

/// Loads the export folder or `.zip` at `path` with the default options.
pub fn load(path: impl AsRef<Path>) -> Result<Workspace> {
    load_with(path, &LoadOptions::default())
}

/// Loads the export folder or `.zip` at `path`.
pub fn load_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Workspace> {
    let path = path.as_ref();
    let mut source = ExportSource::open(path)?;
    let mut buf = Vec::new();

    let mut channels: Vec<Channel> = read_list(&mut source, "channels.json", &mut buf)?
        .ok_or_else(|| Error::NotAnExport {
            path: path.to_path_buf(),
        })?;
    if options.include_private {
        if let Some(groups) = read_list::<Channel>(&mut source, "groups.json", &mut buf)? {
            channels.extend(groups.into_iter().map(|mut g| {
                g.is_private = Some(true);
                g
            }));
        }
    }
    for c in &channels {
        if from_unix(c.created).is_none_or(|t| !plausible(t)) {
            return Err(Error::Field {
                path: source.display_path("channels.json"),
                field: "created".into(),
                message: format!(
                    "channel #{}: {} is not Unix seconds between 1970 and 2100",
                    c.name, c.created
                ),
            });
        }
    }
    let users: Vec<User> = read_list(&mut source, "users.json", &mut buf)?.unwrap_or_default();

    let mut messages = MessagesBuilder::default();
    let mut activity = Vec::with_capacity(channels.len());
    for channel in &channels {
        let mut seen = ChannelActivity::default();
        // A name that is not a plain folder name cannot have a folder of its own.
        let days = if safe_folder_name(&channel.name) {
            source.day_files(&channel.name)?
        } else {
            vec![]
        };
        for day in days {
            let rel = format!("{}/{day}", channel.name);
            source.read(&rel, &mut buf)?;
            read_day(&source, &rel, &buf, channel, &mut seen, &mut messages)?;
        }
        activity.push(seen);
    }

    Ok(Workspace {
        source: path.to_path_buf(),
        channels,
        activity,
        users,
        messages: messages.finish()?,
    })
}

/// Parses one day file's messages into the columns and the channel's activity.
fn read_day(
    source: &ExportSource,
    rel: &str,
    bytes: &[u8],
    channel: &Channel,
    activity: &mut ChannelActivity,
    out: &mut MessagesBuilder,
) -> Result<()> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(()); // an empty day file holds no messages
    }
    let views: Vec<MessageView> =
        serde_json::from_slice(bytes).map_err(|e| Error::json(source.display_path(rel), &e))?;
    for view in &views {
        let time = parse_slack_ts(&view.ts)
            .filter(|t| plausible(*t))
            .ok_or_else(|| Error::Field {
                path: source.display_path(rel),
                field: "ts".into(),
                message: format!(
                    "`{}` is not a Slack timestamp (seconds.micros, 1970-2100)",
                    view.ts
                ),
            })?;
        activity.record(time, view.subtype.as_deref());
        out.push(&channel.id, view, time);
    }
    Ok(())
}

/// Reads a top-level JSON list such as `channels.json`; `None` when the file is absent.
fn read_list<T: serde::de::DeserializeOwned>(
    source: &mut ExportSource,
    rel: &str,
    buf: &mut Vec<u8>,
) -> Result<Option<Vec<T>>> {
    if !source.read(rel, buf)? {
        return Ok(None);
    }
    serde_json::from_slice(buf)
        .map(Some)
        .map_err(|e| Error::json(source.display_path(rel), &e))
}

/// Column builders the loader streams messages into, so that each string is copied
/// once, from the file into the frame.
pub struct MessagesBuilder {
    channel_id: StringChunkedBuilder,
    ts: StringChunkedBuilder,
    time: Vec<i64>,
    user: StringChunkedBuilder,
    subtype: StringChunkedBuilder,
    text: StringChunkedBuilder,
    thread_ts: StringChunkedBuilder,
}

impl Default for MessagesBuilder {
    fn default() -> Self {
        let b = |name: &str| StringChunkedBuilder::new(name.into(), 1024);
        MessagesBuilder {
            channel_id: b("channel_id"),
            ts: b("ts"),
            time: Vec::with_capacity(1024),
            user: b("user"),
            subtype: b("subtype"),
            text: b("text"),
            thread_ts: b("thread_ts"),
        }
    }
}

impl MessagesBuilder {
    /// Appends one message of channel `channel_id` posted at `time`.
    pub fn push(&mut self, channel_id: &str, m: &MessageView, time: Instant) {
        self.channel_id.append_value(channel_id);
        self.ts.append_value(&*m.ts);
        self.time.push(millis(time));
        self.user.append_option(m.user.as_deref());
        self.subtype.append_option(m.subtype.as_deref());
        self.text.append_value(m.text.as_deref().unwrap_or(""));
        self.thread_ts.append_option(m.thread_ts.as_deref());
    }

    /// The messages frame.
    pub fn finish(self) -> Result<DataFrame> {
        let time = Series::new("time".into(), self.time)
            .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
            .into_column();
        Ok(DataFrame::new_infer_height(vec![
            self.channel_id.finish().into_column(),
            self.ts.finish().into_column(),
            time,
            self.user.finish().into_column(),
            self.subtype.finish().into_column(),
            self.text.finish().into_column(),
            self.thread_ts.finish().into_column(),
        ])?)
    }
}
