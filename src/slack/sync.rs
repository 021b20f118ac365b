//! `sync`: pulls channels, users and incident channels' histories from the Web API into
//! the export layout, incrementally and crash-safely.
//!
//! Every file is written to a temporary name and renamed. What has been fetched is
//! recorded per channel in `.incident-channels-sync.json` only after that channel's day
//! files are on disk, so a run killed at any point resumes where the record ends; messages
//! fetched twice merge by `ts`, and the folder ends as after an uninterrupted run.
//!
//! What a run asks for, per channel: a channel never fetched is read whole; an open one
//! again from `recheck` before its newest message on disk, which brings edits, deletions
//! and new thread replies of that stretch; a channel archived since the last run is read
//! whole one last time, with every edit and deletion up to its archiving (messages older
//! than any Slack still returns are kept: retention may hide them); an archived channel
//! already read that way costs nothing.
//!
//! One run at a time: a run holds an OS lock on `.incident-channels-sync.lock` in the
//! folder (released by the OS if the run is killed) and the file says who holds it.
//! Nothing a server sends becomes a path before it is checked: a channel whose id or
//! name could leave the folder, or collide with the export's own files, is refused and
//! named in the summary.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::api::Method;
use super::client::{CallStats, ClientOptions, SlackClient, SlackError};
use super::token::{redact, Token};
use crate::error::{Error, Result};
use crate::export::model::{is_thread_reply, ts_field, Channel, User};
use crate::export::source::{day_file_name, day_of_file, read_regular, Limits};
use crate::export::ExportWriter;
use crate::incidents::Convention;
use crate::time::{parse_slack_ts, safe_folder_name, to_slack_ts, ts_instant, ts_key, TsKey};

/// Name of the file that records what has been fetched.
pub const STATE_FILE: &str = ".incident-channels-sync.json";

/// Name of the file a running sync holds an OS lock on; removed when the run ends.
pub const LOCK_FILE: &str = ".incident-channels-sync.lock";

/// Files of an export's top level (Slack's and the crate's): no channel may be called so.
const EXPORT_FILES: [&str; 8] = [
    "channels.json",
    "users.json",
    "groups.json",
    "dms.json",
    "mpims.json",
    "org_users.json",
    "integration_logs.json",
    "canvases.json",
];

/// What to sync and how.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub out: PathBuf,
    /// Fetch histories of the incident channels of this convention.
    pub convention: Convention,
    /// Fetch every channel's history, not only the incident channels'.
    pub all_history: bool,
    /// Include private channels (needs the groups:* scopes).
    pub include_private: bool,
    /// How far back from its newest message on disk an open channel is read again, to
    /// pick up edits, deletions and replies in that stretch.
    pub recheck: chrono::Duration,
    pub client: ClientOptions,
    pub progress: Progress,
}

impl SyncOptions {
    pub fn new(out: impl Into<PathBuf>) -> Self {
        SyncOptions {
            out: out.into(),
            convention: Convention::default(),
            all_history: false,
            include_private: false,
            recheck: chrono::Duration::days(7),
            client: ClientOptions::default(),
            progress: Progress::Auto,
        }
    }
}

/// How sync reports progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A bar on a terminal, plain lines elsewhere (a notebook, a log).
    Auto,
    /// A line on stderr every few seconds.
    Lines,
    /// A line on stdout at each tenth of the channels: it shows live under a notebook's
    /// cell, and a re-run of the same sync prints the same lines.
    Tenths,
    Quiet,
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub channels: usize,
    pub users: usize,
    /// Channels whose history was asked for.
    pub histories_fetched: usize,
    /// Archived channels already complete on disk: no call made.
    pub unchanged_skipped: usize,
    pub new_messages: usize,
    /// Messages on disk that came back different (edited, reacted to, new replies).
    pub changed_messages: usize,
    /// Messages on disk that Slack no longer returned: deleted.
    pub removed_messages: usize,
    /// Channels the token could not read (`not_in_channel`, `channel_not_found`).
    pub skipped: Vec<String>,
    /// Channels left out whole (not in channels.json, no folder): their id or name cannot
    /// be a folder here. Each with the reason.
    pub refused: Vec<String>,
    pub calls: CallStats,
    /// The fewest calls that could have fetched the same data, per method.
    pub minimum_calls: BTreeMap<&'static str, u64>,
    pub seconds: f64,
}

