//! # incident-channels
//!
//! Turns a Slack workspace's incident channels (`#issue-<topic>-<ddmm>`) into polars
//! DataFrames and answers "how are we doing at incidents?".
//!
//! The modules follow the data flow:
//!
//! ```text
//! slack (Web API model) ─▶ export (on-disk layout, read/write) ─▶ Workspace
//!   ─▶ incidents (naming convention, archive times) ─▶ frames (polars) ─▶ analysis
//! ```
//!
//! `generate` makes deterministic workspaces in the same layout (the bundled sample and
//! large ones for benchmarks). Everything a notebook or the CLI needs is in [`prelude`].

pub mod analysis;
pub mod error;
pub mod export;
pub mod frames;
pub mod generate;
pub mod incidents;
pub mod plot;
pub mod publish;
pub mod secret;
pub mod slack;
pub mod time;

/// One `use incident_channels::prelude::*;` gives a notebook everything it needs.
pub mod prelude {
    pub use crate::analysis::post::{OpenAt, PostFigures, PostOptions};
    pub use crate::error::{Error, Result};
    pub use crate::export::{load, load_with, LoadOptions, Workspace};
    pub use crate::frames::{channels_frame, incidents_frame, messages_frame};
    pub use crate::generate::{generate, GenerateOptions};
    pub use crate::incidents::{find_incidents, Incident};
    pub use crate::plot::{Chart, FrameDisplay, Table};
    pub use crate::time::{parse_tz, Instant};
    pub use chrono::{Duration as TimeSpan, NaiveDate};
    pub use chrono_tz::Tz;
    pub use polars::prelude::*;
}
