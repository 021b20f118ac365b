//! The SRE metrics (phases, severity, estimate accuracy, recurrence, burden per period)
//! on small frames built by hand, against answers worked out by hand in the comments.

mod common;

use common::DAY0;
use incident_channels::analysis::phases::percentile_name;
use incident_channels::frames::{datetime_type, floats, strings};
use incident_channels::prelude::*;

/// A datetime column of instants `hours` after DAY0 (null where `None`).
fn times(name: &str, hours: &[Option<f64>]) -> Column {
    let ms: Vec<Option<i64>> = hours
        .iter()
        .map(|h| h.map(|h| DAY0 * 1000 + (h * 3_600_000.0).round() as i64))
        .collect();
    Series::new(name.into(), ms)
        .cast(&datetime_type())
        .unwrap()
        .into_column()
}

fn texts(name: &str, values: &[Option<&str>]) -> Column {
    Column::new(name.into(), values.to_vec())
}

fn frame(columns: Vec<Column>) -> LazyFrame {
    DataFrame::new_infer_height(columns).unwrap().lazy()
}

fn close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!(
            (a - e).abs() < 1e-9 || (a.is_nan() && e.is_nan()),
            "{actual:?} vs {expected:?}"
        );
    }
}

/// Four incidents: a and b resolved and archived, c still open with nobody answering,
/// d archived half an hour in but declared resolved an hour in (a late resolution).
fn phases_frame() -> LazyFrame {
    let h = |v: f64| Some(v);
    frame(vec![
        texts("name", &[Some("a"), Some("b"), Some("c"), Some("d")]),
        times("created", &[h(0.0), h(24.0), h(48.0), h(144.0)]),
        times(
            "first_response_at",
            &[h(0.25), h(24.5), None, h(144.0 + 1.0 / 6.0)],
        ),
        times("resolved_at", &[h(2.0), h(28.0), None, h(145.0)]),
        times("archived_at", &[h(26.0), h(30.0), None, h(144.5)]),
        texts("component", &[Some("api"), Some("api"), Some("db"), None]),
        texts(
            "environment",
            &[
                Some("Production"),
                Some("Production"),
                Some("Staging"),
                None,
            ],
        ),
    ])
}

#[test]
fn each_phase_measures_between_its_two_events() {
    let q = [0.5, 0.9];
    let row = |phase: Phase| phase.overall(phases_frame(), &q).collect().unwrap();
    // First response in minutes: 15, 30, 10; c has none. p90 of [10, 15, 30] at rank
    // 1.8: 15 + 0.8 × 15 = 27.
    let first = row(Phase::FirstResponse);
    close(&floats(&first, "measured").unwrap(), &[3.0]);
    close(&floats(&first, "missing").unwrap(), &[1.0]);
    close(&floats(&first, "p50").unwrap(), &[15.0]);
    close(&floats(&first, "p90").unwrap(), &[27.0]);
    // Resolve in hours: 2, 4, 1 → median 2, p90 2 + 0.8 × 2 = 3.6.
    let resolve = row(Phase::Resolve);
    close(&floats(&resolve, "p50").unwrap(), &[2.0]);
    close(&floats(&resolve, "p90").unwrap(), &[3.6]);
    // Close (the post's time to archive): 26, 6, 0.5 → median 6, p90 6 + 0.8 × 20 = 22.
    let closed = row(Phase::Close);
    close(&floats(&closed, "p50").unwrap(), &[6.0]);
    close(&floats(&closed, "p90").unwrap(), &[22.0]);
    close(&floats(&closed, "missing").unwrap(), &[1.0]);
    // Post-mortem wait: a 24, b 2; d archived before its resolution is left out, c has
    // neither. Median 13, p90 2 + 0.9 × 22 = 21.8.
    let wait = row(Phase::PostmortemWait);
    close(&floats(&wait, "measured").unwrap(), &[2.0]);
    close(&floats(&wait, "missing").unwrap(), &[2.0]);
    close(&floats(&wait, "p50").unwrap(), &[13.0]);
    close(&floats(&wait, "p90").unwrap(), &[21.8]);
    // The post's time to archive is the close phase, figure for figure.
    let tta = metrics::TimeToArchive::of(phases_frame().with_columns([
        col("archived_at").is_null().alias("open"),
        Phase::Close.length().alias("hours_to_archive"),
    ]))
    .unwrap();
    assert_eq!(tta.median, Some(6.0));
    assert!((tta.p90.unwrap() - 22.0).abs() < 1e-9);
}