impl std::fmt::Display for SyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let per_method: Vec<String> = self
            .calls
            .calls
            .iter()
            .map(|(m, n)| match self.minimum_calls.get(m) {
                Some(min) => format!("{m} {n} (min {min})"),
                None => format!("{m} {n}"),
            })
            .collect();
        write!(
            f,
            "synced {} channels and {} users: {} histories fetched, {} archived channels unchanged, {} new messages ({} changed, {} removed); {} calls ({}); {} HTTP 429, {} retries; {:.1} s",
            self.channels,
            self.users,
            self.histories_fetched,
            self.unchanged_skipped,
            self.new_messages,
            self.changed_messages,
            self.removed_messages,
            self.calls.total(),
            per_method.join(", "),
            self.calls.rate_limited,
            self.calls.retries,
            self.seconds
        )?;
        if !self.skipped.is_empty() {
            write!(
                f,
                "\nskipped (invite the app to read them): {}",
                self.skipped.join(", ")
            )?;
        }
        if !self.refused.is_empty() {
            write!(
                f,
                "\nrefused, not written (ask an admin about them): {}",
                self.refused.join("; ")
            )?;
        }
        Ok(())
    }
}

/// What is on disk for one channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ChannelState {
    name: String,
    /// The newest message fetched; the next fetch asks only for newer ones.
    newest_ts: Option<String>,
    /// Archived when last fetched: with nothing newer possible, it needs no call.
    archived: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct SyncState {
    channels: BTreeMap<String, ChannelState>,
}

