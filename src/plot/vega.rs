//! Charts as Vega-Lite specs, beside their SVG: built from the same data as the drawing,
//! with the data inlined, tooltips on every mark, and zoom and pan on time axes.
//! JupyterLab renders them interactive; GitHub, nbviewer and the posts keep the SVG.

use serde_json::{json, Value};

use super::chart::{histogram_bins, x_range, Chart, Kind};
use crate::time::rfc3339;

/// The MIME type JupyterLab renders with its built-in Vega-Lite 5 renderer.
pub const VEGA_LITE_MIME: &str = "application/vnd.vegalite.v5+json";

const SCHEMA: &str = "https://vega.github.io/schema/vega-lite/v5.json";

impl Chart {
    /// The chart as a Vega-Lite 5 spec with its data inlined.
    pub fn vega_lite(&self) -> Value {
        let (x_title, y_title) = (self.x_label.as_str(), self.y_label.as_str());
        let body = match &self.kind {
            Kind::Time(series) => time_spec(series, x_title, y_title),
            Kind::Bars {
                labels,
                series,
                stacked,
            } => bars_spec(labels, series, *stacked, x_title, y_title),
            Kind::Histogram {
                values,
                bins,
                log_x,
            } => histogram_spec(values, *bins, *log_x, x_title),
            Kind::Cumulative { values, log_x } => cumulative_spec(values, *log_x, x_title),
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

fn time_spec(series: &[super::chart::Series], x_title: &str, y_title: &str) -> Value {
    let values: Vec<Value> = series
        .iter()
        .flat_map(|s| {
            s.points.iter().filter_map(move |(t, v)| {
                Some(json!({"series": s.name, "t": rfc3339(*t), "value": finite(*v)?}))
            })
        })
        .collect();
    let steps = series.iter().all(|s| s.steps);
    let mut encoding = json!({
        "x": {"field": "t", "type": "temporal", "title": x_title},
        "y": {"field": "value", "type": "quantitative", "title": y_title},
        "tooltip": [
            {"field": "t", "type": "temporal", "title": x_title, "format": "%Y-%m-%d %H:%M"},
            {"field": "value", "type": "quantitative", "title": y_title},
            {"field": "series", "type": "nominal"},
        ],
    });
    if series.len() > 1 {
        encoding["color"] = json!({"field": "series", "type": "nominal", "title": null});
    }
    json!({
        "data": {"values": values},
        "mark": {"type": "line", "interpolate": if steps { "step-after" } else { "linear" }, "point": false, "tooltip": true},
        "encoding": encoding,
        // Drag to pan, scroll to zoom the time axis.
        "params": [{"name": "zoom", "select": "interval", "bind": "scales", "encodings": ["x"]}],
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

fn histogram_spec(values: &[f64], bins: usize, log_x: bool, x_title: &str) -> Value {
    let (edges, counts) = histogram_bins(values, bins, log_x);
    let rows: Vec<Value> = counts
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            Some(json!({"from": finite(edges[i])?, "to": finite(edges[i + 1])?, "count": n}))
        })
        .collect();
    json!({
        "data": {"values": rows},
        "mark": {"type": "rect", "tooltip": true},
        "encoding": {
            "x": {"field": "from", "type": "quantitative", "title": x_title,
                  "scale": {"type": if log_x { "log" } else { "linear" }, "nice": false}},
            "x2": {"field": "to"},
            "y": {"field": "count", "type": "quantitative", "title": "count"},
            "y2": {"datum": 0},
            "tooltip": [
                {"field": "from", "type": "quantitative", "format": ".1f"},
                {"field": "to", "type": "quantitative", "format": ".1f"},
                {"field": "count", "type": "quantitative"},
            ],
        },
    })
}

fn cumulative_spec(values: &[f64], log_x: bool, x_title: &str) -> Value {
    let (mut sorted, _, _) = x_range(values, log_x);
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let rows: Vec<Value> = sorted
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"value": v, "share": (i + 1) as f64 / n}))
        .collect();
    json!({
        "data": {"values": rows},
        "mark": {"type": "line", "interpolate": "step-after", "tooltip": true},
        "encoding": {
            "x": {"field": "value", "type": "quantitative", "title": x_title,
                  "scale": {"type": if log_x { "log" } else { "linear" }}},
            "y": {"field": "share", "type": "quantitative", "title": "share at or below",
                  "axis": {"format": "%"}},
            "tooltip": [
                {"field": "value", "type": "quantitative", "title": x_title, "format": ".1f"},
                {"field": "share", "type": "quantitative", "format": ".0%"},
            ],
        },
        "params": [{"name": "zoom", "select": "interval", "bind": "scales", "encodings": ["x"]}],
    })
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
