//! Charts drawn with plotters: lines and steps over time, bars, histograms and
//! cumulative shares (log axis), heat maps; one drawing routine for both SVG and PNG
//! (and [`super::vega`] gives the same data as a Vega-Lite spec).

use std::path::Path;
use std::sync::Once;

use chrono_tz::Tz;

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{calendar_ticks, number_ticks, short_number, TickedAxis, Ticks, Unit};
use super::evcxr::{print_outputs, MimeOutput, RichDisplay};
use crate::error::{Error, Result};
use crate::export::write::write_whole;
use crate::time::Instant;

/// A named line of (time, value) points.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<(Instant, f64)>,
    /// Drawn as steps: the value holds until the next point.
    pub steps: bool,
    /// Named text per point (e.g. the channels behind it), shown in the interactive
    /// chart's tooltips: (name, one text per point).
    pub details: Vec<(String, Vec<String>)>,
}

impl Series {
    /// Whether its points are marked: a line through a few samples (not steps, not a
    /// daily curve), so that a reader sees where it was measured and what is drawn between.
    pub(super) fn shows_samples(&self) -> bool {
        !self.steps && self.points.len() <= 60
    }
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Time(Vec<Series>),
    Bars {
        labels: Vec<String>,
        series: Vec<(String, Vec<f64>)>,
        /// Series on top of each other (the bar's height is their total), not side by side.
        stacked: bool,
    },
    Histogram {
        values: Vec<f64>,
        bins: usize,
        log_x: bool,
    },
    Cumulative {
        values: Vec<f64>,
        log_x: bool,
    },
    HeatMap {
        rows: Vec<String>,
        columns: Vec<String>,
        values: Vec<Vec<f64>>,
    },
}

impl Kind {
    /// Whether there is nothing to draw: no point, no bar, no value a scale can place
    /// (none above zero on a log axis), or a heat map of zeros.
    fn is_empty(&self) -> bool {
        let placeable = |values: &[f64], log_x: bool| {
            values.iter().any(|v| v.is_finite() && (!log_x || *v > 0.0))
        };
        match self {
            Kind::Time(series) => series.iter().all(|s| s.points.is_empty()),
            Kind::Bars { labels, series, .. } => {
                labels.is_empty() || series.iter().all(|(_, values)| values.is_empty())
            }
            Kind::Histogram { values, log_x, .. } | Kind::Cumulative { values, log_x } => {
                !placeable(values, *log_x)
            }
            Kind::HeatMap { values, .. } => values.iter().flatten().all(|v| *v == 0.0),
        }
    }
}

/// What an empty chart says in place of its axes.
const NO_DATA: &str = "No data to draw: nothing in the frame this chart shows.";

/// One chart: data, title and axis labels.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    size: (u32, u32),
    pub(super) kind: Kind,
    /// The zone whose calendar a time axis follows.
    pub(super) zone: Tz,
    /// What a numeric x axis counts.
    pub(super) unit: Unit,
    /// Labelled vertical rules at x values (a median, a p90).
    pub(super) marks: Vec<(String, f64)>,
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

const FONT: &str = "sans-serif";