#[test]
fn phases_group_by_period_and_by_any_column() {
    let q = [0.5];
    // Weeks start on Monday: a, b and c (9–11 August 2016) in the week of the 8th, d
    // (Monday the 15th) in the next.
    let weeks = Phase::Resolve
        .by_period(phases_frame(), &Period::week(), Tz::UTC, &q)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        strings(&weeks, "period").unwrap(),
        ["2016-08-08", "2016-08-15"]
    );
    close(&floats(&weeks, "incidents").unwrap(), &[3.0, 1.0]);
    close(&floats(&weeks, "p50").unwrap(), &[3.0, 1.0]);
    let months = Phase::Resolve
        .by_period(
            phases_frame(),
            &Period::parse("month").unwrap(),
            Tz::UTC,
            &q,
        )
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(strings(&months, "period").unwrap(), ["2016-08-01"]);
    let by = Phase::Resolve
        .by(phases_frame(), "component", &q)
        .collect()
        .unwrap();
    assert_eq!(strings(&by, "component").unwrap(), ["api", "(none)", "db"]);
    close(&floats(&by, "p50").unwrap(), &[3.0, 1.0, f64::NAN]);
    assert_eq!(percentile_name(0.95), "p95");
    assert_eq!(percentile_name(0.999), "p99.9");
    assert!(Period::parse("fortnight").is_err());
    assert_eq!(Period::parse("2w").unwrap().every(), "2w");
}

fn severity_frame() -> LazyFrame {
    frame(vec![
        texts(
            "name",
            &[
                Some("issue-db-0101"),
                Some("issue-login-0101"),
                Some("issue-api-0101"),
                Some("issue-queue-0101"),
                Some("issue-css-0101"),
                Some("issue-x-0101"),
                Some("issue-y-0101"),
            ],
        ),
        texts(
            "topic",
            &[
                Some("SEV2: db slow"),
                Some("Severity: critical - login"),
                Some(""),
                Some("Queue backlog growing"),
                Some("Button misaligned"),
                Some("Something odd"),
                Some("P3 cosmetic"),
            ],
        ),
        texts("type", &[None, None, Some("Self"), None, None, None, None]),
        texts(
            "probable_cause",
            &[None, None, Some("disk full"), None, None, None, None],
        ),
        texts(
            "duration",
            &[
                None,
                None,
                Some("Continuous since 10:00"),
                Some("Spikes every hour"),
                None,
                None,
                None,
            ],
        ),
        texts(
            "environment",
            &[
                Some("Production"),
                Some("Staging"),
                Some("Production"),
                Some("Production"),
                Some("Staging"),
                Some("UNKNOWN"),
                None,
            ],
        ),
    ])
}

#[test]
fn severity_is_read_where_written_else_from_the_sops_rule() {
    let rules = SeverityRules::default();
    let rows = severity_frame()
        .with_columns(rules.columns().unwrap())
        .collect()
        .unwrap();
    assert_eq!(
        strings(&rows, "severity").unwrap(),
        ["major", "critical", "critical", "major", "minor", "", "minor"]
    );
    assert_eq!(
        strings(&rows, "severity_source").unwrap(),
        ["topic", "topic", "SOP rule", "SOP rule", "SOP rule", "", "topic"]
    );
    // A team's own words: "S1" in the topic is critical.
    let mut own = SeverityRules {
        written: vec![(r"\bS1\b".into(), "critical".into())],
        ..SeverityRules::default()
    };
    let rows = severity_frame()
        .with_column(lit("S1 everything down").alias("topic"))
        .with_columns(own.columns().unwrap())
        .collect()
        .unwrap();
    assert!(strings(&rows, "severity")
        .unwrap()
        .iter()
        .all(|s| s == "critical"));
    // A broken pattern is named before any query runs.
    own.downtime = "(unclosed".into();
    let err = own.columns().unwrap_err().to_string();
    assert!(
        err.contains("(unclosed") && err.contains("severity"),
        "{err}"
    );
}

