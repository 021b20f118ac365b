//! Findings written out as sentences, computed from the frames: the notebooks' prose that
//! has to hold on whatever workspace they run on, not only on the bundled sample.
//!
//! Each function reads figures the analysis already computed (or asks one small query of
//! the frames) and returns [`Markdown`]; none states a number it did not compute.

use chrono::NaiveDate;
use polars::prelude::*;

use super::markdown::{channel_list, count, Markdown};
use crate::analysis::audit::{span_label, AuditOptions, AuditSummary};
use crate::analysis::metrics::TimeToArchive;
use crate::analysis::post::PostFigures;
use crate::error::Result;
use crate::frames::{self, instant_lit, local_date};
use crate::time::{fmt_time, Instant};

/// At most this many channels are named in one sentence.
const NAMED_AT_MOST: usize = 5;

/// What the open curve's last point counts against the channels still open, and why the
/// two can differ: the post's rule counts a channel archived at "now" itself, and an
/// archived channel whose archive message is missing has no end.
pub fn open_curve_end(incidents: &DataFrame, figures: &PostFigures) -> Result<Markdown> {
    let last = figures.open_over_time_monthly.last().map_or(0, |p| p.open);
    let now = format!("{} ({})", fmt_time(figures.as_of, figures.tz), figures.tz);
    let still = figures.active;
    if last == still {
        return Ok(Markdown(format!(
            "The last point is \"now\", {now}: {} open, the channels that are still open.",
            last
        )));
    }
    let archived_now = frames::strings(
        &incidents
            .clone()
            .lazy()
            .filter(col("archived_at").eq(instant_lit(figures.as_of)))
            .select([col("name")])
            .collect()?,
        "name",
    )?;
    let mut reasons = Vec::new();
    if !archived_now.is_empty() {
        reasons.push(format!(
            "{} archived at that very moment, and the post's rule (`created ≤ t ≤ archived`) \
             counts a channel open up to and including its archiving (with `as_of` a second \
             later it would not count)",
            named(&archived_now, "was", "were")
        ));
    }
    if figures.archived_without_time > 0 {
        reasons.push(format!(
            "{} archived without an archive message in the export, so the curve, like the \
             post, never closes {}",
            count(
                figures.archived_without_time,
                "channel was",
                "channels were"
            ),
            if figures.archived_without_time == 1 {
                "it"
            } else {
                "them"
            }
        ));
    }
    Ok(Markdown(format!(
        "The last point is \"now\", {now}, and counts {last}, while {} still open: {}.",
        count(still, "channel is", "channels are"),
        reasons.join("; ")
    )))
}

