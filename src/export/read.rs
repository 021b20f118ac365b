//! Loading an export into a [`Workspace`], streaming day files through serde.
//!
//! Each day file is read into one reusable buffer and its messages are parsed as views
//! borrowing from it, then appended straight to the message columns: a string is copied
//! once, from the file into the frame. [`parse_day`] turns one file's bytes into columns,
//! independently of every other file.
//!
//! Real exports are imperfect: by default a message, a day file or a list entry that
//! cannot be read is skipped and reported as a [`LoadWarning`]; with
//! [`LoadOptions::strict`] the first one is an error.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde::de::{DeserializeOwned, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::export::model::{Channel, LeanUser, MessageView, User};
use crate::export::source::{DayFile, DayFolder, ExportSource, Limits};
use crate::export::{ChannelActivity, Workspace};
use crate::incidents::is_update;
use crate::incidents::phrases;
use crate::time::{from_unix, plausible, plausible_ts, safe_folder_name, ts_millis, TsKey};
use polars::prelude::*;
use rayon::prelude::*;

/// What to read besides the public channels, and how forgiving to be.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Also read private channels from `groups.json` (exports of paid plans have it).
    pub include_private: bool,
    /// Fail on the first message, day file or list entry that cannot be read, instead of
    /// skipping it with a warning in [`Workspace::warnings`] (as before these warnings).
    pub strict: bool,
    /// Largest file read (`channels.json`, a day file, an inflated zip entry), in bytes.
    pub max_file_bytes: u64,
    /// Largest inflated-to-compressed ratio of a big zip entry (see [`Limits`]).
    pub max_zip_ratio: u64,
    /// Keep only what the incident frames read, for reports over large exports: `ts`
    /// and `thread_ts` load as nulls, and `text` is kept only for updates that flag
    /// something (an escalation, a resolution, a possible SOP summary; see
    /// [`phrases::may_flag`]). The figures stay the same; the messages take about
    /// half the memory. Users keep their typed fields, not `extra`. Notebooks that read
    /// the texts want the default, `false`.
    pub lean: bool,
    /// Whose day files to read: every channel's by default. A report on incidents reads
    /// only the incident channels', which in a real workspace are a small part of its
    /// messages. The other channels are still listed, with no messages.
    pub messages_of: ChannelFilter,
}

/// Which channels' messages a load reads, by channel name (see
/// [`LoadOptions::messages_of`]).
#[derive(Clone, Default)]
pub struct ChannelFilter(Option<Arc<NamePredicate>>);

/// A test of a channel's name, shared by the threads that read day files.
type NamePredicate = dyn Fn(&str) -> bool + Send + Sync;

impl ChannelFilter {
    /// Every channel's.
    pub fn all() -> Self {
        ChannelFilter(None)
    }

    /// The channels whose name `keep` accepts, e.g. `|name| convention.is_incident(name)`.
    pub fn named(keep: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        ChannelFilter(Some(Arc::new(keep)))
    }

    /// Whether the messages of the channel `name` are read.
    pub fn reads(&self, name: &str) -> bool {
        self.0.as_ref().is_none_or(|keep| keep(name))
    }
}

impl fmt::Debug for ChannelFilter {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self.0 {
            None => "ChannelFilter::all()",
            Some(_) => "ChannelFilter::named(..)",
        })
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        let limits = Limits::default();
        LoadOptions {
            include_private: false,
            strict: false,
            max_file_bytes: limits.max_file_bytes,
            max_zip_ratio: limits.max_zip_ratio,
            lean: false,
            messages_of: ChannelFilter::all(),
        }
    }
}

/// What was skipped, for a [`LoadWarning`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skipped {
    /// Messages of a day file (no `ts`, an implausible `ts`, wrong types…).
    Messages,
    /// A whole file that could not be read or is not JSON of the right shape.
    File,
    /// Entries of `channels.json` or `groups.json`.
    Channels,
    /// Entries of `users.json`.
    Users,
    /// A folder of day files that no channel lists: its messages were not read. Reported
    /// even with [`LoadOptions::strict`], where it is the only warning.
    UnlistedFolder,
}

/// Something the loader skipped instead of failing (see [`LoadOptions::strict`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadWarning {
    /// The file or folder at fault (`export.zip!/name` inside a zip).
    pub file: PathBuf,
    pub what: Skipped,
    /// How many were skipped in this file.
    pub count: usize,
    /// Why, for one of them; for [`Skipped::File`] the whole error, path included.
    pub why: String,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (file, n, why) = (self.file.display(), self.count, &self.why);
        let skipped = |one: &str| match n {
            1 => format!("{file}: skipped 1 {one}: {why}"),
            _ => format!("{file}: skipped {n} {one}s, e.g. {why}"),
        };
        match self.what {
            Skipped::Messages => f.write_str(&skipped("message")),
            Skipped::Channels => f.write_str(&skipped("channel")),
            Skipped::Users => f.write_str(&skipped("user")),
            Skipped::File => write!(f, "skipped {}", self.why),
            Skipped::UnlistedFolder => write!(
                f,
                "{file}: a folder of day files that channels.json does not list; not read"
            ),
        }
    }
}

/// Loads the export folder or `.zip` at `path` with the default options.
pub fn load(path: impl AsRef<Path>) -> Result<Workspace> {
    load_with(path, &LoadOptions::default())
}

/// Loads the export folder or `.zip` at `path`.
pub fn load_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Workspace> {
    let path = path.as_ref();
    crate::threads::on_polars_pool(|| load_on_pool(path, options))
}

