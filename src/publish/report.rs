//! The full report: the post's figures, the incident metrics and the SOP audit, as one
//! JSON object (`report --json`) or as a folder with a page and its charts
//! (`report --out DIR`), for users without Jupyter.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use polars::prelude::{DataFrame, IntoLazy, LazyFrame};
use serde_json::{json, Value};

use crate::analysis::audit::{self, AuditOptions, AuditSummary};
use crate::analysis::estimates::EstimateAccuracy;
use crate::analysis::metrics::{self, LoadRule, PeriodComparison, TimeToArchive};
use crate::analysis::period::Period;
use crate::analysis::phases::{Phase, DEFAULT_PERCENTILES};
use crate::analysis::post::{PostFigures, PostOptions};
use crate::analysis::recurrence::{self, Recurrence};
use crate::analysis::severity::{self, SeverityRules};
use crate::error::{Error, Result};
use crate::export::write::write_whole;
use crate::export::Workspace;
use crate::frames::{self, IncidentFrames};
use crate::plot::{charts, Chart, Table};
use crate::time::Instant;

/// The breakdowns the report shows, by column.
const BREAKDOWNS: [&str; 4] = ["topic_word", "component", "type", "environment"];

/// The metric frames that the JSON, the charts and the page all show: computed once for
/// an output, and each output rendered from them.
struct MetricFrames {
    open_per_day: DataFrame,
    created_vs_archived: DataFrame,
    open_ages: DataFrame,
    weekday_hour: DataFrame,
    /// A [`metrics::breakdown`] per column of [`BREAKDOWNS`], in its order.
    breakdowns: Vec<DataFrame>,
}

impl MetricFrames {
    fn breakdown(&self, by: &str) -> &DataFrame {
        let at = BREAKDOWNS
            .iter()
            .position(|b| *b == by)
            .expect("a breakdown");
        &self.breakdowns[at]
    }
}

/// Everything the report shows, from one set of frames. Its parts are read through
/// methods: each was computed from the others (the audit under its options, the load in
/// its zone), so none can be changed alone and leave the rest stale.
pub struct Report {
    post: PostFigures,
    frames: IncidentFrames,
    tz: Tz,
    as_of: Instant,
    audit_options: AuditOptions,
    /// Time to archive, responders' load and the audit's summary (under `audit_options`):
    /// the JSON, the charts and the page show them, so they are computed once.
    time_to_archive: TimeToArchive,
    load: DataFrame,
    /// The load per person and week, from the same stretches as `load`.
    load_by_week: DataFrame,
    audit: AuditSummary,
}

impl Report {
    /// The report of a workspace, with the SOP audited by the post's rule
    /// ([`AuditOptions::default`]).
    pub fn new(ws: &Workspace, options: &PostOptions) -> Result<Self> {
        Self::with_audit(ws, options, AuditOptions::default())
    }

    /// The report of a workspace, with the SOP audited by a team's own rule.
    pub fn with_audit(
        ws: &Workspace,
        options: &PostOptions,
        audit_options: AuditOptions,
    ) -> Result<Self> {
        let frames = IncidentFrames::new(ws, options.convention.clone())?;
        Self::of_frames(frames, options, audit_options)
    }

