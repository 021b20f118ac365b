//! Incident metrics and the SOP audit against hand-computed values on small crafted
//! workspaces, edge cases included.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use incident_channels::analysis::audit::{self, AuditOptions};
use incident_channels::analysis::metrics::{self, quantile, TimeToArchive};
use incident_channels::prelude::*;
use serde_json::json;

fn at(secs: i64) -> Instant {
    Utc.timestamp_opt(secs, 0).unwrap()
}

fn incidents(w: &mut Crafted) -> Vec<Incident> {
    let ws = load(w.finish()).unwrap();
    find_incidents(&ws, "issue-").unwrap()
}

#[test]
fn quantiles_interpolate_linearly() {
    let v = [1.0, 2.0, 10.0, 100.0];
    assert_eq!(quantile(&v, 0.5), Some(6.0));
    assert!((quantile(&v, 0.9).unwrap() - 73.0).abs() < 1e-9);
    assert_eq!(quantile(&[5.0], 0.9), Some(5.0));
    assert_eq!(quantile(&[], 0.5), None);
}

#[test]
fn time_to_archive_leaves_open_channels_out_and_counts_them() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + HOUR))
        .channel("issue-b-0908", DAY0, Some(DAY0 + 2 * HOUR))
        .channel("issue-c-0908", DAY0, Some(DAY0 + 10 * HOUR))
        .channel("issue-d-0908", DAY0, Some(DAY0 + 100 * HOUR))
        .channel("issue-e-0908", DAY0, None);
    let tta = TimeToArchive::of(&incidents(&mut w));
    assert_eq!((tta.count, tta.open_excluded), (4, 1));
    assert_eq!(tta.median, Some(6.0));
    assert!((tta.p90.unwrap() - 73.0).abs() < 1e-9);
    let ecdf = tta.ecdf().unwrap();
    assert_eq!(ecdf.height(), 4);
    assert_eq!(
        ecdf.column("share_archived").unwrap().f64().unwrap().get(3),
        Some(1.0)
    );
}

#[test]
fn all_open_and_single_channel_workspaces() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None);
    let inc = incidents(&mut w);
    let tta = TimeToArchive::of(&inc);
    assert_eq!(
        (tta.count, tta.open_excluded, tta.median, tta.p90),
        (0, 1, None, None)
    );
    let per_day = metrics::open_per_day(&inc, Tz::UTC, at(DAY0 + 2 * DAY));
    assert_eq!(
        per_day.iter().map(|d| d.1).collect::<Vec<_>>(),
        vec![1, 1, 1]
    );
    let ages = metrics::open_ages(&inc, at(DAY0 + 2 * DAY)).unwrap();
    assert_eq!(
        ages.column("open_channels").unwrap().u32().unwrap().get(1),
        Some(1)
    );
}

#[test]
fn open_per_day_counts_any_moment_of_the_day() {
    let mut w = Crafted::new();
    // Open from day 0 10:00 to day 2 01:00: days 0, 1 and 2.
    w.channel(
        "issue-a-0908",
        DAY0 + 10 * HOUR,
        Some(DAY0 + 2 * DAY + HOUR),
    )
    // Twenty minutes late on day 1.
    .channel(
        "issue-b-1008",
        DAY0 + DAY + 23 * HOUR,
        Some(DAY0 + DAY + 23 * HOUR + 1200),
    );
    let per_day =
        metrics::open_per_day(&incidents(&mut w), Tz::UTC, at(DAY0 + 3 * DAY + 12 * HOUR));
    let counts: Vec<(String, usize)> = per_day
        .into_iter()
        .map(|(d, n)| (d.to_string(), n))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("2016-08-09".into(), 1),
            ("2016-08-10".into(), 2),
            ("2016-08-11".into(), 1),
            ("2016-08-12".into(), 0)
        ]
    );
}

#[test]
fn open_per_day_follows_daylight_saving_in_the_zone() {
    // Berlin springs forward on 27 March 2016: that day has 23 hours.
    let created = Utc
        .with_ymd_and_hms(2016, 3, 26, 23, 30, 0)
        .unwrap()
        .timestamp(); // 00:30 on the 27th in Berlin
    let archived = Utc
        .with_ymd_and_hms(2016, 3, 27, 22, 30, 0)
        .unwrap()
        .timestamp(); // 00:30 on the 28th in Berlin
    let mut w = Crafted::new();
    w.channel("issue-dst-2703", created, Some(archived));
    let inc = incidents(&mut w);
    let days = |tz: Tz| -> Vec<String> {
        metrics::open_per_day(&inc, tz, at(archived + 3600))
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(d, _)| d.to_string())
            .collect()
    };
    assert_eq!(
        days(parse_tz("Europe/Berlin").unwrap()),
        vec!["2016-03-27", "2016-03-28"]
    );
    assert_eq!(days(Tz::UTC), vec!["2016-03-26", "2016-03-27"]);
}

