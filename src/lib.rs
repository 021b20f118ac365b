//! # incident-channels
//!
//! Turns a Slack workspace's incident channels (`#issue-<topic>-<ddmm>`) into polars
//! DataFrames and answers "how are we doing at incidents?".
//!
//! The modules follow the data flow:
//!
//! ```text
//! slack (Web API, sync) ─▶ export (on-disk layout, read/write) ─▶ Workspace
//!   ─▶ frames (polars; the rules of `incidents` applied) ─▶ analysis ─▶ plot ─▶ publish
//! ```
//!
//! Each layer imports only the ones before it: `incidents` holds the naming and SOP
//! rules the frames apply, `time` and `error` are shared by all and import nothing of
//! ours.
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
    pub use crate::analysis::metrics::{self, summary};
    pub use crate::analysis::post::{self, OpenAt, PostFigures, PostOptions};
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