    /// The columns of the frames' messages a report reads when the SOP is audited within
    /// the frames' own hot window (as [`AuditOptions::default`] is): the command line keeps
    /// only these once the frames are made, so that the rest is gone before the responders'
    /// load (at 1M messages the report's peak went from 253 to 221 MiB, now in the frames).
    pub const MESSAGE_COLUMNS: [&'static str; 4] = ["time", "author", "is_update", "channel_id"];

    /// The report of frames made already (by `options.convention`), with the SOP audited
    /// by a team's own rule. Of the frames' messages it reads the
    /// [`MESSAGE_COLUMNS`](Self::MESSAGE_COLUMNS), and more for a hot window of its own
    /// (no text: the command line lets the texts go before it starts).
    pub fn of_frames(
        frames: IncidentFrames,
        options: &PostOptions,
        audit_options: AuditOptions,
    ) -> Result<Self> {
        let as_of = options.as_of.unwrap_or(frames.as_of);
        let time_to_archive = TimeToArchive::of(frames.incidents.clone().lazy())?;
        // The responders' load reads every message; the audit reads the incidents (and the
        // messages too for a hot window other than the frames'): one on each core.
        let (load, audit) = crate::threads::on_polars_pool(|| {
            rayon::join(
                || -> Result<(DataFrame, DataFrame)> {
                    let messages = frames.messages.clone().lazy();
                    let shifts = LoadRule::default()
                        .shifts(messages.clone(), options.tz)?
                        .collect()?;
                    let by_week = LoadRule::by_period_of(
                        shifts.clone().lazy(),
                        messages,
                        frames.incidents.clone().lazy(),
                        &Period::week(),
                        options.tz,
                    )?
                    .collect()?;
                    Ok((metrics::load_of(shifts.lazy()).collect()?, by_week))
                },
                || audit::summarize_frames(&frames, as_of, &audit_options),
            )
        });
        let (load, load_by_week) = load?;
        Ok(Report {
            post: PostFigures::compute(&frames.incidents, options, as_of)?,
            time_to_archive,
            load,
            load_by_week,
            audit: audit?,
            frames,
            tz: options.tz,
            as_of,
            audit_options,
        })
    }

    /// The post's figures.
    pub fn post(&self) -> &PostFigures {
        &self.post
    }

    /// The frames every part was computed from.
    pub fn frames(&self) -> &IncidentFrames {
        &self.frames
    }

    /// "Now" for the figures: `PostOptions::as_of`, else the frames'.
    pub fn as_of(&self) -> Instant {
        self.as_of
    }

    /// The SOP audit's summary, under [`Report::audit_options`].
    pub fn audit(&self) -> &AuditSummary {
        &self.audit
    }

    /// The rule the audit was made by.
    pub fn audit_options(&self) -> &AuditOptions {
        &self.audit_options
    }

    /// Time to archive: count, median and p90 hours.
    pub fn time_to_archive(&self) -> &TimeToArchive {
        &self.time_to_archive
    }

    /// Each responder's load, in the report's time zone.
    pub fn responders_load(&self) -> &DataFrame {
        &self.load
    }

    fn incidents(&self) -> LazyFrame {
        self.frames.incidents.clone().lazy()
    }

    /// The metric frames of this report, each collected once.
    fn metric_frames(&self) -> Result<MetricFrames> {
        // Some polars operations run rayon's parallel iterators wherever they are called:
        // called in polars' pool, rayon's global one never starts.
        crate::threads::on_polars_pool(|| {
            Ok(MetricFrames {
                open_per_day: metrics::open_per_day(self.incidents(), self.tz, self.as_of)?
                    .collect()?,
                created_vs_archived: metrics::created_vs_archived(self.incidents(), self.tz)?
                    .collect()?,
                open_ages: metrics::open_ages(self.incidents(), self.as_of)?.collect()?,
                weekday_hour: metrics::weekday_hour(self.incidents(), self.tz)?.collect()?,
                breakdowns: BREAKDOWNS
                    .iter()
                    .map(|by| Ok(metrics::breakdown(self.incidents(), by).collect()?))
                    .collect::<Result<_>>()?,
            })
        })
    }

    /// The `report --json` object: the post's figures at the top level, then `metrics`
    /// and `audit`.
    pub fn to_json(&self) -> Result<Value> {
        self.json_of(&self.metric_frames()?)
    }

    /// [`Report::to_json`] from metric frames computed already.
    fn json_of(&self, figures: &MetricFrames) -> Result<Value> {
        let mut out = self.post.to_json();
        out["metrics"] = crate::threads::on_polars_pool(|| self.metrics_json(figures))?;
        out["audit"] = json!(self.audit);
        Ok(out)
    }

    /// The `metrics` object of [`Report::to_json`].
    fn metrics_json(&self, figures: &MetricFrames) -> Result<Value> {
        let (tta, load) = (&self.time_to_archive, &self.load);
        let responders: serde_json::Map<String, Value> = frames::rows_json(load)?
            .into_iter()
            .filter_map(|mut row| {
                let name = row.get("responder")?.as_str()?.to_string();
                let object = row.as_object_mut()?;
                object.remove("responder");
                object.remove("total_hours");
                Some((name, row))
            })
            .collect();
        let breakdown = |by: &str| -> Result<Vec<Value>> {
            let shown = figures.breakdown(by).select([
                by,
                "incidents",
                "median_hours_to_archive",
                "open",
            ])?;
            frames::rows_json(&shown)
        };
        let mut metrics_json = json!({
            "time_to_archive_hours": {
                "count": tta.count,
                "open_excluded": tta.open_excluded,
                "median": tta.median,
                "p90": tta.p90,
                "definition": metrics::TIME_TO_ARCHIVE_DEFINITION,
            },
            // The counts; the names behind them are for the chart's tooltips.
            "open_per_day": frames::rows_json(&figures.open_per_day.select(["date", "open"])?)?,
            "created_vs_archived_per_month": frames::rows_json(&figures.created_vs_archived)?,
            "open_ages": frames::rows_json(&figures.open_ages)?,
            "responders_load_hours": responders,
            "responders_load_definition": metrics::LOAD_DEFINITION,
            "last_30_days_vs_previous": PeriodComparison::of(self.incidents(), self.as_of, 30)?,
        });
        for by in BREAKDOWNS {
            metrics_json[format!("by_{by}")] = json!(breakdown(by)?);
        }
        for phase in Phase::ALL {
            metrics_json[phase.key()] = self.phase_json(phase)?;
        }
        let rules = SeverityRules::default();
        metrics_json["by_severity"] = json!(frames::rows_json(
            &severity::by_severity(self.incidents(), &rules, &DEFAULT_PERCENTILES)?.collect()?
        )?);
        metrics_json["estimate_accuracy"] =
            json!(EstimateAccuracy::of(self.incidents(), self.tz, &rules)?);
        metrics_json["recurrence"] =
            json!(Recurrence::of(self.incidents(), recurrence::DEFAULT_DAYS)?);
        metrics_json["responders_by_period"] = json!({
            "period": Period::week().to_string(),
            "definition": metrics::LOAD_BY_PERIOD_DEFINITION,
            "top_fifth_share_of_hours": metrics::concentration(self.load.clone().lazy(), 0.2)?,
            "rows": frames::rows_json(&self.load_by_week)?,
        });
        Ok(metrics_json)
    }

    /// A phase's figures: its definition and unit, the median and p90 over every
    /// incident with the counts measured and missing, and the same by month of creation,
    /// by component and by environment.
    fn phase_json(&self, phase: Phase) -> Result<Value> {
        let q = &DEFAULT_PERCENTILES;
        let overall = phase.overall(self.incidents(), q).collect()?;
        let mut out = json!({"definition": phase.definition(), "unit": phase.unit()});
        if let Some(Value::Object(fields)) = frames::rows_json(&overall)?.into_iter().next() {
            out.as_object_mut().expect("an object").extend(fields);
        }
        out["by_month"] = json!(frames::rows_json(
            &phase
                .by_period(self.incidents(), &Period::month(), self.tz, q)?
                .collect()?
        )?);
        for by in ["component", "environment"] {
            out[format!("by_{by}")] = json!(frames::rows_json(
                &phase.by(self.incidents(), by, q).collect()?
            )?);
        }
        Ok(out)
    }

    /// The charts of the report, with file stems.
    pub fn charts(&self) -> Result<Vec<(&'static str, Chart)>> {
        self.charts_of(&self.metric_frames()?)
    }

    /// [`Report::charts`] from metric frames computed already.
    fn charts_of(&self, figures: &MetricFrames) -> Result<Vec<(&'static str, Chart)>> {
        let (tta, load) = (&self.time_to_archive, &self.load);
        Ok(vec![
            ("open-over-time", self.post.open_chart()),
            (
                "open-per-day",
                charts::open_per_day_chart(&figures.open_per_day, self.tz)?,
            ),
            (
                "created-vs-archived",
                charts::created_vs_archived_chart(&figures.created_vs_archived)?,
            ),
            ("time-to-archive", tta.histogram()),
            ("time-to-archive-share", tta.ecdf_chart()),
            (
                "weekday-hour",
                charts::weekday_hour_chart(&figures.weekday_hour, self.tz)?,
            ),
            ("responders-load", charts::load_chart(load, 10)?),
        ])
    }

    /// Writes `report.json`, `report.md`, `report.html` and the charts (SVG, PNG and the
    /// Vega-Lite spec, to embed interactive elsewhere).
    pub fn write_dir(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut written = Vec::new();
        let figures = self.metric_frames()?;
        let mut md = format!("# Incident report\n\n```\n{}```\n\n", self.post);
        for (stem, chart) in self.charts_of(&figures)? {
            let svg = dir.join(format!("{stem}.svg"));
            chart.save_svg(&svg)?;
            chart.save_png(dir.join(format!("{stem}.png")))?;
            chart.save_vega_lite(dir.join(format!("{stem}.vl.json")))?;
            md.push_str(&format!(
                "## {}\n\n![{}]({stem}.svg)\n\n",
                chart.title, chart.title
            ));
            written.push(svg);
        }
        let tta = &self.time_to_archive;
        md.push_str(&format!(
            "## Time to archive\n\n{}\n\nArchived: {}, open (left out): {}, median {} h, p90 {} h.\n\n",
            metrics::TIME_TO_ARCHIVE_DEFINITION,
            tta.count,
            tta.open_excluded,
            fmt_hours(tta.median),
            fmt_hours(tta.p90)
        ));
        let incidents = || self.incidents();
        let sections: Vec<(&str, DataFrame)> = vec![
            ("Open channels by age", figures.open_ages.clone()),
            ("By component", figures.breakdown("component").clone()),
            ("By type", figures.breakdown("type").clone()),
            ("SOP audit: topics", audit::topics(incidents())?.collect()?),
            (
                "SOP audit: summary fields",
                audit::summary_fields(incidents())?.collect()?,
            ),
            (
                "SOP audit: names off the convention",
                audit::off_convention(incidents()).collect()?,
            ),
            (
                "SOP audit: waiting for a post-mortem",
                audit::waiting_for_postmortem(incidents(), self.as_of, &self.audit_options)
                    .collect()?,
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
        write_whole(&md_path, md.as_bytes())?;
        let html_path = dir.join("report.html");
        let html = super::page("Incident report", &md);
        write_whole(&html_path, html.as_bytes())?;
        let json_path = dir.join("report.json");
        let json =
            serde_json::to_string_pretty(&self.json_of(&figures)?).map_err(Error::ReportJson)?;
        write_whole(&json_path, json.as_bytes())?;
        written.extend([md_path, html_path, json_path]);
        Ok(written)
    }
}

fn fmt_hours(h: Option<f64>) -> String {
    h.map_or("n/a".into(), |h| format!("{h:.1}"))
}