/// [`load_with`], on the thread pool its day files are read on.
fn load_on_pool(path: &Path, options: &LoadOptions) -> Result<Workspace> {
    let limits = Limits {
        max_file_bytes: options.max_file_bytes,
        max_zip_ratio: options.max_zip_ratio,
    };
    let mut ld = Loader {
        source: ExportSource::open_with(path, limits)?,
        strict: options.strict,
        buf: Vec::new(),
        warnings: Vec::new(),
        warning_at: HashMap::new(),
        listed: HashSet::new(),
    };

    // channels.json is the export's index: without it there is nothing to report.
    let mut channels: Vec<Channel> = ld
        .read_list("channels.json", Skipped::Channels)?
        .ok_or_else(|| Error::NotAnExport {
            path: path.to_path_buf(),
        })?;
    if options.include_private {
        let groups = ld.read_list::<Channel>("groups.json", Skipped::Channels);
        if let Some(groups) = ld.tolerate("groups.json", groups)?.flatten() {
            channels.extend(groups.into_iter().map(|mut g| {
                g.is_private = Some(true);
                g
            }));
        }
    }
    let mut kept = Vec::with_capacity(channels.len());
    for c in channels {
        if from_unix(c.created).is_some_and(plausible) {
            kept.push(c);
            continue;
        }
        let why = format!(
            "channel #{}: {} is not Unix seconds between 1970 and 2100",
            shorten(&c.name),
            c.created
        );
        let file = ld.source.display_path("channels.json");
        if ld.strict {
            return Err(Error::Field {
                path: file,
                field: "created".into(),
                message: why,
            });
        }
        ld.warn(file, Skipped::Channels, 1, format!("`created` of {why}"));
        // Skipped, but listed: its folder is no stranger.
        ld.listed.extend([c.name, c.id]);
    }
    let channels = first_of_each(kept, &mut ld);
    // users.json is parsed while the day files are read: a real company's lists tens of
    // thousands of people.
    let mut users_json = Vec::new();
    let found = ld.source.read("users.json", &mut users_json);
    let found = ld.tolerate("users.json", found)?.unwrap_or(false);
    let shown = ld.source.display_path("users.json");
    let users = || found.then(|| parse_users(&shown, &users_json, options.strict, options.lean));
    let chosen: Vec<usize> = (0..channels.len())
        .filter(|&i| options.messages_of.reads(&channels[i].name))
        .collect();
    let (source, listed) = (&ld.source, &ld.listed);
    // The root's listing, for folders no channel lists, is done on the side while the
    // day files are read on all cores: for 58k channels it took as long as 8k files.
    let ((users, folders), runs) = rayon::join(
        || (users(), unlisted_folders(source, &channels, listed)),
        || parse_shared(source, &channels, &chosen, options),
    );
    drop(users_json);
    let users = match users.transpose() {
        Ok(users) => users.map(|list| ld.take_list(shown, Skipped::Users, list)),
        Err(e) => ld.tolerate("users.json", Err(e))?.flatten(),
    };
    let users = users.unwrap_or_default();
    let runs = runs?;
    let mut channels = channels;
    let mut messages: Option<DataFrame> = None;
    for run in runs {
        for (index, seen) in &run.activity {
            channels[*index].activity.merge(seen);
        }
        for (rel, outcome) in run.outcomes {
            if let Some(skips) = ld.tolerate(&rel, outcome)? {
                if let Some(first) = skips.first {
                    let shown = ld.source.display_path(&rel);
                    ld.warn(shown, Skipped::Messages, skips.count, first);
                }
            }
        }
        // Appending keeps each run's columns as a chunk of their own: nothing is copied.
        match &mut messages {
            Some(all) => {
                all.vstack_mut_owned(run.messages)?;
            }
            None => messages = Some(run.messages),
        }
    }
    let messages = match messages {
        Some(messages) => messages,
        None => MessagesBuilder::new(options.lean).finish()?,
    };
    ld.warn_unlisted_folders(folders)?;

    Ok(Workspace {
        source: path.to_path_buf(),
        channels,
        users,
        messages,
        warnings: ld.warnings,
    })
}

/// The channels in list order, each id and each name once: a list that repeats one (two
/// exports merged, an edit) would count a channel twice and read its folder twice. An
/// entry whose id or name an earlier entry has is left out with a warning, in strict mode
/// too, since nothing is lost.
fn first_of_each(channels: Vec<Channel>, ld: &mut Loader) -> Vec<Channel> {
    let (mut ids, mut names) = (HashSet::new(), HashSet::new());
    // Per entry, the key it repeats: both keys of every entry count, kept or not.
    let repeats: Vec<Option<&'static str>> = channels
        .iter()
        .map(|c| {
            let new_id = ids.insert(c.id.as_str());
            let new_name = names.insert(c.name.as_str());
            match (new_id, new_name) {
                (true, true) => None,
                (false, _) => Some("id"),
                (true, false) => Some("name"),
            }
        })
        .collect();
    drop((ids, names));
    if repeats.iter().all(Option::is_none) {
        return channels;
    }
    let file = ld.source.display_path("channels.json");
    let mut kept = Vec::with_capacity(channels.len());
    for (c, repeat) in channels.into_iter().zip(repeats) {
        let Some(key) = repeat else {
            kept.push(c);
            continue;
        };
        let why = format!(
            "channel #{} ({}) is listed again: an earlier entry has the same {key}, and each \
             id and name is read once, from its first entry",
            shorten(&c.name),
            shorten(&c.id)
        );
        ld.warn(file.clone(), Skipped::Channels, 1, why);
    }
    kept
}

