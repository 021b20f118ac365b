//! The command line: the post's analysis, the sample generator and (later) sync,
//! without Jupyter.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use incident_channels::analysis::post::PostOptions;
use incident_channels::analysis::report::Report;
use incident_channels::export::load;
use incident_channels::generate::{generate, GenerateOptions};
use incident_channels::publish::{publish, PublishOptions};
use incident_channels::slack::client::{ClientOptions, SlackError};
use incident_channels::slack::emulator::{self, Emulator, EmulatorOptions, Faults};
use incident_channels::slack::sync::{sync, Progress, SyncOptions};
use incident_channels::slack::token::Token;
use incident_channels::time::{from_unix, parse_tz, plausible};
use std::time::Duration;

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
        /// Print one JSON object (the post's figures, `metrics`, `audit`) instead of the summary.
        #[arg(long)]
        json: bool,
        /// Also write the full report (report.md, report.html, report.json, charts) here.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Pull channels, users and incident channels' histories from the Slack Web API into
    /// an export folder (incremental; resumes after an interruption). Reads SLACK_TOKEN
    /// and SLACK_API_URL.
    Sync {
        /// The export folder to create or update.
        #[arg(long)]
        out: PathBuf,
        /// Fetch the histories of channels whose name starts with this.
        #[arg(long, default_value = "issue-")]
        prefix: String,
        /// Fetch every channel's history.
        #[arg(long)]
        all_history: bool,
        /// Include private channels (needs groups:read and groups:history).
        #[arg(long)]
        private: bool,
        /// Read open channels again this many days back from their newest message on
        /// disk, for edits, deletions and new thread replies.
        #[arg(long, default_value_t = 7)]
        recheck_days: u32,
        /// Do not pace calls to Slack's rate-limit tiers (429s are still honoured).
        #[arg(long)]
        no_pace: bool,
        /// Length of a rate-limit minute in ms (for emulators that run faster than Slack).
        #[arg(long, default_value_t = 60_000, hide = true)]
        minute_ms: u64,
        /// First retry backoff in ms.
        #[arg(long, default_value_t = 500, hide = true)]
        backoff_ms: u64,
        /// Per-request timeout in ms.
        #[arg(long, default_value_t = 30_000, hide = true)]
        timeout_ms: u64,
        /// Plain progress lines even on a terminal.
        #[arg(long)]
        plain: bool,
    },
    /// Serve an export folder as a Slack Web API on loopback, to try sync without a token.
    Emulate {
        /// The export folder to serve.
        dir: PathBuf,
        /// Port on 127.0.0.1 (0: any free one; the URL is printed).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The token it accepts (SLACK_TOKEN must match).
        #[arg(long, default_value = emulator::DEFAULT_TOKEN)]
        token: String,
        /// Scopes the token has, comma-separated (default: all it needs).
        #[arg(long, value_delimiter = ',')]
        scopes: Option<Vec<String>>,
        /// Length of a rate-limit minute in ms.
        #[arg(long, default_value_t = 60_000)]
        minute_ms: u64,
        /// A stricter limit than the tiers for every method, in calls per minute.
        #[arg(long)]
        limit_per_minute: Option<u32>,
        /// Answer every call, however fast.
        #[arg(long)]
        no_rate_limits: bool,
        /// Always full pages.
        #[arg(long)]
        no_quirks: bool,
        /// Answer every Nth call with HTTP 500/503.
        #[arg(long, default_value_t = 0)]
        fail_every: u64,
        /// Drop the connection on every Nth call.
        #[arg(long, default_value_t = 0)]
        drop_every: u64,
        /// Cut off the body of every Nth answer.
        #[arg(long, default_value_t = 0)]
        truncate_every: u64,
        /// Answer every Nth call with `ok:true` but without its list.
        #[arg(long, default_value_t = 0)]
        hollow_every: u64,
        /// Delay every Nth answer by --slow-ms.
        #[arg(long, default_value_t = 0)]
        slow_every: u64,
        #[arg(long, default_value_t = 0)]
        slow_ms: u64,
    },
    /// Publish an executed notebook as a Jekyll post (markdown, images) and an HTML page.
    Publish {
        /// The executed .ipynb.
        notebook: PathBuf,
        /// The site folder: writes _posts/, images/<slug>/ and <slug>.html into it.
        #[arg(long)]
        out: PathBuf,
        /// Leave out code, keep outputs and text.
        #[arg(long)]
        hide_inputs: bool,
        /// The post's date, YYYY-MM-DD (default: the notebook's post.date, else today).
        #[arg(long)]
        date: Option<String>,
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
        /// Users in users.json: the sample's people, padded with colleagues who never
        /// post up to this many (a company-wide export).
        #[arg(long, default_value_t = GenerateOptions::default().users)]
        users: usize,
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
            out,
        } => {
            let options = PostOptions {
                prefix,
                tz: parse_tz(&tz)?,
                as_of: as_of
                    .map(|s| {
                        from_unix(s).filter(|t| plausible(*t)).with_context(|| {
                            format!("--as-of {s}: give Unix seconds between 1970 and 2100")
                        })
                    })
                    .transpose()?,
            };
            let ws = load(&dir)?;
            let report = Report::new(&ws, &options)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report.to_json()?)?);
            } else {
                print!("{}", report.post);
            }
            if let Some(out) = out {
                report.write_dir(&out)?;
                eprintln!(
                    "wrote the full report to {}",
                    out.join("report.html").display()
                );
            }
        }
        Command::Sync {
            out,
            prefix,
            all_history,
            private,
            recheck_days,
            no_pace,
            minute_ms,
            backoff_ms,
            timeout_ms,
            plain,
        } => {
            let token = Token::from_env().ok_or(SlackError::NoToken)?;
            let options = SyncOptions {
                out,
                prefix,
                all_history,
                include_private: private,
                recheck: chrono::Duration::days(recheck_days.into()),
                client: ClientOptions {
                    pace: !no_pace,
                    minute: Duration::from_millis(minute_ms),
                    backoff: Duration::from_millis(backoff_ms),
                    timeout: Duration::from_millis(timeout_ms),
                    ..ClientOptions::default()
                },
                progress: if plain {
                    Progress::Lines
                } else {
                    Progress::Auto
                },
            };
            let report = sync(token, &options)?;
            eprintln!("{report}");
        }
        Command::Emulate {
            dir,
            port,
            token,
            scopes,
            minute_ms,
            limit_per_minute,
            no_rate_limits,
            no_quirks,
            fail_every,
            drop_every,
            truncate_every,
            hollow_every,
            slow_every,
            slow_ms,
        } => {
            let options = EmulatorOptions {
                token,
                scopes,
                rate_limits: !no_rate_limits,
                minute: Duration::from_millis(minute_ms),
                limit_per_minute,
                quirks: !no_quirks,
                faults: Faults {
                    server_error_every: fail_every,
                    drop_every,
                    truncate_every,
                    hollow_every,
                    slow_every,
                    slow_ms,
                },
            };
            let running = Emulator::start(&dir, port, options)?;
            println!(
                "emulating the Slack Web API for {} at {}",
                dir.display(),
                running.url()
            );
            println!("  export SLACK_API_URL={}", running.url());
            println!(
                "  (SLACK_TOKEN must equal --token; stats at http://{}/_emulator/stats)",
                running.addr()
            );
            running.wait();
        }
        Command::Publish {
            notebook,
            out,
            hide_inputs,
            date,
        } => {
            let published = publish(&notebook, &out, &PublishOptions { hide_inputs, date })?;
            println!(
                "published {} and {} ({} images)",
                published.markdown.display(),
                published.html.display(),
                published.images.len()
            );
        }
        Command::Generate {
            out,
            seed,
            scale,
            users,
        } => {
            let started = std::time::Instant::now();
            let summary = generate(&out, &GenerateOptions { seed, scale, users })?;
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