/// Syncs the workspace behind `token` into `options.out`.
pub fn sync(token: Token, options: &SyncOptions) -> Result<SyncReport> {
    let started = Instant::now();
    let secret = token.clone();
    let mut client = SlackClient::new(token, options.client.clone())?;
    // Before any call: a second run into the folder would repeat every call and delete
    // the first's temporary files.
    let _lock = FolderLock::take(&options.out)?;
    let mut progress = Reporter::new(options.progress);

    // Nothing is written before the token and the list scopes are proven to work.
    client.call(Method::AuthTest, &[])?;
    let types = if options.include_private {
        "public_channel,private_channel"
    } else {
        "public_channel"
    };
    let mut channels: Vec<Channel> = Vec::new();
    let mut bad: Option<Error> = None;
    client.paginate(
        Method::ConversationsList,
        &[
            ("types", types.into()),
            ("exclude_archived", "false".into()),
        ],
        "channels",
        |page| collect(page, &mut channels, "conversations.list", &mut bad),
    )?;
    let mut users: Vec<User> = Vec::new();
    client.paginate(Method::UsersList, &[], "members", |page| {
        collect(page, &mut users, "users.list", &mut bad)
    })?;
    if let Some(e) = bad {
        return Err(e);
    }
    let mut seen = HashSet::new();
    channels.retain(|c| seen.insert(c.id.clone()));
    channels.sort_by_key(|c| c.created);
    let refused = refuse_unsafe(&mut channels, &secret);

    let writer = ExportWriter::create(&options.out)?;
    remove_stale_temporaries(&options.out)?;
    let state_path = options.out.join(STATE_FILE);
    let mut state = read_state(&state_path)?;

    let wanted: Vec<&Channel> = channels
        .iter()
        .filter(|c| options.all_history || options.convention.is_incident(&c.name))
        .collect();
    follow_renames(&options.out, &channels, &mut state)?;
    writer.json(STATE_FILE, &state)?;
    progress.start(wanted.len());
    let mut report = SyncReport {
        channels: channels.len(),
        users: users.len(),
        histories_fetched: 0,
        unchanged_skipped: 0,
        new_messages: 0,
        changed_messages: 0,
        removed_messages: 0,
        skipped: Vec::new(),
        refused,
        calls: CallStats::default(),
        minimum_calls: BTreeMap::new(),
        seconds: 0.0,
    };
    let mut min_history = 0u64;
    let mut min_replies = 0u64;
    for channel in wanted {
        let before = state.channels.get(&channel.id).cloned();
        if let Some(prev) = &before {
            if prev.archived && channel.is_archived && prev.name == channel.name {
                report.unchanged_skipped += 1;
                progress.step(&channel.name, 0);
                continue;
            }
        }
        let previous_newest = before.as_ref().and_then(|s| s.newest_ts.clone());
        let previous_newest_at = previous_newest.as_deref().and_then(parse_slack_ts);
        let scope = match previous_newest_at {
            // Never fetched (or nothing came): what the folder holds (an admin's export) stays.
            None => Scope::Merge,
            Some(_) if channel.is_archived => Scope::Everything,
            Some(t) => t
                .checked_sub_signed(options.recheck)
                .map_or(Scope::Everything, Scope::Since),
        };
        let mut fetched: Vec<Value> = Vec::new();
        let mut params = vec![("channel", channel.id.clone())];
        if let Scope::Since(from) = scope {
            params.push(("oldest", to_slack_ts(from)));
            params.push(("inclusive", "true".into()));
        }
        let fetch = client.paginate(Method::ConversationsHistory, &params, "messages", |page| {
            fetched.extend(page)
        });
        match fetch {
            Ok(()) => {}
            // The token cannot read this one channel: note it and go on with the rest.
            Err(SlackError::Api { code, .. })
                if code == "not_in_channel" || code == "channel_not_found" =>
            {
                report.skipped.push(format!("#{} ({code})", channel.name));
                progress.step(&channel.name, report.new_messages);
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        let history_count = fetched.len();
        // History holds thread parents; their replies come from conversations.replies.
        let threads: Vec<String> = fetched
            .iter()
            .filter(|m| m.get("reply_count").and_then(Value::as_u64).unwrap_or(0) > 0)
            .filter_map(|m| m.get("thread_ts").or(m.get("ts")).and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        let refetched = Refetched::new(scope, &fetched);
        for thread in threads {
            let mut replies = Vec::new();
            let params = [("channel", channel.id.clone()), ("ts", thread.clone())];
            client.paginate(Method::ConversationsReplies, &params, "messages", |page| {
                replies.extend(page)
            })?;
            min_replies += (replies.len() as u64)
                .div_ceil(Method::ConversationsReplies.max_page() as u64)
                .max(1);
            // The parent is already there; replies broadcast to the channel may be too.
            fetched.extend(
                replies
                    .into_iter()
                    .filter(|m| ts_of(m) != Some(thread.as_str())),
            );
        }
        report.histories_fetched += 1;
        min_history += (history_count as u64)
            .div_ceil(Method::ConversationsHistory.max_page() as u64)
            .max(1);
        let newest = write_days(&writer, &channel.name, fetched, &refetched, &mut report)?;
        state.channels.insert(
            channel.id.clone(),
            ChannelState {
                name: channel.name.clone(),
                newest_ts: newest.or(previous_newest),
                archived: channel.is_archived,
            },
        );
        writer.json(STATE_FILE, &state)?;
        progress.step(&channel.name, report.new_messages);
    }

    writer.users(&users)?;
    writer.channels(&channels)?;
    writer.json(STATE_FILE, &state)?;
    progress.finish();

    let pages = |n: usize, method: Method| (n as u64).div_ceil(method.max_page() as u64).max(1);
    report.minimum_calls = BTreeMap::from([
        (Method::AuthTest.name(), 1),
        (
            Method::ConversationsList.name(),
            pages(channels.len(), Method::ConversationsList),
        ),
        (
            Method::UsersList.name(),
            pages(users.len(), Method::UsersList),
        ),
        (Method::ConversationsHistory.name(), min_history),
        (Method::ConversationsReplies.name(), min_replies),
    ]);
    report.calls = client.stats.clone();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Parses a page of objects, keeping the first failure (with the method that sent it).
fn collect<T: serde::de::DeserializeOwned>(
    page: Vec<Value>,
    out: &mut Vec<T>,
    method: &str,
    bad: &mut Option<Error>,
) {
    for item in page {
        match serde_json::from_value(item) {
            Ok(v) => out.push(v),
            // serde quotes the offending value: it may hold anything a server sent.
            Err(e) if bad.is_none() => {
                *bad = Some(Error::NotSlack {
                    method: method.to_string(),
                    detail: format!(
                        "returned an object that is not a Slack object: {}",
                        shown(&e.to_string())
                    ),
                })
            }
            Err(_) => {}
        }
    }
}

/// Which part of a channel's history a fetch asked for.
#[derive(Debug, Clone, Copy)]
enum Scope {
    /// Only add and update: the folder may hold messages the fetch could not see.
    Merge,
    /// The whole history.
    Everything,
    /// Top-level messages from this instant on, and the replies of their threads.
    Since(crate::time::Instant),
}

/// What a fetch covered: a message of this part that is on disk but was not fetched
/// again has been deleted in Slack.
struct Refetched {
    /// Top-level messages from here on. For a whole history, the oldest message Slack
    /// returned: anything older may be hidden by a retention policy or a plan's limit
    /// rather than deleted, so it stays. `None`: nothing is covered.
    from: Option<crate::time::Instant>,
    /// The messages the history call returned: replies to these threads were covered.
    parents: HashSet<String>,
}

impl Refetched {
    /// `history`: what the history call returned (before replies are added).
    fn new(scope: Scope, history: &[Value]) -> Self {
        let from = match scope {
            Scope::Merge => None,
            Scope::Since(from) => Some(from),
            Scope::Everything => history
                .iter()
                .filter_map(|m| parse_slack_ts(ts_of(m)?))
                .min(),
        };
        Refetched {
            from,
            parents: history
                .iter()
                .filter_map(|m| ts_of(m).map(str::to_string))
                .collect(),
        }
    }

    fn covers(&self, m: &Value) -> bool {
        let Some(from) = self.from else {
            return false;
        };
        let ts = ts_field(m, "ts").unwrap_or_default();
        let broadcast = m.get("subtype").and_then(Value::as_str) == Some("thread_broadcast");
        match ts_field(m, "thread_ts") {
            // A reply: covered when its parent came back, replies or not. (A parent whose
            // replies were all deleted comes back without `reply_count`.)
            Some(thread) if is_thread_reply(m) && !broadcast => {
                self.parents.contains(thread.as_ref())
            }
            _ => parse_slack_ts(&ts).is_some_and(|t| t >= from),
        }
    }

    /// Whether a day file on disk (UTC date) may hold covered messages.
    fn covers_day(&self, day: NaiveDate) -> bool {
        // Replies come after their parent, so they are never on an earlier day.
        self.from.is_some_and(|from| day >= from.date_naive())
    }
}

/// Writes fetched messages into the channel's day files (UTC dates), merging by `ts`
/// with what is there; covered messages that were not fetched again are removed, and a
/// day left empty loses its file. Files that would not change are not written. Returns
/// the newest `ts` fetched.
fn write_days(
    writer: &ExportWriter,
    channel: &str,
    fetched: Vec<Value>,
    refetched: &Refetched,
    report: &mut SyncReport,
) -> Result<Option<String>> {
    let mut by_day: BTreeMap<NaiveDate, BTreeMap<TsKey, Value>> = BTreeMap::new();
    let mut newest: Option<(chrono::DateTime<chrono::Utc>, String)> = None;
    for m in fetched {
        let ts = ts_of(&m).unwrap_or_default().to_string();
        // Messages are ordered by time: Slack's `ts` is unique within a channel.
        let timed = ts_key(&ts).and_then(|key| Some((key, ts_instant(key)?)));
        let Some((key, t)) = timed else {
            return Err(Error::NotSlack {
                method: format!("conversations.history of #{channel}"),
                detail: format!("returned a message without a valid `ts` ({})", shown(&ts)),
            });
        };
        if newest.as_ref().is_none_or(|(n, _)| t > *n) {
            newest = Some((t, ts));
        }
        by_day.entry(t.date_naive()).or_default().insert(key, m);
    }
    let folder = writer.dir().join(channel);
    let mut days: BTreeSet<NaiveDate> = by_day.keys().copied().collect();
    days.extend(
        days_on_disk(&folder)?
            .into_iter()
            .filter(|d| refetched.covers_day(*d)),
    );
    for day in days {
        let path = folder.join(day_file_name(day));
        let mut on_disk: BTreeMap<TsKey, Value> = BTreeMap::new();
        // The folder may be an admin's export: its files are read as the loader reads
        // them (regular files within the limit; a FIFO or a device is refused by name).
        let mut bytes = Vec::new();
        if read_regular(&path, &path, Limits::default(), &mut bytes)? {
            let old: Vec<Value> =
                serde_json::from_slice(&bytes).map_err(|e| Error::json(&path, &e))?;
            on_disk.extend(old.into_iter().enumerate().map(|(place, m)| {
                // A message whose `ts` does not read keeps a key of its own, ahead of the
                // rest in file order: what is on disk is never merged away.
                let key = ts_field(&m, "ts").and_then(|ts| ts_key(&ts));
                (key.unwrap_or((i64::MIN, place as u32)), m)
            }));
        }
        let mut changes = 0;
        let mut merged = by_day.remove(&day).unwrap_or_default();
        for (key, m) in &merged {
            match on_disk.remove(key) {
                None => report.new_messages += 1,
                Some(old) if old != *m => report.changed_messages += 1,
                Some(_) => continue,
            }
            changes += 1;
        }
        for (key, m) in on_disk {
            if refetched.covers(&m) {
                report.removed_messages += 1;
                changes += 1;
            } else {
                merged.insert(key, m);
            }
        }
        if changes == 0 {
            continue;
        }
        if merged.is_empty() {
            writer.remove_day(channel, day)?;
        } else {
            let ordered: Vec<Value> = merged.into_values().collect();
            writer.day(channel, day, &ordered)?;
        }
    }
    Ok(newest.map(|(_, ts)| ts))
}

/// The dates of a channel folder's day files (`YYYY-MM-DD.json`).
fn days_on_disk(folder: &Path) -> Result<Vec<NaiveDate>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(folder, e)),
    };
    Ok(entries
        .flatten()
        .filter_map(|e| day_of_file(e.file_name().to_str()?))
        .collect())
}

/// A message's Slack timestamp, as sent.
fn ts_of(m: &Value) -> Option<&str> {
    m.get("ts").and_then(Value::as_str)
}

fn read_state(path: &Path) -> Result<SyncState> {
    let mut bytes = Vec::new();
    if !read_regular(path, path, Limits::default(), &mut bytes)? {
        return Ok(SyncState::default());
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::json(path, &e))
}

/// Renamed channels keep their history: each folder follows its channel's new name, for
/// every channel on disk, in two steps (to a name of the channel's id, then to the new
/// name), so that channels that swapped names end in the right folders too.
fn follow_renames(out: &Path, channels: &[Channel], state: &mut SyncState) -> Result<()> {
    let renamed: Vec<(&Channel, String)> = channels
        .iter()
        .filter_map(|c| {
            let before = state.channels.get(&c.id)?;
            (before.name != c.name).then(|| (c, before.name.clone()))
        })
        .collect();
    // Ids were checked (`refuse_unsafe`): a parking name stays in the folder.
    let parking = |c: &Channel| out.join(format!(".renaming-{}", c.id));
    for (channel, old) in &renamed {
        // The record is a file in the folder, maybe from an older version or edited: its
        // names are checked like the server's before they become paths.
        if name_problem(old).is_some() {
            continue;
        }
        let from = out.join(old);
        if from.is_dir() && !parking(channel).exists() {
            std::fs::rename(&from, parking(channel)).map_err(|e| Error::io(&from, e))?;
        }
    }
    for (channel, _) in &renamed {
        let (from, to) = (parking(channel), out.join(&channel.name));
        if from.is_dir() {
            if to.exists() {
                return Err(Error::RenameClash {
                    channel: channel.name.clone(),
                    path: to,
                });
            }
            std::fs::rename(&from, &to).map_err(|e| Error::io(&from, e))?;
        }
        if let Some(entry) = state.channels.get_mut(&channel.id) {
            entry.name = channel.name.clone();
        }
    }
    Ok(())
}

/// Removes the channels whose id or name could not safely be a folder here, and says
/// which and why: ids that are not Slack-like, names that leave the folder, are hidden
/// (sync's own files start with `.`), collide with the export's files or another
/// channel's folder, or hold a token.
fn refuse_unsafe(channels: &mut Vec<Channel>, token: &Token) -> Vec<String> {
    let mut refused = Vec::new();
    let mut folders: HashSet<String> = HashSet::new();
    channels.retain(|c| {
        let problem = if token.appears_in(&c.id) || token.appears_in(&c.name) {
            Some("it holds a token")
        } else if !slack_like_id(&c.id) {
            Some("its id is not a Slack id")
        } else if let Some(problem) = name_problem(&c.name) {
            Some(problem)
        // Folders differing in case are one folder on some file systems.
        } else if !folders.insert(c.name.to_lowercase()) {
            Some("another channel has the same name")
        } else {
            None
        };
        if let Some(problem) = problem {
            refused.push(format!(
                "{} (id {}): {problem}",
                shown(&c.name),
                shown(&c.id)
            ));
        }
        problem.is_none()
    });
    refused
}

/// Slack's ids are a few upper-case letters and digits; a little more is allowed, never
/// anything a path could make something of.
fn slack_like_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Why a channel name cannot be a folder of the export, if it cannot.
fn name_problem(name: &str) -> Option<&'static str> {
    if !safe_folder_name(name) || name.chars().any(char::is_control) {
        Some("its name cannot be a folder name")
    } else if name.starts_with('.') {
        Some("its name starts with `.`, like sync's own files")
    } else if name.len() > 255 {
        Some("its name is too long for a folder")
    } else if EXPORT_FILES.iter().any(|f| f.eq_ignore_ascii_case(name)) {
        Some("its name is that of one of the export's own files")
    } else {
        None
    }
}

