//! Draws the sample's charts into a folder, to look at them: `cargo run --example charts DIR`.

use incident_channels::prelude::*;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/charts".into());
    let ws = load("data/sample")?;
    let figures = PostFigures::from_workspace(&ws, &PostOptions::default())?;
    let open = figures.open_chart();
    open.save_png(format!("{out}/open.png"))?;
    open.save_svg(format!("{out}/open.svg"))?;
    let incidents = find_incidents(&ws, "issue-")?;
    let hours: Vec<f64> = incidents
        .iter()
        .filter_map(|i| i.hours_to_archive())
        .collect();
    let hist = Chart::histogram("Time to archive", "hours (log scale)", hours, 20, true);
    hist.save_png(format!("{out}/hist.png"))?;
    let per_day =
        incident_channels::analysis::post::created_per_day(&incidents, chrono_tz::Tz::UTC);
    let mut months: std::collections::BTreeMap<String, f64> = Default::default();
    for (d, n) in per_day {
        *months.entry(d.format("%Y-%m").to_string()).or_default() += n as f64;
    }
    let bars = Chart::bars(
        "Created per month",
        "month",
        "channels",
        months.keys().cloned().collect(),
        "created",
        months.values().copied().collect(),
    )
    .with_bars("twice", months.values().map(|v| v * 2.0).collect());
    bars.save_png(format!("{out}/bars.png"))?;
    let heat = Chart::heat_map(
        "Heat",
        vec!["Mon".into(), "Tue".into(), "Wed".into()],
        (0..24).map(|h| format!("{h}")).collect(),
        vec![
            (0..24).map(|h| h as f64).collect(),
            vec![1.0; 24],
            (0..24).map(|h| (24 - h) as f64).collect(),
        ],
    );
    heat.save_png(format!("{out}/heat.png"))?;
    Figure::new(vec![hist, bars], 2).save_png(format!("{out}/figure.png"))?;
    println!("charts in {out}");
    Ok(())
}
