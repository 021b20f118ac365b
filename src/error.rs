//! The library's error types: every variant names the file, field or channel at fault
//! and, where there is one, what the user can do about it.

use std::path::PathBuf;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong between a Slack export on disk and a figure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: no such file or folder; give the path of a Slack export folder or .zip")]
    NotFound { path: PathBuf },

    #[error("{path}: not a Slack export (no channels.json found); point at the folder or .zip that contains channels.json")]
    NotAnExport { path: PathBuf },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}: {message} at line {line}, column {column}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{path}: is a {kind}, not a regular file; an export holds plain files only, and reading this one could block or never end (replace it with the real file)")]
    NotAFile { path: PathBuf, kind: &'static str },

    #[error("{path}: is not a folder, so the channel's messages were not read; an export keeps each channel's day files in a folder named after it (move this file away, or replace it with the channel's folder)")]
    NotAFolder { path: PathBuf },

    #[error("{path}: {what} more than the limit of {limit} bytes per file; refused so that it cannot exhaust memory (if the file is genuine, raise the limit: `report --max-file-mb`, or LoadOptions::max_file_bytes)")]
    TooLarge {
        path: PathBuf,
        /// "is", "grew to" or "declares": how the size was found out.
        what: &'static str,
        limit: u64,
    },

    #[error(
        "{path}: refused: {message}; if you trust this zip, unzip it and give the folder instead"
    )]
    ZipBomb { path: PathBuf, message: String },

    /// Like [`Error::ZipBomb`], for the zip as a whole: no file of it can be read any more,
    /// so a lenient load stops too.
    #[error(
        "{path}: refused: {message}; if you trust this zip, unzip it and give the folder instead"
    )]
    ZipTotal { path: PathBuf, message: String },

    #[error("{path}: cannot read the zip archive: {message}")]
    Zip { path: PathBuf, message: String },

    #[error("{path}: field `{field}` is invalid: {message}")]
    Field {
        path: PathBuf,
        field: String,
        message: String,
    },

    #[error("no incident channels ({convention}) among {total} channels; check --prefix or --match (names are matched without the leading #)")]
    NoMatchingChannels { convention: String, total: usize },

    #[error(
        "unknown time zone `{0}`; use an IANA name such as UTC, Europe/Berlin or America/New_York"
    )]
    UnknownTimeZone(String),

    #[error("{path}: listed in its folder but gone when read; was the export changed while it was read? read it again")]
    Vanished { path: PathBuf },

    #[error("{path} is {kind}: sync writes only into folders of the export's own, so that it never writes or removes files elsewhere; replace it with a folder (or remove it) and sync again")]
    NotOwnFolder { path: PathBuf, kind: &'static str },

    #[error("{path} is not a regular file; remove it and sync again")]
    LockNotAFile { path: PathBuf },

    #[error("#{channel} was renamed, but its new folder {path} already exists; move one of them away and sync again")]
    RenameClash { channel: String, path: PathBuf },

    /// An answer that is JSON but not what Slack sends; `detail` is redacted.
    #[error("{method} {detail}; is SLACK_API_URL a Slack Web API?")]
    NotSlack { method: String, detail: String },

    #[error("{path}: folder is not empty; generate into a new or empty folder")]
    NotEmpty { path: PathBuf },

    #[error(
        "cannot listen on 127.0.0.1:{port}: {source}; pick another --port (0 takes any free one)"
    )]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot encode the chart as PNG: {0}")]
    Png(#[from] png::EncodingError),

    #[error("cannot draw the chart: {message}")]
    Draw { message: String },

    #[error("cannot write the report as JSON: {0}")]
    ReportJson(#[source] serde_json::Error),

    #[error("no incident channels to compute the figures of; check the convention (--prefix or --match)")]
    NoIncidents,

    #[error("`{text}` is not a YYYY-MM-DD date ({source})")]
    Day {
        text: String,
        #[source]
        source: chrono::ParseError,
    },

    #[error("--match `{pattern}`: unknown group `{group}`; name groups topic, date or number")]
    UnknownGroup { pattern: String, group: String },

    /// A pattern (`--match`, a severity rule…) that is not a valid regex.
    #[error("{rule} `{pattern}` is not a valid regex: {}", one_line(.source))]
    Pattern {
        rule: &'static str,
        pattern: String,
        #[source]
        source: regex::Error,
    },

    /// A notebook parameter (or the option it mirrors) that cannot be read.
    #[error("{name} `{value}`: {expected}")]
    Parameter {
        name: &'static str,
        value: String,
        expected: &'static str,
    },

    #[error("{path} is in use by another sync ({holder}); wait for it to end, or stop it, and sync again")]
    Locked { path: PathBuf, holder: String },

    #[error(transparent)]
    Slack(#[from] SlackError),

    #[error(transparent)]
    Publish(#[from] PublishError),

    #[error(transparent)]
    Polars(#[from] polars::error::PolarsError),
}

/// A multi-line message (regex errors point at the fault on a line of their own) as one line.
fn one_line(e: &dyn std::fmt::Display) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Wraps a serde_json error with the file it happened in, keeping line and column,
    /// and telling broken JSON from valid JSON of the wrong shape.
    pub fn json(path: impl Into<PathBuf>, err: &serde_json::Error) -> Self {
        let full = err.to_string();
        let position = format!(" at line {} column {}", err.line(), err.column());
        let bare = full.strip_suffix(&position).unwrap_or(&full);
        let what = if err.is_data() {
            "valid JSON but not what this file holds"
        } else {
            "invalid JSON"
        };
        Error::Json {
            path: path.into(),
            line: err.line(),
            column: err.column(),
            message: format!("{what}: {bare}"),
        }
    }
}

/// Why a call failed, with what to do about it. Never holds the token: the client passes
/// every error through [`SlackError::map_text`] with its redaction before handing it out.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error("SLACK_TOKEN is not set: create a Slack app from the project's slack/app-manifest.json (Slack's app page: Create New App, From an app manifest), install it to your workspace, and set its token (xoxp-… or xoxb-…, from OAuth & Permissions) as SLACK_TOKEN in the environment of the command or of Jupyter")]
    NoToken,
    #[error("{method}: Slack answered `{code}`: {hint}")]
    Api {
        method: &'static str,
        code: String,
        hint: String,
    },
    #[error("{method}: still rate limited after {attempts} HTTP 429 answers; try again later")]
    RateLimited { method: &'static str, attempts: u32 },
    #[error("{method}: the server asked to wait {:.0} s more after {:.0} s of waiting on this call, over the limit of {:.0} s per call; try again later", .asked.as_secs_f64(), .waited.as_secs_f64(), .limit.as_secs_f64())]
    WaitedTooLong {
        method: &'static str,
        waited: std::time::Duration,
        asked: std::time::Duration,
        limit: std::time::Duration,
    },
    #[error("{method}: {message} (after {attempts} attempts to reach {base})")]
    Transport {
        method: &'static str,
        base: String,
        attempts: u32,
        message: String,
    },
    #[error("{method}: {base} is too slow: {attempts} answers in a row did not arrive whole within {:.0} s each; the server is stalled or overloaded, try again later (or check SLACK_API_URL)", .timeout.as_secs_f64())]
    TooSlow {
        method: &'static str,
        base: String,
        attempts: u32,
        timeout: std::time::Duration,
    },
    #[error("a {setting} of {millis} ms cannot be used: give more than 0 and at most an hour (3600000 ms)")]
    Setting { setting: &'static str, millis: u128 },
    #[error("SLACK_API_URL {base} is plain http: the token would travel unencrypted; use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)")]
    InsecureUrl { base: String },
    #[error("SLACK_API_URL {base:?} cannot be used: {reason}")]
    InvalidUrl { base: String, reason: String },
    #[error("{method}: {base} redirected the call to {to}; the token is not sent where a server redirects, so point SLACK_API_URL at the API itself (if you trust that host)")]
    Redirected {
        method: &'static str,
        base: String,
        to: String,
    },
    #[error("{method}: HTTP {status} from {base}; is SLACK_API_URL right?")]
    Status {
        method: &'static str,
        base: String,
        status: u16,
    },
    #[error("{method}: the answer is larger than {limit} bytes, the most one answer may hold; stopped reading it")]
    TooLarge { method: &'static str, limit: u64 },
    #[error("{method}: the listing did not end after {pages} pages, the most one listing may take; the server keeps sending cursors, try again later")]
    TooManyPages { method: &'static str, pages: usize },
    #[error("{method}: page {page} came with a cursor the server had already sent; the listing would never end, try again later")]
    RepeatedCursor { method: &'static str, page: usize },
}

impl SlackError {
    /// The same error with `f` applied to every text it holds (for redaction).
    pub fn map_text(mut self, f: impl Fn(&str) -> String) -> Self {
        use SlackError::*;
        let map = |text: &mut String| *text = f(text);
        match &mut self {
            Api { code, hint, .. } => {
                map(code);
                map(hint);
            }
            Transport { base, message, .. }
            | InvalidUrl {
                base,
                reason: message,
            } => {
                map(base);
                map(message);
            }
            Redirected { base, to, .. } => {
                map(base);
                map(to);
            }
            InsecureUrl { base } | Status { base, .. } | TooSlow { base, .. } => map(base),
            NoToken
            | Setting { .. }
            | RateLimited { .. }
            | WaitedTooLong { .. }
            | TooLarge { .. }
            | TooManyPages { .. }
            | RepeatedCursor { .. } => {}
        }
        self
    }
}

/// Why a notebook was not published. Never holds a secret: paths and fields are
/// redacted, tokens shown only as their prefix.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path}: the notebook's path holds something shaped like a Slack token; rename the file (nothing was written)")]
    TokenInPath { path: String },
    #[error("{file}: {place} holds something shaped like a Slack token ({glimpse}) in `{field}`, {how}; remove it (read tokens from SLACK_TOKEN), run the notebook again and publish it then (nothing was written)")]
    Token {
        file: String,
        place: String,
        field: String,
        glimpse: String,
        how: String,
    },
    #[error("{file}: cannot check `{field}` of {place} for Slack tokens: {reason}; remove that output (nothing was written)")]
    Unchecked {
        file: String,
        place: String,
        field: String,
        reason: String,
    },
    #[error("{given_by} `{value}` is not a date: give one as YYYY-MM-DD, e.g. 2017-03-24 (nothing was written)")]
    Date {
        given_by: &'static str,
        value: String,
    },
    #[error("{file}: cell {cell}, output {output}: {mime} is not published because {reason}; draw it without script, event handlers or external references (nothing was written)")]
    UnsafeImage {
        file: String,
        cell: usize,
        output: usize,
        mime: &'static str,
        reason: String,
    },
    #[error("{folder}: {missing} is not there, so the post cannot carry interactive charts: install Vega with `scripts/setup.sh --interactive`, or name the node_modules folder that holds vega and vega-lite with --vega-libs (nothing was written)")]
    VegaMissing {
        folder: String,
        missing: &'static str,
    },
    #[error("{file}: metadata.post.{field} `{value}` is not a picture's address: give a relative path or an http(s) URL (nothing was written)")]
    ImageAddress {
        file: String,
        field: String,
        value: String,
    },
    #[error(
        "{file}: refusing to write {path} outside the site folder (nothing was written there)"
    )]
    OutsideSite { file: String, path: String },
    #[error("{file}: would write something shaped like a Slack token ({glimpse}) into {written}; nothing was written")]
    TokenInOutput {
        file: String,
        written: String,
        glimpse: String,
    },
}