#[test]
fn created_and_archived_per_month_keep_empty_months() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + 60 * DAY))
        .channel("issue-b-1008", DAY0 + DAY, Some(DAY0 + 2 * DAY));
    let df = metrics::created_vs_archived(&incidents(&mut w), Tz::UTC).unwrap();
    let months: Vec<&str> = df
        .column("month")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(months, ["2016-08", "2016-09", "2016-10"]);
    let created: Vec<u32> = df
        .column("created")
        .unwrap()
        .u32()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let archived: Vec<u32> = df
        .column("archived")
        .unwrap()
        .u32()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!((created, archived), (vec![2, 0, 0], vec![1, 0, 1]));
}

#[test]
fn weekday_hour_grid_in_the_zone() {
    // Tuesday 9 August 2016, 09:15 UTC = 14:45 in India.
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0 + 9 * HOUR + 900, None);
    let inc = incidents(&mut w);
    assert_eq!(metrics::weekday_hour(&inc, Tz::UTC)[1][9], 1.0);
    assert_eq!(
        metrics::weekday_hour(&inc, parse_tz("Asia/Kolkata").unwrap())[1][14],
        1.0
    );
}

#[test]
fn responders_load_follows_incident_ios_rule() {
    let m = |h: i64, min: i64| ("ana".to_string(), at(DAY0 + h * HOUR + min * 60));
    let messages = vec![
        m(10, 0),
        m(10, 15),
        m(10, 30), // one stretch 10:00-10:40: 40 working minutes
        m(18, 55),
        m(19, 5),  // 18:55-19:15: 5 working, 15 late
        m(23, 55), // 23:55-00:05: 10 sleeping
    ];
    let load = metrics::responders_load(&messages, Tz::UTC)["ana"];
    assert!((load.working_hours - 45.0 / 60.0).abs() < 1e-9, "{load:?}");
    assert!((load.late_hours - 15.0 / 60.0).abs() < 1e-9, "{load:?}");
    assert!((load.sleeping_hours - 10.0 / 60.0).abs() < 1e-9, "{load:?}");
}

#[test]
fn audit_reads_topics_summaries_silences_and_postmortems() {
    let mut w = Crafted::new();
    w.channel("issue-db-0908", DAY0, None)
        .messages(
            "issue-db-0908",
            &[
                {
                    let mut t = msg(DAY0 + 300, "channel_topic", "set the channel topic: DB | SRE: <@U1> | Dev: <@U2>");
                    t["topic"] = "DB | SRE: <@U1> | Dev: <@U2>".into();
                    t
                },
                msg(DAY0 + 600, "", "*Environment:* Production\n*Component:* DB\n*Probable cause:* UNKNOWN\n*Type:* Self"),
                msg(DAY0 + 600 + 50 * 60, "", "still broken, escalating to the DBA"),
                msg(DAY0 + 600 + 55 * 60, "", "Mitigated"),
                msg(DAY0 + 5 * DAY, "", "post-mortem soon"),
            ],
        )
        .channel("issue-quiet", DAY0, Some(DAY0 + DAY));
    let dir = w.finish();
    // The crafted channel's topic is set in channels.json too, as Slack does.
    let path = dir.join("channels.json");
    let mut channels: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    channels[0]["topic"] =
        json!({"value": "DB | SRE: <@U1> | Dev: <@U2>", "creator": "U1", "last_set": DAY0 + 300});
    std::fs::write(&path, channels.to_string()).unwrap();
    let ws = load(&dir).unwrap();
    let inc = find_incidents(&ws, "issue-").unwrap();
    let db = inc.iter().find(|i| i.name == "issue-db-0908").unwrap();
    assert_eq!(db.conversation.owners.sre.as_deref(), Some("ana"));
    assert_eq!(db.conversation.owners.developer.as_deref(), Some("bo"));
    assert_eq!(db.conversation.escalations, 1);
    assert_eq!(audit::longest_silence(db, chrono::Duration::hours(2)), 50.0);

    let summary = audit::summarize(&inc, at(DAY0 + 10 * DAY), &AuditOptions::default());
    assert_eq!(summary.channels, 2);
    assert_eq!(summary.named_by_convention, 1);
    assert_eq!((summary.topic_with_both_owners, summary.no_topic), (1, 1));
    assert_eq!(summary.median_minutes_to_topic, Some(5.0));
    assert_eq!((summary.with_summary, summary.summary_complete), (1, 0));
    // The db channel went quiet for 50 minutes; nobody ever wrote in the quiet one.
    assert_eq!(summary.with_long_silence, 2);
    let quiet = inc.iter().find(|i| i.name == "issue-quiet").unwrap();
    assert_eq!(
        audit::longest_silence(quiet, chrono::Duration::hours(2)),
        120.0
    );
    assert_eq!(summary.escalated, 1);
    assert_eq!(summary.waiting_for_postmortem, 1);

    let fields = audit::summary_fields(&inc).unwrap();
    let unknown: Vec<u32> = fields
        .column("unknown")
        .unwrap()
        .u32()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(
        unknown.iter().sum::<u32>(),
        1,
        "probable cause said UNKNOWN"
    );
    let missing: Vec<u32> = fields
        .column("missing")
        .unwrap()
        .u32()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(missing.iter().sum::<u32>(), 5);
}