/// The state of one load: the source, the reusable buffer and what was skipped.
struct Loader {
    source: ExportSource,
    strict: bool,
    buf: Vec<u8>,
    warnings: Vec<LoadWarning>,
    /// Where each file's warning of each kind is in `warnings`, so that merging a skip
    /// into it costs the same however many warnings there are.
    warning_at: HashMap<(PathBuf, Skipped), usize>,
    /// Names and ids that the lists mention but `channels` leaves out: entries that could
    /// not be read, and the private channels and DMs of `groups.json`, `mpims.json` and
    /// `dms.json` once unlisted folders are looked for.
    listed: HashSet<String>,
}

impl Loader {
    /// Records a skip, merging it into the warning for the same file and kind.
    fn warn(&mut self, file: PathBuf, what: Skipped, count: usize, why: String) {
        match self.warning_at.entry((file, what)) {
            Entry::Occupied(at) => self.warnings[*at.get()].count += count,
            Entry::Vacant(slot) => {
                let file = slot.key().0.clone();
                slot.insert(self.warnings.len());
                self.warnings.push(LoadWarning {
                    file,
                    what,
                    count,
                    why,
                });
            }
        }
    }

    /// The value, or in lenient mode `None` and a warning that `rel` was skipped.
    fn tolerate<T>(&mut self, rel: &str, r: Result<T>) -> Result<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e) if !self.strict && !matches!(e, Error::ZipTotal { .. }) => {
                let file = self.source.display_path(rel);
                self.warn(file, Skipped::File, 1, e.to_string());
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Reads a top-level JSON list such as `channels.json`; `None` when the file is absent.
    /// In lenient mode, entries that do not fit `T` are skipped with a warning.
    fn read_list<T: DeserializeOwned + Send>(
        &mut self,
        rel: &str,
        what: Skipped,
    ) -> Result<Option<Vec<T>>> {
        if !self.source.read(rel, &mut self.buf)? {
            return Ok(None);
        }
        let shown = self.source.display_path(rel);
        let parsed = parse_list::<T>(&shown, &self.buf, self.strict);
        // channels.json can be an eighth of a large export: its bytes are not kept while
        // the day files are read.
        self.buf = Vec::new();
        Ok(Some(self.take_list(shown, what, parsed?)))
    }

    /// The entries of a parsed list, warning about the ones it skipped.
    fn take_list<T>(
        &mut self,
        shown: PathBuf,
        what: Skipped,
        parsed: (Vec<T>, Vec<Skip>),
    ) -> Vec<T> {
        let (list, skips) = parsed;
        if let Some(first) = skips.first() {
            let why = first.why.clone();
            self.warn(shown, what, skips.len(), why);
        }
        if what == Skipped::Channels {
            self.listed.extend(skips.into_iter().flat_map(|s| s.names));
        }
        list
    }

    /// Warns about folders of day files that no list mentions: their messages belong to
    /// no known channel, so they are not read. Private channels and DMs of a full export
    /// have folders too, listed in `groups.json`, `mpims.json` and `dms.json`.
    /// `folders` are those no channel lists ([`unlisted_folders`]).
    fn warn_unlisted_folders(&mut self, folders: Result<Vec<String>>) -> Result<()> {
        let Some(folders) = self.tolerate("", folders)? else {
            return Ok(());
        };
        if folders.is_empty() {
            return Ok(());
        }
        for rel in ["groups.json", "mpims.json", "dms.json"] {
            // Only their names matter here, and they are optional: a broken one does
            // not warrant a warning of its own.
            if self.source.read(rel, &mut self.buf).unwrap_or(false) {
                if let Ok(list) = serde_json::from_slice::<Vec<Value>>(&self.buf) {
                    self.listed.extend(list.iter().flat_map(names_of));
                }
            }
        }
        for folder in folders {
            // A warning even when strict: nothing in it failed to read.
            if !self.listed.contains(&folder) {
                let file = self.source.display_path(&folder);
                self.warn(file, Skipped::UnlistedFolder, 1, String::new());
            }
        }
        Ok(())
    }
}

/// What a run of consecutive channels gave: their messages, what they told about the
/// channels, and the outcome of each day file with something to report (skips, or why
/// it could not be read).
struct DayRun {
    messages: DataFrame,
    activity: Vec<(usize, ChannelActivity)>,
    outcomes: Vec<(String, Result<DaySkips>)>,
}

/// Where a run lists and reads day files: a folder shared by every thread (each channel
/// folder opened once), or a zip that one archive handle reads in turn.
trait DaySource {
    /// Opens a channel's folder: its day files, oldest first (none without a folder).
    fn open(&mut self, folder: &str) -> Result<Vec<DayFile>>;
    /// Fills `buf` with day file `day` of the folder opened last; `shown` names it.
    fn read(
        &mut self,
        folder: &str,
        day: &DayFile,
        shown: &Path,
        buf: &mut Vec<u8>,
    ) -> Result<bool>;
    /// How to show a day file's path in messages, written into `shown`.
    fn show(&self, folder: &str, day: &str, shown: &mut PathBuf);
}

struct SharedFolder<'a> {
    source: &'a ExportSource,
    open: Option<DayFolder>,
}

impl DaySource for SharedFolder<'_> {
    fn open(&mut self, folder: &str) -> Result<Vec<DayFile>> {
        self.open = None;
        self.open = self.source.day_folder(folder)?;
        self.open.as_mut().map_or(Ok(vec![]), DayFolder::day_files)
    }

    fn read(&mut self, _: &str, day: &DayFile, shown: &Path, buf: &mut Vec<u8>) -> Result<bool> {
        match &self.open {
            Some(folder) => folder.read(day, shown, buf),
            None => Ok(false),
        }
    }

    fn show(&self, folder: &str, day: &str, shown: &mut PathBuf) {
        self.source.display_day_path(folder, day, shown);
    }
}

/// A zip's day files, read through a clone of the archive.
struct ZipEntries(ExportSource);

