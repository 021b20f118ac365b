//! Charts as Vega-Lite specs, beside their SVG: built from the same data as the drawing,
//! with the data inlined, tooltips on every mark, and zoom and pan on time axes.
//! JupyterLab renders them interactive; GitHub, nbviewer and the posts keep the SVG.

use serde_json::{json, Value};

use super::axis::{number_ticks, Ticks};
use super::chart::{histogram_bins, nice_max, x_range, Chart, Kind};
use crate::time::Instant;

/// The MIME type JupyterLab renders with its built-in Vega-Lite 5 renderer.
pub const VEGA_LITE_MIME: &str = "application/vnd.vegalite.v5+json";

const SCHEMA: &str = "https://vega.github.io/schema/vega-lite/v5.json";

impl Chart {
    /// The chart as a Vega-Lite 5 spec with its data inlined.
    pub fn vega_lite(&self) -> Value {
        let (x_title, y_title) = (self.x_label.as_str(), self.y_label.as_str());
        let body = match &self.kind {
            Kind::Time(series) => time_spec(series, self.zone, x_title, y_title),
            Kind::Bars {
                labels,
                series,
                stacked,
            } => bars_spec(labels, series, *stacked, x_title, y_title),
            Kind::Histogram {
                values,
                bins,
                log_x,
            } => with_marks(self, histogram_spec(self, values, *bins, *log_x)),
            Kind::Cumulative { values, log_x } => {
                with_marks(self, cumulative_spec(self, values, *log_x))
            }
            Kind::HeatMap {
                rows,
                columns,
                values,
            } => heat_map_spec(rows, columns, values),
        };
        let mut spec = json!({
            "$schema": SCHEMA,
            "title": self.title,
            "width": 640,
            "height": 300,
        });
        if let (Value::Object(spec), Value::Object(body)) = (&mut spec, body) {
            spec.extend(body);
        }
        spec
    }
}

