//! `incident-channels report`: the post's figures on the bundled sample, the contract on
//! crafted exports, and clear errors on bad input.

mod common;

use common::*;
use serde_json::json;

#[test]
fn sample_gives_the_posts_figures() {
    let r = report_json(&sample(), &[]);
    assert_eq!(r["issue_channels"], 207);
    assert_eq!(r["first_created"], "2016-03-11T06:55:23Z");
    assert_eq!(r["last_created"], "2017-03-23T00:43:10Z");
    assert_eq!(r["average_per_month"], 16);
    assert_eq!(r["active"], 3);
    assert_eq!(r["worst_days"], json!(["2016-08-09"]));
    assert_eq!(r["worst_day_count"], 6);
}

#[test]
fn sample_open_channels_rise_after_july_and_decline() {
    let r = report_json(&sample(), &[]);
    let points = r["open_over_time_monthly"].as_array().unwrap();
    let open_in = |prefix: &str| -> u64 {
        points
            .iter()
            .filter(|p| p["t"].as_str().unwrap().starts_with(prefix))
            .map(|p| p["open"].as_u64().unwrap())
            .max()
            .unwrap()
    };
    let before = ["2016-03", "2016-04", "2016-05", "2016-06"].map(open_in);
    let peak = ["2016-08", "2016-09", "2016-10"].map(open_in);
    let after = ["2017-01", "2017-02"].map(open_in);
    assert!(
        peak.iter().min() > before.iter().max(),
        "{before:?} {peak:?}"
    );
    assert!(peak.iter().min() > after.iter().max(), "{peak:?} {after:?}");
    // The first point is 1000 s before the first channel, the last is as_of.
    assert_eq!(points[0]["t"], "2016-03-11T06:38:43Z");
    assert_eq!(points.last().unwrap()["t"], r["as_of"]);
}

#[test]
fn human_summary_is_readable() {
    let out = cli(&["report", sample().to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "Incident channels (#issue-*): 207",
        "2016-03-11 06:55:23",
        "2017-03-23 00:43:10",
        "Average per month:      16",
        "Still open:             3",
        "2016-08-09 with 6 channels",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn open_over_time_follows_the_contract() {
    // Three channels: one archived after 40 days, one after 1 hour, one open.
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + 40 * DAY))
        .channel("issue-b-1008", DAY0 + DAY, Some(DAY0 + DAY + HOUR))
        .channel("issue-c-1509", DAY0 + 37 * DAY, None)
        .channel("general", DAY0 - 100 * DAY, None);
    let dir = w.finish();
    let as_of = DAY0 + 70 * DAY;
    let r = report_json(&dir, &["--as-of", &as_of.to_string()]);
    let points: Vec<(String, u64)> = r["open_over_time_monthly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["t"].as_str().unwrap().to_string(),
                p["open"].as_u64().unwrap(),
            )
        })
        .collect();
    // t = first - 1000 s, +30 d, +60 d (all below as_of), then as_of.
    assert_eq!(
        points,
        vec![
            ("2016-08-08T23:43:20Z".to_string(), 0),
            ("2016-09-07T23:43:20Z".to_string(), 1),
            ("2016-10-07T23:43:20Z".to_string(), 1),
            ("2016-10-18T00:00:00Z".to_string(), 1),
        ]
    );
    assert_eq!(r["issue_channels"], 3);
    assert_eq!(r["active"], 1);
    // 3 channels over 37 days: 3 / (37/30) = 2.43 -> 2.
    assert_eq!(r["average_per_month"], 2);
    assert_eq!(r["as_of"], "2016-10-18T00:00:00Z");
}

#[test]
fn worst_days_lists_every_tie_in_order() {
    let mut w = Crafted::new();
    w.channel("issue-a-1008", DAY0 + DAY + HOUR, None)
        .channel("issue-b-0908", DAY0 + HOUR, None)
        .channel("issue-c-1008", DAY0 + DAY + 2 * HOUR, None)
        .channel("issue-d-0908", DAY0 + 2 * HOUR, None)
        .channel("issue-e-1208", DAY0 + 3 * DAY, None);
    let r = report_json(&w.finish(), &[]);
    assert_eq!(r["worst_days"], json!(["2016-08-09", "2016-08-10"]));
    assert_eq!(r["worst_day_count"], 2);
}

