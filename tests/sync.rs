//! `sync` against the Slack Web API emulator over real HTTP on loopback: it reproduces the
//! source, re-syncs cheaply, survives kills and faults, fails clearly, and never leaks
//! the token.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use incident_channels::slack::emulator::{Emulator, EmulatorOptions, Faults};

const TOKEN: &str = "test-secret-7f3a9c21";

fn emulator(options: EmulatorOptions) -> Emulator {
    emulator_on(&sample(), options)
}

/// The sample served without rate limits but with every answer 15 ms late, so that a
/// sync lasts long enough to be interrupted or raced.
fn slow_emulator() -> Emulator {
    emulator(EmulatorOptions {
        rate_limits: false,
        faults: Faults {
            slow_every: 1,
            slow_ms: 15,
            ..Default::default()
        },
        ..Default::default()
    })
}

fn emulator_on(dir: &Path, options: EmulatorOptions) -> Emulator {
    Emulator::start(
        dir,
        0,
        EmulatorOptions {
            token: TOKEN.into(),
            minute: Duration::from_millis(1000),
            ..options
        },
    )
    .expect("the emulator starts")
}

fn sync_command(emu: &Emulator, out: &Path, token: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_incident-channels"));
    cmd.args([
        "sync",
        "--out",
        out.to_str().unwrap(),
        "--minute-ms",
        "1000",
        "--backoff-ms",
        "20",
    ])
    .args(extra)
    .env("SLACK_TOKEN", token)
    .env("SLACK_API_URL", emu.url());
    cmd
}

fn run_sync(emu: &Emulator, out: &Path, extra: &[&str]) -> Output {
    let out = sync_command(emu, out, TOKEN, extra).output().unwrap();
    assert_no_token(&out);
    out
}

fn assert_no_token(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(TOKEN),
            "the token was printed"
        );
    }
}

fn ok_sync(emu: &Emulator, out: &Path, extra: &[&str]) -> String {
    let result = run_sync(emu, out, extra);
    let err = String::from_utf8(result.stderr).unwrap();
    assert!(result.status.success(), "sync failed: {err}");
    err
}

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    files
}

/// The incident channels' day files of the source, parsed.
fn incident_days(dir: &Path) -> BTreeMap<PathBuf, serde_json::Value> {
    snapshot(dir)
        .into_iter()
        .filter(|(p, _)| p.to_str().unwrap().starts_with("issue-"))
        .map(|(p, bytes)| (p, serde_json::from_slice(&bytes).unwrap()))
        .collect()
}

/// The incident channels' day files of both folders are equal; names those that differ.
fn assert_same_days(copy: &Path, source: &Path) {
    let (copy, source) = (incident_days(copy), incident_days(source));
    let differing: Vec<&PathBuf> = copy
        .keys()
        .chain(source.keys())
        .filter(|p| copy.get(*p) != source.get(*p))
        .collect();
    if let Some(first) = differing.first() {
        panic!(
            "day files differ: {differing:?}\ncopy: {:#}\nsource: {:#}",
            copy.get(*first).unwrap_or(&serde_json::Value::Null),
            source.get(*first).unwrap_or(&serde_json::Value::Null)
        );
    }
}

fn calls(emu: &Emulator, method: &str) -> u64 {
    emu.stats().calls.get(method).copied().unwrap_or(0)
}

#[test]
fn sync_reproduces_the_sample_and_resyncs_cheaply() {
    let emu = emulator(EmulatorOptions::default());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("copy");
    let summary = ok_sync(&emu, &out, &["--plain"]);
    assert!(summary.contains("207 histories fetched"), "{summary}");
    assert!(summary.contains("conversations.history"), "{summary}");

    assert_eq!(report_json(&out, &[]), report_json(&sample(), &[]));
    assert_eq!(
        incident_days(&out),
        incident_days(&sample()),
        "same messages, same days"
    );
    for (path, bytes) in snapshot(&out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "token in {}",
            path.display()
        );
    }
    assert_eq!(
        emu.stats().token_outside_header,
        0,
        "token only in the header"
    );

    // A second run lists, then asks only the open channels for anything newer.
    emu.reset_stats();
    let summary = ok_sync(&emu, &out, &["--plain"]);
    assert!(
        summary.contains("204 archived channels unchanged"),
        "{summary}"
    );
    assert!(summary.contains(", 0 new messages"), "{summary}");
    assert_eq!(
        calls(&emu, "conversations.history"),
        3,
        "only the 3 open channels"
    );
    assert_eq!(calls(&emu, "conversations.list"), 1);
    assert_eq!(calls(&emu, "users.list"), 1);
    assert_eq!(report_json(&out, &[]), report_json(&sample(), &[]));
}