#[test]
fn by_severity_puts_the_most_severe_first() {
    let mut incidents = severity_frame().collect().unwrap();
    incidents
        .hstack_mut(&[
            times("created", &[Some(0.0); 7]),
            times("first_response_at", &[None; 7]),
            times(
                "resolved_at",
                &[
                    Some(1.0),
                    Some(2.0),
                    Some(3.0),
                    Some(4.0),
                    Some(5.0),
                    Some(6.0),
                    Some(7.0),
                ],
            ),
            times("archived_at", &[None; 7]),
        ])
        .unwrap();
    let incidents = incidents.lazy();
    let rows = severity::by_severity(incidents, &SeverityRules::default(), &[0.5])
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        strings(&rows, "severity").unwrap(),
        ["critical", "major", "minor", "(none)"]
    );
    close(&floats(&rows, "incidents").unwrap(), &[2.0, 2.0, 2.0, 1.0]);
    close(&floats(&rows, "written").unwrap(), &[1.0, 1.0, 1.0, 0.0]);
    // Resolve medians: critical (2, 3) → 2.5, major (1, 4) → 2.5, minor (5, 7) → 6.
    close(
        &floats(&rows, "time_to_resolve_p50").unwrap(),
        &[2.5, 2.5, 6.0, 6.0],
    );
}

#[test]
fn estimates_read_as_ranges_of_hours() {
    let hours = |text: &str| match Estimate::parse(text) {
        Some(Estimate::Hours { low, high }) => (low, high),
        other => panic!("{text:?} read as {other:?}"),
    };
    assert_eq!(hours("30 minutes"), (0.5, 0.5));
    assert_eq!(hours("30 mins"), (0.5, 0.5));
    assert_eq!(hours("1-2 hours"), (1.0, 2.0));
    assert_eq!(hours("2h"), (2.0, 2.0));
    assert_eq!(hours("1.5 hrs"), (1.5, 1.5));
    assert_eq!(hours("a few hours"), (2.0, 5.0));
    assert_eq!(hours("a day"), (24.0, 24.0));
    assert_eq!(hours("half an hour"), (0.5, 0.5));
    assert_eq!(hours("Hours"), (1.0, 23.0));
    let (low, high) = hours("minutes");
    assert!((low - 1.0 / 60.0).abs() < 1e-12 && (high - 59.0 / 60.0).abs() < 1e-12);
    assert_eq!(Estimate::parse("end of day"), Some(Estimate::EndOfDay));
    assert_eq!(Estimate::parse("UNKNOWN"), Some(Estimate::Unknown));
    assert_eq!(Estimate::parse("soon"), None);
}

fn estimates_frame() -> LazyFrame {
    frame(vec![
        texts(
            "etr",
            &[
                Some("30 minutes"),
                Some("1-2 hours"),
                Some("UNKNOWN"),
                Some("soon"),
                Some("end of day"),
                Some("minutes"),
                None,
            ],
        ),
        times(
            "summary_at",
            &[
                Some(0.0),
                Some(0.0),
                Some(0.0),
                Some(0.0),
                Some(20.0),
                Some(0.0),
                Some(0.0),
            ],
        ),
        times(
            "resolved_at",
            &[
                Some(0.25),
                Some(3.0),
                Some(1.0),
                Some(1.0),
                Some(22.0),
                None,
                Some(1.0),
            ],
        ),
        texts("topic", &[Some("SEV1"), None, None, None, None, None, None]),
        texts("name", &[Some("a"); 7]),
        texts("type", &[None; 7]),
        texts("probable_cause", &[None; 7]),
        texts("duration", &[None; 7]),
        texts("environment", &[None; 7]),
    ])
}