/// Values with no meaning as a number (NaN, infinities) are left out: JSON has no form for
/// them and Vega-Lite would draw them at zero.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A time as the wall clock of `zone` shows it, written as if it were UTC: with a UTC
/// scale, Vega then puts its ticks on that zone's days and months, whatever the zone of
/// the browser.
fn wall_clock(t: Instant, zone: chrono_tz::Tz) -> String {
    t.with_timezone(&zone)
        .naive_local()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn time_spec(
    series: &[super::chart::Series],
    zone: chrono_tz::Tz,
    x_title: &str,
    y_title: &str,
) -> Value {
    // Days (points at local midnight) read as dates; other points with their time. The
    // text is written here, in the zone, rather than left to Vega's date formats.
    let daily = series
        .iter()
        .flat_map(|s| &s.points)
        .all(|(t, _)| t.with_timezone(&zone).time() == chrono::NaiveTime::MIN);
    let format = if daily {
        "%a %-d %b %Y"
    } else {
        "%a %-d %b %Y %H:%M"
    };
    let values: Vec<Value> = series
        .iter()
        .flat_map(|s| {
            s.points.iter().enumerate().filter_map(move |(i, (t, v))| {
                let mut row = json!({
                    "series": s.name,
                    "t": wall_clock(*t, zone),
                    "when": t.with_timezone(&zone).format(format).to_string(),
                    "value": finite(*v)?,
                });
                for (name, texts) in &s.details {
                    row[name.as_str()] = json!(texts[i]);
                }
                Some(row)
            })
        })
        .collect();
    let steps = series.iter().all(|s| s.steps);
    let mut tooltip = vec![
        json!({"field": "when", "type": "nominal", "title": x_title}),
        json!({"field": "value", "type": "quantitative", "title": y_title}),
    ];
    if series.len() > 1 {
        tooltip.push(json!({"field": "series", "type": "nominal"}));
    }
    for (name, _) in series.iter().flat_map(|s| &s.details) {
        let field = json!({"field": name, "type": "nominal"});
        if !tooltip.contains(&field) {
            tooltip.push(field);
        }
    }
    let x = json!({"field": "t", "type": "temporal", "title": x_title, "scale": {"type": "utc"}});
    let y = json!({"field": "value", "type": "quantitative", "title": y_title});
    let mut line = json!({
        "mark": {"type": "line", "interpolate": if steps { "step-after" } else { "linear" },
                 "point": series.iter().all(|s| s.shows_samples())},
        "encoding": {"x": x, "y": y},
        "params": zoom_x(),
    });
    if series.len() > 1 {
        line["encoding"]["color"] = json!({"field": "series", "type": "nominal", "title": null});
    }
    json!({
        "data": {"values": values},
        "layer": [line, hover_points(&x, &y, json!(tooltip))],
    })
}

/// Drag to pan, scroll to zoom: on the x axis only, where time or durations run.
fn zoom_x() -> Value {
    json!([{"name": "zoom", "select": "interval", "bind": "scales", "encodings": ["x"]}])
}

/// Points over a line, invisible but for the one nearest the pointer, which carries the
/// tooltip: a line mark's own tooltip would show its first point wherever it is hovered.
fn hover_points(x: &Value, y: &Value, tooltip: Value) -> Value {
    json!({
        "mark": {"type": "point", "filled": true, "size": 50},
        "params": [{"name": "hover", "select": {"type": "point", "on": "mouseover",
                                                 "nearest": true, "clear": "mouseout"}}],
        "encoding": {
            "x": x, "y": y, "tooltip": tooltip,
            "opacity": {"condition": {"param": "hover", "empty": false, "value": 1}, "value": 0},
        },
    })
}

fn bars_spec(
    labels: &[String],
    series: &[(String, Vec<f64>)],
    stacked: bool,
    x_title: &str,
    y_title: &str,
) -> Value {
    let values: Vec<Value> = series
        .iter()
        .flat_map(|(name, counts)| {
            labels.iter().zip(counts).filter_map(move |(label, v)| {
                Some(json!({"label": label, "series": name, "value": finite(*v)?}))
            })
        })
        .collect();
    let mut encoding = json!({
        "x": {"field": "label", "type": "ordinal", "sort": labels, "title": x_title},
        "y": {"field": "value", "type": "quantitative", "title": y_title},
        "tooltip": [
            {"field": "label", "type": "ordinal", "title": x_title},
            {"field": "series", "type": "nominal"},
            {"field": "value", "type": "quantitative", "title": y_title},
        ],
    });
    if series.len() > 1 {
        encoding["color"] = json!({"field": "series", "type": "nominal", "title": null,
                                   "sort": series.iter().map(|(n, _)| n).collect::<Vec<_>>()});
        if !stacked {
            encoding["xOffset"] = json!({"field": "series", "type": "nominal",
                                         "sort": series.iter().map(|(n, _)| n).collect::<Vec<_>>()});
        }
    }
    json!({
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": true},
        "encoding": encoding,
    })
}

/// The x encoding of a numeric axis: linear or log, its grid and labels on the same
/// ticks as the SVG's (durations read as `1 d`, `1 wk`).
fn numeric_x(chart: &Chart, field: &str, lo: f64, hi: f64, log_x: bool) -> Value {
    let ticks = number_ticks(lo, hi, log_x, chart.unit);
    json!({
        "field": field, "type": "quantitative", "title": chart.x_label,
        "scale": {"type": if log_x { "log" } else { "linear" }, "nice": false},
        "axis": {"values": ticks.values, "labelExpr": label_expression(&ticks)},
    })
}

/// A Vega expression giving each tick's label: `datum.value === 24 ? '1 d' : …`.
fn label_expression(ticks: &Ticks) -> String {
    let cases: String = ticks
        .values
        .iter()
        .zip(&ticks.labels)
        .map(|(v, label)| format!("datum.value === {} ? {} : ", json!(v), json!(label)))
        .collect();
    format!("{cases}''")
}

fn histogram_spec(chart: &Chart, values: &[f64], bins: usize, log_x: bool) -> Value {
    let (edges, counts) = histogram_bins(values, bins, log_x);
    let rows: Vec<Value> = counts
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let (from, to) = (finite(edges[i])?, finite(edges[i + 1])?);
            let range = format!("{} to {}", chart.value_text(from), chart.value_text(to));
            Some(json!({"from": from, "to": to, "range": range, "count": n}))
        })
        .collect();
    let (lo, hi) = (edges[0], edges[edges.len() - 1]);
    json!({
        "data": {"values": rows},
        "mark": {"type": "rect", "tooltip": true},
        "encoding": {
            "x": numeric_x(chart, "from", lo, hi, log_x),
            "x2": {"field": "to"},
            // The SVG's round top, which leaves the marks' labels room above the bars.
            "y": {"field": "count", "type": "quantitative", "title": chart.y_label,
                  "scale": {"domain": [0, nice_max(counts.iter().copied().fold(0.0, f64::max))]}},
            "y2": {"datum": 0},
            "tooltip": [
                {"field": "range", "type": "nominal", "title": chart.x_label},
                {"field": "count", "type": "quantitative", "title": chart.y_label},
            ],
        },
    })
}