/// A server-sent text for a message: quoted, without token-shaped parts, and short.
fn shown(text: &str) -> String {
    const MAX: usize = 80;
    let text = redact(text);
    let cut: String = text.chars().take(MAX).collect();
    if cut.len() < text.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}

/// An OS lock on the folder's lock file for the whole run; the file says who holds it.
/// A run killed with -9 leaves the file but not the lock, so the next run is not blocked.
struct FolderLock {
    path: PathBuf,
    _file: File,
    /// Folders this run created to hold the lock, deepest first: removed again if they
    /// end empty (a run refused at its first call leaves no trace).
    created: Vec<PathBuf>,
}

impl FolderLock {
    fn take(out: &Path) -> Result<FolderLock> {
        let created: Vec<PathBuf> = out
            .ancestors()
            .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
            .map(Path::to_path_buf)
            .collect();
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let path = out.join(LOCK_FILE);
        let file = loop {
            // Never through a link: the lock file is written.
            if let Ok(meta) = std::fs::symlink_metadata(&path) {
                if !meta.is_file() {
                    return Err(Error::LockNotAFile { path });
                }
            }
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        path: out.to_path_buf(),
                        holder: holder(file),
                    })
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
            // The run before may have removed the file between our open and our lock:
            // then we hold a lock nobody else sees, and try again.
            if still_at(&file, &path) {
                break file;
            }
        };
        let mut file = file;
        let who = format!(
            "pid {}, started {}",
            std::process::id(),
            crate::time::rfc3339(chrono::Utc::now())
        );
        file.set_len(0)
            .and_then(|()| file.write_all(who.as_bytes()))
            .map_err(|e| Error::io(&path, e))?;
        Ok(FolderLock {
            path,
            _file: file,
            created,
        })
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still locked: a run waiting on this file sees it is gone.
        let _ = std::fs::remove_file(&self.path);
        for dir in &self.created {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

/// What the holder of a lock wrote into it (pid and start), made safe to print.
fn holder(file: File) -> String {
    let mut bytes = Vec::new();
    let _ = (&file).take(200).read_to_end(&mut bytes);
    let text: String = String::from_utf8_lossy(&bytes)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if text.trim().is_empty() {
        "a run that has not yet written its pid".into()
    } else {
        text.trim().to_string()
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Temporary files left by a run that was killed mid-write.
fn remove_stale_temporaries(out: &Path) -> Result<()> {
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            // The entry's own type: a link to a folder is not followed.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if name.starts_with(".tmp-") && name.ends_with(".tmp") {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
    }
    Ok(())
}

/// Progress on a terminal (a bar) or elsewhere (a line every few seconds).
struct Reporter {
    mode: Progress,
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: usize,
    last_line: Instant,
}

impl Reporter {
    fn new(mode: Progress) -> Self {
        let mode = match mode {
            Progress::Auto if std::io::stderr().is_terminal() => Progress::Auto,
            Progress::Auto => Progress::Lines,
            other => other,
        };
        Reporter {
            mode,
            bar: None,
            total: 0,
            done: 0,
            last_line: Instant::now(),
        }
    }

    fn start(&mut self, total: usize) {
        self.total = total;
        match self.mode {
            Progress::Auto => {
                let bar = indicatif::ProgressBar::new(total as u64);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} {wide_bar} {pos}/{len} channels  {msg}  [{elapsed_precise}, eta {eta}]",
                ) {
                    bar.set_style(style);
                }
                self.bar = Some(bar);
            }
            Progress::Lines => eprintln!("sync: fetching histories of {total} channels"),
            Progress::Tenths => println!("sync: fetching the histories of {total} channels"),
            Progress::Quiet => {}
        }
    }

    fn step(&mut self, channel: &str, messages: usize) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.set_message(format!("#{channel}, {messages} new messages"));
            bar.inc(1);
        } else if self.mode == Progress::Lines
            && (self.last_line.elapsed() >= Duration::from_secs(5) || self.done == self.total)
        {
            eprintln!(
                "sync: {}/{} channels, {messages} new messages",
                self.done, self.total
            );
            self.last_line = Instant::now();
        } else if self.mode == Progress::Tenths
            && self.done * 10 / self.total.max(1) > (self.done - 1) * 10 / self.total.max(1)
        {
            println!("sync: {}/{} channels", self.done, self.total);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