impl DaySource for ZipEntries {
    fn open(&mut self, folder: &str) -> Result<Vec<DayFile>> {
        let days = self.0.day_files(folder)?;
        Ok(days.into_iter().map(DayFile::named).collect())
    }

    fn read(&mut self, folder: &str, day: &DayFile, _: &Path, buf: &mut Vec<u8>) -> Result<bool> {
        self.0.read(&format!("{folder}/{}", day.name), buf)
    }

    fn show(&self, folder: &str, day: &str, shown: &mut PathBuf) {
        self.0.display_day_path(folder, day, shown);
    }
}

/// The root's folders of day files that neither a channel nor `also` names.
fn unlisted_folders(
    source: &ExportSource,
    channels: &[Channel],
    also: &HashSet<String>,
) -> Result<Vec<String>> {
    let listed: HashSet<&str> = channels
        .iter()
        .flat_map(|c| [c.name.as_str(), c.id.as_str()])
        .collect();
    source.day_folders(|name| listed.contains(name) || also.contains(name))
}

/// Lists, reads and parses the day files of the `chosen` channels of an export on all
/// cores, in runs of consecutive channels (each thread with its own buffer, column
/// builders and, for a zip, reader) whose results come back in channel order.
fn parse_shared(
    source: &ExportSource,
    channels: &[Channel],
    chosen: &[usize],
    options: &LoadOptions,
) -> Result<Vec<DayRun>> {
    // Several runs per thread even out channels of different sizes.
    let per_run = chosen
        .len()
        .div_ceil(rayon::current_num_threads() * 8)
        .max(1);
    let first_failed = AtomicUsize::new(usize::MAX);
    chosen
        .par_chunks(per_run)
        .enumerate()
        .map(|(number, run)| {
            let order = (number, &first_failed);
            match source {
                ExportSource::Folder { .. } => {
                    let folder = SharedFolder { source, open: None };
                    parse_run(channels, run, options, folder, order)
                }
                // Each run reads the zip through a clone of its own.
                ExportSource::Zip { .. } => {
                    parse_run(channels, run, options, ZipEntries(source.clone()), order)
                }
            }
        })
        .collect()
}

/// Lists, reads and parses the day files of consecutive channels with one buffer and one
/// set of column builders.
///
/// Strict, the first error ends the load, so a run that fails says so in
/// `first_failed` (the lowest failed run's number) and later runs stop early; earlier
/// runs go on, as one of them may hold an error that comes first.
fn parse_run(
    channels: &[Channel],
    indices: &[usize],
    options: &LoadOptions,
    mut source: impl DaySource,
    (number, first_failed): (usize, &AtomicUsize),
) -> Result<DayRun> {
    let strict = options.strict;
    let mut out = MessagesBuilder::new(options.lean);
    let (mut buf, mut shown) = (Vec::new(), PathBuf::new());
    let mut activity = Vec::with_capacity(indices.len());
    let mut outcomes = Vec::new();
    for &index in indices {
        if strict && first_failed.load(Ordering::Relaxed) < number {
            break;
        }
        let channel = &channels[index];
        let mut seen = ChannelActivity::default();
        // A name that is not a plain folder name cannot have a folder of its own.
        if safe_folder_name(&channel.name) {
            let days = match source.open(&channel.name) {
                Ok(days) => days,
                Err(e) => {
                    if strict {
                        first_failed.fetch_min(number, Ordering::Relaxed);
                    }
                    outcomes.push((channel.name.clone(), Err(e)));
                    vec![]
                }
            };
            for day in days {
                source.show(&channel.name, &day.name, &mut shown);
                let outcome = match source.read(&channel.name, &day, &shown, &mut buf) {
                    Ok(true) => parse_day(&shown, &buf, &channel.id, strict, &mut seen, &mut out),
                    Ok(false) => Err(Error::Vanished {
                        path: shown.clone(),
                    }),
                    Err(e) => Err(e),
                };
                if strict && outcome.is_err() {
                    first_failed.fetch_min(number, Ordering::Relaxed);
                }
                // Only what is worth a warning (or an error) is kept.
                if !matches!(&outcome, Ok(skips) if skips.count == 0) {
                    outcomes.push((format!("{}/{}", channel.name, day.name), outcome));
                }
            }
        }
        activity.push((index, seen));
    }
    Ok(DayRun {
        messages: out.finish()?,
        activity,
        outcomes,
    })
}

/// A list entry or message that was skipped: why, and the names it went by.
struct Skip {
    why: String,
    names: Vec<String>,
}

