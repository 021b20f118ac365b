//! The command line, without Jupyter: the report, sync from the Web API, the emulator to
//! try it on, publishing an executed notebook and the workspace generator.

use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use incident_channels::analysis::audit::AuditOptions;
use incident_channels::analysis::post::PostOptions;
use incident_channels::export::{load_with, ChannelFilter, LoadOptions, LoadWarning};
use incident_channels::frames::IncidentFrames;
use incident_channels::generate::{generate, GenerateOptions};
use incident_channels::incidents::Convention;
use incident_channels::publish::report::Report;
use incident_channels::publish::{publish, PublishOptions, INSTALLED_VEGA};
use incident_channels::slack::client::ClientOptions;
use incident_channels::slack::emulator::{self, Emulator, EmulatorOptions};
use incident_channels::slack::sync::{sync, Progress, SyncOptions};
use incident_channels::slack::token::Token;
use incident_channels::time::{from_unix, parse_tz, plausible};
use std::time::Duration;

// The loader and polars allocate and free many small buffers on every thread; glibc's
// allocator spent a tenth of a report's time on that, mimalloc far less. Built without
// transparent huge pages (`no_thp`): asked for its arenas, they made every first touch
// zero 2 MB, which cost 7% of a report's time and a 75 MB floor of resident memory. Release
// builds only: the dev builds `make` shares with the notebooks' kernel link the standard
// library dynamically (-Cprefer-dynamic), and it would then free with one allocator what
// it got from the other.
#[cfg(not(debug_assertions))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` in `mimalloc.h` (libmimalloc-sys names no constant for it).
#[cfg(any(test, not(debug_assertions)))]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc 3 keeps freed memory a second before giving it back to the system, and a
/// report frees and allocates hundreds of megabytes in less than that. Ten milliseconds,
/// mimalloc 2's default, cuts a large report's peak memory by a fifth to a quarter, for
/// the page faults of memory given back and touched again: at 1M messages 330 MB against
/// 415–435 MB, and about a tenth more time (1.6–1.75 s against 1.4–1.5 s).
/// `MIMALLOC_PURGE_DELAY` in the environment still decides (1000 for speed).
#[cfg(not(debug_assertions))]
fn return_freed_memory_sooner() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a number mimalloc reads when it next purges; no memory is touched.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
}

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
    /// The seed post's analysis of an export folder or .zip. Only the incident channels'
    /// day files are read.
    Report(ReportArgs),
    /// Pull channels, users and incident channels' histories from the Slack Web API into
    /// an export folder (incremental; resumes after an interruption). Reads SLACK_TOKEN
    /// and SLACK_API_URL.
    Sync(SyncArgs),
    /// Serve an export folder as a Slack Web API on loopback, to try sync without a token.
    Emulate(EmulateArgs),
    /// Publish an executed notebook as a Jekyll post (markdown, images) and an HTML page.
    Publish(PublishArgs),
    /// Write a generated workspace (the bundled sample at scale 1) in export layout.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct ReportArgs {
    /// Slack export: a folder with channels.json, or the .zip Slack sends.
    dir: PathBuf,
    /// Incident channels are those whose name starts with this (no `#`); default
    /// `issue-`, or with --match the channels it matches.
    #[arg(long)]
    prefix: Option<String>,
    /// Read channel names with this regex and its named groups `topic`, `date`
    /// (ddmm, yyyy-mm-dd or yyyymmdd) and `number`, e.g.
    /// '^inc-(?P<number>\d+)-(?P<topic>.+)$'.
    #[arg(long = "match", value_name = "REGEX")]
    pattern: Option<String>,
    /// IANA time zone in which days are counted.
    #[arg(long, default_value = "UTC")]
    tz: String,
    /// "Now", in Unix seconds; default: the newest time in the data.
    #[arg(long, value_name = "UNIX_SECONDS")]
    as_of: Option<i64>,
    /// Print one JSON object (the post's figures, `metrics`, `audit`) instead of the summary.
    #[arg(long)]
    json: bool,
    /// Print how long each phase took (load, frames, figures) to stderr.
    #[arg(long)]
    timings: bool,
    /// Also write the full report (report.md, report.html, report.json, charts) here.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Fail on the first unreadable message, day file (of an incident channel) or
    /// list entry, instead of skipping it and warning on stderr after the report.
    #[arg(long)]
    strict: bool,
    /// Refuse any file of the export larger than this many MiB (a guard against
    /// exhausting memory); raise it for a genuine larger file.
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    max_file_mb: u64,
}

