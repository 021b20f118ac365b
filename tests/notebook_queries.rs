//! The polars queries the notebooks show, compiled and checked here too, so that a
//! polars upgrade that breaks them fails fast, not only in Jupyter.

mod common;

use common::sample;
use incident_channels::prelude::*;

fn sample_incidents() -> DataFrame {
    let ws = load(sample()).unwrap();
    incidents_frame(&find_incidents(&ws, "issue-").unwrap()).unwrap()
}

#[test]
fn still_open_channels() {
    let df = sample_incidents();
    let still_open = df
        .clone()
        .lazy()
        .filter(col("open"))
        .select([col("name"), col("created"), col("topic")])
        .collect()
        .unwrap();
    assert_eq!(still_open.height(), 3);
    assert_eq!(still_open.width(), 3);
}

#[test]
fn busiest_days() {
    let df = sample_incidents();
    let per_day = df
        .clone()
        .lazy()
        .group_by([col("created").dt().date().alias("day")])
        .agg([len().alias("channels")])
        .sort(
            ["channels", "day"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .limit(3)
        .collect()
        .unwrap();
    let top = per_day.column("channels").unwrap().u32().unwrap().get(0);
    assert_eq!(top, Some(6));
    let days: Vec<String> = (0..3)
        .map(|i| per_day.column("day").unwrap().get(i).unwrap().to_string())
        .collect();
    assert_eq!(days[0], "2016-08-09");
    assert!(days[1] < days[2], "ties in date order: {days:?}");
}

#[test]
fn archive_durations() {
    let df = sample_incidents();
    let stats = df
        .clone()
        .lazy()
        .filter(col("hours_to_archive").is_not_null())
        .select([
            len().alias("archived"),
            col("hours_to_archive").median().alias("median_hours"),
            col("hours_to_archive").max().alias("longest_hours"),
        ])
        .collect()
        .unwrap();
    assert_eq!(
        stats.column("archived").unwrap().u32().unwrap().get(0),
        Some(204)
    );
    let median = stats
        .column("median_hours")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!(median > 3.0 && median < 24.0 * 45.0, "{median}");
}

#[test]
fn archive_dates_sorted() {
    let df = sample_incidents();
    let sorted = df
        .clone()
        .lazy()
        .select([
            col("name"),
            col("created"),
            col("archived_at"),
            col("hours_to_archive"),
        ])
        .sort(["created"], Default::default())
        .collect()
        .unwrap();
    assert_eq!(sorted.height(), 207);
    assert!(sorted
        .clone()
        .table_rows(8)
        .html()
        .contains("207 rows × 4 columns (first 8 shown)"));
}
