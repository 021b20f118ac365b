//! The SOP, audited from the channels: were they named by the convention, was the topic
//! set with both owners, was a summary posted with every field, did updates keep to the
//! 10-minute timer, were incidents escalated, and which channels still wait for their
//! post-mortem.

use chrono::Duration;
use polars::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::incidents::sop::Field;
use crate::incidents::Incident;
use crate::time::Instant;

/// Thresholds of the audit.
#[derive(Debug, Clone, Copy)]
pub struct AuditOptions {
    /// The SOP's timer: an update at least this often while the incident is hot.
    pub timer: Duration,
    /// How long after creation the cadence is checked.
    pub hot_window: Duration,
    /// A topic set later than this after creation is late.
    pub topic_within: Duration,
    /// Open channels older than this are waiting for their post-mortem.
    pub postmortem_within: Duration,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            timer: Duration::minutes(10),
            hot_window: Duration::hours(2),
            topic_within: Duration::minutes(15),
            postmortem_within: Duration::days(7),
        }
    }
}

/// The audit's headline counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditSummary {
    pub channels: usize,
    pub named_by_convention: usize,
    pub topic_with_both_owners: usize,
    pub topic_with_one_owner: usize,
    pub topic_without_owners: usize,
    pub no_topic: usize,
    pub topic_late: usize,
    pub median_minutes_to_topic: Option<f64>,
    pub with_summary: usize,
    pub summary_complete: usize,
    pub with_long_silence: usize,
    pub escalated: usize,
    pub waiting_for_postmortem: usize,
}

/// How a channel's topic did against the SOP.
pub fn topic_status(i: &Incident) -> &'static str {
    let owners = &i.conversation.owners;
    match (
        i.topic.trim().is_empty(),
        owners.sre.is_some(),
        owners.developer.is_some(),
    ) {
        (true, ..) => "no topic",
        (false, true, true) => "both owners",
        (false, false, false) => "topic without owners",
        _ => "one owner",
    }
}

fn minutes(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 60_000.0
}

/// The longest silence, in minutes, while the channel was hot: in its first `window`,
/// before anyone declared it mitigated, and before it was archived. Counted from creation
/// to the first message, between messages, and from the last message to the end of the
/// hot time; quiet after "mitigated"/"resolved" is not a lapse.
pub fn longest_silence(i: &Incident, window: Duration) -> f64 {
    let conv = &i.conversation;
    let mut hot_until = i.created + window;
    for end in [conv.resolved_at, i.archived_at].into_iter().flatten() {
        hot_until = hot_until.min(end);
    }
    let mut last = i.created;
    let mut longest = Duration::zero();
    for &t in conv.message_times.iter().take_while(|t| **t <= hot_until) {
        longest = longest.max(t - last);
        last = t;
    }
    minutes(longest.max(hot_until - last))
}

/// Runs the whole audit.
pub fn summarize(incidents: &[Incident], as_of: Instant, options: &AuditOptions) -> AuditSummary {
    let count = |f: &dyn Fn(&Incident) -> bool| incidents.iter().filter(|i| f(i)).count();
    let mut topic_minutes: Vec<f64> = incidents
        .iter()
        .filter_map(|i| i.conversation.topic_set_at.map(|t| minutes(t - i.created)))
        .collect();
    topic_minutes.sort_by(f64::total_cmp);
    AuditSummary {
        channels: incidents.len(),
        named_by_convention: count(&|i| i.topic_word.is_some()),
        topic_with_both_owners: count(&|i| topic_status(i) == "both owners"),
        topic_with_one_owner: count(&|i| topic_status(i) == "one owner"),
        topic_without_owners: count(&|i| topic_status(i) == "topic without owners"),
        no_topic: count(&|i| topic_status(i) == "no topic"),
        topic_late: count(&|i| {
            i.conversation
                .topic_set_at
                .is_some_and(|t| t - i.created > options.topic_within)
        }),
        median_minutes_to_topic: super::metrics::quantile(&topic_minutes, 0.5),
        with_summary: count(&|i| i.conversation.summary.is_some()),
        summary_complete: count(&|i| {
            i.conversation
                .summary
                .as_ref()
                .is_some_and(|s| s.missing().is_empty())
        }),
        with_long_silence: count(&|i| {
            longest_silence(i, options.hot_window) > 3.0 * minutes(options.timer)
        }),
        escalated: count(&|i| i.conversation.escalations > 0),
        waiting_for_postmortem: waiting(incidents, as_of, options).count(),
    }
}

