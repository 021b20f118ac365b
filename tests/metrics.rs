//! Incident metrics and the SOP audit against hand-computed values on small crafted
//! workspaces, edge cases included.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use incident_channels::analysis::metrics::{PeriodComparison, TimeToArchive};
use incident_channels::frames::{floats, strings};
use incident_channels::prelude::*;
use serde_json::json;

fn at(secs: i64) -> Instant {
    Utc.timestamp_opt(secs, 0).unwrap()
}

fn frames(w: &mut Crafted) -> IncidentFrames {
    let ws = load(w.finish()).unwrap();
    IncidentFrames::new(&ws, "issue-").unwrap()
}

/// The incidents frame of a crafted workspace, lazily.
fn incidents(w: &mut Crafted) -> LazyFrame {
    frames(w).incidents.lazy()
}

fn counts(df: &DataFrame, name: &str) -> Vec<u32> {
    floats(df, name)
        .unwrap()
        .into_iter()
        .map(|v| v as u32)
        .collect()
}

#[test]
fn summary_quantiles_interpolate_linearly() {
    let mut w = Crafted::new();
    for (i, hours) in [1, 2, 10, 100].into_iter().enumerate() {
        w.channel(&format!("issue-x{i}-0908"), DAY0, Some(DAY0 + hours * HOUR));
    }
    let row = incidents(&mut w).select(summary()).collect().unwrap();
    assert_eq!(floats(&row, "median_hours_to_archive").unwrap(), [6.0]);
    let p90 = floats(&row, "p90_hours_to_archive").unwrap()[0];
    assert!((p90 - 73.0).abs() < 1e-9, "{p90}");
    assert_eq!(counts(&row, "incidents"), [4]);
}

#[test]
fn time_to_archive_leaves_open_channels_out_and_counts_them() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + HOUR))
        .channel("issue-b-0908", DAY0, Some(DAY0 + 2 * HOUR))
        .channel("issue-c-0908", DAY0, Some(DAY0 + 10 * HOUR))
        .channel("issue-d-0908", DAY0, Some(DAY0 + 100 * HOUR))
        .channel("issue-e-0908", DAY0, None);
    let tta = TimeToArchive::of(incidents(&mut w)).unwrap();
    assert_eq!((tta.count, tta.open_excluded), (4, 1));
    assert_eq!(tta.median, Some(6.0));
    assert!((tta.p90.unwrap() - 73.0).abs() < 1e-9);
    assert_eq!(tta.hours, [1.0, 2.0, 10.0, 100.0]);
    let ecdf = metrics::time_to_archive_ecdf(incidents(&mut w))
        .collect()
        .unwrap();
    assert_eq!(
        floats(&ecdf, "share_archived").unwrap(),
        [0.25, 0.5, 0.75, 1.0]
    );
}

#[test]
fn all_open_and_single_channel_workspaces() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None);
    let inc = incidents(&mut w);
    let tta = TimeToArchive::of(inc.clone()).unwrap();
    assert_eq!(
        (tta.count, tta.open_excluded, tta.median, tta.p90),
        (0, 1, None, None)
    );
    let per_day = metrics::open_per_day(inc.clone(), Tz::UTC, at(DAY0 + 2 * DAY))
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(counts(&per_day, "open"), [1, 1, 1]);
    let ages = metrics::open_ages(inc, at(DAY0 + 2 * DAY))
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(counts(&ages, "open_channels"), [0, 1, 0, 0, 0]);
    assert_eq!(strings(&ages, "channels").unwrap()[1], "issue-a-0908");
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
    let per_day = metrics::open_per_day(incidents(&mut w), Tz::UTC, at(DAY0 + 3 * DAY + 12 * HOUR))
        .unwrap()
        .collect()
        .unwrap();
    let days: Vec<(String, u32)> = strings(&per_day, "date")
        .unwrap()
        .into_iter()
        .zip(counts(&per_day, "open"))
        .collect();
    assert_eq!(
        days,
        vec![
            ("2016-08-09".into(), 1),
            ("2016-08-10".into(), 2),
            ("2016-08-11".into(), 1),
            ("2016-08-12".into(), 0)
        ]
    );
    // What moved the count, named: b opened and was archived on the 10th; a was archived
    // on the 11th (and counted open that day).
    let named = |column| strings(&per_day, column).unwrap();
    assert_eq!(
        named("opened_channels"),
        ["issue-a-0908", "issue-b-1008", "", ""]
    );
    assert_eq!(
        named("archived_channels"),
        ["", "issue-b-1008", "issue-a-0908", ""]
    );
    // The interactive chart's tooltip carries them on the hovered day.
    let spec = charts::open_per_day_chart(&per_day, Tz::UTC)
        .unwrap()
        .vega_lite();
    let tenth = &spec["data"]["values"][1];
    assert_eq!(tenth["t"], "2016-08-10T00:00:00Z");
    assert_eq!(tenth["opened"], "issue-b-1008");
    assert_eq!(tenth["archived"], "issue-b-1008");
    let hover = &spec["layer"][1]["encoding"]["tooltip"];
    let fields: Vec<&str> = hover
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["when", "value", "opened", "archived"]);
}