impl Chart {
    fn new(title: &str, x_label: &str, y_label: &str, kind: Kind) -> Self {
        Chart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            size: (900, 420),
            kind,
            zone: Tz::UTC,
            unit: Unit::Number,
            marks: vec![],
        }
    }

    /// Time ticks on the calendar of `zone` (UTC unless said), named in the axis label.
    pub fn in_zone(mut self, zone: Tz) -> Self {
        self.zone = zone;
        if matches!(self.kind, Kind::Time(_)) {
            self.x_label = format!("date ({zone})");
        }
        self
    }

    /// The x values are hours: ticks and marks read as minutes, hours, days or weeks.
    pub fn in_hours(mut self) -> Self {
        self.unit = Unit::Hours;
        self
    }

    /// A labelled vertical rule at `x` on a histogram or cumulative chart, e.g. a median.
    pub fn mark(mut self, label: &str, x: f64) -> Self {
        if x.is_finite() {
            self.marks.push((label.into(), x));
        }
        self
    }

    /// A value of the x axis as its ticks read: a duration when the axis is hours.
    pub(super) fn value_text(&self, x: f64) -> String {
        match self.unit {
            Unit::Hours => super::axis::duration_text(x),
            Unit::Number => short_number(x),
        }
    }

    /// A mark's label with its value in the axis' unit: `median 5.2 d`.
    pub(super) fn mark_text(&self, label: &str, x: f64) -> String {
        format!("{label} {}", self.value_text(x))
    }

    /// An empty chart over time; add lines with [`Chart::line`] or [`Chart::steps`].
    pub fn over_time(title: &str, y_label: &str) -> Self {
        Chart::new(title, "date (UTC)", y_label, Kind::Time(vec![]))
    }

    /// Adds a line through the points.
    pub fn line(self, name: &str, points: impl IntoIterator<Item = (Instant, f64)>) -> Self {
        self.add_series(name, points, false)
    }

    /// Adds a step line: each value holds until the next point.
    pub fn steps(self, name: &str, points: impl IntoIterator<Item = (Instant, f64)>) -> Self {
        self.add_series(name, points, true)
    }

    fn add_series(
        mut self,
        name: &str,
        points: impl IntoIterator<Item = (Instant, f64)>,
        steps: bool,
    ) -> Self {
        if let Kind::Time(series) = &mut self.kind {
            series.push(Series {
                name: name.into(),
                points: points.into_iter().collect(),
                steps,
                details: vec![],
            });
        }
        self
    }

    /// Text for each point of the last series added, under `name` in the interactive
    /// chart's tooltips: what a reader hovering a point wants to know, such as the
    /// channels behind it. Ignored unless there is one text per point.
    pub fn details(mut self, name: &str, texts: Vec<String>) -> Self {
        if let Kind::Time(series) = &mut self.kind {
            if let Some(last) = series.last_mut().filter(|s| s.points.len() == texts.len()) {
                last.details.push((name.into(), texts));
            }
        }
        self
    }

    /// Bars, one per label; add more series side by side with [`Chart::with_bars`].
    pub fn bars(
        title: &str,
        x_label: &str,
        y_label: &str,
        labels: Vec<String>,
        name: &str,
        values: Vec<f64>,
    ) -> Self {
        Chart::new(
            title,
            x_label,
            y_label,
            Kind::Bars {
                labels,
                series: vec![(name.into(), values)],
                stacked: false,
            },
        )
    }

    /// The bars' series stacked, so that each bar's height is their total.
    pub fn stacked(mut self) -> Self {
        if let Kind::Bars { stacked, .. } = &mut self.kind {
            *stacked = true;
        }
        self
    }

    /// Another series of bars beside the first (or on it, when [`Chart::stacked`]).
    pub fn with_bars(mut self, name: &str, values: Vec<f64>) -> Self {
        if let Kind::Bars { series, .. } = &mut self.kind {
            series.push((name.into(), values));
        }
        self
    }

    /// A histogram of `values`; on a log x axis when `log_x` (values ≤ 0 are left out).
    pub fn histogram(
        title: &str,
        x_label: &str,
        values: Vec<f64>,
        bins: usize,
        log_x: bool,
    ) -> Self {
        Chart::new(
            title,
            x_label,
            "count",
            Kind::Histogram {
                values,
                bins: bins.max(1),
                log_x,
            },
        )
    }

    /// The share of `values` at or below each x (an empirical CDF), as steps; on a log x
    /// axis when `log_x` (values ≤ 0 are left out).
    pub fn cumulative(title: &str, x_label: &str, values: Vec<f64>, log_x: bool) -> Self {
        Chart::new(
            title,
            x_label,
            "share at or below",
            Kind::Cumulative { values, log_x },
        )
    }

    /// A heat map: `values[row][column]`, darker for more, each count written in its cell.
    pub fn heat_map(
        title: &str,
        rows: Vec<String>,
        columns: Vec<String>,
        values: Vec<Vec<f64>>,
    ) -> Self {
        Chart::new(
            title,
            "",
            "",
            Kind::HeatMap {
                rows,
                columns,
                values,
            },
        )
    }

    pub fn x_label(mut self, label: &str) -> Self {
        self.x_label = label.into();
        self
    }

    pub fn y_label(mut self, label: &str) -> Self {
        self.y_label = label.into();
        self
    }

    fn pixels(&self) -> (u32, u32) {
        self.size
    }

    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        if self.kind.is_empty() {
            return self.draw_nothing(area);
        }
        match &self.kind {
            Kind::Time(series) => self.draw_time(area, series),
            Kind::Bars {
                labels,
                series,
                stacked,
            } => self.draw_bars(area, labels, series, *stacked),
            Kind::Histogram {
                values,
                bins,
                log_x,
            } => self.draw_histogram(area, values, *bins, *log_x),
            Kind::Cumulative { values, log_x } => self.draw_cumulative(area, values, *log_x),
            Kind::HeatMap {
                rows,
                columns,
                values,
            } => self.draw_heat_map(area, rows, columns, values),
        }
    }

    /// The title and a line saying there is nothing to draw, rather than empty axes a
    /// reader would take for a chart of zeros.
    fn draw_nothing<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (width, height) = area.dim_in_pixel();
        let centred = Pos::new(HPos::Center, VPos::Center);
        let middle = width as i32 / 2;
        area.draw(&Text::new(
            self.title.clone(),
            (middle, 24),
            TextStyle::from((FONT, 20).into_font()).pos(centred),
        ))?;
        area.draw(&Text::new(
            NO_DATA,
            (middle, height as i32 / 2),
            TextStyle::from((FONT, 15).into_font())
                .pos(centred)
                .color(&RGBColor(110, 110, 110)),
        ))?;
        Ok(())
    }

    /// The mesh every chart shares: label sizes, axis names, a light grid under the data.
    fn mesh<'a, 'b, DB, X, Y>(
        &'b self,
        chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    ) -> MeshStyle<'a, 'b, X, Y, DB>
    where
        DB: DrawingBackend,
        X: Ranged + ValueFormatter<X::ValueType>,
        Y: Ranged + ValueFormatter<Y::ValueType>,
    {
        let mut mesh = chart.configure_mesh();
        mesh.label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT);
        mesh
    }

    fn builder<'a, 'b, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
    ) -> ChartBuilder<'a, 'b, DB> {
        let mut b = ChartBuilder::on(area);
        b.caption(&self.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(56);
        b
    }

    fn draw_time<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        series: &[Series],
    ) -> DrawResult<DB> {
        let day = |t: &Instant| t.timestamp() as f64 / 86_400.0;
        let all = series.iter().flat_map(|s| s.points.iter());
        let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0f64);
        for (t, v) in all {
            x0 = x0.min(day(t));
            x1 = x1.max(day(t));
            y1 = y1.max(*v);
        }
        if x0 > x1 {
            (x0, x1) = (0.0, 1.0);
        }
        if x1 - x0 < 1.0 {
            x1 = x0 + 1.0;
        }
        let at = |x: f64| chrono::DateTime::from_timestamp((x * 86_400.0).round() as i64, 0);
        let ticks = match (at(x0), at(x1)) {
            (Some(from), Some(to)) => calendar_ticks(from, to, self.zone),
            _ => Ticks::default(),
        };
        let x = (x0, x1, false);
        self.on_ticked_x(area, ticks, x, nice_max(y1), &short_number, |chart| {
            for (i, s) in series.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                let mut path: Vec<(f64, f64)> = Vec::with_capacity(s.points.len() * 2);
                for (t, v) in &s.points {
                    if let (true, Some(&(_, prev))) = (s.steps, path.last()) {
                        path.push((day(t), prev));
                    }
                    path.push((day(t), *v));
                }
                chart
                    .draw_series(LineSeries::new(path, color.stroke_width(2)))?
                    .label(s.name.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                    });
                if s.shows_samples() {
                    chart.draw_series(
                        s.points
                            .iter()
                            .map(|(t, v)| Circle::new((day(t), *v), 3, color.filled())),
                    )?;
                }
            }
            if series.len() > 1 {
                draw_legend(chart)?;
            }
            Ok(())
        })
    }

    fn draw_bars<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        labels: &[String],
        series: &[(String, Vec<f64>)],
        stacked: bool,
    ) -> DrawResult<DB> {
        let n = labels.len().max(1);
        // Where each series' bars start: on the ones below it when stacked, else at zero.
        let mut bottoms = vec![vec![0f64; n]; series.len()];
        if stacked {
            for k in 1..series.len() {
                let below = &series[k - 1].1;
                let next: Vec<f64> = bottoms[k - 1]
                    .iter()
                    .enumerate()
                    .map(|(i, bottom)| bottom + below.get(i).copied().unwrap_or(0.0))
                    .collect();
                bottoms[k] = next;
            }
        }
        let y1 = series
            .iter()
            .zip(&bottoms)
            .flat_map(|((_, v), b)| v.iter().zip(b).map(|(v, b)| v + b))
            .fold(0f64, f64::max);
        // Bars sit on whole numbers; asking for n labels over n units puts them there.
        let mut chart = self
            .builder(area)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0f64..nice_max(y1))?;
        let step = n.div_ceil(16);
        self.mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(n)
            .y_label_formatter(&|y| short_number(*y))
            .x_label_formatter(&|x| {
                let i = x.round() as usize;
                if (x - x.round()).abs() < 1e-6 && i.is_multiple_of(step) {
                    labels.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()?;
        let width = if stacked {
            0.8
        } else {
            0.8 / series.len().max(1) as f64
        };
        for (k, (name, values)) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let slot = if stacked { 0.0 } else { k as f64 };
            let left = |i: usize| i as f64 - 0.4 + slot * width;
            let bottom = &bottoms[k];
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    Rectangle::new(
                        [
                            (left(i), bottom[i]),
                            (left(i) + width * 0.95, bottom[i] + v),
                        ],
                        color.filled(),
                    )
                }))?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        if series.len() > 1 {
            draw_legend(&mut chart)?;
        }
        Ok(())
    }

    fn draw_histogram<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        values: &[f64],
        bins: usize,
        log_x: bool,
    ) -> DrawResult<DB> {
        let (_, lo, hi) = x_range(values, log_x);
        let (edges, counts) = histogram_bins(values, bins, log_x);
        let y1 = nice_max(counts.iter().copied().fold(0.0, f64::max));
        let color = PALETTE[0];
        let bars = (0..bins).map(|i| {
            Rectangle::new(
                [(edges[i], 0.0), (edges[i + 1], counts[i])],
                color.mix(0.8).filled(),
            )
        });
        let ticks = number_ticks(lo, hi, log_x, self.unit);
        self.on_ticked_x(area, ticks, (lo, hi, log_x), y1, &short_number, |chart| {
            chart.draw_series(bars)?;
            Ok(())
        })
    }

    fn draw_cumulative<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        values: &[f64],
        log_x: bool,
    ) -> DrawResult<DB> {
        let finite = values.iter().filter(|v| v.is_finite()).count();
        let (mut shown, lo, hi) = x_range(values, log_x);
        shown.sort_by(f64::total_cmp);
        // Shares are of every finite value; those a log axis cannot show (≤ 0) lift the
        // start of the curve.
        let n = finite.max(1) as f64;
        let below = (finite - shown.len()) as f64;
        // Steps: the share rises by 1/n at each value and holds until the next.
        let mut points = Vec::with_capacity(shown.len() * 2 + 1);
        for (i, v) in shown.iter().enumerate() {
            points.push((*v, (below + i as f64) / n));
            points.push((*v, (below + i as f64 + 1.0) / n));
        }
        points.push((hi, if finite == 0 { 0.0 } else { 1.0 }));
        let percent = |y: f64| format!("{:.0}%", y * 100.0);
        let ticks = number_ticks(lo, hi, log_x, self.unit);
        self.on_ticked_x(area, ticks, (lo, hi, log_x), 1.0, &percent, |chart| {
            chart.draw_series(LineSeries::new(points, PALETTE[0].stroke_width(2)))?;
            Ok(())
        })
    }

    /// A chart over the numbers `lo..hi` (log-scaled when `log_x`; days since the epoch on
    /// a time axis) and `0..y1`: its grid on `ticks`, the data `draw` puts on it, then the
    /// marks over the data.
    fn on_ticked_x<'a, DB: DrawingBackend + 'a>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        ticks: Ticks,
        (lo, hi, log_x): (f64, f64, bool),
        y1: f64,
        y_format: &dyn Fn(f64) -> String,
        draw: impl FnOnce(&mut NumericChart<'a, DB>) -> DrawResult<DB>,
    ) -> DrawResult<DB> {
        let axis = TickedAxis {
            lo,
            hi,
            log: log_x,
            ticks: ticks.values.clone(),
        };
        let mut chart = self.builder(area).build_cartesian_2d(axis, 0f64..y1)?;
        self.mesh(&mut chart)
            .x_label_formatter(&|x| ticks.label_at(*x))
            .y_label_formatter(&|y| y_format(*y))
            .draw()?;
        draw(&mut chart)?;
        let ink = RGBColor(70, 70, 70);
        for (i, (label, x)) in self.marks.iter().enumerate() {
            if *x < lo || *x > hi {
                continue;
            }
            let (x, top) = (*x, y1 * (0.97 - 0.08 * i as f64));
            chart.draw_series(DashedLineSeries::new(
                [(x, 0.0), (x, y1)],
                6,
                4,
                ink.stroke_width(1),
            ))?;
            let text = TextStyle::from((FONT, 13).into_font())
                .color(&ink)
                .pos(Pos::new(HPos::Left, VPos::Top));
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, top)) + Text::new(self.mark_text(label, x), (5, 2), text),
            ))?;
        }
        Ok(())
    }

    fn draw_heat_map<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        rows: &[String],
        columns: &[String],
        values: &[Vec<f64>],
    ) -> DrawResult<DB> {
        let (r, c) = (rows.len().max(1), columns.len().max(1));
        let max = values
            .iter()
            .flatten()
            .copied()
            .fold(0f64, f64::max)
            .max(1e-9);
        // Cells are centred on whole numbers, where the labels go.
        let mut chart = self
            .builder(area)
            .build_cartesian_2d(-0.5..c as f64 - 0.5, -0.5..r as f64 - 0.5)?;
        let label = |labels: &[String], v: f64, flip: bool| {
            if (v - v.round()).abs() > 1e-6 || v < -0.1 {
                return String::new();
            }
            let i = v.round() as usize;
            let i = if flip {
                (labels.len() - 1).saturating_sub(i)
            } else {
                i
            };
            labels.get(i).cloned().unwrap_or_default()
        };
        self.mesh(&mut chart)
            .disable_mesh()
            .x_labels(c)
            .y_labels(r)
            .x_label_formatter(&|x| label(columns, *x, false))
            .y_label_formatter(&|y| label(rows, *y, true))
            .draw()?;
        // (column, row from the bottom, value, share of the largest) of every cell.
        let cells = || {
            values.iter().enumerate().flat_map(move |(i, row)| {
                row.iter().enumerate().map(move |(j, &v)| {
                    let share = (v / max).clamp(0.0, 1.0);
                    (j as f64, (r - 1 - i) as f64, v, share)
                })
            })
        };
        chart.draw_series(cells().map(|(x, y, _, share)| {
            let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * share) as u8;
            let color = RGBColor(mix(247, 8), mix(251, 48), mix(255, 107));
            Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], color.filled())
        }))?;
        // Each cell's count written in it: shades alone cannot be read back as numbers.
        let centred = Pos::new(HPos::Center, VPos::Center);
        chart.draw_series(
            cells()
                .filter(|&(_, _, v, _)| v != 0.0)
                .map(|(x, y, v, share)| {
                    let ink = if share > 0.5 { &WHITE } else { &BLACK };
                    let style = TextStyle::from((FONT, 11).into_font())
                        .pos(centred)
                        .color(ink);
                    Text::new(short_number(v), (x, y), style)
                }),
        )?;
        Ok(())
    }
}