/// The `name` and `id` of a list entry, where it has them.
fn names_of(v: &Value) -> Vec<String> {
    ["name", "id"]
        .iter()
        .filter_map(|k| v.get(k).and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// The entries of a top-level JSON list. Lenient: entries that do not fit `T` are
/// skipped and described; strict, or when the file is not a JSON list, an error.
fn parse_list<T: DeserializeOwned + Send>(
    shown: &Path,
    bytes: &[u8],
    strict: bool,
) -> Result<(Vec<T>, Vec<Skip>)> {
    let text = std::str::from_utf8(bytes).ok();
    if let Some(list) = text.and_then(parse_in_parts) {
        return Ok((list, vec![]));
    }
    let first_err = match text_first::<Vec<T>>(bytes, text) {
        Ok(list) => return Ok((list, vec![])),
        Err(e) if strict || !e.is_data() => return Err(Error::json(shown, &e)),
        Err(e) => e,
    };
    // Again, an entry at a time: one that does not fit is skipped.
    let (mut list, mut skips) = (Vec::new(), Vec::new());
    for_each_element(bytes, |i, v| {
        let names = names_of(&v);
        match T::deserialize(&v) {
            Ok(t) => list.push(t),
            Err(e) => {
                // The first pass stopped at the first bad entry, with line and column.
                let e = if skips.is_empty() { &first_err } else { &e };
                let name = names
                    .first()
                    .map_or(String::new(), |n| format!(" ({})", shorten(n)));
                skips.push(Skip {
                    why: format!("entry {i}{name}: {e}"),
                    names,
                });
            }
        }
    })
    .map_err(|_| Error::json(shown, &first_err))?;
    Ok((list, skips))
}

/// `users.json`'s entries, without what the crate does not read when `lean`.
fn parse_users(
    shown: &Path,
    bytes: &[u8],
    strict: bool,
    lean: bool,
) -> Result<(Vec<User>, Vec<Skip>)> {
    if !lean {
        return parse_list::<User>(shown, bytes, strict);
    }
    let (users, skips) = parse_list::<LeanUser>(shown, bytes, strict)?;
    Ok((users.into_iter().map(|user| user.0).collect(), skips))
}

/// Parses JSON `bytes` as `text` when they are (checked as UTF-8 once, which parses
/// faster than serde's check of string after string: a quarter less time for
/// `users.json`), else as bytes, for serde's error with line and column.
fn text_first<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    text: Option<&'a str>,
) -> serde_json::Result<T> {
    match text {
        Some(text) => serde_json::from_str(text),
        None => serde_json::from_slice(bytes),
    }
}

/// A large top-level JSON list of objects parsed in parts on all cores (a company's
/// `channels.json` holds tens of megabytes); `None` when it is small, or when a part does
/// not parse, and the caller then parses it whole, with its errors and skips.
///
/// The list is cut before an object that follows a comma: a `{` between a `,` and a `"`
/// (whitespace aside), found by a fast search. Should those bytes be inside a string
/// (whose end that `"` would be) or open an object nested deeper, a part's string or
/// brackets are left open, so it fails to parse and the list is parsed whole.
fn parse_in_parts<T: DeserializeOwned + Send>(text: &str) -> Option<Vec<T>> {
    const LARGE: usize = 4 << 20;
    let parts = rayon::current_num_threads();
    let bytes = text.as_bytes();
    if bytes.len() < LARGE || parts < 2 {
        return None;
    }
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let last = bytes.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if (bytes[first], bytes[last]) != (b'[', b']') {
        return None;
    }
    // Every cut below falls next to an ASCII byte, so each part is text too.
    let inside = &text[first + 1..last];
    let bytes = inside.as_bytes();
    // Where each part starts within `inside`, and where it ends: at the comma after it.
    let (mut starts, mut ends) = (vec![0], vec![]);
    for k in 1..parts {
        let from = (inside.len() * k / parts).max(starts[starts.len() - 1] + 1);
        let cut = memchr::memchr_iter(b'{', &bytes[from..]).find_map(|at| {
            let at = from + at;
            let before = bytes[..at].iter().rposition(|b| !b.is_ascii_whitespace())?;
            let after = bytes[at + 1..].iter().find(|b| !b.is_ascii_whitespace());
            (bytes[before] == b',' && after == Some(&b'"')).then_some((before, at))
        });
        let Some((comma, start)) = cut else { break };
        ends.push(comma);
        starts.push(start);
    }
    ends.push(inside.len());
    let bounds: Vec<(usize, usize)> = starts.into_iter().zip(ends).collect();
    let lists: Vec<Vec<T>> = bounds
        .par_iter()
        .map(|&(start, end)| parse_elements(&inside[start..end]))
        .collect::<Option<_>>()?;
    // Moved once into a list of the right size (a flattening collect grows it by copies).
    let mut all = Vec::with_capacity(lists.iter().map(Vec::len).sum());
    for list in lists {
        all.extend(list);
    }
    Some(all)
}

/// The comma-separated values of a part of a list, parsed where they lie (not copied
/// between brackets first); `None` unless the whole part is such values.
fn parse_elements<T: DeserializeOwned>(part: &str) -> Option<Vec<T>> {
    let mut list = Vec::new();
    let mut rest = part;
    loop {
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        list.push(values.next()?.ok()?);
        // JSON's whitespace only: anything else between values is not a list.
        rest = rest[values.byte_offset()..].trim_start_matches([' ', '\t', '\n', '\r']);
        match rest.strip_prefix(',') {
            Some(after) => rest = after,
            None => return rest.is_empty().then_some(list),
        }
    }
}

/// Deserializes a top-level JSON list one element at a time, so that one element that
/// does not fit a type can be skipped while memory stays that of one element.
fn for_each_element(bytes: &[u8], each: impl FnMut(usize, Value)) -> serde_json::Result<()> {
    struct Each<F>(F);
    impl<'de, F: FnMut(usize, Value)> Visitor<'de> for Each<F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while let Some(v) = seq.next_element::<Value>()? {
                (self.0)(i, v);
                i += 1;
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde::Deserializer::deserialize_seq(&mut de, Each(each))?;
    de.end()
}

/// Messages of one day file that were skipped: how many, and why the first was.
#[derive(Debug, Default)]
pub struct DaySkips {
    pub count: usize,
    pub first: Option<String>,
}

impl DaySkips {
    fn add(&mut self, why: impl FnOnce() -> String) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(why());
        }
    }
}