#[test]
fn time_axes_follow_the_calendar_of_the_zone() {
    // 1 March 2017, 00:00 in Kolkata is 28 February, 18:30 UTC: a day a UTC axis would
    // label as February.
    let mut w = Crafted::new();
    let march_kolkata = 1_488_306_600;
    w.channel(
        "issue-a-0103",
        march_kolkata + HOUR,
        Some(march_kolkata + 40 * DAY),
    )
    .channel("issue-b-0103", march_kolkata - 20 * DAY, None);
    let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
    let per_day = metrics::open_per_day(incidents(&mut w), kolkata, at(march_kolkata + 60 * DAY))
        .unwrap()
        .collect()
        .unwrap();
    let chart = charts::open_per_day_chart(&per_day, kolkata).unwrap();
    let svg = chart.svg().unwrap();
    // Weekly ticks over two months and a half: on Mondays, in the zone, the year once.
    for label in ["13 Feb 2017", "6 Mar", "27 Mar", "date (Asia/Kolkata)"] {
        assert!(svg_has_text(&svg, label), "{label} not in the axis:\n{svg}");
    }
    // The spec writes the zone's wall clock, so that Vega's UTC scale ticks its calendar.
    let spec = chart.vega_lite();
    let first = spec["data"]["values"][0]["t"].as_str().unwrap().to_string();
    assert!(first.ends_with("T00:00:00Z"), "{first}");
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
        let per_day = metrics::open_per_day(inc.clone(), tz, at(archived + 3600))
            .unwrap()
            .filter(col("open").gt(lit(0)))
            .collect()
            .unwrap();
        strings(&per_day, "date").unwrap()
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
    let df = metrics::created_vs_archived(incidents(&mut w), Tz::UTC)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        strings(&df, "month").unwrap(),
        ["2016-08", "2016-09", "2016-10"]
    );
    assert_eq!(
        (counts(&df, "created"), counts(&df, "archived")),
        (vec![2, 0, 0], vec![1, 0, 1])
    );
}

#[test]
fn weekday_hour_grid_in_the_zone() {
    // Tuesday 9 August 2016, 09:15 UTC = 14:45 in India.
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0 + 9 * HOUR + 900, None);
    let inc = incidents(&mut w);
    let cell = |tz: Tz| {
        let df = metrics::weekday_hour(inc.clone(), tz)
            .unwrap()
            .collect()
            .unwrap();
        (
            counts(&df, "weekday"),
            counts(&df, "hour"),
            counts(&df, "incidents"),
        )
    };
    assert_eq!(cell(Tz::UTC), (vec![2], vec![9], vec![1]), "Tuesday 09h");
    assert_eq!(
        cell(parse_tz("Asia/Kolkata").unwrap()),
        (vec![2], vec![14], vec![1])
    );
}