#[derive(Args)]
struct SyncArgs {
    /// The export folder to create or update.
    #[arg(long)]
    out: PathBuf,
    /// Fetch the histories of channels whose name starts with this (default `issue-`,
    /// or with --match the channels it matches).
    #[arg(long)]
    prefix: Option<String>,
    /// Fetch the histories of channels this regex matches (see `report --match`).
    #[arg(long = "match", value_name = "REGEX")]
    pattern: Option<String>,
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
    /// Give up on a call after waiting this long in all on Retry-After and backoff.
    #[arg(long, default_value_t = 600)]
    max_wait_secs: u64,
    /// Pages one listing may take before sync gives up on it.
    #[arg(long, default_value_t = ClientOptions::default().max_pages, hide = true)]
    max_pages: usize,
    /// The largest answer read, in bytes.
    #[arg(long, default_value_t = ClientOptions::default().max_answer_bytes, hide = true)]
    max_answer_bytes: u64,
    /// Plain progress lines even on a terminal.
    #[arg(long)]
    plain: bool,
}

#[derive(Args)]
struct EmulateArgs {
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
    #[command(flatten)]
    faults: emulator::Faults,
}

#[derive(Args)]
struct PublishArgs {
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
    /// Charts drawn in the reader's browser from their Vega-Lite specs (tooltips, zoom),
    /// the SVG kept for readers without script; Vega's builds are copied into the site.
    #[arg(long)]
    interactive: bool,
    /// With --interactive: the node_modules folder holding vega and vega-lite.
    #[arg(long, default_value = INSTALLED_VEGA, requires = "interactive")]
    vega_libs: PathBuf,
}

#[derive(Args)]
struct GenerateArgs {
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
}

fn main() -> ExitCode {
    #[cfg(not(debug_assertions))]
    return_freed_memory_sooner();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            print_err(&format!("error: {err:#}"));
            ExitCode::FAILURE
        }
    }
}

/// The naming convention of `--prefix` and `--match`: the post's `issue-` by default; with
/// a pattern alone, the channels it matches.
fn convention(prefix: Option<String>, pattern: Option<String>) -> Result<Convention> {
    Ok(match pattern {
        Some(pattern) => Convention {
            prefix,
            ..Convention::pattern(&pattern)?
        },
        None => prefix
            .as_deref()
            .map(Convention::prefix)
            .unwrap_or_default(),
    })
}

/// Lets the process's exit free `data`: freeing a large export's frames and lists piece
/// by piece takes longer than the kernel dropping their pages at once.
fn leave_to_exit<T>(data: T) {
    std::mem::forget(data);
}

/// Phase timings for `--timings`, on stderr so that they never mix with a report.
struct PhaseClock {
    on: bool,
    started: std::time::Instant,
}

impl PhaseClock {
    fn new(on: bool) -> Self {
        PhaseClock {
            on,
            started: std::time::Instant::now(),
        }
    }

    /// Prints the time since the previous lap, and the peak memory so far where the
    /// system tells it.
    fn lap(&mut self, phase: &str) {
        if self.on {
            let peak = incident_channels::measure::peak_memory_mb().map_or(String::new(), |mb| {
                format!(" (peak memory so far {mb:.0} MB)")
            });
            print_err(&format!(
                "timing: {phase}: {:.3} s{peak}",
                self.started.elapsed().as_secs_f64()
            ));
            self.started = std::time::Instant::now();
        }
    }
}

/// Writes `bytes` to stdout. A closed pipe (`report | head`) is not an error: the reader
/// stopped because it had what it wanted, so the rest is dropped quietly (exit 0, as
/// `rg` and `cat` under a shell that ignores SIGPIPE do).
fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to standard output"),
    }
}

/// One line on stderr, with control and bidi characters escaped: names in an export can
/// hold anything, and must not rewrite the terminal or split one message into several.
/// A closed stderr is no reason to panic: the line is dropped.
fn print_err(line: &str) {
    let mut safe = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            safe.extend(c.escape_default());
        } else {
            safe.push(c);
        }
    }
    let _ = writeln!(std::io::stderr(), "{safe}");
}

/// What the loader skipped, after the report: one line each, the first few only.
fn print_warnings(warnings: &[LoadWarning]) {
    const SHOWN: usize = 20;
    for w in warnings.iter().take(SHOWN) {
        print_err(&format!("warning: {w}"));
    }
    if warnings.len() > SHOWN {
        print_err(&format!(
            "warning: … and {} more (--strict stops at the first)",
            warnings.len() - SHOWN
        ));
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Report(args) => report(args),
        Command::Sync(args) => sync_workspace(args),
        Command::Emulate(args) => emulate(args),
        Command::Publish(args) => publish_notebook(args),
        Command::Generate(args) => generate_workspace(args),
    }
}

impl ReportArgs {
    /// The figures' options: the convention, the zone and "now".
    fn post_options(&self) -> Result<PostOptions> {
        Ok(PostOptions {
            convention: convention(self.prefix.clone(), self.pattern.clone())?,
            tz: parse_tz(&self.tz)?,
            as_of: self
                .as_of
                .map(|s| {
                    from_unix(s).filter(|t| plausible(*t)).with_context(|| {
                        format!("--as-of {s}: give Unix seconds between 1970 and 2100")
                    })
                })
                .transpose()?,
        })
    }

