//! Loading exports: what real exports contain, zips, frames and the generator.

mod common;

use std::io::Write;
use std::path::Path;

use common::*;
use incident_channels::frames::{dates, floats, instants, strings};
use incident_channels::prelude::*;
use serde_json::json;

#[test]
fn reopened_channel_is_archived_at_its_last_archive() {
    let mut w = Crafted::new();
    w.channel("issue-db-0908", DAY0, Some(DAY0 + DAY)).messages(
        "issue-db-0908",
        &[
            msg(
                DAY0 + 2 * DAY,
                "channel_unarchive",
                "<@U1> un-archived the channel",
            ),
            msg(
                DAY0 + 3 * DAY,
                "channel_archive",
                "<@U1> archived the channel",
            ),
        ],
    );
    w.channel("issue-mq-0908", DAY0, Some(DAY0 + DAY)).messages(
        "issue-mq-0908",
        &[msg(DAY0 + 2 * DAY, "channel_unarchive", "back")],
    );
    let ws = load(w.finish()).unwrap();
    let inc = IncidentFrames::new(&ws, "issue-").unwrap().incidents;
    assert_eq!(
        strings(&inc, "name").unwrap(),
        ["issue-db-0908", "issue-mq-0908"]
    );
    let archived = instants(&inc, "archived_at").unwrap();
    assert_eq!(archived[0].unwrap().timestamp(), DAY0 + 3 * DAY);
    assert_eq!(archived[1], None);
}

#[test]
fn tolerates_what_real_exports_contain() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Minimal and extra fields, unicode, a channel without a folder, an empty day file,
    // a non-day file in a folder, private groups beside.
    std::fs::write(
        d.join("channels.json"),
        json!([
            {"id": "C1", "name": "issue-ünïcode-0908", "created": DAY0, "pins": [{"id": "x"}],
             "topic": {"value": "DB down 🔥 | SRE: <@U1>", "creator": "U1", "last_set": DAY0}},
            {"id": "C2", "name": "issue-nofolder-0908", "created": DAY0 + 60, "is_archived": true},
            {"id": "C3", "name": "general", "created": DAY0 - DAY, "is_general": true, "members": ["U1", "U2"]}
        ])
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        d.join("groups.json"),
        json!([{"id": "G1", "name": "issue-secret-0908", "created": DAY0}]).to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(d.join("issue-ünïcode-0908")).unwrap();
    std::fs::write(
        d.join("issue-ünïcode-0908/2016-08-09.json"),
        json!([{"type": "message", "ts": format!("{}.000200", DAY0 + 5), "text": "naïve ☕ \"quoted\"\nline",
                "blocks": [{"type": "rich_text"}], "reactions": [{"name": "eyes", "count": 2}]},
               {"type": "message", "user": "U2", "ts": format!("{}.000300", DAY0 + 6)}])
        .to_string(),
    )
    .unwrap();
    std::fs::write(d.join("issue-ünïcode-0908/2016-08-10.json"), "").unwrap();
    std::fs::write(d.join("issue-ünïcode-0908/canvas.json"), "not json at all").unwrap();

    let ws = load(d).unwrap();
    assert_eq!(ws.channels.len(), 3, "groups.json is ignored unless asked");
    assert!(ws.users.is_empty(), "users.json is optional");
    let messages = messages_frame(&ws).unwrap();
    assert_eq!(messages.height(), 2);
    let text = messages
        .column("text")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap()
        .to_string();
    assert_eq!(text, "naïve ☕ \"quoted\"\nline");
    assert_eq!(
        messages.column("text").unwrap().str().unwrap().get(1),
        Some("")
    );

    let inc = IncidentFrames::new(&ws, "issue-").unwrap().incidents;
    assert_eq!(inc.height(), 2);
    assert_eq!(strings(&inc, "topic_word").unwrap()[0], "ünïcode");
    assert_eq!(floats(&inc, "message_count").unwrap()[0], 2.0);
    assert_eq!(
        (
            inc.column("open").unwrap().bool().unwrap().get(1),
            instants(&inc, "archived_at").unwrap()[1]
        ),
        (Some(false), None),
        "archived, archive message absent"
    );

    let private = load_with(
        d,
        &LoadOptions {
            include_private: true,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(private.channels.len(), 4);
    assert_eq!(
        channels_frame(&private)
            .unwrap()
            .column("is_private")
            .unwrap()
            .bool()
            .unwrap()
            .sum(),
        Some(1)
    );
}

#[test]
fn frames_have_the_documented_columns_and_types() {
    let ws = load(sample()).unwrap();
    let utc_ms = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));

    let channels = channels_frame(&ws).unwrap();
    assert_eq!(channels.height(), 215);
    assert_eq!(
        column_names(&channels),
        [
            "id",
            "name",
            "created",
            "creator",
            "is_archived",
            "archived_at",
            "topic",
            "purpose",
            "num_members",
            "is_private",
            "message_count"
        ]
    );
    assert_eq!(channels.column("created").unwrap().dtype(), &utc_ms);
    assert_eq!(channels.column("archived_at").unwrap().dtype(), &utc_ms);

    let messages = messages_frame(&ws).unwrap();
    assert_eq!(
        column_names(&messages),
        [
            "channel_id",
            "ts",
            "time",
            "user",
            "author",
            "subtype",
            "text",
            "thread_ts"
        ]
    );
    assert_eq!(messages.column("time").unwrap().dtype(), &utc_ms);
    let total: usize = ws.channels.iter().map(|c| c.activity.message_count).sum();
    assert_eq!(messages.height(), total);

    let incidents = IncidentFrames::new(&ws, "issue-").unwrap().incidents;
    assert_eq!(incidents.height(), 207);
    assert_eq!(
        incidents.column("name_date").unwrap().dtype(),
        &DataType::Date
    );
    assert_eq!(
        incidents.column("open").unwrap().bool().unwrap().sum(),
        Some(3)
    );
    // Names off the convention keep nulls, they are not errors.
    let nulls = incidents.column("topic_word").unwrap().null_count();
    assert!(nulls > 0 && nulls < 20, "{nulls}");
}