#[test]
fn responders_load_follows_incident_ios_rule() {
    let mut w = Crafted::new();
    let m = |h: i64, min: i64, text: &str| msg(DAY0 + h * HOUR + min * 60, "", text);
    w.channel("issue-a-0908", DAY0, None).messages(
        "issue-a-0908",
        &[
            m(10, 0, "looking"),
            m(10, 15, "found it"),
            m(10, 30, "fixing"), // one stretch 10:00-10:40: 40 working minutes
            m(18, 55, "again"),
            m(19, 5, "better"), // 18:55-19:15: 5 working, 15 late
            m(23, 55, "paged"), // 23:55-00:05: 10 sleeping
        ],
    );
    let f = frames(&mut w);
    let stretches = metrics::stretches(f.messages.clone().lazy())
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(stretches.height(), 3, "{stretches}");
    let load = metrics::responders_load(f.messages.clone().lazy(), Tz::UTC)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(strings(&load, "responder").unwrap(), ["ana"]);
    let hours = |c: &str| floats(&load, c).unwrap()[0];
    assert!(
        (hours("working_hours") - 45.0 / 60.0).abs() < 1e-9,
        "{load}"
    );
    assert!((hours("late_hours") - 15.0 / 60.0).abs() < 1e-9, "{load}");
    assert!(
        (hours("sleeping_hours") - 10.0 / 60.0).abs() < 1e-9,
        "{load}"
    );
    assert!((hours("total_hours") - 70.0 / 60.0).abs() < 1e-9, "{load}");
    // In Kolkata (UTC+5:30) the first stretch is mid-afternoon, the others are at night.
    let kolkata = parse_tz("Asia/Kolkata").unwrap();
    let load = metrics::responders_load(f.messages.lazy(), kolkata)
        .unwrap()
        .collect()
        .unwrap();
    let hours = |c: &str| floats(&load, c).unwrap()[0];
    assert!(
        (hours("working_hours") - 40.0 / 60.0).abs() < 1e-9,
        "{load}"
    );
    assert!(hours("late_hours").abs() < 1e-9, "{load}");
    assert!(
        (hours("sleeping_hours") - 30.0 / 60.0).abs() < 1e-9,
        "{load}"
    );
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
    let f = IncidentFrames::new(&ws, "issue-").unwrap();
    let inc = || f.incidents.clone().lazy();
    let db = inc()
        .filter(col("name").eq(lit("issue-db-0908")))
        .collect()
        .unwrap();
    assert_eq!(strings(&db, "sre_owner").unwrap(), ["ana"]);
    assert_eq!(strings(&db, "dev_owner").unwrap(), ["bo"]);
    assert_eq!(counts(&db, "escalations"), [1]);
    assert_eq!(floats(&db, "longest_silence_minutes").unwrap(), [50.0]);
    assert_eq!(floats(&db, "minutes_to_topic").unwrap(), [5.0]);
    assert_eq!(strings(&db, "probable_cause").unwrap(), ["UNKNOWN"]);
    assert_eq!(strings(&db, "type").unwrap(), ["Self"]);
    // Everyone who wrote is the creator: nobody else responded.
    assert!(floats(&db, "minutes_to_first_response").unwrap()[0].is_nan());
    let flags = f
        .messages
        .clone()
        .lazy()
        .select([
            col("is_summary").sum(),
            col("is_escalation").sum(),
            col("is_resolution").sum(),
        ])
        .collect()
        .unwrap();
    assert_eq!(
        [
            counts(&flags, "is_summary"),
            counts(&flags, "is_escalation"),
            counts(&flags, "is_resolution")
        ],
        [[1], [1], [1]]
    );

    let as_of = at(DAY0 + 10 * DAY);
    let summary = audit::summarize(
        inc(),
        f.messages.clone().lazy(),
        as_of,
        &AuditOptions::default(),
    )
    .unwrap();
    assert_eq!(summary.channels, 2);
    assert_eq!(summary.named_by_convention, 1);
    assert_eq!((summary.topic_with_both_owners, summary.no_topic), (1, 1));
    assert_eq!(summary.median_minutes_to_topic, Some(5.0));
    assert_eq!((summary.with_summary, summary.summary_complete), (1, 0));
    // The db channel went quiet for 50 minutes; nobody ever wrote in the quiet one.
    assert_eq!(summary.with_long_silence, 2);
    let quiet = inc()
        .filter(col("name").eq(lit("issue-quiet")))
        .collect()
        .unwrap();
    assert_eq!(floats(&quiet, "longest_silence_minutes").unwrap(), [120.0]);
    // A one-hour window halves the quiet channel's silence; the db one stays at 50.
    let options = AuditOptions {
        hot_window: TimeSpan::hours(1),
        ..AuditOptions::default()
    };
    let hour = audit::audited(inc(), f.messages.clone().lazy(), as_of, &options)
        .unwrap()
        .sort(["name"], Default::default())
        .collect()
        .unwrap();
    assert_eq!(
        floats(&hour, "longest_silence_minutes").unwrap(),
        [50.0, 60.0]
    );
    // Rings of the 10-minute timer inside each silence: at 10 to 40 minutes in the first
    // (the update came with the fifth), at 10 to 50 in the second.
    assert_eq!(counts(&hour, "timers_missed"), [4, 5]);
    // The frames' own silences stand in for the default window's; another is counted anew.
    let from_frames = |options: &AuditOptions| audit::summarize_frames(&f, as_of, options).unwrap();
    assert_eq!(from_frames(&AuditOptions::default()), summary);
    let counted = audit::summarize(inc(), f.messages.clone().lazy(), as_of, &options).unwrap();
    assert_eq!(from_frames(&options), counted);
    assert_eq!(summary.escalated, 1);
    assert_eq!(summary.waiting_for_postmortem, 1);

    let fields = audit::summary_fields(inc()).unwrap().collect().unwrap();
    assert_eq!(
        counts(&fields, "unknown").iter().sum::<u32>(),
        1,
        "probable cause said UNKNOWN"
    );
    assert_eq!(counts(&fields, "missing").iter().sum::<u32>(), 5);
    let topics = audit::topics(inc()).unwrap().collect().unwrap();
    assert_eq!(counts(&topics, "channels"), [1, 0, 0, 1]);
    let waiting = audit::waiting_for_postmortem(inc(), as_of, &AuditOptions::default())
        .collect()
        .unwrap();
    assert_eq!(strings(&waiting, "name").unwrap(), ["issue-db-0908"]);
    assert_eq!(counts(&waiting, "days_open"), [10]);
    let off = audit::off_convention(inc()).collect().unwrap();
    assert_eq!(strings(&off, "name").unwrap(), ["issue-quiet"]);
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
    let spec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("open-per-day.vl.json")).unwrap())
            .unwrap();
    assert_eq!(spec["title"], "Open incident channels per day");
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(
        md.contains("![Incident channels created and archived per month](created-vs-archived.svg)")
    );
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
    let by_topic = metrics::breakdown(inc.clone(), "topic_word")
        .collect()
        .unwrap();
    assert_eq!(
        strings(&by_topic, "topic_word").unwrap(),
        ["db", "(none)", "mail"],
        "most incidents first, then by name"
    );
    let medians = floats(&by_topic, "median_hours_to_archive").unwrap();
    assert_eq!(medians[0], 3.0);
    assert!(medians[2].is_nan(), "the only mail incident is still open");
    assert_eq!(counts(&by_topic, "open"), [0, 0, 1]);

    // A reader's tweak: conventional names only, by another column.
    let by_creator = metrics::breakdown(inc.clone().filter(col("follows_convention")), "creator")
        .collect()
        .unwrap();
    assert_eq!(strings(&by_creator, "creator").unwrap(), ["U1"]);
    assert_eq!(counts(&by_creator, "incidents"), [3]);
    assert_eq!(counts(&by_creator, "open"), [1]);

    // As of day 13: the last 10 days hold mail and odd, the 10 before hold both db ones.
    let p = PeriodComparison::of(inc, at(DAY0 + 13 * DAY), 10).unwrap();
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
    let tta = TimeToArchive::of(inc.clone()).unwrap();
    let charts = [
        charts::created_vs_archived_chart(
            &metrics::created_vs_archived(inc.clone(), Tz::UTC)
                .unwrap()
                .collect()
                .unwrap(),
        )
        .unwrap(),
        charts::open_per_day_chart(
            &metrics::open_per_day(inc.clone(), Tz::UTC, at(DAY0 + 3 * DAY))
                .unwrap()
                .collect()
                .unwrap(),
            Tz::UTC,
        )
        .unwrap(),
        charts::weekday_hour_chart(
            &metrics::weekday_hour(inc, Tz::UTC)
                .unwrap()
                .collect()
                .unwrap(),
            Tz::UTC,
        )
        .unwrap(),
        tta.histogram(),
        tta.ecdf_chart(),
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
        // The interactive spec carries the same title and its data inlined.
        let spec = chart.vega_lite();
        assert_eq!(spec["title"], chart.title.as_str());
        assert!(spec["$schema"].as_str().unwrap().contains("vega-lite/v5"));
        assert!(
            !spec["data"]["values"].as_array().unwrap().is_empty(),
            "{}",
            chart.title
        );
    }
    // The histogram's spec holds the bins the SVG draws: a and its 5 hours.
    let bins = tta.histogram().vega_lite()["data"]["values"].clone();
    let counted: f64 = bins
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_f64().unwrap())
        .sum();
    assert_eq!(counted, 1.0);
    // Durations read as hours, days and weeks, with the median and p90 marked, in the
    // drawing and in the spec.
    let mut spread = Crafted::new();
    for (i, hours) in [3, 20, 30, 50, 100, 200, 400].into_iter().enumerate() {
        spread.channel(&format!("issue-x{i}-0908"), DAY0, Some(DAY0 + hours * HOUR));
    }
    let spread = TimeToArchive::of(incidents(&mut spread)).unwrap();
    for chart in [spread.histogram(), spread.ecdf_chart()] {
        let svg = chart.svg().unwrap();
        for label in ["1 d", "1 wk", "median 2.1 d", "p90 12 d"] {
            assert!(
                svg_has_text(&svg, label),
                "{}: {label} missing",
                chart.title
            );
        }
        let spec = chart.vega_lite();
        let layers = spec["layer"].as_array().unwrap();
        let marks = &layers[layers.len() - 1]["data"]["values"];
        assert_eq!(marks[0]["label"], "median 2.1 d");
        assert!((marks[1]["x"].as_f64().unwrap() - 280.0).abs() < 1e-9);
        let x_axis = &layers[0]["encoding"]["x"]["axis"];
        assert!(x_axis["values"].as_array().unwrap().contains(&json!(24.0)));
        let labels = x_axis["labelExpr"].as_str().unwrap();
        assert!(labels.contains("=== 24.0 ? \"1 d\""), "{labels}");
    }
    // A chart of nothing says so instead of drawing empty axes.
    let nothing = TimeToArchive::of(incidents(&mut w).filter(lit(false)))
        .unwrap()
        .histogram()
        .svg()
        .unwrap();
    assert!(nothing.contains("No data to draw"), "{nothing}");
    let share = tta.ecdf_chart().svg().unwrap();
    assert!(
        ["0%", "50%", "100%"]
            .iter()
            .all(|label| svg_has_text(&share, label)),
        "shares on the y axis"
    );
}