#[test]
fn estimate_accuracy_compares_the_estimate_with_the_resolution() {
    // 30 minutes, resolved in 15: held, ratio 0.5. 1–2 hours, resolved in 3: missed, 1.5.
    // End of day from 20:00 UTC: 4 hours, resolved in 2: held, 0.5. UNKNOWN and "soon"
    // counted apart; "minutes" never resolved; the last has no estimate at all.
    let accuracy =
        EstimateAccuracy::of(estimates_frame(), Tz::UTC, &SeverityRules::default()).unwrap();
    assert_eq!(
        (accuracy.estimates, accuracy.unknown, accuracy.unparsed),
        (6, 1, 1)
    );
    assert_eq!(accuracy.unparsed_examples, ["soon"]);
    assert_eq!((accuracy.compared, accuracy.held), (3, 2));
    assert!((accuracy.share_held.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(accuracy.median_ratio, Some(0.5));
    // The SEV1 incident held; the rest have no severity.
    assert_eq!(accuracy.by_severity[0]["severity"], "critical");
    assert_eq!(accuracy.by_severity[0]["held"], 1);
    // In Kolkata 20:00 UTC is 01:30 the next day: the day ends 22.5 hours later.
    let kolkata = parse_tz("Asia/Kolkata").unwrap();
    let rows = estimates::estimates(estimates_frame(), kolkata)
        .unwrap()
        .collect()
        .unwrap();
    close(&[floats(&rows, "estimate_hours").unwrap()[4]], &[22.5]);
}

#[test]
fn recurrence_finds_components_that_come_back() {
    let days = |d: &[f64]| d.iter().map(|d| Some(d * 24.0)).collect::<Vec<_>>();
    let incidents = frame(vec![
        texts(
            "name",
            &[
                Some("a"),
                Some("b"),
                Some("c"),
                Some("d"),
                Some("e"),
                Some("f"),
            ],
        ),
        times("created", &days(&[0.0, 5.0, 10.0, 50.0, 55.0, 60.0])),
        texts(
            "component",
            &[
                Some("API"),
                Some("db"),
                Some("api"),
                Some("api"),
                Some("UNKNOWN"),
                None,
            ],
        ),
        texts(
            "topic_word",
            &[
                Some("x"),
                Some("y"),
                Some("z"),
                Some("w"),
                Some("api"),
                Some("login"),
            ],
        ),
    ]);
    // api: day 0, 10 (recurs, 10 days), 50 (40 days: no), e's topic word on day 55
    // (recurs, 5 days); db and login once each.
    let rows = recurrence::recurrences(incidents.clone(), 30)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        strings(&rows, "recurs").unwrap(),
        ["false", "false", "true", "false", "true", "false"]
    );
    assert_eq!(
        strings(&rows, "previous").unwrap(),
        ["", "", "a", "c", "d", ""]
    );
    let top = recurrence::recurring(incidents.clone(), 30)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        strings(&top, "recurrence_key").unwrap(),
        ["api", "db", "login"]
    );
    close(&floats(&top, "recurrences").unwrap(), &[2.0, 0.0, 0.0]);
    let figures = Recurrence::of(incidents.clone(), 30).unwrap();
    assert_eq!((figures.incidents, figures.recurring), (6, 2));
    // With a 60-day window day 50 recurs too.
    assert_eq!(Recurrence::of(incidents, 60).unwrap().recurring, 3);
}