fn waiting<'a>(
    incidents: &'a [Incident],
    as_of: Instant,
    options: &'a AuditOptions,
) -> impl Iterator<Item = &'a Incident> {
    incidents
        .iter()
        .filter(move |i| i.open && as_of - i.created > options.postmortem_within)
}

/// Channels whose names do not follow `<prefix><topic>-<ddmm>`.
pub fn off_convention(incidents: &[Incident]) -> Result<DataFrame> {
    let off: Vec<&Incident> = incidents
        .iter()
        .filter(|i| i.topic_word.is_none())
        .collect();
    Ok(df!(
        "name" => off.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        "created" => off.iter().map(|i| i.created.format("%Y-%m-%d %H:%M").to_string()).collect::<Vec<_>>()
    )?)
}

/// Channels per topic status (both owners, one owner, topic without owners, no topic).
pub fn topics(incidents: &[Incident]) -> Result<DataFrame> {
    let statuses = [
        "both owners",
        "one owner",
        "topic without owners",
        "no topic",
    ];
    let counts: Vec<u32> = statuses
        .iter()
        .map(|s| incidents.iter().filter(|i| topic_status(i) == *s).count() as u32)
        .collect();
    Ok(df!("topic" => statuses.to_vec(), "channels" => counts)?)
}

/// For each SOP field: in how many summaries it is missing, and how many say UNKNOWN.
pub fn summary_fields(incidents: &[Incident]) -> Result<DataFrame> {
    let summaries: Vec<_> = incidents
        .iter()
        .filter_map(|i| i.conversation.summary.as_ref())
        .collect();
    let missing: Vec<u32> = Field::ALL
        .iter()
        .map(|f| summaries.iter().filter(|s| s.get(*f).is_none()).count() as u32)
        .collect();
    let unknown: Vec<u32> = Field::ALL
        .iter()
        .map(|f| summaries.iter().filter(|s| s.unknown().contains(f)).count() as u32)
        .collect();
    Ok(df!(
        "field" => Field::ALL.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "missing" => missing,
        "unknown" => unknown
    )?)
}

/// Channels without any SOP summary.
pub fn without_summary(incidents: &[Incident]) -> Result<DataFrame> {
    let none: Vec<&Incident> = incidents
        .iter()
        .filter(|i| i.conversation.summary.is_none())
        .collect();
    Ok(df!(
        "name" => none.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        "messages" => none.iter().map(|i| i.message_count as u32).collect::<Vec<_>>()
    )?)
}

/// Per channel: messages in the hot window, the longest silence in it (minutes), and how
/// many 10-minute timers that silence let pass. Longest silences first.
pub fn cadence(incidents: &[Incident], options: &AuditOptions) -> Result<DataFrame> {
    let mut rows: Vec<(&str, u32, f64)> = incidents
        .iter()
        .map(|i| {
            let window_end = i.created + options.hot_window;
            let in_window = i
                .conversation
                .message_times
                .iter()
                .filter(|t| **t <= window_end)
                .count();
            (
                i.name.as_str(),
                in_window as u32,
                longest_silence(i, options.hot_window),
            )
        })
        .collect();
    rows.sort_by(|a, b| b.2.total_cmp(&a.2));
    let timer = minutes(options.timer);
    Ok(df!(
        "name" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "messages_in_window" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "longest_silence_minutes" => rows.iter().map(|r| (r.2 * 10.0).round() / 10.0).collect::<Vec<_>>(),
        "timers_missed" => rows.iter().map(|r| (r.2 / timer).floor() as u32).collect::<Vec<_>>()
    )?)
}

/// Open channels older than the post-mortem allowance, oldest first.
pub fn waiting_for_postmortem(
    incidents: &[Incident],
    as_of: Instant,
    options: &AuditOptions,
) -> Result<DataFrame> {
    let mut rows: Vec<&Incident> = waiting(incidents, as_of, options).collect();
    rows.sort_by_key(|i| i.created);
    Ok(df!(
        "name" => rows.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        "days_open" => rows.iter().map(|i| (as_of - i.created).num_days() as u32).collect::<Vec<_>>(),
        "topic" => rows.iter().map(|i| i.topic.as_str()).collect::<Vec<_>>()
    )?)
}