/// Whether an SVG drawn by the crate writes `text` (plotters puts each on its own line).
fn svg_has_text(svg: &str, text: &str) -> bool {
    svg.lines().any(|line| line.trim() == text)
}

#[test]
fn open_at_any_grid_counts_the_instant_of_archiving_as_open() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + 2 * HOUR))
        .channel("issue-b-0908", DAY0 + HOUR, None);
    let times: Vec<Instant> = [-1, 0, HOUR, 2 * HOUR, 2 * HOUR + 1, DAY]
        .iter()
        .map(|s| at(DAY0 + s))
        .collect();
    let open = metrics::open_at(incidents(&mut w), &times)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(counts(&open, "open"), [0, 1, 2, 2, 1, 1]);
}

#[test]
fn frames_carry_every_fact_as_a_column() {
    let mut w = Crafted::new();
    w.channel("issue-db-0908", DAY0, Some(DAY0 + DAY)).messages(
        "issue-db-0908",
        &[
            msg(DAY0 + 120, "", "on it"),
            msg(DAY0 + 2 * HOUR, "channel_unarchive", "reopened"),
        ],
    );
    let f = frames(&mut w);
    let expected = [
        "name",
        "channel_id",
        "topic_word",
        "name_date",
        "name_number",
        "follows_convention",
        "created",
        "archived_at",
        "open",
        "hours_to_archive",
        "reopen_count",
        "renames",
        "last_activity",
        "topic",
        "topic_set_at",
        "minutes_to_topic",
        "creator",
        "sre_owner",
        "dev_owner",
        "has_summary",
        "summary_at",
        "environment",
        "component",
        "probable_cause",
        "duration",
        "type",
        "etr",
        "who",
        "current_action",
        "next_action",
        "message_count",
        "participants",
        "first_response_at",
        "minutes_to_first_response",
        "resolved_at",
        "escalations",
        "longest_silence_minutes",
    ];
    assert_eq!(column_names(&f.incidents), expected);
    assert_eq!(counts(&f.incidents, "reopen_count"), [1]);
    assert_eq!(counts(&f.incidents, "participants"), [1]);
    assert_eq!(strings(&f.incidents, "topic_word").unwrap(), ["db"]);
    assert_eq!(
        column_names(&f.messages),
        [
            "channel_id",
            "ts",
            "time",
            "user",
            "author",
            "subtype",
            "text",
            "thread_ts",
            "is_update",
            "is_escalation",
            "is_resolution",
            "is_summary"
        ]
    );
    assert_eq!(
        strings(&f.messages, "author").unwrap()[..2],
        ["ana".to_string(), "ana".to_string()]
    );
}