#[test]
fn burden_per_person_and_week() {
    // C1 created Tuesday 9 August 10:00 (owners ana and bo), C2 Monday 15 August 09:00
    // (owner ana). ana writes 10:00 and 10:15 (one stretch to 10:25: 25 working
    // minutes); bo 22:00 (10 late); cy 02:00 on the 10th (10 sleeping, joined C1); ana in
    // C2 at 09:00 (10 working); cy in C2 at 20:00 (10 late, joined).
    let at = |h: f64| Some(h);
    let messages = frame(vec![
        texts(
            "channel_id",
            &[
                Some("C1"),
                Some("C1"),
                Some("C1"),
                Some("C1"),
                Some("C2"),
                Some("C2"),
            ],
        ),
        texts(
            "author",
            &[
                Some("ana"),
                Some("ana"),
                Some("bo"),
                Some("cy"),
                Some("ana"),
                Some("cy"),
            ],
        ),
        times(
            "time",
            &[
                at(10.0),
                at(10.25),
                at(22.0),
                at(26.0),
                at(153.0),
                at(164.0),
            ],
        ),
        Column::new("is_update".into(), [true; 6]),
    ]);
    let incidents = frame(vec![
        texts("channel_id", &[Some("C1"), Some("C2")]),
        times("created", &[at(10.0), at(153.0)]),
        texts("sre_owner", &[Some("ana"), Some("ana")]),
        texts("dev_owner", &[Some("bo"), None]),
    ]);
    let rows = LoadRule::default()
        .by_period(messages.clone(), incidents, &Period::week(), Tz::UTC)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        strings(&rows, "period").unwrap(),
        [
            "2016-08-08",
            "2016-08-08",
            "2016-08-08",
            "2016-08-15",
            "2016-08-15"
        ]
    );
    assert_eq!(
        strings(&rows, "responder").unwrap(),
        ["ana", "bo", "cy", "ana", "cy"]
    );
    close(&floats(&rows, "led").unwrap(), &[1.0, 1.0, 0.0, 1.0, 0.0]);
    close(
        &floats(&rows, "joined").unwrap(),
        &[0.0, 0.0, 1.0, 0.0, 1.0],
    );
    let minutes = |c: &str| {
        floats(&rows, c)
            .unwrap()
            .iter()
            .map(|h| (h * 60.0).round())
            .collect::<Vec<_>>()
    };
    close(&minutes("working_hours"), &[25.0, 0.0, 0.0, 10.0, 0.0]);
    close(&minutes("late_hours"), &[0.0, 10.0, 0.0, 0.0, 10.0]);
    close(&minutes("sleeping_hours"), &[0.0, 0.0, 10.0, 0.0, 0.0]);
    close(
        &floats(&rows, "out_of_hours_share").unwrap(),
        &[0.0, 1.0, 1.0, 0.0, 1.0],
    );
    // Totals: ana 35 minutes, cy 20, bo 10; the busiest fifth of three is one person.
    let load = LoadRule::default().load(messages.clone(), Tz::UTC).unwrap();
    let share = metrics::concentration(load, 0.2).unwrap().unwrap();
    assert!((share - 35.0 / 65.0).abs() < 1e-9, "{share}");
    // A rule of other hours labels the chart's shifts with them.
    let office = LoadRule {
        working: (9, 17),
        late: (17, 22),
        ..LoadRule::default()
    };
    let load = office.load(messages, Tz::UTC).unwrap().collect().unwrap();
    let chart = charts::load_chart_by(&load, 10, &office).unwrap();
    let legend: Vec<String> = chart.vega_lite()["encoding"]["color"]["sort"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        legend,
        ["working (09-17)", "late (17-22)", "sleeping (22-09)"]
    );
}

