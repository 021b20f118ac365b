//! The command line: the post's analysis, the sample generator and (later) sync,
//! without Jupyter.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use incident_channels::analysis::post::{PostFigures, PostOptions};
use incident_channels::export::load;
use incident_channels::generate::{generate, GenerateOptions};
use incident_channels::time::{from_unix, parse_tz};

#[derive(Parser)]
#[command(
    name = "incident-channels",
    version,
    about = "How are we doing at incidents? Answers from a Slack workspace's incident channels."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The seed post's analysis of an export folder or .zip.
    Report {
        /// Slack export: a folder with channels.json, or the .zip Slack sends.
        dir: PathBuf,
        /// Incident channels are those whose name starts with this (no `#`).
        #[arg(long, default_value = "issue-")]
        prefix: String,
        /// IANA time zone in which days are counted.
        #[arg(long, default_value = "UTC")]
        tz: String,
        /// "Now", in Unix seconds; default: the newest time in the data.
        #[arg(long, value_name = "UNIX_SECONDS")]
        as_of: Option<i64>,
        /// Print one JSON object instead of the summary.
        #[arg(long)]
        json: bool,
    },
    /// Write a generated workspace (the bundled sample at scale 1) in export layout.
    Generate {
        /// New or empty folder to write into.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = GenerateOptions::default().seed)]
        seed: u64,
        /// Copies of the sample year's incidents (for large benchmark workspaces).
        #[arg(long, default_value_t = 1)]
        scale: u32,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Report {
            dir,
            prefix,
            tz,
            as_of,
            json,
        } => {
            let options = PostOptions {
                prefix,
                tz: parse_tz(&tz)?,
                as_of: as_of
                    .map(|s| from_unix(s).with_context(|| format!("--as-of {s} is out of range")))
                    .transpose()?,
            };
            let ws = load(&dir)?;
            let figures = PostFigures::from_workspace(&ws, &options)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&figures.to_json())?);
            } else {
                print!("{figures}");
            }
        }
        Command::Generate { out, seed, scale } => {
            let started = std::time::Instant::now();
            let summary = generate(&out, &GenerateOptions { seed, scale })?;
            eprintln!(
                "wrote {}: {} channels ({} incident channels), {} messages, {} users in {:.1?}",
                out.display(),
                summary.channels,
                summary.incident_channels,
                summary.messages,
                summary.users,
                started.elapsed()
            );
        }
    }
    Ok(())
}