#[test]
fn silences_do_not_depend_on_message_order() {
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, None).messages(
        "issue-a-0908",
        &[
            msg(DAY0 + 600, "", "looking"),
            msg(DAY0 + 3000, "", "<!CHANNEL> is not how Slack writes it"),
            // After the hot time: neither its gap nor the update counts.
            msg(DAY0 + 3 * 3600, "", "still on it"),
        ],
    );
    let f = frames(&mut w);
    let silence = |messages: LazyFrame| {
        let df = incident_channels::frames::longest_silences(
            f.incidents.clone().lazy(),
            messages,
            TimeSpan::hours(2),
        )
        .unwrap()
        .collect()
        .unwrap();
        let in_window = counts(&df, "updates_in_window");
        (floats(&df, "longest_silence_minutes").unwrap(), in_window)
    };
    // 10 minutes to the first update, 40 between them, 70 to the end of the hot time.
    let expected = (vec![70.0], vec![2]);
    assert_eq!(silence(f.messages.clone().lazy()), expected);
    assert_eq!(silence(f.messages.clone().lazy().reverse()), expected);
    assert_eq!(
        floats(&f.incidents, "longest_silence_minutes").unwrap(),
        [70.0]
    );
    // Slack's mentions are matched as Slack writes them, so this is no escalation.
    assert_eq!(counts(&f.incidents, "escalations"), [0]);
}