#[test]
fn time_zone_moves_channels_between_days() {
    // 20:00 UTC on 9 August is 01:30 on 10 August in India.
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0 + 20 * HOUR, None)
        .channel("issue-b-1008", DAY0 + DAY + 10 * HOUR, None)
        .channel("issue-c-0908", DAY0 + 10 * HOUR, None);
    let dir = w.finish();
    let utc = report_json(&dir, &[]);
    assert_eq!(utc["worst_days"], json!(["2016-08-09"]));
    let india = report_json(&dir, &["--tz", "Asia/Kolkata"]);
    assert_eq!(india["worst_days"], json!(["2016-08-10"]));
    assert_eq!(india["tz"], "Asia/Kolkata");
}

#[test]
fn prefix_selects_other_conventions_and_skips_look_alikes() {
    let mut w = Crafted::new();
    w.channel("inc-db-0908", DAY0, None)
        .channel("issues-board", DAY0, None)
        .channel("issue-cron-0908", DAY0 + HOUR, None)
        .channel("postmortem-issue-cron", DAY0, None);
    let dir = w.finish();
    assert_eq!(report_json(&dir, &[])["issue_channels"], 1);
    assert_eq!(
        report_json(&dir, &["--prefix", "inc-"])["issue_channels"],
        1
    );
}

/// Every key and string value in `v`, at any depth.
fn strings_in(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|i| strings_in(i, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                strings_in(v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn small_workspaces_without_the_sop_give_plain_strings() {
    // Groups of one row (one type, one responder) are where polars hands strings over
    // owned; the JSON must not show them quoted.
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + DAY))
        .channel("issue-b-0908", DAY0 + HOUR, None)
        .messages("issue-a-0908", &[msg(DAY0 + 60, "", "looking")])
        .messages("issue-b-0908", &[msg(DAY0 + HOUR + 60, "", "on it")]);
    let r = report_json(&w.finish(), &[]);
    let mut strings = Vec::new();
    strings_in(&r, &mut strings);
    assert!(strings.iter().any(|s| s == "(none)"), "{r:#}");
    let quoted: Vec<&String> = strings.iter().filter(|s| s.contains('"')).collect();
    assert!(quoted.is_empty(), "{quoted:?} in {r:#}");
}

#[test]
fn a_channel_listed_twice_counts_once() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None)
        .channel("issue-b-0908", DAY0 + HOUR, Some(DAY0 + DAY));
    let dir = w.finish();
    let path = dir.join("channels.json");
    let mut channels: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    // The second again, then its id under a new name: the id still repeats.
    let again = channels[1].clone();
    let mut renamed = again.clone();
    renamed["name"] = "issue-b-copy-0908".into();
    channels.as_array_mut().unwrap().extend([again, renamed]);
    std::fs::write(&path, serde_json::to_vec(&channels).unwrap()).unwrap();
    let out = cli(&["report", dir.to_str().unwrap(), "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("#issue-b-0908") && err.contains("listed again"),
        "{err}"
    );
    // One warning for the file, counting both.
    assert!(err.contains("skipped 2 channels"), "{err}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["issue_channels"].as_u64(), r["active"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn the_file_size_limit_is_a_flag() {
    let mut w = Crafted::new();
    let long = "x".repeat(3 << 19);
    w.channel("issue-a-0908", DAY0, None)
        .messages("issue-a-0908", &[msg(DAY0 + 60, "", &long)]);
    let dir = w.finish();
    let dir = dir.to_str().unwrap();
    // Skipped with a warning that says how to read it after all; strict, an error.
    for (strict, succeeds) in [(None, true), (Some("--strict"), false)] {
        let mut args = vec!["report", dir, "--json", "--max-file-mb", "1"];
        args.extend(strict);
        let out = cli(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), succeeds, "{err}");
        assert!(
            err.contains("2016-08-09.json") && err.contains("--max-file-mb"),
            "{err}"
        );
    }
    let out = cli(&["report", dir, "--json", "--strict"]);
    assert!(out.status.success() && out.stderr.is_empty());
}

#[test]
fn single_channel_has_no_average() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None);
    let r = report_json(&w.finish(), &[]);
    assert_eq!(r["issue_channels"], 1);
    assert!(r["average_per_month"].is_null());
}

fn fails_with(args: &[&str], expected: &[&str]) {
    let out = cli(args);
    assert!(!out.status.success(), "{args:?} should fail");
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        err.trim().lines().count(),
        1,
        "one-line error expected: {err}"
    );
    for e in expected {
        assert!(err.contains(e), "{e:?} not in {err:?}");
    }
}

#[test]
fn missing_folder_is_a_clear_error() {
    fails_with(
        &["report", "/no/such/export"],
        &["/no/such/export", "no such file or folder"],
    );
}

