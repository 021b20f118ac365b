//! The full report: the post's figures, the incident metrics and the SOP audit, as one
//! JSON object (`report --json`) or as a folder with a page and its charts
//! (`report --out DIR`), for users without Jupyter.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use polars::prelude::DataFrame;
use serde_json::{json, Value};

use super::audit::{self, AuditOptions};
use super::metrics::{self, By, TimeToArchive};
use super::post::{incidents_as_of, PostFigures, PostOptions};
use crate::error::{Error, Result};
use crate::export::Workspace;
use crate::incidents::sop::Field;
use crate::incidents::Incident;
use crate::plot::{Chart, Table};
use crate::time::Instant;

/// Everything the report shows, computed once.
pub struct Report {
    pub post: PostFigures,
    pub incidents: Vec<Incident>,
    pub tz: Tz,
    pub as_of: Instant,
    pub audit_options: AuditOptions,
    /// Who wrote when in the incident channels, by user name.
    pub authored: Vec<(String, Instant)>,
}

impl Report {
    pub fn new(ws: &Workspace, options: &PostOptions) -> Result<Self> {
        let (incidents, as_of) = incidents_as_of(ws, options)?;
        let authored = metrics::authored(ws, &incidents);
        Ok(Report {
            authored,
            post: PostFigures::compute(&incidents, options, as_of),
            incidents,
            tz: options.tz,
            as_of,
            audit_options: AuditOptions::default(),
        })
    }

    /// The `report --json` object: the post's figures at the top level, then `metrics`
    /// and `audit`.
    pub fn to_json(&self) -> Result<Value> {
        let mut out = self.post.to_json();
        let tta = TimeToArchive::of(&self.incidents);
        let per_day: Vec<Value> = metrics::open_per_day(&self.incidents, self.tz, self.as_of)
            .into_iter()
            .map(|(date, open)| json!({"date": date.to_string(), "open": open}))
            .collect();
        let load: serde_json::Map<String, Value> =
            metrics::responders_load(&self.authored, self.tz)
                .into_iter()
                .map(|(user, load)| (user, json!(load)))
                .collect();
        out["metrics"] = json!({
            "time_to_archive_hours": {
                "count": tta.count,
                "open_excluded": tta.open_excluded,
                "median": tta.median,
                "p90": tta.p90,
                "definition": TimeToArchive::DEFINITION,
            },
            "open_per_day": per_day,
            "created_vs_archived_per_month": rows(&metrics::created_vs_archived(&self.incidents, self.tz)?)?,
            "open_ages": rows(&metrics::open_ages(&self.incidents, self.as_of)?)?,
            "by_topic_word": rows(&metrics::breakdown(&self.incidents, By::TopicWord)?)?,
            "by_component": rows(&metrics::breakdown(&self.incidents, By::Summary(Field::Component))?)?,
            "by_type": rows(&metrics::breakdown(&self.incidents, By::Summary(Field::Type))?)?,
            "by_environment": rows(&metrics::breakdown(&self.incidents, By::Summary(Field::Environment))?)?,
            "responders_load_hours": load,
            "responders_load_definition": metrics::LOAD_DEFINITION,
            "last_30_days_vs_previous": metrics::compare_periods(&self.incidents, self.as_of, 30),
        });
        out["audit"] = json!(audit::summarize(
            &self.incidents,
            self.as_of,
            &self.audit_options
        ));
        Ok(out)
    }

    /// The charts of the report, with file stems.
    pub fn charts(&self) -> Result<Vec<(&'static str, Chart)>> {
        Ok(vec![
            ("open-over-time", self.post.open_chart()),
            (
                "open-per-day",
                metrics::open_per_day_chart(&self.incidents, self.tz, self.as_of),
            ),
            (
                "created-vs-archived",
                metrics::created_vs_archived_chart(&self.incidents, self.tz)?,
            ),
            (
                "time-to-archive",
                TimeToArchive::of(&self.incidents).histogram(),
            ),
            (
                "time-to-archive-share",
                TimeToArchive::of(&self.incidents).ecdf_chart(),
            ),
            (
                "weekday-hour",
                metrics::weekday_hour_chart(&self.incidents, self.tz),
            ),
            (
                "responders-load",
                metrics::load_chart(&metrics::responders_load(&self.authored, self.tz), 10),
            ),
        ])
    }