impl RichDisplay for Chart {
    /// The SVG (for GitHub, nbviewer and posts) and the Vega-Lite spec of the same data,
    /// which JupyterLab shows interactive.
    fn outputs(&self) -> Vec<MimeOutput> {
        let mut outputs = svg_outputs(self.svg(), &self.title);
        outputs.push(MimeOutput {
            mime: super::vega::VEGA_LITE_MIME,
            content: self.vega_lite().to_string(),
        });
        outputs
    }
}

impl Chart {
    /// As an SVG document.
    pub fn svg(&self) -> Result<String> {
        render_svg(self.pixels(), |area| self.draw_on(area))
    }

    /// As a PNG image.
    pub fn png(&self) -> Result<Vec<u8>> {
        render_png(self.pixels(), |area| self.draw_on(area))
    }

    pub fn save_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        write_whole(path.as_ref(), self.svg()?.as_bytes())
    }

    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<()> {
        write_whole(path.as_ref(), &self.png()?)
    }

    /// Writes the Vega-Lite spec, for a page that embeds the chart interactive.
    pub fn save_vega_lite(&self, path: impl AsRef<Path>) -> Result<()> {
        write_whole(path.as_ref(), self.vega_lite().to_string().as_bytes())
    }

    /// Shows it in an evcxr notebook (as SVG).
    pub fn evcxr_display(&self) {
        print_outputs(&self.outputs());
    }
}

