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
    let emu = emulator(EmulatorOptions {
        rate_limits: false,
        faults: Faults {
            slow_every: 1,
            slow_ms: 15,
            ..Default::default()
        },
        ..Default::default()
    });
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
    assert!(!err.contains("not-the-token"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);

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
fn an_answer_without_its_list_stops_the_sync_and_prunes_nothing() {
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
        err.contains("conversations.list") && err.contains("malformed_response"),
        "{err}"
    );
    assert_eq!(snapshot(tmp.path()), before);
}