fn cumulative_spec(chart: &Chart, values: &[f64], log_x: bool) -> Value {
    let (mut sorted, lo, hi) = x_range(values, log_x);
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let rows: Vec<Value> = sorted
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"value": v, "within": chart.value_text(*v), "share": (i + 1) as f64 / n}))
        .collect();
    let x = numeric_x(chart, "value", lo, hi, log_x);
    let y = json!({"field": "share", "type": "quantitative", "title": "share at or below",
                   "axis": {"format": "%"}});
    let tooltip = json!([
        {"field": "within", "type": "nominal", "title": chart.x_label},
        {"field": "share", "type": "quantitative", "format": ".0%"},
    ]);
    json!({
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "line", "interpolate": "step-after"},
                "encoding": {"x": x, "y": y},
                "params": zoom_x(),
            },
            hover_points(&x, &y, tooltip),
        ],
    })
}

/// The chart's marks (a median, a p90) as dashed rules with their labels, layered over
/// the data; the spec unchanged when there are none. The data stays at the top, where
/// the layers inherit it.
fn with_marks(chart: &Chart, body: Value) -> Value {
    if chart.marks.is_empty() {
        return body;
    }
    let Value::Object(mut main) = body else {
        return body;
    };
    let data = main.remove("data").unwrap_or(Value::Null);
    let mut layers = match main.remove("layer") {
        Some(Value::Array(layers)) => layers,
        _ => vec![Value::Object(main)],
    };
    let mut x = layers[0]["encoding"]["x"].clone();
    x["field"] = json!("x");
    let marks: Vec<Value> = chart
        .marks
        .iter()
        .enumerate()
        .map(
            |(i, (label, v))| json!({"x": v, "label": chart.mark_text(label, *v), "y": 4 + 16 * i}),
        )
        .collect();
    let rule = json!({
        "data": {"values": marks},
        "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#464646"},
        "encoding": {"x": x, "tooltip": [{"field": "label", "type": "nominal", "title": null}]},
    });
    let text = json!({
        "data": {"values": marks},
        "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 5, "color": "#464646"},
        "encoding": {"x": x, "y": {"field": "y", "type": "quantitative", "scale": null},
                     "text": {"field": "label"}},
    });
    layers.extend([rule, text]);
    json!({"data": data, "layer": layers})
}

fn heat_map_spec(rows: &[String], columns: &[String], values: &[Vec<f64>]) -> Value {
    let cells: Vec<Value> = rows
        .iter()
        .zip(values)
        .flat_map(|(row, counts)| {
            columns.iter().zip(counts).filter_map(move |(column, v)| {
                Some(json!({"row": row, "column": column, "value": finite(*v)?}))
            })
        })
        .collect();
    json!({
        "data": {"values": cells},
        "mark": {"type": "rect", "tooltip": true},
        "encoding": {
            "x": {"field": "column", "type": "ordinal", "sort": columns, "title": null},
            "y": {"field": "row", "type": "ordinal", "sort": rows, "title": null},
            "color": {"field": "value", "type": "quantitative", "title": null,
                      "scale": {"scheme": "blues"}},
            "tooltip": [
                {"field": "row", "type": "ordinal"},
                {"field": "column", "type": "ordinal"},
                {"field": "value", "type": "quantitative"},
            ],
        },
    })
}