/// The legend box of a chart with several series.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> DrawResult<DB> {
    // Upper right: the charts here fall towards their right end (recent months, the
    // less busy people), so the corner is clear of data.
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font((FONT, 13))
        .draw()
}

/// Grid lines: light, so that the data stands out.
const GRID: RGBColor = RGBColor(232, 232, 232);

/// A chart context whose x axis is numbers on readable ticks.
type NumericChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<TickedAxis, plotters::coord::types::RangedCoordf64>>;

type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn svg_outputs(svg: Result<String>, title: &str) -> Vec<MimeOutput> {
    match svg {
        Ok(svg) => vec![
            MimeOutput {
                mime: "image/svg+xml",
                content: svg,
            },
            MimeOutput {
                mime: "text/plain",
                content: format!("<chart: {title}>"),
            },
        ],
        Err(e) => vec![MimeOutput {
            mime: "text/plain",
            content: format!("cannot draw the chart: {e}"),
        }],
    }
}

/// The bundled font, registered once for the bitmap and SVG backends' text layout.
fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let regular: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        let bold: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
        // The bytes are a valid font shipped with the crate; a failure would only lose text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, regular);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, bold);
    });
}

fn render_svg<F>(size: (u32, u32), draw: F) -> Result<String>
where
    F: for<'a> FnOnce(&DrawingArea<SVGBackend<'a>, Shift>) -> DrawResult<SVGBackend<'a>>,
{
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(drawing_error)?;
        draw(&root).map_err(drawing_error)?;
        root.present().map_err(drawing_error)?;
    }
    Ok(svg)
}