#[test]
fn report_json_has_metrics_and_audit() {
    let r = report_json(&sample(), &[]);
    let tta = &r["metrics"]["time_to_archive_hours"];
    assert_eq!(tta["count"], 204);
    assert_eq!(tta["open_excluded"], 3);
    assert!(tta["median"].as_f64().unwrap() < tta["p90"].as_f64().unwrap());
    let per_day = r["metrics"]["open_per_day"].as_array().unwrap();
    assert_eq!(per_day[0]["date"], "2016-03-11");
    assert_eq!(
        per_day.last().unwrap()["date"],
        r["as_of"].as_str().unwrap()[..10]
    );
    // The 3 still open, and any archived during that day.
    assert!(per_day.last().unwrap()["open"].as_u64().unwrap() >= 3);
    // The planted lapses are found.
    let audit = &r["audit"];
    assert_eq!(audit["channels"], 207);
    for lapse in [
        "no_topic",
        "topic_with_one_owner",
        "topic_late",
        "with_long_silence",
        "waiting_for_postmortem",
    ] {
        assert!(audit[lapse].as_u64().unwrap() > 0, "{lapse}");
    }
    assert!(audit["named_by_convention"].as_u64().unwrap() < 207);
    assert!(audit["with_summary"].as_u64().unwrap() < 207);
    assert!(
        r["metrics"]["responders_load_hours"]["arjun"]["working_hours"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let environments: Vec<&str> = r["metrics"]["by_environment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["environment"].as_str().unwrap())
        .collect();
    assert_eq!(environments, ["Production", "Staging", "(none)"]);
}

#[test]
fn report_out_writes_page_charts_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cli(&[
        "report",
        sample().to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in [
        "report.html",
        "report.md",
        "report.json",
        "open-over-time.svg",
        "open-per-day.png",
        "weekday-hour.svg",
        "time-to-archive-share.svg",
    ] {
        assert!(
            tmp.path().join(file).metadata().unwrap().len() > 500,
            "{file}"
        );
    }
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("![Created and archived per month](created-vs-archived.svg)"));
    assert!(md.contains("SOP audit: waiting for a post-mortem"));
}

#[test]
fn breakdown_and_period_comparison() {
    let mut w = Crafted::new();
    w.channel("issue-db-0908", DAY0, Some(DAY0 + 2 * HOUR))
        .channel("issue-db-1008", DAY0 + DAY, Some(DAY0 + DAY + 4 * HOUR))
        .channel("issue-mail-2008", DAY0 + 11 * DAY, None)
        .channel("issue-odd", DAY0 + 12 * DAY, Some(DAY0 + 12 * DAY + HOUR));
    let inc = incidents(&mut w);
    let by_topic = metrics::breakdown(&inc, metrics::By::TopicWord).unwrap();
    let keys: Vec<&str> = by_topic
        .column("topic_word")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(
        keys,
        ["db", "(none)", "mail"],
        "most incidents first, then by name"
    );
    let medians = by_topic
        .column("median_hours_to_archive")
        .unwrap()
        .f64()
        .unwrap();
    assert_eq!(medians.get(0), Some(3.0));
    assert_eq!(medians.get(2), None, "the only mail incident is still open");
    let open: Vec<u32> = by_topic
        .column("open")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(open, [0, 0, 1]);

    // As of day 13: the last 10 days hold mail and odd, the 10 before hold both db ones.
    let p = metrics::compare_periods(&inc, at(DAY0 + 13 * DAY), 10);
    assert_eq!((p.this_created, p.previous_created), (2, 2));
    assert_eq!(p.this_median_hours_to_archive, Some(1.0));
    assert_eq!(p.previous_median_hours_to_archive, Some(3.0));
}

#[test]
fn charts_render_as_svg_and_png() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + 5 * HOUR))
        .channel("issue-b-1008", DAY0 + DAY, None);
    let inc = incidents(&mut w);
    let charts = [
        metrics::created_vs_archived_chart(&inc, Tz::UTC).unwrap(),
        metrics::open_per_day_chart(&inc, Tz::UTC, at(DAY0 + 3 * DAY)),
        metrics::weekday_hour_chart(&inc, Tz::UTC),
        TimeToArchive::of(&inc).histogram(),
        TimeToArchive::of(&inc).ecdf_chart(),
    ];
    for chart in charts {
        let svg = chart.svg().unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains(&chart.title),
            "{}",
            chart.title
        );
        let png = chart.png().unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
    let share = TimeToArchive::of(&inc).ecdf_chart().svg().unwrap();
    assert!(
        ["0%", "50%", "100%"]
            .iter()
            .all(|label| share.lines().any(|l| l.trim() == *label)),
        "shares on the y axis"
    );
}