#[test]
fn messages_come_grouped_by_channel_and_oldest_first_within_each() {
    let summary = |env: &str| format!("Summary\nEnvironment: {env}\nComponent: db\nType: Self");
    let mut w = Crafted::new();
    // Listed first, created second; its day file has a message before an older one.
    w.channel("issue-b-0908", DAY0 + HOUR, None).messages(
        "issue-b-0908",
        &[
            msg(DAY0 + 3 * HOUR, "", &summary("Production")),
            msg(DAY0 + 2 * HOUR, "", &summary("Staging")),
        ],
    );
    w.channel("issue-a-0908", DAY0, None)
        .messages("issue-a-0908", &[msg(DAY0 + 600, "", "looking")]);
    let f = frames(&mut w);
    let ids = strings(&f.messages, "channel_id").unwrap();
    assert_eq!(ids, ["C000001", "C000001", "C000001", "C000002", "C000002"]);
    let times = incident_channels::frames::instants(&f.messages, "time").unwrap();
    let secs: Vec<i64> = times.iter().map(|t| t.unwrap().timestamp()).collect();
    assert_eq!(
        secs,
        [
            DAY0 + HOUR + 1,
            DAY0 + 2 * HOUR,
            DAY0 + 3 * HOUR,
            DAY0 + 1,
            DAY0 + 600
        ]
    );
    // The latest summary by time, not by place in the file.
    assert_eq!(
        strings(&f.incidents, "name").unwrap(),
        ["issue-a-0908", "issue-b-0908"]
    );
    assert_eq!(
        strings(&f.incidents, "environment").unwrap(),
        ["", "Production"]
    );
}