fn render_png<F>(size: (u32, u32), draw: F) -> Result<Vec<u8>>
where
    F: for<'a> FnOnce(&DrawingArea<BitMapBackend<'a>, Shift>) -> DrawResult<BitMapBackend<'a>>,
{
    register_fonts();
    let (w, h) = size;
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        root.fill(&WHITE).map_err(drawing_error)?;
        draw(&root).map_err(drawing_error)?;
        root.present().map_err(drawing_error)?;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

fn drawing_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Draw {
        message: e.to_string(),
    }
}

/// The finite values (positive ones on a log axis) and their range, widened when it is
/// empty or a single point.
pub(super) fn x_range(values: &[f64], log_x: bool) -> (Vec<f64>, f64, f64) {
    let values: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && (!log_x || *v > 0.0))
        .collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let (lo, hi) = if lo > hi {
        (1.0, 10.0)
    } else if lo == hi {
        (lo * 0.9, hi * 1.1 + 1e-9)
    } else {
        (lo, hi)
    };
    (values, lo, hi)
}

/// The `bins + 1` edges and the counts of a histogram of `values`, log-spaced when
/// `log_x` (values ≤ 0 then left out): what the SVG draws and the Vega-Lite spec holds.
pub(super) fn histogram_bins(values: &[f64], bins: usize, log_x: bool) -> (Vec<f64>, Vec<f64>) {
    let bins = bins.max(1);
    let (values, lo, hi) = x_range(values, log_x);
    let edges: Vec<f64> = (0..=bins)
        .map(|i| {
            let f = i as f64 / bins as f64;
            if log_x {
                (lo.ln() + f * (hi.ln() - lo.ln())).exp()
            } else {
                lo + f * (hi - lo)
            }
        })
        .collect();
    let mut counts = vec![0f64; bins];
    for v in &values {
        let i = edges
            .partition_point(|e| e <= v)
            .saturating_sub(1)
            .min(bins - 1);
        counts[i] += 1.0;
    }
    (edges, counts)
}

/// A round upper bound for an axis that starts at zero.
pub(super) fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    let steps = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0];
    let f = steps
        .iter()
        .find(|s| max * 1.05 <= *s * magnitude)
        .copied()
        .unwrap_or(10.0);
    f * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(nice_max(17.0), 20.0);
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(6.0), 8.0);
    }
}