#[test]
fn created_vs_archived_and_open_ages_take_their_knobs() {
    // Created 9, 10, 11 and 15 August; archived 10, 10 and 15 August; c is open.
    let weeks = metrics::created_vs_archived_by(phases_frame(), Tz::UTC, &Period::week())
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        strings(&weeks, "period").unwrap(),
        ["2016-08-08", "2016-08-15"]
    );
    close(&floats(&weeks, "created").unwrap(), &[3.0, 1.0]);
    close(&floats(&weeks, "archived").unwrap(), &[2.0, 1.0]);
    // Days without an event are on the grid, with zeros.
    let days = metrics::created_vs_archived_by(phases_frame(), Tz::UTC, &Period::day())
        .unwrap()
        .collect()
        .unwrap();
    close(
        &floats(&days, "created").unwrap(),
        &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0],
    );
    // c is 6 days old 200 hours after DAY0.
    let incidents = phases_frame().with_columns([col("archived_at").is_null().alias("open")]);
    let as_of = incident_channels::time::from_unix(DAY0 + 200 * 3600).unwrap();
    let ages = metrics::open_ages_in(
        incidents.clone(),
        as_of,
        &[("under a week", 7), ("a week or more", i64::MAX)],
    )
    .unwrap()
    .collect()
    .unwrap();
    assert_eq!(
        strings(&ages, "age").unwrap(),
        ["under a week", "a week or more"]
    );
    close(&floats(&ages, "open_channels").unwrap(), &[1.0, 0.0]);
    assert!(metrics::open_ages_in(incidents, as_of, &[]).is_err());
    // summary_with names each percentile.
    let row = phases_frame()
        .with_columns([
            col("archived_at").is_null().alias("open"),
            Phase::Close.length().alias("hours_to_archive"),
        ])
        .select(summary_with(&[0.5, 0.95]))
        .collect()
        .unwrap();
    close(&floats(&row, "p50_hours_to_archive").unwrap(), &[6.0]);
    // p95 of [0.5, 6, 26] at rank 1.9: 6 + 0.9 × 20 = 24.
    close(&floats(&row, "p95_hours_to_archive").unwrap(), &[24.0]);
}

#[test]
fn report_json_has_the_sre_metrics_and_they_agree_with_the_rest() {
    let report = common::report_json(&common::sample(), &[]);
    let metrics = &report["metrics"];
    let incidents = report["issue_channels"].as_u64().unwrap();
    // Every phase counts every incident, measured or missing.
    for key in [
        "time_to_first_response",
        "time_to_resolve",
        "time_to_close",
        "postmortem_wait",
    ] {
        let phase = &metrics[key];
        assert_eq!(phase["incidents"].as_u64(), Some(incidents), "{key}");
        assert_eq!(
            phase["measured"].as_u64().unwrap() + phase["missing"].as_u64().unwrap(),
            incidents,
            "{key}"
        );
        assert!(phase["definition"].as_str().unwrap().len() > 40, "{key}");
        let by_month: u64 = phase["by_month"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["incidents"].as_u64().unwrap())
            .sum();
        assert_eq!(by_month, incidents, "{key}");
    }
    // Closing is the post's time to archive, figure for figure.
    let (close, tta) = (&metrics["time_to_close"], &metrics["time_to_archive_hours"]);
    assert_eq!(close["p50"], tta["median"]);
    assert_eq!(close["p90"], tta["p90"]);
    assert_eq!(close["measured"], tta["count"]);
    // The sample resolves before it archives: the wait is shorter than the close.
    assert!(metrics["postmortem_wait"]["p50"].as_f64() < close["p50"].as_f64());
    let severities: u64 = metrics["by_severity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["incidents"].as_u64().unwrap())
        .sum();
    assert_eq!(severities, incidents);
    let accuracy = &metrics["estimate_accuracy"];
    let count = |key: &str| accuracy[key].as_u64().unwrap();
    assert!(count("estimates") <= incidents);
    assert!(count("compared") + count("unknown") + count("unparsed") <= count("estimates"));
    assert!(count("held") <= count("compared"));
    assert!(accuracy["compared"].as_u64().unwrap() > 0);
    assert_eq!(metrics["recurrence"]["incidents"].as_u64(), Some(incidents));
    // Per week, the hours add up to each person's load.
    let by_period = &metrics["responders_by_period"];
    assert_eq!(by_period["period"], "week");
    let mut weekly: std::collections::HashMap<String, f64> = Default::default();
    for row in by_period["rows"].as_array().unwrap() {
        *weekly
            .entry(row["responder"].as_str().unwrap().to_string())
            .or_default() += row["working_hours"].as_f64().unwrap();
    }
    for (person, load) in metrics["responders_load_hours"].as_object().unwrap() {
        let expected = load["working_hours"].as_f64().unwrap();
        assert!((weekly[person] - expected).abs() < 1e-6, "{person}");
    }
    let share = by_period["top_fifth_share_of_hours"].as_f64().unwrap();
    assert!((0.2..=1.0).contains(&share), "{share}");
}