#[test]
fn frames_taken_from_a_workspace_are_the_frames_less_the_texts() {
    let mut ws = incident_channels::export::load(sample()).unwrap();
    let with = IncidentFrames::new(&ws, "issue-").unwrap();
    // A convention that names nothing takes nothing.
    let (channels, messages) = (ws.channels.len(), ws.messages.height());
    assert!(IncidentFrames::take_from(&mut ws, "postmortem-").is_err());
    assert_eq!(
        (ws.channels.len(), ws.messages.height()),
        (channels, messages)
    );
    let without = IncidentFrames::take_from(&mut ws, "issue-").unwrap();
    assert_eq!(
        ws.messages.height(),
        0,
        "the workspace's messages were taken"
    );
    assert!(ws.channels.is_empty());
    assert!(!ws.users.is_empty(), "users stay");
    assert!(with.incidents.equals_missing(&without.incidents));
    assert_eq!(with.as_of, without.as_of);
    let mut expected = with.messages.clone();
    expected.drop_in_place("text").unwrap();
    assert!(expected.equals_missing(&without.messages));
    assert!(without.messages.column("text").is_err());
}

#[test]
fn channels_read_from_a_list_alone_count_as_unread_not_a_panic() {
    // Channels deserialized from a list, not loaded, carry no activity: their last
    // activity is their creation, and no archive time is made up.
    let mut ws = incident_channels::export::load(sample()).unwrap();
    for channel in &mut ws.channels {
        channel.activity = Default::default();
    }
    let frames = IncidentFrames::new(&ws, "issue-").unwrap();
    let archived = frames.incidents.column("archived_at").unwrap();
    assert_eq!(archived.null_count(), archived.len());
    // A convention that names nothing takes nothing.
    assert!(IncidentFrames::take_from(&mut ws, "inc-").is_err());
    assert!(!ws.channels.is_empty(), "nothing was taken");
}

#[test]
fn a_timer_that_rings_as_the_update_comes_is_not_missed() {
    let silences = df!("minutes" => [Some(0.0), Some(9.5), Some(10.0), Some(10.5), Some(20.0), Some(25.0), None])
        .unwrap();
    let missed = silences
        .lazy()
        .select([audit::timers_missed(col("minutes"), TimeSpan::minutes(10)).alias("missed")])
        .collect()
        .unwrap();
    let missed: Vec<Option<u32>> = missed
        .column("missed")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        missed,
        [Some(0), Some(0), Some(0), Some(1), Some(1), Some(2), None]
    );
}

#[test]
fn the_posts_curve_names_the_channels_that_moved_each_point() {
    // a: archived after 40 days; b: after an hour; c: still open.
    let mut w = Crafted::new();
    w.channel("issue-a-0908", DAY0, Some(DAY0 + 40 * DAY))
        .channel("issue-b-1008", DAY0 + DAY, Some(DAY0 + DAY + HOUR))
        .channel("issue-c-1509", DAY0 + 37 * DAY, None);
    let ws = load(w.finish()).unwrap();
    let options = PostOptions {
        as_of: Some(at(DAY0 + 70 * DAY)),
        ..Default::default()
    };
    let figures = PostFigures::from_workspace(&ws, &options).unwrap();
    let moved: Vec<(usize, Vec<String>, Vec<String>)> = figures
        .open_over_time_monthly
        .iter()
        .map(|p| (p.open, p.opened.clone(), p.archived.clone()))
        .collect();
    let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        moved,
        vec![
            (0, names(&[]), names(&[])),
            (
                1,
                names(&["issue-a-0908", "issue-b-1008"]),
                names(&["issue-b-1008"])
            ),
            (1, names(&["issue-c-1509"]), names(&["issue-a-0908"])),
            (1, names(&[]), names(&[])),
        ]
    );
    // Each point is the one before, plus what opened, minus what was archived.
    let mut open = 0;
    for (count, opened, archived) in &moved {
        open = open + opened.len() - archived.len();
        assert_eq!(open, *count);
    }
    let spec = figures.open_chart().vega_lite();
    assert_eq!(
        spec["data"]["values"][2]["archived since the point before"],
        "issue-a-0908"
    );
}