#[test]
fn sample_names_cross_new_year() {
    use chrono::Datelike;
    let ws = load(sample()).unwrap();
    let mut across = 0;
    let inc = IncidentFrames::new(&ws, "issue-").unwrap().incidents;
    let names = strings(&inc, "name").unwrap();
    let created = instants(&inc, "created").unwrap();
    for ((name, date), created) in names
        .iter()
        .zip(dates(&inc, "name_date").unwrap())
        .zip(created)
    {
        let (Some(date), Some(created)) = (date, created) else {
            continue;
        };
        let gap = (date - created.date_naive()).num_days().abs();
        assert!(gap <= 1, "{name} created {created} named for {date}");
        across += usize::from(date.year() != created.year());
    }
    assert!(
        across > 0,
        "the sample has a channel named for the next year's date"
    );
}

fn zip_folder(src: &Path, zip_path: &Path, root: &str) {
    let file = std::fs::File::create(zip_path).unwrap();
    let mut zip = ::zip::ZipWriter::new(file);
    let options = ::zip::write::SimpleFileOptions::default();
    for entry in walk(src) {
        let rel = entry
            .strip_prefix(src)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        zip.start_file(format!("{root}{rel}"), options).unwrap();
        zip.write_all(&std::fs::read(&entry).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn zip_exports_read_like_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = report_json(&sample(), &[]);
    for root in ["", "Kayako Slack export Mar 24 2017/"] {
        let zip_path = tmp.path().join("export.zip");
        zip_folder(&sample(), &zip_path, root);
        assert_eq!(report_json(&zip_path, &[]), folder, "root {root:?}");
        let ws = load(&zip_path).unwrap();
        assert_eq!(
            ws.messages.height(),
            load(sample()).unwrap().messages.height()
        );
    }
}

#[test]
fn a_zips_day_files_are_read_on_all_cores_with_the_folders_warnings_and_errors() {
    // A broken day file early in channels.json and one late: they fall in different runs.
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("export");
    for entry in walk(&sample()) {
        let to = folder.join(entry.strip_prefix(sample()).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    let channels = load(&folder).unwrap().channels;
    let with_days: Vec<String> = channels
        .iter()
        .map(|c| c.name.clone())
        .filter(|name| folder.join(name).is_dir())
        .collect();
    let broken: Vec<String> = [&with_days[1], &with_days[with_days.len() - 2]]
        .iter()
        .map(|name| {
            let first_day = walk(&folder.join(name)).remove(0);
            std::fs::write(&first_day, "[{\"ts\": \"1\"").unwrap();
            format!(
                "{name}/{}",
                first_day.file_name().unwrap().to_str().unwrap()
            )
        })
        .collect();
    let zip_path = tmp.path().join("export.zip");
    zip_folder(&folder, &zip_path, "");
    let broken_in = |path: &Path| -> Vec<String> {
        let ws = load(path).unwrap();
        let warned: Vec<String> = ws
            .warnings
            .iter()
            .map(|w| w.file.display().to_string())
            .collect();
        // In the order warned.
        warned
            .iter()
            .filter_map(|w| broken.iter().find(|b| w.ends_with(b.as_str())).cloned())
            .collect()
    };
    assert_eq!(broken_in(&folder), broken);
    assert_eq!(
        broken_in(&zip_path),
        broken,
        "the zip warns as the folder does"
    );
    assert_eq!(
        load(&zip_path).unwrap().messages.height(),
        load(&folder).unwrap().messages.height()
    );
    let strict = LoadOptions {
        strict: true,
        ..LoadOptions::default()
    };
    let err = load_with(&zip_path, &strict).err().unwrap().to_string();
    assert!(err.contains(&broken[0]), "the first broken file: {err}");
}

#[test]
fn broken_zip_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("export.zip");
    zip_folder(&sample(), &zip_path, "");
    let bytes = std::fs::read(&zip_path).unwrap();
    std::fs::write(&zip_path, &bytes[..bytes.len() / 3]).unwrap();
    let err = load(&zip_path)
        .err()
        .expect("a truncated zip fails")
        .to_string();
    assert!(err.contains("export.zip"), "{err}");
}

#[test]
fn generator_reproduces_the_committed_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sample");
    generate(&out, &GenerateOptions::default()).unwrap();
    let (ours, committed) = (walk(&out), walk(&sample()));
    let rel = |v: &[std::path::PathBuf], base: &Path| -> Vec<String> {
        v.iter()
            .map(|p| p.strip_prefix(base).unwrap().display().to_string())
            .collect()
    };
    assert_eq!(rel(&ours, &out), rel(&committed, &sample()));
    for (a, b) in ours.iter().zip(&committed) {
        assert!(
            std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
            "{} differs",
            b.display()
        );
    }
}

#[test]
fn generator_refuses_a_folder_with_files() {
    let err = generate(sample(), &GenerateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not empty"), "{err}");
}

#[test]
fn scaled_workspace_keeps_the_convention() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = generate(
        tmp.path(),
        &GenerateOptions {
            seed: 7,
            scale: 3,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(summary.incident_channels, 3 * 207);
    let ws = load(tmp.path()).unwrap();
    let inc = IncidentFrames::new(&ws, "issue-").unwrap().incidents;
    assert_eq!(inc.height(), 621);
    let names: std::collections::HashSet<_> = strings(&inc, "name").unwrap().into_iter().collect();
    assert_eq!(names.len(), 621, "channel names are unique");
    assert_eq!(ws.messages.height(), summary.messages);
}

#[test]
fn old_exports_with_numbers_as_strings_read_like_new_ones() {
    // A 2015 export: `created`, `last_set` and `num_members` as strings, `ts` as a number.
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + DAY))
        .channel("issue-b-1008", DAY0 + DAY, None);
    let dir = w.finish();
    let new = report_json(&dir, &[]);
    let path = dir.join("channels.json");
    let mut channels: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for c in channels.as_array_mut().unwrap() {
        c["created"] = json!(c["created"].to_string());
        c["topic"]["last_set"] = json!("1424284521");
        c["num_members"] = json!("3");
    }
    std::fs::write(&path, channels.to_string()).unwrap();
    let day = dir.join("issue-a-0908/2016-08-09.json");
    let text = std::fs::read_to_string(&day).unwrap().replace(
        &format!("\"{}.000100\"", DAY0 + 1),
        &format!("{}.0001", DAY0 + 1),
    );
    std::fs::write(&day, text).unwrap();

    let ws = load_with(
        &dir,
        &LoadOptions {
            strict: true,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(ws.channels[0].topic.last_set, 1424284521);
    assert_eq!(ws.channels[0].num_members, Some(3));
    let ts = ws.messages.column("ts").unwrap().str().unwrap().get(0);
    assert_eq!(ts, Some(format!("{}.000100", DAY0 + 1).as_str()));
    assert_eq!(report_json(&dir, &["--strict"]), new);
}

#[test]
fn a_lean_load_gives_the_same_incident_frames() {
    let full = load(sample()).unwrap();
    let lean_options = LoadOptions {
        lean: true,
        ..LoadOptions::default()
    };
    let lean = load_with(sample(), &lean_options).unwrap();
    let (full, lean) = (
        IncidentFrames::new(&full, "issue-").unwrap(),
        IncidentFrames::new(&lean, "issue-").unwrap(),
    );
    assert!(full.incidents.equals_missing(&lean.incidents));
    assert_eq!(full.as_of, lean.as_of);
    // Every column but the texts and Slack's ids, which the lean load leaves out.
    let read = |df: &DataFrame| df.drop_many(["ts", "thread_ts", "text"]);
    assert!(read(&full.messages).equals_missing(&read(&lean.messages)));
    let texts = |df: &DataFrame| -> Vec<Option<String>> {
        let texts = df.column("text").unwrap().str().unwrap();
        texts.iter().map(|t| t.map(str::to_string)).collect()
    };
    let (all, kept) = (texts(&full.messages), texts(&lean.messages));
    let flagged = lean
        .messages
        .clone()
        .lazy()
        .select([col("is_escalation")
            .or(col("is_resolution"))
            .or(col("is_summary"))
            .alias("f")])
        .collect()
        .unwrap();
    let flagged = flagged.column("f").unwrap().bool().unwrap().clone();
    let flagged = flagged.iter().map(|f| f == Some(true));
    for ((all, kept), flagged) in all.iter().zip(&kept).zip(flagged) {
        // A flagged message keeps its text; a kept text is the message's own.
        assert!(!flagged || kept.is_some());
        assert!(kept.is_none() || kept == all);
    }
    assert!(kept.iter().filter(|t| t.is_some()).count() < all.len() / 2);
    assert_eq!(lean.messages.column("ts").unwrap().null_count(), kept.len());
}

#[test]
fn a_channel_filter_reads_only_the_chosen_channels_messages() {
    let mut w = Crafted::new();
    w.channel("issue-db-0908", DAY0, Some(DAY0 + DAY));
    w.channel("general", DAY0, None)
        .messages("general", &[msg(DAY0 + HOUR, "", "lunch?")]);
    let dir = w.finish();
    // A broken day file in a channel that is not read cannot fail the load.
    std::fs::write(dir.join("general/2016-08-10.json"), "[{\"ts\": ").unwrap();
    let options = LoadOptions {
        strict: true,
        messages_of: ChannelFilter::named(|name| name.starts_with("issue-")),
        ..LoadOptions::default()
    };
    let ws = load_with(&dir, &options).unwrap();
    // Both channels are listed; only the incident's messages are read.
    assert_eq!(ws.channels.len(), 2);
    let read = ws.messages.column("channel_id").unwrap().str().unwrap();
    assert!(read.iter().all(|id| id == Some(ws.channels[0].id.as_str())));
    assert_eq!(ws.messages.height(), 2);
    assert_eq!(ws.channels[1].activity.message_count, 0);
    assert!(ws.warnings.is_empty(), "{:?}", ws.warnings);

    // Reading every channel finds the broken file.
    let all = LoadOptions {
        strict: true,
        ..LoadOptions::default()
    };
    let err = load_with(&dir, &all).err().expect("strict fails on it");
    assert!(err.to_string().contains("general"), "{err}");

    // The report reads the incident channels only: the same figures, and no failure.
    let report = report_json(&dir, &["--strict"]);
    assert_eq!(report["issue_channels"], 1);
}