#[test]
fn folder_that_is_not_an_export_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(
        &["report", dir.path().to_str().unwrap()],
        &["not a Slack export", "channels.json"],
    );
}

#[test]
fn no_matching_channels_is_a_clear_error() {
    fails_with(
        &[
            "report",
            sample().to_str().unwrap(),
            "--prefix",
            "incident-",
        ],
        &["incident-", "--prefix", "215 channels"],
    );
}

#[test]
fn unknown_time_zone_is_a_clear_error() {
    fails_with(
        &["report", sample().to_str().unwrap(), "--tz", "Mars/Base"],
        &["Mars/Base", "IANA"],
    );
}

#[test]
fn malformed_day_file_names_file_line_and_column() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None);
    let dir = w.finish();
    let bad = dir.join("issue-a-0908/2016-08-10.json");
    std::fs::write(
        &bad,
        "[\n  {\"ts\": \"1470787200.000100\",\n   \"text\": oops}\n]",
    )
    .unwrap();
    fails_with(
        &["report", dir.to_str().unwrap(), "--strict"],
        &["issue-a-0908/2016-08-10.json", "line 3", "column"],
    );
}

#[test]
fn truncated_channels_json_is_a_clear_error() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None);
    let dir = w.finish();
    let text = std::fs::read_to_string(dir.join("channels.json")).unwrap();
    std::fs::write(dir.join("channels.json"), &text[..text.len() / 2]).unwrap();
    fails_with(
        &["report", dir.to_str().unwrap()],
        &["channels.json", "EOF"],
    );
}

#[test]
fn message_with_a_broken_ts_names_the_field() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None);
    let dir = w.finish();
    std::fs::write(
        dir.join("issue-a-0908/2016-08-11.json"),
        r#"[{"type": "message", "ts": "yesterday", "text": "hi"}]"#,
    )
    .unwrap();
    fails_with(
        &["report", dir.to_str().unwrap(), "--strict"],
        &["2016-08-11.json", "`ts`", "yesterday"],
    );
}

#[test]
fn bad_arguments_exit_non_zero() {
    let out = cli(&["report"]);
    assert!(!out.status.success());
    let out = cli(&["report", sample().to_str().unwrap(), "--as-of", "soon"]);
    assert!(!out.status.success());
}

#[test]
fn implausible_times_are_clear_errors() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None);
    let dir = w.finish();
    // Milliseconds where seconds belong.
    let path = dir.join("channels.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(&DAY0.to_string(), &(DAY0 * 1000).to_string());
    std::fs::write(&path, text).unwrap();
    fails_with(
        &["report", dir.to_str().unwrap(), "--strict"],
        &["channels.json", "created", "issue-a-0908", "Unix seconds"],
    );
    fails_with(
        &[
            "report",
            sample().to_str().unwrap(),
            "--as-of",
            "8000000000000",
        ],
        &["--as-of", "Unix seconds"],
    );
}

