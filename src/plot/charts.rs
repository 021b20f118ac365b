//! The charts of the analysis, as notebooks, the report page and posts show them: the
//! post's figures (a table and open channels over time), time to archive, and one chart
//! per metrics frame. They live here rather than beside the queries, so that `analysis`
//! does not depend on how its results are drawn.

use chrono_tz::Tz;
use polars::prelude::DataFrame;

use super::evcxr::{print_outputs, rich_and_plain, MimeOutput, RichDisplay};
use super::{escape_html, Chart};
use crate::analysis::metrics::{LoadRule, TimeToArchive, WEEKDAYS};
use crate::analysis::period::Period;
use crate::analysis::post::{OpenAt, PostFigures};
use crate::error::Result;
use crate::frames;
use crate::time::day_start;

impl PostFigures {
    /// The figures as a small HTML table, for notebooks: the rows of the text summary.
    pub fn html(&self) -> String {
        let body: String = self
            .rows()
            .iter()
            // The convention's description holds what the user wrote, e.g. a regex with
            // `<topic>`: text, not markup.
            .map(|(k, v)| {
                format!(
                    "<tr><th>{}</th><td>{}</td></tr>",
                    escape_html(k),
                    escape_html(v)
                )
            })
            .collect();
        format!("<table class=\"dataframe\">{body}</table>")
    }

    /// Shows the figures in an evcxr notebook.
    pub fn evcxr_display(&self) {
        print_outputs(&self.outputs());
    }

    /// Open channels over time as a chart, as the post plotted it: a line through its
    /// samples every 30 days (the daily curve is `metrics::open_per_day`); hovering a
    /// point in the interactive chart names the channels opened and archived since the
    /// one before.
    pub fn open_chart(&self) -> Chart {
        let names = |pick: fn(&OpenAt) -> &Vec<String>| {
            let points = &self.open_over_time_monthly;
            points.iter().map(|p| pick(p).join(", ")).collect()
        };
        Chart::over_time(
            "Open incident channels, every 30 days and now",
            "open incident channels",
        )
        .in_zone(self.tz)
        .line(
            "open",
            self.open_over_time_monthly
                .iter()
                .map(|p| (p.t, p.open as f64)),
        )
        .details("opened since the point before", names(|p| &p.opened))
        .details("archived since the point before", names(|p| &p.archived))
    }
}

impl TimeToArchive {
    /// A histogram on a log axis in hours, days and weeks, with the median and p90 marked.
    pub fn histogram(&self) -> Chart {
        self.marked(Chart::histogram(
            "Time from creation to archive, per channel",
            "time to archive (log scale)",
            self.hours.clone(),
            24,
            true,
        ))
        .y_label("channels")
    }

    /// The share of channels archived within each duration (log axis), with the median
    /// and p90 marked.
    pub fn ecdf_chart(&self) -> Chart {
        self.marked(Chart::cumulative(
            "Share of channels archived within a time",
            "time to archive (log scale)",
            self.hours.clone(),
            true,
        ))
    }

    fn marked(&self, chart: Chart) -> Chart {
        let chart = chart.in_hours();
        let chart = match self.median {
            Some(median) => chart.mark("median", median),
            None => chart,
        };
        match self.p90 {
            Some(p90) => chart.mark("p90", p90),
            None => chart,
        }
    }
}

/// Created and archived per month as side-by-side bars, from [`metrics::created_vs_archived`](crate::analysis::metrics::created_vs_archived).
pub fn created_vs_archived_chart(months: &DataFrame) -> Result<Chart> {
    created_vs_archived_bars(months, "month", "month")
}

/// Created and archived channels per period, from
/// [`metrics::created_vs_archived_by`](crate::analysis::metrics::created_vs_archived_by):
/// each bar labelled by its period's first day, the title naming the period.
pub fn created_vs_archived_by_chart(periods: &DataFrame, period: &Period) -> Result<Chart> {
    created_vs_archived_bars(periods, "period", &period.to_string())
}