    /// The report shows no message text, and reads the incident channels only: only what
    /// its figures read is loaded.
    fn load_options(&self, convention: &Convention) -> LoadOptions {
        let incidents = convention.clone();
        LoadOptions {
            strict: self.strict,
            lean: true,
            messages_of: ChannelFilter::named(move |name| incidents.is_incident(name)),
            max_file_bytes: self.max_file_mb.saturating_mul(1 << 20),
            ..LoadOptions::default()
        }
    }
}

fn report(args: ReportArgs) -> Result<()> {
    let options = args.post_options()?;
    let mut clock = PhaseClock::new(args.timings);
    let mut ws = load_with(&args.dir, &args.load_options(&options.convention))?;
    clock.lap("load");
    let reported = (|| -> Result<()> {
        // The report shows no message text nor the channel list: the frames take them and
        // let each go once read, so that neither stays to the peak. (At 5M messages the
        // peak went from 1.32 GB with both kept to 0.99 GB with the texts let go, and to
        // 0.90 GB with the list let go after its facts.)
        let mut frames = IncidentFrames::take_from(&mut ws, options.convention.clone())?;
        // Nor the messages' other columns, once the frames have read them.
        frames.messages = frames.messages.select(Report::MESSAGE_COLUMNS)?;
        clock.lap("incident frames");
        let report = Report::of_frames(frames, &options, AuditOptions::default())?;
        clock.lap("the post's figures, responders' load and audit");
        let text = if args.json {
            format!("{}\n", serde_json::to_string_pretty(&report.to_json()?)?)
        } else {
            report.post().to_string()
        };
        clock.lap("metrics and the output");
        write_stdout(text.as_bytes())?;
        if let Some(out) = &args.out {
            report.write_dir(out)?;
            print_err(&format!(
                "wrote the full report to {}",
                out.join("report.html").display()
            ));
        }
        leave_to_exit(report);
        Ok(())
    })();
    // Also when the report fails: a skipped file may be why.
    print_warnings(&ws.warnings);
    leave_to_exit(ws);
    reported
}

impl From<&SyncArgs> for ClientOptions {
    fn from(args: &SyncArgs) -> Self {
        ClientOptions {
            pace: !args.no_pace,
            minute: Duration::from_millis(args.minute_ms),
            backoff: Duration::from_millis(args.backoff_ms),
            timeout: Duration::from_millis(args.timeout_ms),
            max_wait: Duration::from_secs(args.max_wait_secs),
            max_pages: args.max_pages,
            max_answer_bytes: args.max_answer_bytes,
            ..ClientOptions::default()
        }
    }
}

fn sync_workspace(args: SyncArgs) -> Result<()> {
    let token = Token::required_from_env()?;
    let options = SyncOptions {
        client: ClientOptions::from(&args),
        convention: convention(args.prefix, args.pattern)?,
        out: args.out,
        all_history: args.all_history,
        include_private: args.private,
        recheck: chrono::Duration::days(args.recheck_days.into()),
        progress: if args.plain {
            Progress::Lines
        } else {
            Progress::Auto
        },
    };
    let report = sync(token, &options)?;
    // A line at a time: the escaping printer would show a line break as `\n`.
    report.to_string().lines().for_each(print_err);
    Ok(())
}

impl From<EmulateArgs> for EmulatorOptions {
    fn from(args: EmulateArgs) -> Self {
        EmulatorOptions {
            token: args.token,
            scopes: args.scopes,
            rate_limits: !args.no_rate_limits,
            minute: Duration::from_millis(args.minute_ms),
            limit_per_minute: args.limit_per_minute,
            quirks: !args.no_quirks,
            faults: args.faults,
        }
    }
}

fn emulate(args: EmulateArgs) -> Result<()> {
    let (dir, port) = (args.dir.clone(), args.port);
    let running = Emulator::start(&dir, port, args.into())?;
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
    Ok(())
}

fn publish_notebook(args: PublishArgs) -> Result<()> {
    let options = PublishOptions {
        hide_inputs: args.hide_inputs,
        date: args.date,
        interactive: args.interactive.then_some(args.vega_libs),
    };
    let published = publish(&args.notebook, &args.out, &options)?;
    println!(
        "published {} and {} ({} images)",
        published.markdown.display(),
        published.html.display(),
        published.images.len()
    );
    Ok(())
}

fn generate_workspace(args: GenerateArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let options = GenerateOptions {
        seed: args.seed,
        scale: args.scale,
        users: args.users,
    };
    let summary = generate(&args.out, &options)?;
    print_err(&format!(
        "wrote {}: {} channels ({} incident channels), {} messages, {} users in {:.1?}",
        args.out.display(),
        summary.channels,
        summary.incident_channels,
        summary.messages,
        summary.users,
        started.elapsed()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Fails when a new mimalloc renumbers its options, so that the CLI does not set
    /// another one by mistake: its purge delay is the one option whose default is 1000.
    #[test]
    fn option_15_is_mimallocs_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            let value = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
            assert_eq!(value, 1000);
        }
    }
}
