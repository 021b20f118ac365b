//! Load and analysis speed on a large generated workspace, against the Python/pandas way.
//!
//! `cargo bench --bench load` (or `make bench`). `BENCH_SCALE` sets the copies of the
//! sample year (default 280: about a million messages); the workspace is generated once
//! into `target/bench-data/` and reused.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use incident_channels::measure;
use incident_channels::prelude::*;

fn main() -> anyhow::Result<()> {
    let scale: u32 = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(280);
    let dir = workspace(scale)?;
    let (bytes, files) = json_size(&dir);
    let mb = bytes as f64 / 1e6;

    measure::reset_peak_memory();
    let t = Instant::now();
    let ws = load(&dir)?;
    let load_s = t.elapsed().as_secs_f64();
    let rss = measure::peak_memory_mb().unwrap_or(f64::NAN);
    let messages = ws.messages.height();

    let t = Instant::now();
    let incident_frames = IncidentFrames::new(&ws, "issue-")?;
    let find_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let options = PostOptions::default();
    let figures =
        PostFigures::compute(&incident_frames.incidents, &options, incident_frames.as_of)?;
    let post_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let frame = incident_frames.incidents.clone();
    let channels = channels_frame(&ws)?;
    let frames_ms = t.elapsed().as_secs_f64() * 1e3;

    println!(
        "workspace      scale {scale}: {} channels, {} incident channels, {messages} messages",
        channels.height(),
        frame.height()
    );
    println!(
        "               {mb:.0} MB of JSON in {files} files ({})",
        dir.display()
    );
    println!(
        "load           {load_s:.2} s   {:.0} MB/s   {:.2} M messages/s   peak RSS {rss:.0} MB",
        mb / load_s,
        messages as f64 / load_s / 1e6
    );
    println!("incidents      {find_ms:.1} ms   (with owners, SOP summaries, responses: more than pandas does)");
    println!(
        "post figures   {post_ms:.1} ms   ({} open-over-time points)",
        figures.open_over_time_monthly.len()
    );
    println!("frames         {frames_ms:.1} ms");

    sync_calls()?;

    match pandas(&dir) {
        Ok(p) => {
            let f = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);
            println!(
                "pandas way     load {:.2} s ({:.0} MB/s), analysis {:.0} ms, peak RSS {:.0} MB",
                f("load_seconds"),
                mb / f("load_seconds"),
                f("analysis_seconds") * 1e3,
                f("peak_rss_mb")
            );
            println!(
                "ratio          load {:.1}x faster, post figures {:.1}x faster, {:.1}x less memory",
                f("load_seconds") / load_s,
                f("analysis_seconds") * 1e3 / post_ms,
                f("peak_rss_mb") / rss
            );
            assert_eq!(
                p["issue_channels"].as_u64(),
                Some(figures.issue_channels as u64),
                "both ways count the same channels"
            );
        }
        Err(why) => println!("pandas way     skipped: {why}"),
    }
    Ok(())
}

/// Syncs the bundled sample through the emulator (a fast "minute", quirky pages) and
/// prints calls per method against the fewest possible.
fn sync_calls() -> anyhow::Result<()> {
    use incident_channels::slack::emulator::{Emulator, EmulatorOptions, DEFAULT_TOKEN};
    use incident_channels::slack::sync::{sync, Progress, SyncOptions};
    use incident_channels::slack::token::Token;
    let minute = std::time::Duration::from_secs(1);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let emulator = Emulator::start(
        &sample,
        0,
        EmulatorOptions {
            minute,
            ..Default::default()
        },
    )?;
    let out = tempfile::tempdir()?;
    let mut options = SyncOptions::new(out.path());
    options.progress = Progress::Quiet;
    options.client.base_url = emulator.url();
    options.client.minute = minute;
    let first = sync(Token::new(DEFAULT_TOKEN), &options)?;
    let again = sync(Token::new(DEFAULT_TOKEN), &options)?;
    println!("sync sample    {first}");
    println!("re-sync        {again}");
    Ok(())
}

/// The generated workspace for `scale`, made once.
fn workspace(scale: u32) -> anyhow::Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let dir = root.join(format!("scale-{scale}"));
    let done = root.join(format!("scale-{scale}.done"));
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let t = Instant::now();
        let s = generate(
            &dir,
            &GenerateOptions {
                seed: 2016,
                scale,
                ..Default::default()
            },
        )?;
        eprintln!("generated {} messages in {:.1?}", s.messages, t.elapsed());
        std::fs::write(&done, "")?;
    }
    Ok(dir)
}

fn json_size(dir: &Path) -> (u64, usize) {
    let mut bytes = 0;
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
                files += 1;
            }
        }
    }
    (bytes, files)
}

/// Runs the pandas script with the project's venv Python if it has pandas.
fn pandas(dir: &Path) -> anyhow::Result<serde_json::Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join(".venv/bin/python");
    let python = if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    };
    let out = Command::new(&python)
        .arg(root.join("benches/pandas_way.py"))
        .arg(dir)
        .output()?;
    if !out.status.success() {
        anyhow::bail!(
            "{} failed (is pandas installed? `make setup`): {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}
