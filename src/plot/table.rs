//! DataFrames as HTML tables (with a row limit and a shape line) and plain text, with
//! times shown in the reader's zone.

use std::sync::RwLock;

use chrono::{TimeZone as _, Utc};
use chrono_tz::Tz;
use polars::prelude::*;

use super::evcxr::{print_outputs, rich_and_plain, MimeOutput, RichDisplay};

/// The zone tables show times in; UTC until [`show_times_in`] names another.
static DISPLAY_ZONE: RwLock<Tz> = RwLock::new(Tz::UTC);

/// Shows the times of every table from now on as wall-clock time in `tz`, to the second
/// (the frames keep UTC instants; only their display changes). A notebook calls it once,
/// with its `tz` parameter.
pub fn show_times_in(tz: Tz) {
    *DISPLAY_ZONE
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = tz;
}

/// The zone tables show times in.
pub fn display_zone() -> Tz {
    *DISPLAY_ZONE
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a missing value shows as, in every table.
pub const NULL_LABEL: &str = "(none)";

/// A DataFrame to show: the first `max_rows` rows, with the frame's shape.
pub struct Table {
    pub frame: DataFrame,
    pub max_rows: usize,
}

/// `.table()` on a DataFrame, for notebooks.
pub trait FrameDisplay {
    /// The frame as a table of at most 20 rows.
    fn table(&self) -> Table;
    /// The frame as a table of at most `rows` rows.
    fn table_rows(&self, rows: usize) -> Table;
}

impl FrameDisplay for DataFrame {
    fn table(&self) -> Table {
        self.table_rows(20)
    }

    fn table_rows(&self, rows: usize) -> Table {
        Table {
            frame: self.clone(),
            max_rows: rows,
        }
    }
}

impl Table {
    /// An HTML `<table>` with column names and types, the shown rows, and the shape.
    pub fn html(&self) -> String {
        let df = &self.frame;
        let shown = df.height().min(self.max_rows);
        let zone = display_zone();
        let mut html = String::from("<table class=\"dataframe\">\n<thead><tr>");
        for c in df.columns() {
            let dtype = match c.dtype() {
                DataType::Datetime(_, Some(_)) => format!("datetime, {}", zone.name()),
                other => other.to_string(),
            };
            html.push_str(&format!(
                "<th>{}<br><small>{}</small></th>",
                escape_html(c.name()),
                escape_html(&dtype)
            ));
        }
        html.push_str("</tr></thead>\n<tbody>\n");
        for row in 0..shown {
            html.push_str("<tr>");
            for c in df.columns() {
                html.push_str(&format!("<td>{}</td>", escape_html(&cell(c, row, zone))));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</tbody>\n</table>\n");
        html.push_str(&format!("<p><small>{}</small></p>", self.shape_line(shown)));
        html
    }

    fn shape_line(&self, shown: usize) -> String {
        let (h, w) = self.frame.shape();
        if shown < h {
            format!("{h} rows × {w} columns (first {shown} shown)")
        } else {
            format!("{h} rows × {w} columns")
        }
    }

    /// The same rows as aligned plain text.
    pub fn text(&self) -> String {
        let df = &self.frame;
        let shown = df.height().min(self.max_rows);
        let zone = display_zone();
        let columns: Vec<Vec<String>> = df
            .columns()
            .iter()
            .map(|c| {
                std::iter::once(c.name().to_string())
                    .chain((0..shown).map(|r| cell(c, r, zone)))
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = columns
            .iter()
            .map(|col| {
                col.iter()
                    .map(|s| s.chars().count().min(40))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for r in 0..=shown {
            let line: Vec<String> = columns
                .iter()
                .zip(&widths)
                .map(|(col, w)| {
                    let s: String = col[r].chars().take(40).collect();
                    format!("{s:<w$}")
                })
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out.push_str(&self.shape_line(shown));
        out
    }

    pub fn evcxr_display(&self) {
        print_outputs(&self.outputs());
    }
}

impl RichDisplay for Table {
    fn outputs(&self) -> Vec<MimeOutput> {
        rich_and_plain("text/html", self.html(), self.text())
    }
}

/// A cell as text: nulls as [`NULL_LABEL`], strings unquoted, instants as wall-clock
/// time in `zone` to the second.
fn cell(column: &Column, row: usize, zone: Tz) -> String {
    match column.get(row) {
        Ok(AnyValue::Null) | Err(_) => NULL_LABEL.to_string(),
        Ok(AnyValue::String(s)) => s.to_string(),
        Ok(AnyValue::StringOwned(s)) => s.to_string(),
        Ok(AnyValue::Float64(f)) => fmt_float(f),
        Ok(AnyValue::Datetime(value, unit, Some(_))) => local_time(value, unit, zone),
        Ok(AnyValue::DatetimeOwned(value, unit, Some(_))) => local_time(value, unit, zone),
        Ok(v) => v.to_string(),
    }
}

/// An instant stored in `unit`s since the epoch as `2016-03-11 12:25:23` in `zone`.
fn local_time(value: i64, unit: TimeUnit, zone: Tz) -> String {
    let instant = match unit {
        TimeUnit::Milliseconds => Utc.timestamp_millis_opt(value).single(),
        TimeUnit::Microseconds => Utc.timestamp_micros(value).single(),
        TimeUnit::Nanoseconds => Some(Utc.timestamp_nanos(value)),
    };
    match instant {
        Some(t) => crate::time::fmt_time(t, zone),
        None => value.to_string(),
    }
}

/// Two decimals, or two significant digits where those would show 0.00: a share of 1 in
/// 204 reads 0.0049, not 0.00.
fn fmt_float(f: f64) -> String {
    if f == 0.0 {
        return "0.00".into(); // -0.0 too
    }
    if !f.is_finite() || (f * 100.0).round() != 0.0 {
        return format!("{f:.2}");
    }
    if f.abs() < 1e-6 {
        return format!("{f:.1e}");
    }
    let decimals = (1 - f.abs().log10().floor() as i64) as usize;
    format!("{f:.decimals$}")
}

/// Text escaped for HTML (`&`, `<`, `>`, `"`, `'`): the crate's one HTML escaper.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_the_display_zone_to_the_second_and_nulls_as_none() {
        let utc = Some(TimeZone::UTC);
        let millis = 1_457_679_323_575i64; // 2016-03-11 06:55:23.575 UTC
        let times = Series::new("t".into(), &[Some(millis), None])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, utc))
            .unwrap()
            .into_column();
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(cell(&times, 0, kolkata), "2016-03-11 12:25:23");
        assert_eq!(cell(&times, 0, Tz::UTC), "2016-03-11 06:55:23");
        assert_eq!(cell(&times, 1, kolkata), NULL_LABEL);
    }

    #[test]
    fn small_floats_keep_two_significant_digits() {
        assert_eq!(fmt_float(125.034), "125.03");
        assert_eq!(fmt_float(0.0), "0.00");
        assert_eq!(fmt_float(1.0 / 204.0), "0.0049");
        assert_eq!(fmt_float(0.000_123), "0.00012");
        assert_eq!(fmt_float(-0.004), "-0.0040");
        assert_eq!(fmt_float(f64::NAN), "NaN");
        assert_eq!(fmt_float(0.00999), "0.01");
        assert_eq!(fmt_float(-0.0), "0.00");
        assert_eq!(fmt_float(1e-13), "1.0e-13");
    }
}
