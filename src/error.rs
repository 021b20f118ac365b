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

    #[error("{path}: {what} more than the limit of {limit} bytes per file; refused so that it cannot exhaust memory (raise LoadOptions::max_file_bytes if the file is genuine)")]
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

    #[error("{path}: cannot read the zip archive: {message}")]
    Zip { path: PathBuf, message: String },

    #[error("{path}: field `{field}` is invalid: {message}")]
    Field {
        path: PathBuf,
        field: String,
        message: String,
    },

    #[error("no channel name starts with `{prefix}` among {total} channels; check --prefix (names are matched without the leading #)")]
    NoMatchingChannels { prefix: String, total: usize },

    #[error(
        "unknown time zone `{0}`; use an IANA name such as UTC, Europe/Berlin or America/New_York"
    )]
    UnknownTimeZone(String),

    #[error("{0}")]
    Invalid(String),

    #[error(transparent)]
    Slack(#[from] SlackError),

    #[error(transparent)]
    Polars(#[from] polars::error::PolarsError),
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

/// Why a call failed, with what to do about it. Never holds the token.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error("SLACK_TOKEN is not set: create a Slack app with the channels:read, channels:history and users:read scopes, install it, and export its token as SLACK_TOKEN")]
    NoToken,
    #[error("{method}: Slack answered `{code}`: {hint}")]
    Api {
        method: &'static str,
        code: String,
        hint: String,
    },
    #[error("{method}: still rate limited after {attempts} HTTP 429 answers; try again later")]
    RateLimited { method: &'static str, attempts: u32 },
    #[error("{method}: {message} (after {attempts} attempts to reach {base})")]
    Transport {
        method: &'static str,
        base: String,
        attempts: u32,
        message: String,
    },
    #[error("SLACK_API_URL {base} is plain http: the token would travel unencrypted; use https (plain http is allowed on loopback only)")]
    InsecureUrl { base: String },
    #[error("{method}: HTTP {status} from {base}; is SLACK_API_URL right?")]
    Status {
        method: &'static str,
        base: String,
        status: u16,
    },
}