#[test]
fn all_history_copies_every_channel() {
    let emu = emulator(EmulatorOptions {
        rate_limits: false,
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    ok_sync(&emu, tmp.path(), &["--all-history", "--plain"]);
    let source = incident_channels::export::load(sample()).unwrap();
    let copy = incident_channels::export::load(tmp.path()).unwrap();
    assert!(
        source.messages.equals_missing(&copy.messages),
        "every message, in order"
    );
    assert_eq!(source.channels.len(), copy.channels.len());
}

#[test]
fn killed_sync_resumes_to_the_same_folder() {
    let emu = slow_emulator();
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean");
    ok_sync(&emu, &clean, &["--plain"]);

    let resumed = tmp.path().join("resumed");
    for round in 0..2 {
        let mut child = sync_command(&emu, &resumed, TOKEN, &["--plain"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Let it get well into the histories, then kill it hard.
        let state = resumed.join(".incident-channels-sync.json");
        let deadline = Instant::now() + Duration::from_secs(60);
        let target = 40 * (round + 1);
        while Instant::now() < deadline {
            let fetched =
                std::fs::read_to_string(&state).map_or(0, |s| s.matches("\"name\"").count());
            if fetched >= target {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            !resumed.join("channels.json").exists(),
            "killed before the end"
        );
        assert!(
            resumed.join(".incident-channels-sync.lock").exists(),
            "a stale lock file, which must not block the next run"
        );
    }
    ok_sync(&emu, &resumed, &["--plain"]);
    assert_eq!(
        snapshot(&resumed),
        snapshot(&clean),
        "resumed run ends like a clean one"
    );
}

#[test]
fn faults_and_429_storms_still_end_equal() {
    let emu = emulator(EmulatorOptions {
        limit_per_minute: Some(25),
        faults: Faults {
            server_error_every: 7,
            drop_every: 11,
            truncate_every: 13,
            slow_every: 60,
            slow_ms: 1500,
            ..Faults::default()
        },
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    // Unpaced, so the emulator's tiers answer 429 again and again.
    let summary = ok_sync(
        &emu,
        tmp.path(),
        &["--no-pace", "--timeout-ms", "1000", "--plain"],
    );
    let stats = emu.stats();
    assert!(stats.rate_limited > 0, "{stats:?}");
    assert!(stats.faults_injected > 10, "{stats:?}");
    assert!(summary.contains("HTTP 429"), "{summary}");
    assert_eq!(report_json(tmp.path(), &[]), report_json(&sample(), &[]));
    assert_eq!(incident_days(tmp.path()), incident_days(&sample()));
}

#[test]
fn bad_token_and_missing_scope_fail_clearly_and_leave_the_folder_intact() {
    let emu = emulator(EmulatorOptions {
        rate_limits: false,
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    ok_sync(&emu, tmp.path(), &["--plain"]);
    let before = snapshot(tmp.path());

    let failed = sync_command(&emu, tmp.path(), "not-the-token", &[])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    let err = String::from_utf8(failed.stderr).unwrap();
    assert!(
        err.contains("invalid_auth") && err.contains("SLACK_TOKEN"),
        "{err}"
    );
    // The hint's token prefixes are no secret: redaction takes tokens, not them.
    assert!(
        err.contains("bot tokens start with xoxb-, user tokens with xoxp-"),
        "{err}"
    );
    assert!(!err.contains("not-the-token"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);
    // A folder that did not exist is not left behind (the lock is taken before any call).
    let fresh = tmp.path().join("new/deeper");
    let failed = sync_command(&emu, &fresh, "not-the-token", &[])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert!(!tmp.path().join("new").exists());

    for (scopes, needed) in [
        (vec!["channels:read", "users:read"], "channels:history"),
        (vec!["channels:read", "channels:history"], "users:read"),
    ] {
        emu.set_scopes(Some(scopes.iter().map(|s| s.to_string()).collect()));
        let failed = run_sync(&emu, tmp.path(), &[]);
        assert_eq!(failed.status.code(), Some(1));
        let err = String::from_utf8(failed.stderr).unwrap();
        assert!(
            err.contains("missing_scope") && err.contains(needed),
            "{err}"
        );
        assert_eq!(snapshot(tmp.path()), before);
    }

    let unset = Command::new(env!("CARGO_BIN_EXE_incident-channels"))
        .args(["sync", "--out", tmp.path().to_str().unwrap()])
        .env_remove("SLACK_TOKEN")
        .env("SLACK_API_URL", emu.url())
        .output()
        .unwrap();
    assert_eq!(unset.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unset.stderr).contains("SLACK_TOKEN is not set"));
}

#[test]
fn unreachable_server_fails_after_bounded_retries() {
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_incident-channels"))
        .args([
            "sync",
            "--out",
            tmp.path().to_str().unwrap(),
            "--backoff-ms",
            "10",
        ])
        .env("SLACK_TOKEN", TOKEN)
        .env("SLACK_API_URL", "http://127.0.0.1:9/api")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("could not connect") && err.contains("6 attempts"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_trickling_server_is_given_up_as_too_slow_and_leaves_no_folder() {
    // One byte every 400 ms: no answer is whole within the 1 s timeout.
    let emu = emulator(EmulatorOptions {
        rate_limits: false,
        faults: Faults {
            trickle_ms: 400,
            ..Faults::default()
        },
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("first-sync");
    let started = Instant::now();
    let failed = sync_command(&emu, &out, TOKEN, &["--timeout-ms", "1000"])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    let err = String::from_utf8(failed.stderr).unwrap();
    assert!(
        err.contains("auth.test") && err.contains("is too slow") && err.contains("2 answers"),
        "{err}"
    );
    assert!(err.contains(&emu.url()), "the server is named: {err}");
    // Two stalled attempts and one backoff, not six timeouts and growing backoffs.
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(!out.exists(), "a failed first sync leaves no folder behind");
}

#[test]
fn a_minute_or_timeout_longer_than_an_hour_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("never");
    for (flag, value) in [
        ("--minute-ms", "18446744073709551615"),
        ("--minute-ms", "0"),
        ("--timeout-ms", "3600001"),
    ] {
        let failed = Command::new(env!("CARGO_BIN_EXE_incident-channels"))
            .args(["sync", "--out", out.to_str().unwrap(), flag, value])
            .env("SLACK_TOKEN", TOKEN)
            .env("SLACK_API_URL", "http://127.0.0.1:9/api")
            .output()
            .unwrap();
        assert_eq!(failed.status.code(), Some(1), "{flag} {value}");
        let err = String::from_utf8(failed.stderr).unwrap();
        assert!(
            err.contains(flag) && err.contains(value) && err.contains("at most an hour"),
            "{err}"
        );
        assert!(!out.exists());
    }
}

#[test]
fn plain_http_to_another_host_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_incident-channels"))
        .args(["sync", "--out", tmp.path().to_str().unwrap()])
        .env("SLACK_TOKEN", TOKEN)
        .env("SLACK_API_URL", "http://slack.example.invalid/api")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("plain http") && err.contains("https"), "{err}");
    assert!(!err.contains(TOKEN));
}

#[test]
fn renamed_channels_keep_their_history_even_when_names_swap() {
    let emu = emulator(EmulatorOptions {
        rate_limits: false,
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("copy");
    ok_sync(&emu, &out, &["--plain"]);
    let clean = snapshot(&out);

    // Pretend two archived channels were called by each other's names at the last sync:
    // their folders and the sync record hold the old names.
    let state_path = out.join(".incident-channels-sync.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    let archived: Vec<(String, String)> = state["channels"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["archived"] == true)
        .take(2)
        .map(|(id, v)| (id.clone(), v["name"].as_str().unwrap().to_string()))
        .collect();
    let ((id_a, a), (id_b, b)) = (archived[0].clone(), archived[1].clone());
    state["channels"][&id_a]["name"] = b.clone().into();
    state["channels"][&id_b]["name"] = a.clone().into();
    std::fs::write(&state_path, state.to_string()).unwrap();
    std::fs::rename(out.join(&a), out.join("swap")).unwrap();
    std::fs::rename(out.join(&b), out.join(&a)).unwrap();
    std::fs::rename(out.join("swap"), out.join(&b)).unwrap();

    ok_sync(&emu, &out, &["--plain"]);
    assert_eq!(
        snapshot(&out),
        clean,
        "each history is back under its channel's name"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for (rel, bytes) in snapshot(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write_json(path: &Path, value: &serde_json::Value) {
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

#[test]
fn resync_brings_edits_deletions_replies_and_final_archives() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("slack");
    copy_dir(&sample(), &source);
    let no_limits = || EmulatorOptions {
        rate_limits: false,
        ..Default::default()
    };
    // One channel had a message on a later day, which will be deleted.
    let later_day = source.join("issue-login-1902/2017-02-20.json");
    let mut later = read_json(&source.join("issue-login-1902/2017-02-19.json"));
    let later = later.as_array_mut().unwrap().pop().unwrap();
    let mut later = serde_json::json!([later]);
    later[0]["ts"] = "1487577600.000100".into(); // 2017-02-20 08:00 UTC
    later[0]["text"] = "a message that will be deleted".into();
    write_json(&later_day, &later);
    let out = tmp.path().join("copy");
    ok_sync(&emulator_on(&source, no_limits()), &out, &["--plain"]);
    assert!(out.join("issue-login-1902/2017-02-20.json").exists());

    // In Slack, meanwhile: in an open channel one message is edited, one deleted and a
    // thread gets a reply; another open channel has a message edited and is archived.
    let day = source.join("issue-db-2303/2017-03-23.json");
    let mut messages = read_json(&day);
    let list = messages.as_array_mut().unwrap();
    let plain: Vec<usize> = (0..list.len())
        .filter(|&i| list[i].get("subtype").is_none() && list[i].get("thread_ts").is_none())
        .collect();
    list[plain[0]]["text"] = "edited: the replica is back in sync".into();
    list[plain[0]]["edited"] = serde_json::json!({"user": "U0B000011", "ts": "1490250000.000000"});
    let parent = list
        .iter()
        .position(|m| m.get("reply_count").is_some())
        .expect("a thread in the channel");
    let thread_ts = list[parent]["ts"].as_str().unwrap().to_string();
    let last_reply = list
        .iter()
        .filter(|m| m["thread_ts"] == thread_ts.as_str())
        .map(|m| m["ts"].as_str().unwrap().to_string())
        .max()
        .unwrap();
    let secs: f64 = last_reply.parse().unwrap();
    let reply_ts = format!("{:.6}", secs + 1.0);
    list[parent]["reply_count"] = (list[parent]["reply_count"].as_u64().unwrap() + 1).into();
    let mut reply = list[plain[1]].clone();
    reply["ts"] = reply_ts.clone().into();
    reply["thread_ts"] = thread_ts.clone().into();
    reply["text"] = "late reply: root cause found".into();
    list.push(reply);
    list.remove(plain[2]);
    // Day files hold their messages oldest first.
    list.sort_by(|a, b| {
        let ts = |m: &serde_json::Value| m["ts"].as_str().unwrap().parse::<f64>().unwrap();
        ts(a).total_cmp(&ts(b))
    });
    write_json(&day, &messages);

    let archived = source.join("issue-login-1902/2017-02-19.json");
    let mut messages = read_json(&archived);
    let first_plain = messages
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m.get("subtype").is_none())
        .unwrap();
    messages[first_plain]["text"] = "edited before archiving".into();
    write_json(&archived, &messages);
    std::fs::remove_file(&later_day).unwrap();
    // A third open channel is archived too, and its first messages fall out of a
    // retention policy: Slack stops returning them, and the copy keeps them.
    let retained = source.join("issue-mobile-1703/2017-03-17.json");
    let kept = read_json(&retained);
    let mut shown = kept.clone();
    shown.as_array_mut().unwrap().drain(..2);
    write_json(&retained, &shown);
    let mut channels = read_json(&source.join("channels.json"));
    for c in channels.as_array_mut().unwrap() {
        if c["name"] == "issue-login-1902" || c["name"] == "issue-mobile-1703" {
            c["is_archived"] = true.into();
        }
    }
    write_json(&source.join("channels.json"), &channels);

    let summary = ok_sync(&emulator_on(&source, no_limits()), &out, &["--plain"]);
    assert!(
        summary.contains("1 new messages (3 changed, 2 removed)"),
        "{summary}"
    );
    assert!(
        !out.join("issue-login-1902/2017-02-20.json").exists(),
        "a day whose messages were all deleted loses its file"
    );
    let expected = tmp.path().join("expected");
    copy_dir(&source, &expected);
    write_json(&expected.join("issue-mobile-1703/2017-03-17.json"), &kept);
    assert_same_days(&out, &expected);
    assert_eq!(report_json(&out, &[]), report_json(&expected, &[]));

    // Nothing changed since: nothing is written, and the archived channel costs no call.
    let before = snapshot(&out);
    let summary = ok_sync(&emulator_on(&source, no_limits()), &out, &["--plain"]);
    assert!(
        summary.contains("206 archived channels unchanged"),
        "{summary}"
    );
    assert!(
        summary.contains("0 new messages (0 changed, 0 removed)"),
        "{summary}"
    );
    assert_eq!(snapshot(&out), before);
}

#[test]
fn an_answer_without_its_list_is_retried_then_stops_the_sync_and_prunes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    ok_sync(
        &emulator(EmulatorOptions {
            rate_limits: false,
            ..Default::default()
        }),
        tmp.path(),
        &["--plain"],
    );
    let before = snapshot(tmp.path());
    let hollow = emulator(EmulatorOptions {
        rate_limits: false,
        faults: Faults {
            hollow_every: 1,
            ..Faults::default()
        },
        ..Default::default()
    });
    let failed = run_sync(&hollow, tmp.path(), &["--plain"]);
    let err = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{err}");
    assert!(
        err.contains("conversations.list")
            && err.contains("malformed_response")
            && err.contains("6 answers in a row had no `channels` list"),
        "{err}"
    );
    assert_eq!(calls(&hollow, "conversations.list"), 6, "retried, bounded");
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn answers_now_and_then_without_their_list_are_retried_and_end_equal() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean");
    let options = || EmulatorOptions {
        rate_limits: false,
        ..Default::default()
    };
    ok_sync(&emulator(options()), &clean, &["--plain"]);
    let hollow = emulator(EmulatorOptions {
        faults: Faults {
            hollow_every: 4,
            ..Faults::default()
        },
        ..options()
    });
    let copy = tmp.path().join("copy");
    let summary = ok_sync(&hollow, &copy, &["--plain"]);
    assert!(hollow.stats().faults_injected > 10, "{summary}");
    assert_eq!(
        snapshot(&copy),
        snapshot(&clean),
        "one run, as if none were hollow"
    );
}

// --- Hostile servers ---------------------------------------------------------------

/// Runs `cmd`, killing it and failing the test if it takes longer than `limit`.
fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match wait.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("the command did not end within {limit:?}")
        }
    }
}

/// A small workspace (three channels with a thread), quick to sync.
fn small_workspace() -> Crafted {
    let mut ws = Crafted::new();
    ws.channel("issue-one", DAY0, None)
        .channel("issue-two", DAY0 + DAY, Some(DAY0 + 3 * DAY))
        .channel("general", DAY0, None);
    let mut parent = msg(DAY0 + HOUR, "", "summary");
    parent["thread_ts"] = parent["ts"].clone();
    parent["reply_count"] = 1.into();
    let mut reply = msg(DAY0 + 2 * HOUR, "", "a reply");
    reply["thread_ts"] = parent["ts"].clone();
    ws.messages("issue-one", &[parent, reply]);
    ws.finish();
    ws
}

fn hostile_emulator(dir: &Path, token: &str, faults: Faults) -> Emulator {
    Emulator::start(
        dir,
        0,
        EmulatorOptions {
            token: token.into(),
            rate_limits: false,
            faults,
            ..Default::default()
        },
    )
    .unwrap()
}

fn sync_against(emu: &Emulator, out: &Path, token: &str, extra: &[&str]) -> (Output, String) {
    let out = output_within(
        sync_command(emu, out, token, extra),
        Duration::from_secs(60),
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    (out, err)
}

#[test]
fn an_echoed_token_is_never_printed_nor_written() {
    use incident_channels::slack::emulator::Echo;
    let ws = small_workspace();
    // One token shaped like Slack's, one not: both are caught.
    for token in ["xoxb-4242-1717-EchoMe", TOKEN] {
        for echo in [
            Echo::Error,
            Echo::Body,
            Echo::Status,
            Echo::Scope,
            Echo::Header,
            Echo::Data,
        ] {
            let emu = hostile_emulator(
                ws.path(),
                token,
                Faults {
                    echo_auth: Some(echo),
                    ..Faults::default()
                },
            );
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("copy");
            let (result, err) = sync_against(&emu, &out, token, &["--plain"]);
            let stdout = String::from_utf8_lossy(&result.stdout);
            for text in [&err, &stdout.to_string()] {
                assert!(!text.contains(token), "{echo:?}: token printed: {text}");
                assert!(!text.contains("EchoMe"), "{echo:?}: {text}");
            }
            let succeeds = matches!(echo, Echo::Header | Echo::Data);
            assert_eq!(result.status.success(), succeeds, "{echo:?}: {err}");
            match echo {
                Echo::Error | Echo::Scope => assert!(err.contains("<redacted>"), "{err}"),
                Echo::Status => assert!(err.contains("HTTP 400"), "{err}"),
                Echo::Body => assert!(err.contains("unreadable answer"), "{err}"),
                Echo::Header | Echo::Data => {}
            }
            if out.exists() {
                for (path, bytes) in snapshot(&out) {
                    let (path, text) =
                        (path.display().to_string(), String::from_utf8_lossy(&bytes));
                    assert!(
                        !path.contains(token) && !text.contains(token),
                        "{echo:?}: in {path}"
                    );
                }
            }
            if echo == Echo::Data {
                let channels = std::fs::read_to_string(out.join("channels.json")).unwrap();
                assert!(
                    channels.contains("Bearer <redacted>"),
                    "the echo was there: {channels}"
                );
            }
        }
    }
}

#[test]
fn a_redirect_is_reported_with_its_host_and_not_followed() {
    let ws = small_workspace();
    let elsewhere = hostile_emulator(ws.path(), TOKEN, Faults::default());
    // Another host (by name) than the 127.0.0.1 the client was pointed at.
    let cross = format!(
        "http://localhost:{}/api/auth.test?steal=1",
        elsewhere.addr().port()
    );
    for (to, host) in [
        (cross.as_str(), "localhost"),
        (
            "https://xoxb-1-2.evil.example.invalid/x",
            "<redacted>.evil.example.invalid",
        ),
        ("/api/other", "127.0.0.1"),
    ] {
        let emu = hostile_emulator(
            ws.path(),
            TOKEN,
            Faults {
                redirect_to: Some(to.into()),
                ..Faults::default()
            },
        );
        let tmp = tempfile::tempdir().unwrap();
        let (result, err) = sync_against(&emu, tmp.path(), TOKEN, &[]);
        assert_eq!(result.status.code(), Some(1), "{err}");
        assert!(
            err.contains("auth.test") && err.contains("redirected"),
            "{err}"
        );
        assert!(err.contains(&format!("to {host};")), "{to}: {err}");
        assert!(
            !err.contains("set SLACK_TOKEN") && !err.contains("steal"),
            "{err}"
        );
        assert!(!err.contains("xoxb"), "{err}");
        assert_eq!(snapshot(tmp.path()), BTreeMap::new(), "nothing written");
    }
    assert_eq!(elsewhere.stats().calls, BTreeMap::new(), "never followed");
}

#[test]
fn credentials_or_other_schemes_in_the_url_are_refused_before_any_call() {
    let emu = emulator(EmulatorOptions::default());
    let port = emu.addr().port();
    for url in [
        format!("http://user:hunter2@127.0.0.1:{port}/api"),
        format!("http://127.0.0.1@127.0.0.1:{port}/api"),
        format!("https://hunter2@127.0.0.1:{port}/api"),
        format!("ftp://127.0.0.1:{port}/api"),
        format!("HTTP://127.0.0.1.evil.example:{port}/api"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_incident-channels"))
            .args(["sync", "--out", tmp.path().to_str().unwrap()])
            .env("SLACK_TOKEN", TOKEN)
            .env("SLACK_API_URL", &url)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{url}: {err}");
        assert!(err.contains("SLACK_API_URL"), "{err}");
        assert!(!err.contains("hunter2") && !err.contains(TOKEN), "{err}");
    }
    assert_eq!(emu.stats().calls, BTreeMap::new(), "no call went out");
}

#[test]
fn endless_or_looping_pagination_stops_with_a_clear_error() {
    let ws = small_workspace();
    let endless = hostile_emulator(
        ws.path(),
        TOKEN,
        Faults {
            endless_pages: true,
            ..Faults::default()
        },
    );
    let tmp = tempfile::tempdir().unwrap();
    let (result, err) = sync_against(&endless, tmp.path(), TOKEN, &["--max-pages", "40"]);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(
        err.contains("conversations.list") && err.contains("did not end after 40 pages"),
        "{err}"
    );
    assert_eq!(calls(&endless, "conversations.list"), 40);

    let looping = hostile_emulator(
        ws.path(),
        TOKEN,
        Faults {
            repeat_cursor: true,
            ..Faults::default()
        },
    );
    let (result, err) = sync_against(&looping, tmp.path(), TOKEN, &[]);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(
        err.contains("conversations.list") && err.contains("page 2 came with a cursor"),
        "{err}"
    );
    assert_eq!(calls(&looping, "conversations.list"), 2);
    assert_eq!(snapshot(tmp.path()), BTreeMap::new(), "nothing written");
}

#[test]
fn a_huge_answer_is_refused_at_the_limit() {
    let ws = small_workspace();
    let huge = hostile_emulator(
        ws.path(),
        TOKEN,
        Faults {
            huge_answer_bytes: 3 << 20,
            ..Faults::default()
        },
    );
    let tmp = tempfile::tempdir().unwrap();
    let (result, err) = sync_against(&huge, tmp.path(), TOKEN, &["--max-answer-bytes", "1000000"]);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(
        err.contains("auth.test") && err.contains("larger than 1000000 bytes"),
        "{err}"
    );
    // Within the limit, the same server is fine.
    let (result, err) = sync_against(&huge, tmp.path(), TOKEN, &["--max-answer-bytes", "5000000"]);
    assert!(result.status.success(), "{err}");
}

/// A server that answers every request with an endless body of unknown length and
/// counts what it managed to send before the client hung up.
fn endless_body_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicU64, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let sent = std::sync::Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(1) {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"ok\":true,\"x\":\"");
            let chunk = [b'x'; 65536];
            // Never more than 256 MiB, so a broken client cannot hang the test forever.
            for _ in 0..4096 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
                counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            }
        }
    });
    (url, sent)
}

#[test]
fn an_answer_of_unknown_length_is_read_only_up_to_the_limit() {
    use incident_channels::slack::api::Method;
    use incident_channels::slack::client::{ClientOptions, SlackClient, SlackError};
    use incident_channels::slack::token::Token;
    let (url, sent) = endless_body_server();
    let mut client = SlackClient::new(
        Token::new(TOKEN),
        ClientOptions {
            base_url: url,
            pace: false,
            max_answer_bytes: 1 << 20,
            ..Default::default()
        },
    )
    .unwrap();
    let err = client.call(Method::AuthTest, &[]).unwrap_err();
    assert!(
        matches!(err, SlackError::TooLarge { method: "auth.test", limit } if limit == 1 << 20),
        "{err}"
    );
    std::thread::sleep(Duration::from_millis(200));
    let sent = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        sent < 64 << 20,
        "read on after the limit: {sent} bytes sent"
    );
}

#[test]
fn retry_after_storms_are_bounded_per_call() {
    let ws = small_workspace();
    let storm = hostile_emulator(
        ws.path(),
        TOKEN,
        Faults {
            always_rate_limited: Some(2),
            ..Faults::default()
        },
    );
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (result, err) = sync_against(&storm, tmp.path(), TOKEN, &["--max-wait-secs", "3"]);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(
        err.contains("auth.test")
            && err.contains("wait 2 s more after 2 s")
            && err.contains("limit of 3 s per call"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(calls(&storm, "auth.test"), 2);
}

#[test]
fn a_second_sync_into_the_folder_fails_at_once_naming_the_first() {
    let emu = slow_emulator();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("copy");
    let lock = out.join(".incident-channels-sync.lock");
    let mut first = sync_command(&emu, &out, TOKEN, &["--plain"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&lock).is_ok_and(|s| s.contains("started")) {
        assert!(
            Instant::now() < deadline,
            "the first run never took the lock"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let started = Instant::now();
    let second = run_sync(&emu, &out, &["--plain"]);
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(
        err.contains("in use by another sync") && err.contains(&format!("pid {}", first.id())),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(3), "at once");
    assert!(first.wait().unwrap().success());
    assert!(!lock.exists(), "the lock file goes with its run");

    // A lock file nobody holds (a run killed with -9) blocks nothing.
    std::fs::write(&lock, "pid 1, started long ago").unwrap();
    ok_sync(&emu, &out, &["--plain"]);
    assert!(!lock.exists());
}

/// Channels whose ids or names a server should never send.
fn hostile_channels(existing: &str) -> Vec<serde_json::Value> {
    let mut channels = Vec::new();
    let mut add = |id: &str, name: String| {
        channels.push(serde_json::json!({"id": id, "name": name, "created": 2_000_000_000}))
    };
    for (i, id) in [
        "C/../../escape",
        "..",
        ".",
        "C\\evil",
        "C\u{0}X",
        "C\nX",
        "",
        "C.X",
    ]
    .into_iter()
    .enumerate()
    {
        add(id, format!("issue-bad-id-{i}"));
    }
    for (i, name) in [
        "../../outside",
        "/etc/passwd",
        "..",
        ".renaming-CNAME0",
        "channels.json",
        "users.json",
        "groups.json",
        "Users.JSON",
        ".incident-channels-sync.json",
        ".incident-channels-sync.lock",
        ".tmp-x.tmp",
        "issue-a\nb",
        "issue-nul\u{0}",
        &format!("issue-{}", "x".repeat(300)),
        existing,
        "issue-xoxp-1-2-3",
    ]
    .into_iter()
    .enumerate()
    {
        add(&format!("CNAME{i}"), name.to_string());
    }
    channels
}

#[test]
fn hostile_channel_ids_and_names_are_refused_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a/b/copy");
    let emu = emulator(EmulatorOptions {
        rate_limits: false,
        faults: Faults {
            extra_channels: hostile_channels("issue-db-2303"),
            ..Faults::default()
        },
        ..Default::default()
    });
    let summary = ok_sync(&emu, &out, &["--all-history", "--plain"]);
    let refused = summary.split("refused, not written").nth(1).unwrap_or("");
    for shown in [
        "\"issue-bad-id-0\" (id \"C/../../escape\"): its id is not a Slack id",
        "(id \"..\")",
        "(id \"C\\0X\")",
        "\"../../outside\" (id \"CNAME0\"): its name cannot be a folder name",
        "\"/etc/passwd\"",
        "\".renaming-CNAME0\" (id \"CNAME3\"): its name starts with `.`",
        "\"channels.json\" (id \"CNAME4\"): its name is that of one of the export's own files",
        "\"Users.JSON\"",
        "\".incident-channels-sync.lock\"",
        "\"issue-a\\nb\"",
        "is too long",
        "\"issue-db-2303\" (id \"CNAME14\"): another channel has the same name",
        "\"issue-<redacted>\" (id \"CNAME15\"): it holds a token",
    ] {
        assert!(refused.contains(shown), "{shown} not in: {refused}");
    }
    assert_eq!(refused.matches("(id ").count(), 24, "{refused}");
    // Nothing outside the folder, no hostile channel in it, and it reads as the sample.
    let everything: Vec<PathBuf> = snapshot(tmp.path()).into_keys().collect();
    assert!(
        everything.iter().all(|p| p.starts_with("a/b/copy")),
        "{everything:?}"
    );
    let channels = std::fs::read_to_string(out.join("channels.json")).unwrap();
    assert!(!channels.contains("CNAME") && !channels.contains("escape"));
    let source = incident_channels::export::load(sample()).unwrap();
    let copy = incident_channels::export::load(&out).unwrap();
    assert!(source.messages.equals_missing(&copy.messages));
    // And the folder syncs again.
    ok_sync(&emu, &out, &["--all-history", "--plain"]);
}

#[cfg(unix)]
#[test]
fn a_channel_folder_linked_elsewhere_is_refused_and_nothing_is_written_there() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, elsewhere) = (tmp.path().join("copy"), tmp.path().join("elsewhere"));
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let link = out.join("issue-db-2303");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let emu = emulator(EmulatorOptions {
        rate_limits: false,
        ..Default::default()
    });
    let result = run_sync(&emu, &out, &["--plain"]);
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "{err}");
    assert!(
        err.contains(&format!("{} is a symbolic link", link.display()))
            && err.contains("sync again"),
        "{err}"
    );
    assert!(snapshot(&elsewhere).is_empty(), "written through the link");
    // With a folder in its place, the same folder syncs to the sample.
    std::fs::remove_file(&link).unwrap();
    ok_sync(&emu, &out, &["--plain"]);
    assert_eq!(report_json(&out, &[]), report_json(&sample(), &[]));
}

#[test]
fn a_sync_record_naming_folders_outside_moves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a/b/copy");
    let emu = emulator(EmulatorOptions {
        rate_limits: false,
        ..Default::default()
    });
    ok_sync(&emu, &out, &["--plain"]);
    let before = snapshot(&out);
    // A record edited (or written by an old version) to say a channel lived outside.
    let outside = tmp.path().join("a/outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("keep.txt"), "mine").unwrap();
    let state_path = out.join(".incident-channels-sync.json");
    let mut state = read_json(&state_path);
    let (id, _) = state["channels"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let id = id.clone();
    state["channels"][&id]["name"] = "../../outside".into();
    write_json(&state_path, &state);
    ok_sync(&emu, &out, &["--plain"]);
    assert_eq!(
        std::fs::read_to_string(outside.join("keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(snapshot(&out), before);
}

#[test]
fn other_naming_conventions_sync_and_report_by_regex() {
    let mut ws = Crafted::new();
    ws.channel("inc-1234-db-outage", DAY0, Some(DAY0 + HOUR))
        .channel("inc-1235-api", DAY0 + DAY, None)
        .channel("incident-2016-08-12-search", DAY0 + 3 * DAY, None)
        .channel("inc-review", DAY0, None)
        .channel("general", DAY0, None);
    ws.messages("inc-1235-api", &[msg(DAY0 + DAY + 60, "", "on it")]);
    let source = ws.finish();
    let emu = emulator_on(&source, EmulatorOptions::default());
    let out = tempfile::tempdir().unwrap();
    let numbered = r"^inc-(?P<number>\d+)-(?P<topic>.+)$";
    ok_sync(&emu, out.path(), &["--match", numbered]);
    // Only the two numbered channels' histories were asked for.
    assert_eq!(calls(&emu, "conversations.history"), 2);
    assert!(out.path().join("inc-1235-api").is_dir());
    assert!(!out.path().join("inc-review").exists());
    let r = report_json(out.path(), &["--match", numbered]);
    assert_eq!(r["issue_channels"], 2);
    assert_eq!(r["active"], 1);

    let dated = r"^incident-(?P<date>\d{4}-\d{2}-\d{2})-(?P<topic>.+)$";
    let out = tempfile::tempdir().unwrap();
    ok_sync(&emu, out.path(), &["--match", dated]);
    assert!(out.path().join("incident-2016-08-12-search").is_dir());
    let r = report_json(out.path(), &["--match", dated]);
    assert_eq!(r["issue_channels"], 1);
    assert_eq!(r["audit"]["named_by_convention"], 1);
}

/// Syncing into an admin's export keeps what its day files hold, whatever the `ts`.
#[test]
fn old_messages_with_numeric_or_missing_ts_survive_a_sync_into_their_folder() {
    let ws = small_workspace();
    let emu = emulator_on(ws.path(), EmulatorOptions::default());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let day_file = out.join("issue-one/2016-08-09.json");
    std::fs::create_dir_all(day_file.parent().unwrap()).unwrap();
    // Before the first fetched message, as an old export wrote them: `ts` as numbers,
    // and one message with none at all.
    let old = serde_json::json!([
        {"type": "message", "user": "U1", "text": "old A", "ts": 1_470_701_400.000_1},
        {"type": "message", "user": "U1", "text": "old B", "ts": 1_470_701_500.000_2},
        {"type": "message", "user": "U1", "text": "no ts"},
        {"type": "message", "user": "U1", "text": "old C", "ts": 1_470_701_600.000_3},
    ]);
    write_json(&day_file, &old);
    ok_sync(&emu, &out, &["--plain"]);
    let texts: Vec<String> = read_json(&day_file)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect();
    for kept in ["old A", "old B", "old C", "no ts", "summary", "a reply"] {
        assert!(texts.iter().any(|t| t == kept), "{kept} lost: {texts:?}");
    }
    // Replies written with numbers, to a parent not fetched again: a re-sync from the
    // newest message (which covers what is after it) keeps them, as it keeps replies
    // written with strings.
    let mut day = read_json(&day_file);
    let parent = (DAY0 + HOUR) as f64 + 0.0001;
    for (ts, text) in [
        (DAY0 + 5 * HOUR, "string reply"),
        (DAY0 + 6 * HOUR, "number reply"),
    ] {
        let mut reply = msg(ts, "", text);
        if text == "number reply" {
            reply["ts"] = (ts as f64 + 0.0001).into();
            reply["thread_ts"] = parent.into();
        } else {
            reply["thread_ts"] = format!("{}.000100", DAY0 + HOUR).into();
        }
        day.as_array_mut().unwrap().push(reply);
    }
    write_json(&day_file, &day);
    ok_sync(&emu, &out, &["--plain", "--recheck-days", "0"]);
    let texts = read_json(&day_file).to_string();
    assert!(
        texts.contains("string reply") && texts.contains("number reply"),
        "{texts}"
    );
}

/// A FIFO where a day file or the sync record should be is refused by name, at once.
#[test]
fn special_files_in_the_folder_are_refused_not_waited_on() {
    let ws = small_workspace();
    let emu = emulator_on(ws.path(), EmulatorOptions::default());
    for (rel, first) in [
        ("issue-one/2016-08-09.json", true),
        (".incident-channels-sync.json", false),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("export");
        if !first {
            ok_sync(&emu, &out, &["--plain"]);
            std::fs::remove_file(out.join(rel)).unwrap();
        }
        let fifo = out.join(rel);
        std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let (result, err) = sync_against(&emu, &out, TOKEN, &["--plain"]);
        assert!(!result.status.success(), "{rel}: {err}");
        assert!(err.contains(&fifo.display().to_string()), "{rel}: {err}");
        assert!(!err.contains(TOKEN));
    }
}

/// Plain http goes only to this machine: a proxy from the environment is not used for
/// it, since it would see the token in clear.
#[test]
fn plain_http_to_loopback_never_goes_through_a_proxy() {
    let ws = small_workspace();
    let emu = emulator_on(ws.path(), EmulatorOptions::default());
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = sync_command(&emu, &tmp.path().join("export"), TOKEN, &["--plain"]);
    for name in ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"] {
        cmd.env(name, &proxy_url);
    }
    cmd.env_remove("no_proxy").env_remove("NO_PROXY");
    let result = output_within(cmd, Duration::from_secs(60));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{err}");
    assert!(
        matches!(proxy.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the proxy was contacted"
    );
}