/// The year in a paragraph: how many channels over how many months, the busiest month,
/// the most open at once on the 30-day samples, and which channels are still open.
pub fn year_in_review(incidents: &DataFrame, figures: &PostFigures) -> Result<Markdown> {
    let months = incidents
        .clone()
        .lazy()
        .group_by([month_opened(figures)?])
        .agg([len().alias("channels"), col("created").min().alias("first")])
        // The most channels; ties to the earliest month.
        .sort(
            ["channels", "first"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    let busiest = frames::strings(&months, "month")?;
    let busiest_count = frames::first_count(&months, "channels")?;
    let mut text = format!(
        "Over {} months this workspace opened {}, {} a month on average. The busiest month \
         was {}, with {busiest_count}.",
        months.height(),
        count(
            figures.issue_channels,
            "incident channel",
            "incident channels"
        ),
        figures
            .rate_per_month
            .map_or("all at once, not".to_string(), |r| format!("{r:.1}")),
        busiest.first().map_or("none", String::as_str),
    );
    if let Some(peak) = figures
        .open_over_time_monthly
        .iter()
        .max_by_key(|p| (p.open, std::cmp::Reverse(p.t)))
    {
        text.push_str(&format!(
            " On the 30-day samples of the curve, at most {} were open at once ({}).",
            count(peak.open, "channel", "channels"),
            local_date_of(peak.t, figures)
        ));
    }
    let open = incidents
        .clone()
        .lazy()
        .filter(col("open"))
        .sort(["created"], SortMultipleOptions::default())
        .select([col("name"), col("created")])
        .collect()?;
    let names = frames::strings(&open, "name")?;
    match frames::instants(&open, "created")?
        .first()
        .copied()
        .flatten()
    {
        None => text.push_str(" Every incident channel has been archived."),
        Some(oldest) => text.push_str(&format!(
            " {} still open; the oldest since {}, {} before \"now\".",
            named(&names, "is", "are"),
            local_date_of(oldest, figures),
            count(
                (figures.as_of - oldest).num_days().max(0) as usize,
                "day",
                "days"
            ),
        )),
    }
    Ok(Markdown(text))
}

/// The time to archive of a part of the channels (`label`: "production") against all.
pub fn compare_time_to_archive(label: &str, part: &TimeToArchive, all: &TimeToArchive) -> Markdown {
    let hours = |h: Option<f64>| h.map_or("no".to_string(), |h| format!("{h:.0}"));
    let (Some(part_median), Some(all_median)) = (part.median, all.median) else {
        return Markdown(format!(
            "No {label} channel has been archived yet ({} open), so there is no time to \
             archive to compare.",
            part.open_excluded
        ));
    };
    let verdict = if part_median < all_median * 0.95 {
        "faster than"
    } else if part_median > all_median * 1.05 {
        "slower than"
    } else {
        "about as fast as"
    };
    Markdown(format!(
        "The {label} channels were archived {verdict} all channels: half within {} hours, \
         against {} for all; their slowest tenth took over {} hours, against {}. ({} of \
         them archived, {} still open.)",
        hours(Some(part_median)),
        hours(Some(all_median)),
        hours(part.p90),
        hours(all.p90),
        part.count,
        part.open_excluded
    ))
}

/// What the metrics say: which month's channels took longest to archive, when incidents
/// start most, and how much of the responders' time fell outside working hours.
///
/// `starts` is [`crate::analysis::metrics::weekday_hour`] and `load`
/// [`crate::analysis::metrics::responders_load`], both in `figures.tz`.
pub fn metrics_findings(
    incidents: &DataFrame,
    starts: &DataFrame,
    load: &DataFrame,
    figures: &PostFigures,
) -> Result<Markdown> {
    let mut sentences = Vec::new();
    let by_month = incidents
        .clone()
        .lazy()
        .group_by([month_opened(figures)?])
        .agg([crate::analysis::metrics::archived_hours()
            .median()
            .alias("median")])
        .filter(col("median").is_not_null())
        .sort(
            ["median", "month"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    let months = frames::strings(&by_month, "month")?;
    let medians = frames::floats(&by_month, "median")?;
    if months.len() >= 2 {
        sentences.push(format!(
            "Channels opened in {} took longest to archive (half over {:.0} hours); those \
             opened in {} the least ({:.0} hours).",
            months[0],
            medians[0],
            months[months.len() - 1],
            medians[medians.len() - 1]
        ));
    }
    let busiest = starts
        .clone()
        .lazy()
        .sort(
            ["incidents", "weekday", "hour"],
            SortMultipleOptions::default().with_order_descending_multi([true, false, false]),
        )
        .limit(1)
        .collect()?;
    if busiest.height() == 1 {
        let weekday = frames::first_count(&busiest, "weekday")?;
        let hour = frames::first_count(&busiest, "hour")?;
        let day = crate::analysis::metrics::WEEKDAYS
            .get(weekday.saturating_sub(1))
            .copied()
            .unwrap_or("?");
        sentences.push(format!(
            "Most incidents started on {day} between {hour:02}:00 and {:02}:00 ({}): {}.",
            (hour + 1) % 24,
            figures.tz,
            count(
                frames::first_count(&busiest, "incidents")?,
                "incident",
                "incidents"
            )
        ));
    }
    let totals = load
        .clone()
        .lazy()
        .select([
            col("working_hours").sum(),
            col("late_hours").sum(),
            col("sleeping_hours").sum(),
            col("total_hours").sum(),
            len().alias("responders"),
        ])
        .collect()?;
    let total = frames::first_float(&totals, "total_hours")?.unwrap_or(0.0);
    if total > 0.0 {
        let share = |c: &str| -> Result<f64> {
            Ok(100.0 * frames::first_float(&totals, c)?.unwrap_or(0.0) / total)
        };
        sentences.push(format!(
            "Of {total:.0} hours that {} spent in incident channels, {:.0}% fell in the \
             evening and {:.0}% at night.",
            count(
                frames::first_count(&totals, "responders")?,
                "responder",
                "responders"
            ),
            share("late_hours")?,
            share("sleeping_hours")?
        ));
    }
    if sentences.is_empty() {
        sentences.push("There is too little here yet for a trend: no channel has been archived and nobody has written in one.".into());
    }
    Ok(Markdown(sentences.join(" ")))
}

/// The audit's headline as sentences, ending with the practice kept least often.
pub fn audit_findings(headline: &AuditSummary, options: &AuditOptions) -> Markdown {
    let n = headline.channels.max(1) as f64;
    let share = |k: usize| 100.0 * k as f64 / n;
    let mut text = format!(
        "{} of {} channels follow the naming convention, and {} name both owners in their \
         topic ({} set it later than {}). {} {} a summary, {} with every field. {} went \
         quiet for over {} while hot, {} escalated, and {} waiting longer than {} for a \
         post-mortem.",
        headline.named_by_convention,
        headline.channels,
        headline.topic_with_both_owners,
        headline.topic_late,
        span_label(options.topic_within),
        headline.with_summary,
        if headline.with_summary == 1 {
            "has"
        } else {
            "have"
        },
        headline.summary_complete,
        headline.with_long_silence,
        span_label(options.long_silence()),
        headline.escalated,
        count(headline.waiting_for_postmortem, "is", "are"),
        span_label(options.postmortem_within),
    );
    let practices = [
        (
            "naming by the convention",
            share(headline.named_by_convention),
        ),
        (
            "both owners in the topic",
            share(headline.topic_with_both_owners),
        ),
        ("a complete summary", share(headline.summary_complete)),
        (
            "updates on the timer",
            100.0 - share(headline.with_long_silence),
        ),
    ];
    if let Some((weakest, kept)) = practices
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, kept)| *kept < 100.0)
    {
        text.push_str(&format!(
            " The practice kept least often is {weakest} ({kept:.0}% of channels): the part \
             of the SOP most worth a reminder or a bot."
        ));
    } else {
        text.push_str(" Every channel kept every practice checked here.");
    }
    Markdown(text)
}

/// `names` as channels with the verb that follows them, at most [`NAMED_AT_MOST`] named.
fn named(names: &[String], singular: &str, plural: &str) -> String {
    let verb = if names.len() == 1 { singular } else { plural };
    if names.len() <= NAMED_AT_MOST {
        return format!("{} {verb}", channel_list(names));
    }
    format!(
        "{} channels, among them {}, {verb}",
        names.len(),
        channel_list(&names[..NAMED_AT_MOST])
    )
}

/// The month a channel was opened, as `March 2016`, in the figures' zone.
fn month_opened(figures: &PostFigures) -> Result<Expr> {
    Ok(local_date(col("created"), figures.tz)?
        .dt()
        .strftime("%B %Y")
        .alias("month"))
}

/// The calendar date of `t` in the figures' zone.
fn local_date_of(t: Instant, figures: &PostFigures) -> NaiveDate {
    crate::time::local_date(t, figures.tz)
}