    /// Writes `report.json`, `report.md`, `report.html` and the charts (SVG and PNG).
    pub fn write_dir(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut written = Vec::new();
        let mut md = format!("# Incident report\n\n```\n{}```\n\n", self.post);
        for (stem, chart) in self.charts()? {
            let svg = dir.join(format!("{stem}.svg"));
            chart.save_svg(&svg)?;
            chart.save_png(dir.join(format!("{stem}.png")))?;
            md.push_str(&format!(
                "## {}\n\n![{}]({stem}.svg)\n\n",
                chart.title, chart.title
            ));
            written.push(svg);
        }
        let tta = TimeToArchive::of(&self.incidents);
        md.push_str(&format!(
            "## Time to archive\n\n{}\n\nArchived: {}, open (left out): {}, median {} h, p90 {} h.\n\n",
            TimeToArchive::DEFINITION,
            tta.count,
            tta.open_excluded,
            fmt_hours(tta.median),
            fmt_hours(tta.p90)
        ));
        let sections: Vec<(&str, DataFrame)> = vec![
            (
                "Open channels by age",
                metrics::open_ages(&self.incidents, self.as_of)?,
            ),
            (
                "By component",
                metrics::breakdown(&self.incidents, By::Summary(Field::Component))?,
            ),
            (
                "By type",
                metrics::breakdown(&self.incidents, By::Summary(Field::Type))?,
            ),
            ("SOP audit: topics", audit::topics(&self.incidents)?),
            (
                "SOP audit: summary fields",
                audit::summary_fields(&self.incidents)?,
            ),
            (
                "SOP audit: names off the convention",
                audit::off_convention(&self.incidents)?,
            ),
            (
                "SOP audit: waiting for a post-mortem",
                audit::waiting_for_postmortem(&self.incidents, self.as_of, &self.audit_options)?,
            ),
        ];
        for (title, frame) in sections {
            let table = Table {
                frame,
                max_rows: 30,
            };
            md.push_str(&format!("## {title}\n\n{}\n\n", table.html()));
        }
        let md_path = dir.join("report.md");
        std::fs::write(&md_path, &md).map_err(|e| Error::io(&md_path, e))?;
        let html_path = dir.join("report.html");
        let html = crate::publish::page("Incident report", &md);
        std::fs::write(&html_path, html).map_err(|e| Error::io(&html_path, e))?;
        let json_path = dir.join("report.json");
        let json = serde_json::to_string_pretty(&self.to_json()?)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        std::fs::write(&json_path, json).map_err(|e| Error::io(&json_path, e))?;
        written.extend([md_path, html_path, json_path]);
        Ok(written)
    }
}

fn fmt_hours(h: Option<f64>) -> String {
    h.map_or("n/a".into(), |h| format!("{h:.1}"))
}

/// A frame as a list of JSON objects, one per row.
fn rows(df: &DataFrame) -> Result<Vec<Value>> {
    let mut out = vec![serde_json::Map::new(); df.height()];
    for column in df.columns() {
        for (i, row) in out.iter_mut().enumerate() {
            let value = match column.get(i)? {
                polars::prelude::AnyValue::Null => Value::Null,
                polars::prelude::AnyValue::String(s) => json!(s),
                polars::prelude::AnyValue::UInt32(n) => json!(n),
                polars::prelude::AnyValue::Float64(f) => json!(f),
                polars::prelude::AnyValue::Boolean(b) => json!(b),
                other => json!(other.to_string()),
            };
            row.insert(column.name().to_string(), value);
        }
    }
    Ok(out.into_iter().map(Value::Object).collect())
}