fn created_vs_archived_bars(frame: &DataFrame, column: &str, period: &str) -> Result<Chart> {
    Ok(Chart::bars(
        &format!("Incident channels created and archived per {period}"),
        period,
        "channels",
        frames::strings(frame, column)?,
        "created",
        frames::floats(frame, "created")?,
    )
    .with_bars("archived", frames::floats(frame, "archived")?))
}

/// Open channels per day as steps, from [`metrics::open_per_day`](crate::analysis::metrics::open_per_day);
/// hovering a day in the interactive chart names the channels opened and archived on it.
pub fn open_per_day_chart(days: &DataFrame, tz: Tz) -> Result<Chart> {
    let (dates, open) = (frames::dates(days, "date")?, frames::floats(days, "open")?);
    let kept: Vec<usize> = (0..dates.len()).filter(|i| dates[*i].is_some()).collect();
    let points = kept
        .iter()
        .filter_map(|&i| Some((day_start(dates[i]?, tz), open[i])));
    let mut chart = Chart::over_time("Open incident channels per day", "open channels")
        .in_zone(tz)
        .steps("open", points);
    for (column, name) in [
        ("opened_channels", "opened"),
        ("archived_channels", "archived"),
    ] {
        if days.column(column).is_ok() {
            let texts = frames::strings(days, column)?;
            chart = chart.details(name, kept.iter().map(|&i| texts[i].clone()).collect());
        }
    }
    Ok(chart)
}

/// The weekday × hour heat map, from [`metrics::weekday_hour`](crate::analysis::metrics::weekday_hour).
pub fn weekday_hour_chart(cells: &DataFrame, tz: Tz) -> Result<Chart> {
    let mut grid = vec![vec![0.0; 24]; 7];
    let weekdays = frames::floats(cells, "weekday")?;
    let hours = frames::floats(cells, "hour")?;
    let counts = frames::floats(cells, "incidents")?;
    for ((weekday, hour), n) in weekdays.into_iter().zip(hours).zip(counts) {
        let (row, column) = (weekday as usize, hour as usize);
        if (1..=7).contains(&row) && column < 24 {
            grid[row - 1][column] += n;
        }
    }
    Ok(Chart::heat_map(
        &format!("Incident starts by weekday and hour ({tz})"),
        WEEKDAYS.iter().map(|d| d.to_string()).collect(),
        (0..24).map(|h| format!("{h:02}")).collect(),
        grid,
    )
    .x_label("hour of day")
    .y_label("weekday"))
}

/// Each responder's hours as stacked bars (working, late, sleeping), the `top` busiest,
/// from [`metrics::responders_load`](crate::analysis::metrics::responders_load) (the
/// default [`LoadRule`]; [`load_chart_by`] names another rule's hours).
pub fn load_chart(load: &DataFrame, top: usize) -> Result<Chart> {
    load_chart_by(load, top, &LoadRule::default())
}

/// [`load_chart`] of a load computed by `rule`, its shifts labelled with its hours.
pub fn load_chart_by(load: &DataFrame, top: usize, rule: &LoadRule) -> Result<Chart> {
    let shown = load.head(Some(top));
    // The title says when only the busiest are shown; each bar's height is their total.
    let title = if load.height() > shown.height() {
        format!(
            "Responders' load: the {} of {} people with the most hours",
            shown.height(),
            load.height()
        )
    } else {
        "Responders' load".to_string()
    };
    let [working, late, sleeping] = rule.shift_labels();
    Ok(Chart::bars(
        &title,
        "responder",
        "hours",
        frames::strings(&shown, "responder")?,
        &working,
        frames::floats(&shown, "working_hours")?,
    )
    .with_bars(&late, frames::floats(&shown, "late_hours")?)
    .with_bars(&sleeping, frames::floats(&shown, "sleeping_hours")?)
    .stacked())
}

impl RichDisplay for PostFigures {
    fn outputs(&self) -> Vec<MimeOutput> {
        rich_and_plain("text/html", self.html(), self.to_string())
    }
}