/// Parses one day file's bytes (shown as `shown` in messages) into the message columns
/// and the channel's activity.
///
/// Lenient (`strict` false): messages without a usable `ts` or with fields of the wrong
/// type are skipped and counted; strict: the first is an error. A file that is not a JSON
/// list is an error either way, and then none of its messages is added.
pub fn parse_day(
    shown: &Path,
    bytes: &[u8],
    channel_id: &str,
    strict: bool,
    activity: &mut ChannelActivity,
    out: &mut MessagesBuilder,
) -> Result<DaySkips> {
    let mut skips = DaySkips::default();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(skips); // an empty day file holds no messages
    }
    let mut accept = |i: usize, view: &MessageView, skips: &mut DaySkips| -> Result<()> {
        match message_time(view) {
            Ok(time) => {
                activity.record(time, view.subtype.as_deref());
                out.push(channel_id, view, time);
            }
            Err(message) if strict => {
                return Err(Error::Field {
                    path: shown.to_path_buf(),
                    field: "ts".into(),
                    message,
                })
            }
            Err(message) => skips.add(|| format!("message {i}: `ts` {message}")),
        }
        Ok(())
    };

    // The common case: every message fits, and strings are borrowed from `bytes`.
    let views = text_first::<Vec<MessageView>>(bytes, std::str::from_utf8(bytes).ok());
    let first_err = match views {
        Ok(views) => {
            for (i, view) in views.iter().enumerate() {
                accept(i, view, &mut skips)?;
            }
            return Ok(skips);
        }
        Err(e) if strict || !e.is_data() => return Err(Error::json(shown, &e)),
        Err(e) => e,
    };
    // Some message does not fit: again, a message at a time, keeping those that do.
    // Nothing is added until the whole file has parsed.
    let mut views: Vec<(usize, MessageView<'static>)> = Vec::new();
    for_each_element(bytes, |i, v| match MessageView::deserialize(&v) {
        Ok(view) => views.push((i, owned(view))),
        Err(e) => {
            let e = if skips.count == 0 { &first_err } else { &e };
            skips.add(|| format!("message {i}: {e}"));
        }
    })
    .map_err(|_| Error::json(shown, &first_err))?;
    let mut time_skips = DaySkips::default();
    for (i, view) in &views {
        accept(*i, view, &mut time_skips)?;
    }
    skips.count += time_skips.count;
    skips.first = skips.first.or(time_skips.first);
    Ok(skips)
}

/// The time of a message, or why its `ts` is not one.
fn message_time(view: &MessageView) -> std::result::Result<TsKey, String> {
    plausible_ts(&view.ts).ok_or_else(|| {
        format!(
            "`{}` is not a Slack timestamp (seconds.micros, 1970-2100)",
            shorten(&view.ts)
        )
    })
}

/// At most 40 characters of a value for a message (a hostile `ts` can be megabytes).
fn shorten(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &s[..at]).into(),
        None => s.into(),
    }
}

/// A view that owns its strings, to outlive the value it was read from.
fn owned(v: MessageView) -> MessageView<'static> {
    let own = |s: Option<Cow<str>>| s.map(|s| Cow::Owned(s.into_owned()));
    MessageView {
        ts: Cow::Owned(v.ts.into_owned()),
        user: own(v.user),
        subtype: own(v.subtype),
        text: own(v.text),
        thread_ts: own(v.thread_ts),
    }
}

/// Column builders the loader streams messages into, so that each string is copied
/// once, from the file into the frame.
pub struct MessagesBuilder {
    channel_id: StringChunkedBuilder,
    time: Vec<i64>,
    user: StringChunkedBuilder,
    subtype: StringChunkedBuilder,
    text: StringChunkedBuilder,
    /// `ts` and `thread_ts`; none when lean (see [`LoadOptions::lean`]).
    ids: Option<(StringChunkedBuilder, StringChunkedBuilder)>,
}

impl Default for MessagesBuilder {
    fn default() -> Self {
        MessagesBuilder::new(false)
    }
}

impl MessagesBuilder {
    /// Builders of every column, or when `lean` of what the incident frames read.
    pub fn new(lean: bool) -> Self {
        let b = |name: &str| StringChunkedBuilder::new(name.into(), 1024);
        MessagesBuilder {
            channel_id: b("channel_id"),
            time: Vec::with_capacity(1024),
            user: b("user"),
            subtype: b("subtype"),
            text: b("text"),
            ids: (!lean).then(|| (b("ts"), b("thread_ts"))),
        }
    }

    /// Appends one message of channel `channel_id` posted at `time` (see
    /// [`crate::time::plausible_ts`]).
    pub fn push(&mut self, channel_id: &str, m: &MessageView, time: TsKey) {
        self.channel_id.append_value(channel_id);
        self.time.push(ts_millis(time));
        self.user.append_option(m.user.as_deref());
        self.subtype.append_option(m.subtype.as_deref());
        let text = m.text.as_deref().unwrap_or("");
        match &mut self.ids {
            Some((ts, thread_ts)) => {
                ts.append_value(&*m.ts);
                thread_ts.append_option(m.thread_ts.as_deref());
                self.text.append_value(text);
            }
            None => {
                let flags = || is_update(m.subtype.as_deref()) && phrases::may_flag(text);
                self.text.append_option(Some(text).filter(|_| flags()));
            }
        }
    }