#[test]
fn any_naming_convention_by_regex() {
    let mut w = Crafted::new();
    w.channel("inc-1234-db-outage", DAY0, Some(DAY0 + HOUR))
        .channel("inc-1235-api", DAY0 + DAY, None)
        .channel("inc-review", DAY0, None)
        .channel("incident-2016-08-11-search", DAY0 + 2 * DAY, None)
        .channel("general", DAY0, None);
    let dir = w.finish();
    let numbered = report_json(&dir, &["--match", r"^inc-(?P<number>\d+)-(?P<topic>.+)$"]);
    assert_eq!(numbered["issue_channels"], 2, "inc-review does not match");
    assert_eq!(numbered["audit"]["named_by_convention"], 2);
    assert!(numbered["prefix"].is_null());
    let topics: Vec<&str> = numbered["metrics"]["by_topic_word"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["topic_word"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["api", "db-outage"]);

    // A prefix chooses the channels, the pattern reads them: inc-review is off it.
    let both = report_json(
        &dir,
        &[
            "--prefix",
            "inc-",
            "--match",
            r"^inc-(?P<number>\d+)-(?P<topic>.+)$",
        ],
    );
    assert_eq!(both["issue_channels"], 3);
    assert_eq!(both["audit"]["named_by_convention"], 2);

    let dated = report_json(
        &dir,
        &[
            "--match",
            r"^incident-(?P<date>\d{4}-\d{2}-\d{2})-(?P<topic>.+)$",
        ],
    );
    assert_eq!(dated["issue_channels"], 1);
    assert_eq!(dated["first_created"], "2016-08-11T00:00:00Z");
}

#[test]
fn bad_patterns_are_clear_errors() {
    let dir = sample();
    fails_with(
        &["report", dir.to_str().unwrap(), "--match", "inc-("],
        &["--match", "not a valid regex"],
    );
    fails_with(
        &[
            "report",
            dir.to_str().unwrap(),
            "--match",
            "^nothing-(?P<topic>.+)$",
        ],
        &["no incident channels", "--match", "215 channels"],
    );
}

#[test]
fn small_workspaces_show_the_exact_rate() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None)
        .channel("issue-b-0809", DAY0 + 60 * DAY, None);
    let dir = w.finish();
    let r = report_json(&dir, &[]);
    assert_eq!(
        r["average_per_month"], 1,
        "the post's integer field is kept"
    );
    assert!((r["rate_per_month"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    let out = cli(&["report", dir.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Average per month:      1 (1.0 a month, over 60 days)"),
        "{text}"
    );
}

#[test]
fn renamed_channels_count_under_their_current_name() {
    let mut w = Crafted::new();
    w.channel("issue-db-0908", DAY0, None).messages(
        "issue-db-0908",
        &[msg(
            DAY0 + 60,
            "channel_name",
            "renamed the channel from \"db-help\"",
        )],
    );
    w.channel("issue-mq-0908", DAY0, None);
    let dir = w.finish();
    let r = report_json(&dir, &[]);
    assert_eq!(r["issue_channels"], 2);
    assert_eq!(r["renamed_channels"], 1);
    let text = String::from_utf8(cli(&["report", dir.to_str().unwrap()]).stdout).unwrap();
    assert!(
        text.contains("Renamed channels:       1 (each counted under its current name)"),
        "{text}"
    );
}

#[test]
fn the_figures_table_shows_a_pattern_as_text() {
    use incident_channels::prelude::*;
    let ws = load(sample()).unwrap();
    let options = PostOptions {
        convention: Convention::pattern(r"^issue-(?P<topic>[a-z]+)-").unwrap(),
        ..PostOptions::default()
    };
    let html = PostFigures::from_workspace(&ws, &options).unwrap().html();
    assert!(html.contains("(?P&lt;topic&gt;[a-z]+)"), "{html}");
    assert!(!html.contains("<topic>"), "{html}");
}

#[test]
fn a_report_audits_by_the_rule_it_is_given() {
    use incident_channels::analysis::audit::{summarize_frames, AuditOptions};
    use incident_channels::prelude::PostOptions;
    use incident_channels::publish::report::Report;
    let ws = incident_channels::export::load(sample()).unwrap();
    let options = PostOptions::default();
    let post_rule = Report::new(&ws, &options).unwrap();
    let strict = AuditOptions {
        timer: chrono::Duration::minutes(1),
        postmortem_within: chrono::Duration::days(1),
        ..AuditOptions::default()
    };
    let own_rule = Report::with_audit(&ws, &options, strict).unwrap();
    let expected = summarize_frames(own_rule.frames(), own_rule.as_of(), &strict).unwrap();
    assert_eq!(own_rule.audit(), &expected);
    assert_eq!(own_rule.audit_options().timer, strict.timer);
    // A stricter timer finds more long silences, and the JSON says what the audit found.
    assert!(own_rule.audit().with_long_silence > post_rule.audit().with_long_silence);
    let json = own_rule.to_json().unwrap();
    assert_eq!(
        json["audit"]["with_long_silence"],
        json!(own_rule.audit().with_long_silence)
    );
    // The rest of the report does not depend on the rule.
    assert_eq!(json["metrics"], post_rule.to_json().unwrap()["metrics"]);
}

#[test]
fn a_report_reads_no_more_of_the_messages_than_it_says() {
    use incident_channels::prelude::*;
    use incident_channels::publish::report::Report;
    let ws = load(sample()).unwrap();
    let options = PostOptions::default();
    let frames = IncidentFrames::new(&ws, options.convention.clone()).unwrap();
    let full = Report::of_frames(frames.clone(), &options, AuditOptions::default()).unwrap();
    let mut narrow = frames;
    narrow.messages = narrow.messages.select(Report::MESSAGE_COLUMNS).unwrap();
    assert!(narrow.messages.width() < full.frames().messages.width());
    let narrow = Report::of_frames(narrow, &options, AuditOptions::default()).unwrap();
    assert_eq!(narrow.to_json().unwrap(), full.to_json().unwrap());
}
