//! # incident-channels
//!
//! Turns a Slack workspace's incident channels (`#issue-<topic>-<ddmm>`) into polars
//! DataFrames and answers "how are we doing at incidents?".
//!
//! The modules follow the data's path:
//!
//! ```text
//!   Slack Web API ─ slack (sync) ─┐
//!   admin's export (.zip/folder) ─┼─▶ export (the on-disk layout: read, write) ─▶ Workspace
//!   generate (sample, benchmarks) ┘
//!   Workspace ─▶ frames (polars; the `incidents` rules applied) ─▶ analysis (queries)
//!             ─▶ plot (charts, tables, prose) ─▶ publish (posts, the report)
//! ```
//!
//! Imports run one way, against the arrows' sources: `export` is the format every
//! producer writes and the frames read, so `slack` and `generate` import it and nothing
//! after it; `frames` imports `export`; `analysis` imports `frames`; `plot` imports
//! `analysis`; `publish` imports `plot`. Below them all, `incidents` (naming and SOP
//! rules), `time`, `secret` and `error` import nothing of ours but `time` and `error`.
//!
//! `generate` makes deterministic workspaces in the same layout (the bundled sample and
//! large ones for benchmarks). Everything a notebook or the CLI needs is in [`prelude`].

pub mod analysis;
pub mod error;
pub mod export;
pub mod frames;
pub mod generate;
pub mod incidents;
pub mod measure;
pub mod plot;
pub mod publish;
pub mod secret;
pub mod slack;
mod threads;
pub mod time;

/// One `use incident_channels::prelude::*;` gives a notebook everything it needs.
pub mod prelude {
    pub use crate::analysis::audit::{self, AuditOptions};
    pub use crate::analysis::estimates::{self, Estimate, EstimateAccuracy};
    pub use crate::analysis::metrics::{self, summary, summary_with, LoadRule};
    pub use crate::analysis::period::Period;
    pub use crate::analysis::phases::Phase;
    pub use crate::analysis::post::{self, OpenAt, PostFigures, PostOptions};
    pub use crate::analysis::recurrence::{self, Recurrence};
    pub use crate::analysis::severity::{self, SeverityRules};
    pub use crate::error::{Error, Result};
    pub use crate::export::{load, load_with, ChannelFilter, LoadOptions, Workspace};
    pub use crate::frames::{
        channels_frame, elapsed, instant_lit, local_date, messages_frame, span_lit, users_frame,
        IncidentFrames, JoinOn,
    };
    pub use crate::generate::{generate, GenerateOptions};
    pub use crate::incidents::Convention;
    pub use crate::plot::{
        charts, markdown, prose, show_times_in, Chart, FrameDisplay, Markdown, Table,
    };
    pub use crate::slack::token::Token;
    pub use crate::time::{fmt_time, parse_as_of, parse_day, parse_tz, Instant};
    pub use chrono::{Duration as TimeSpan, NaiveDate};
    pub use chrono_tz::Tz;
    pub use polars::prelude::*;
}