    /// The messages frame: `channel_id`, `ts`, `time`, `user`, `subtype`, `text`,
    /// `thread_ts`.
    pub fn finish(self) -> Result<DataFrame> {
        let height = self.time.len();
        let time = Series::new("time".into(), self.time)
            .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
            .into_column();
        let (ts, thread_ts) = match self.ids {
            Some((ts, thread_ts)) => (ts.finish().into_column(), thread_ts.finish().into_column()),
            None => {
                let null = |name: &str| Column::full_null(name.into(), height, &DataType::String);
                (null("ts"), null("thread_ts"))
            }
        };
        Ok(DataFrame::new_infer_height(vec![
            self.channel_id.finish().into_column(),
            ts,
            time,
            self.user.finish().into_column(),
            self.subtype.finish().into_column(),
            self.text.finish().into_column(),
            thread_ts,
        ])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(json: &str, strict: bool) -> (Result<DaySkips>, DataFrame, ChannelActivity) {
        let mut out = MessagesBuilder::default();
        let mut activity = ChannelActivity::default();
        let r = parse_day(
            Path::new("x/2016-08-09.json"),
            json.as_bytes(),
            "C1",
            strict,
            &mut activity,
            &mut out,
        );
        (r, out.finish().unwrap(), activity)
    }

    fn ts_column(df: &DataFrame) -> Vec<String> {
        let ts = df.column("ts").unwrap().str().unwrap();
        ts.iter().map(|t| t.unwrap().to_string()).collect()
    }

    #[test]
    fn bad_messages_are_skipped_and_counted() {
        let json = r#"[{"ts": "1470700801.000100", "text": "ok"},
                       {"ts": {"no": 1}, "text": "bad type"},
                       {"ts": "5000000000.000000"},
                       "not a message",
                       {"ts": 1470700802.0002, "user": "U1"}]"#;
        let (r, df, activity) = day(json, false);
        let skips = r.unwrap();
        assert_eq!(skips.count, 3);
        let first = skips.first.unwrap();
        assert!(
            first.starts_with("message 1:") && first.contains("line 2"),
            "{first}"
        );
        assert_eq!(ts_column(&df), ["1470700801.000100", "1470700802.000200"]);
        assert_eq!(activity.message_count, 2);
    }

    #[test]
    fn strict_stops_at_the_first_bad_message() {
        let (r, ..) = day(r#"[{"ts": "1.0"}, {"ts": []}]"#, true);
        assert!(matches!(r, Err(Error::Json { line: 1, .. })), "{r:?}");
        let (r, ..) = day(r#"[{"ts": "-1"}]"#, true);
        let err = r.unwrap_err().to_string();
        assert!(err.contains("`ts`") && err.contains("`-1`"), "{err}");
    }

    #[test]
    fn a_broken_file_adds_nothing() {
        for json in [
            r#"[{"ts": "1470700801.000100"}, {"ts": 5}, tru"#,
            r#"{"ts": "1470700801.000100"}"#,
            // Deeper than serde_json's recursion limit, in a message read again as a value.
            format!(
                "[{{\"ts\": \"1470700801.000100\"}}, {{\"ts\": [], \"x\": {}{}}}]",
                "[".repeat(200),
                "]".repeat(200)
            )
            .as_str(),
        ] {
            let (r, df, activity) = day(json, false);
            assert!(r.is_err(), "{json}");
            assert_eq!((df.height(), activity.message_count), (0, 0));
        }
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let ts = "9".repeat(100_000);
        let (r, ..) = day(&format!(r#"[{{"ts": "{ts}"}}]"#), false);
        let first = r.unwrap().first.unwrap();
        assert!(first.len() < 200, "{first}");
    }

    #[test]
    fn lists_skip_entries_that_do_not_fit() {
        let json = br#"[{"id": "U1", "name": "ana"}, {"id": 5, "name": "bo"}, {"id": "U3"}]"#;
        let (users, skips) = parse_list::<User>(Path::new("users.json"), json, false).unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(skips.len(), 1);
        assert!(
            skips[0].why.starts_with("entry 1 (bo):"),
            "{}",
            skips[0].why
        );
        assert!(parse_list::<User>(Path::new("users.json"), json, true).is_err());
    }

    fn write_export(dir: &Path, day: &str) {
        let channels = r#"[{"id": "C1", "name": "issue-a", "created": "1470700800",
                           "topic": {"value": "", "last_set": "1470700800"}}]"#;
        std::fs::write(dir.join("channels.json"), channels).unwrap();
        std::fs::create_dir_all(dir.join("issue-a")).unwrap();
        std::fs::write(dir.join("issue-a/2016-08-09.json"), day).unwrap();
        std::fs::create_dir_all(dir.join("ghost")).unwrap();
        std::fs::write(dir.join("ghost/2016-08-09.json"), "[]").unwrap();
    }

    #[test]
    fn numeric_strings_load_and_unlisted_folders_warn() {
        let tmp = tempfile::tempdir().unwrap();
        write_export(tmp.path(), r#"[{"ts": "1470700801.000100"}]"#);
        let ws = load(tmp.path()).unwrap();
        assert_eq!(ws.channels[0].created, 1470700800);
        assert_eq!(ws.channels[0].topic.last_set, 1470700800);
        assert_eq!(ws.messages.height(), 1);
        assert_eq!(ws.warnings.len(), 1);
        assert_eq!(ws.warnings[0].what, Skipped::UnlistedFolder);
        assert!(ws.warnings[0].to_string().contains("ghost"));
    }

    /// A list of `n` channels, large enough to be parsed in parts, whose topics hold
    /// `topic`.
    fn large_list(n: usize, topic: &str) -> String {
        let one = |i: usize| {
            json!({"id": format!("C{i}"), "name": format!("issue-{i}"), "created": 1470700800,
                   "topic": {"value": topic, "creator": "U1", "last_set": 0},
                   "members": ["U1", "U2"]})
        };
        serde_json::to_string_pretty(&(0..n).map(one).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn a_large_list_parses_the_same_in_parts() {
        let names = |list: &[Channel]| list.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        let cuts = [
            "",
            "a string that looks like a cut: x,{ \"id\": 1}, ,{ \"",
            // Letters of two to four bytes all through the list: a part's search starts
            // inside some of them, and its cuts still fall between whole letters.
            "Café down — 🔥 Überweisungen ,{ \"",
        ];
        for topic in cuts {
            let text = large_list(20_000, topic);
            assert!(text.len() > 4 << 20);
            let parts: Vec<Channel> = parse_in_parts(&text).expect("cut in parts");
            let whole: Vec<Channel> = serde_json::from_str(&text).unwrap();
            assert_eq!(names(&parts), names(&whole));
            assert_eq!(parts[19_999].topic.value, topic);
            // Compact, with no whitespace to skip.
            let compact = serde_json::to_string(&whole).unwrap();
            let parts: Vec<Channel> = parse_in_parts(&compact).unwrap();
            assert_eq!(names(&parts), names(&whole));
        }
    }

    #[test]
    fn a_part_is_values_between_commas_and_nothing_else() {
        let part = |text: &str| parse_elements::<serde_json::Value>(text);
        let values = part(" 1 ,\n{\"a\": [2]},\t\"x\"\r\n").expect("a part");
        assert_eq!(values, [json!(1), json!({"a": [2]}), json!("x")]);
        // What a list between brackets would refuse, a part refuses too.
        for bad in [
            "1,",
            "1,,2",
            "1 2",
            "{}{}",
            "1,\u{a0}2",
            "1\u{0c},2",
            "{\"a\": 1",
        ] {
            assert!(part(bad).is_none(), "{bad:?}");
            let bracketed = format!("[{bad}]");
            assert!(serde_json::from_str::<Vec<serde_json::Value>>(&bracketed).is_err());
        }
    }

    #[test]
    fn a_list_that_cannot_be_cut_is_parsed_whole() {
        // Objects nested in a list of their own, after commas: a cut there leaves a
        // part's brackets open, so the parts are given up.
        let nested = format!(
            "[{{\"id\": \"C1\", \"name\": \"a\", \"created\": 1, \"pins\": [{}]}}]",
            vec![r#"{"x": 1}"#; 400_000].join(", ")
        );
        assert!(parse_in_parts::<Channel>(&nested).is_none());
        let (list, skips) =
            parse_list::<Channel>(Path::new("c.json"), nested.as_bytes(), true).unwrap();
        assert_eq!((list.len(), skips.len()), (1, 0));
        // A string that ends in a cut's bytes leaves a part's string open.
        let tricky = large_list(20_000, "ends in a comma and a brace: ,{ ");
        let whole: Vec<Channel> = serde_json::from_str(&tricky).unwrap();
        let (list, _) =
            parse_list::<Channel>(Path::new("c.json"), tricky.as_bytes(), true).unwrap();
        assert_eq!(list.len(), whole.len());
        // One entry that does not fit: skipped, as in a whole parse.
        let bad = large_list(20_000, "").replacen("\"created\": 1470700800", "\"created\": []", 1);
        let (list, skips) =
            parse_list::<Channel>(Path::new("c.json"), bad.as_bytes(), false).unwrap();
        assert_eq!((list.len(), skips.len()), (19_999, 1));
    }

    #[test]
    fn a_list_that_is_not_utf8_is_refused_with_its_place() {
        let mut bytes = large_list(20_000, "ok").into_bytes();
        let at = bytes.len() / 2
            + bytes[bytes.len() / 2..]
                .iter()
                .position(|&b| b == b'k')
                .unwrap();
        bytes[at] = 0xff; // a topic's "ok" is no longer text
        for strict in [true, false] {
            let Err(err) = parse_list::<Channel>(Path::new("channels.json"), &bytes, strict) else {
                panic!("a list that is not UTF-8 parsed");
            };
            let err = err.to_string();
            assert!(
                err.contains("channels.json") && err.contains("line"),
                "{err}"
            );
        }
    }

    #[test]
    fn the_folders_of_skipped_channels_are_not_unlisted() {
        let tmp = tempfile::tempdir().unwrap();
        write_export(tmp.path(), "[]");
        // One channel with an implausible creation, one that is not a channel at all.
        let channels = r#"[{"id": "C1", "name": "issue-a", "created": 1470700800},
                           {"id": "C2", "name": "issue-b", "created": -5},
                           {"id": "C3", "name": "issue-c", "created": []}]"#;
        std::fs::write(tmp.path().join("channels.json"), channels).unwrap();
        for folder in ["issue-b", "issue-c"] {
            std::fs::create_dir_all(tmp.path().join(folder)).unwrap();
            std::fs::write(tmp.path().join(folder).join("2016-08-09.json"), "[]").unwrap();
        }
        let ws = load(tmp.path()).unwrap();
        let mut unlisted = ws
            .warnings
            .iter()
            .filter(|w| w.what == Skipped::UnlistedFolder);
        let ghost = unlisted.next().expect("the ghost folder is unlisted");
        assert!(ghost.file.ends_with("ghost"), "{ghost}");
        assert_eq!(unlisted.next(), None);
        let skipped = ws.warnings.iter().filter(|w| w.what == Skipped::Channels);
        assert_eq!(skipped.map(|w| w.count).sum::<usize>(), 2);
    }

    #[test]
    fn files_over_the_limit_are_refused_by_name() {
        let tmp = tempfile::tempdir().unwrap();
        write_export(tmp.path(), &format!("[{}]", " ".repeat(5000)));
        let options = LoadOptions {
            max_file_bytes: 1000,
            ..LoadOptions::default()
        };
        let ws = load_with(tmp.path(), &options).unwrap();
        let w = &ws.warnings[0];
        assert_eq!(w.what, Skipped::File);
        assert!(
            w.why.contains("2016-08-09.json") && w.why.contains("1000 bytes"),
            "{w}"
        );
        let strict = LoadOptions {
            strict: true,
            ..options
        };
        let err = load_with(tmp.path(), &strict).err().unwrap().to_string();
        assert!(err.contains("2016-08-09.json"), "{err}");
    }
}
