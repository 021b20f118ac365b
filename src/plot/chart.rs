//! Charts drawn with plotters: lines and steps over time, bars, histograms and
//! cumulative shares (log axis), heat maps; one drawing routine for both SVG and PNG
//! (and [`super::vega`] gives the same data as a Vega-Lite spec).

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// Builds a chart over a numeric x range (log-scaled when `$log_x`) and `0..$y1`, draws
/// its mesh, and runs `$draw` with it. A macro because the two scales are different
/// types in plotters.
macro_rules! on_x_axis {
    ($self:ident, $area:ident, $x:expr, $log_x:expr, $y1:expr, $y_format:expr, |$chart:ident| $draw:block) => {{
        let y_format = $y_format;
        macro_rules! mesh_and_draw {
            ($built:expr) => {{
                let mut $chart = $built;
                $chart
                    .configure_mesh()
                    .x_desc(&$self.x_label)
                    .y_desc(&$self.y_label)
                    .x_label_formatter(&|x| short_number(*x))
                    .y_label_formatter(&|y| y_format(*y))
                    .light_line_style(RGBColor(235, 235, 235))
                    .draw()?;
                $draw
            }};
        }
        if $log_x {
            mesh_and_draw!($self
                .builder($area)
                .build_cartesian_2d(($x).log_scale(), 0f64..$y1)?);
        } else {
            mesh_and_draw!($self.builder($area).build_cartesian_2d($x, 0f64..$y1)?);
        }
    }};
}

impl Chart {
    fn new(title: &str, x_label: &str, y_label: &str, kind: Kind) -> Self {
        Chart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            size: (900, 420),
            kind,
        }
    }

    /// An empty chart over time; add lines with [`Chart::line`] or [`Chart::steps`].
    pub fn over_time(title: &str, y_label: &str) -> Self {
        Chart::new(title, "date", y_label, Kind::Time(vec![]))
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
            });
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
        let span = x1 - x0;
        let mut chart = self
            .builder(area)
            .build_cartesian_2d(x0..x1, 0f64..nice_max(y1))?;
        let date_format = if span > 200.0 { "%b %Y" } else { "%Y-%m-%d" };
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_labels(8)
            .y_label_formatter(&|y| short_number(*y))
            .x_label_formatter(&|x| {
                chrono::DateTime::from_timestamp((x * 86_400.0) as i64, 0)
                    .map(|d| d.format(date_format).to_string())
                    .unwrap_or_default()
            })
            .light_line_style(RGBColor(235, 235, 235))
            .draw()?;
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
        }
        if series.len() > 1 {
            draw_legend(&mut chart)?;
        }
        Ok(())
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
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
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
            .light_line_style(RGBColor(235, 235, 235))
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
        on_x_axis!(self, area, lo..hi, log_x, y1, short_number, |chart| {
            chart.draw_series(bars)?;
        });
        Ok(())
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
        on_x_axis!(self, area, lo..hi, log_x, 1.0, percent, |chart| {
            chart.draw_series(LineSeries::new(points, PALETTE[0].stroke_width(2)))?;
        });
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
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
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
fn nice_max(max: f64) -> f64 {
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

/// 0.5, 3, 12, 1.2k: axis numbers that fit.
fn short_number(x: f64) -> String {
    match x.abs() {
        0.0 => "0".into(),
        a if a >= 1000.0 => format!("{:.1}k", x / 1000.0),
        a if a >= 10.0 => format!("{x:.0}"),
        a if a >= 1.0 => format!("{x:.1}").trim_end_matches(".0").to_string(),
        _ => format!("{x:.2}"),
    }
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

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(1500.0), "1.5k");
        assert_eq!(short_number(12.3), "12");
        assert_eq!(short_number(2.0), "2");
        assert_eq!(short_number(0.25), "0.25");
        assert_eq!(short_number(0.0), "0");
    }
}
