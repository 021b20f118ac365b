//! The incident frames: one row per incident channel with every fact a typed column, and
//! the messages of those channels with their author's name and the flags the audit
//! reads, both computed once from a loaded workspace.
//!
//! Rust reads what only a parser can: per channel the name's parts, the owners in the
//! topic and the latest SOP summary; per message text the phrase lists, in one pass
//! (`incidents::phrases`); and one pass over the channel ids finds where the incident
//! channels' messages lie and numbers them by incident. Everything counted over messages
//! is a polars query, keyed by that number.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use chrono::Duration;
use polars::lazy::dsl;
use polars::prelude::*;
use rayon::prelude::*;

use super::workspace::with_authors;
use super::JoinOn;
use super::{date_column, datetime_column, elapsed, non_empty, span_lit, string_list};
use crate::error::{Error, Result};
use crate::export::model::{Channel, User};
use crate::export::{ChannelActivity, Workspace};
use crate::incidents::phrases::{self, Reading, Says};
use crate::incidents::sop::{parse_owners, parse_summary, Field, People, Summary, UserNames};
use crate::incidents::{
    Convention, BOOKKEEPING_SUBTYPES, RENAME_SUBTYPES, TOPIC_SUBTYPE, UNARCHIVE_SUBTYPES,
};
use crate::time::{from_unix, Instant};

/// How long after creation an incident is "hot" for the `longest_silence_minutes`
/// column: the SOP's first two hours (the audit can ask for another window).
pub const DEFAULT_HOT_WINDOW: Duration = Duration::hours(2);

/// Slack's events an incident's row counts: topic changes, reopenings and renames.
const EVENT_SUBTYPES: [&str; 5] = [
    TOPIC_SUBTYPE,
    UNARCHIVE_SUBTYPES[0],
    UNARCHIVE_SUBTYPES[1],
    RENAME_SUBTYPES[0],
    RENAME_SUBTYPES[1],
];

/// The incidents' columns of free text, where people mention each other.
const MENTIONING_COLUMNS: [&str; 5] = [
    "topic",
    "probable_cause",
    "who",
    "current_action",
    "next_action",
];

const HOUR: Duration = Duration::hours(1);
const MINUTE: Duration = Duration::minutes(1);

/// The frames of one workspace's incident channels.
#[derive(Debug, Clone)]
pub struct IncidentFrames {
    /// One row per incident channel, oldest first:
    ///
    /// - naming: `name`, `channel_id`, what the name says under the convention
    ///   (`topic_word`, `name_date`, `name_number`; null where it does not say) and
    ///   `follows_convention`;
    /// - life: `created`, `archived_at` (the newest archive not undone by an unarchive),
    ///   `open` (not archived, by Slack's flag), `hours_to_archive`, `reopen_count`,
    ///   `renames` (the channel's name changes: it counts under its current name),
    ///   `last_activity`;
    /// - topic: `topic`, `topic_set_at`, `minutes_to_topic`, `creator`, `sre_owner`,
    ///   `dev_owner`;
    /// - summary: `has_summary`, `summary_at` and the SOP fields `environment`,
    ///   `component`, `probable_cause`, `duration`, `type` (Self/Unknown/Scale/Vendor),
    ///   `etr`, `who`, `current_action`, `next_action` (null when not written, "UNKNOWN"
    ///   when written as unknown);
    /// - conversation: `message_count`, `participants`, `first_response_at`,
    ///   `minutes_to_first_response`, `resolved_at`, `escalations`,
    ///   `longest_silence_minutes` (in the first two hours, see [`longest_silences`]).
    pub incidents: DataFrame,
    /// The incident channels' messages, grouped by channel in the workspace's order and
    /// oldest first within each (sort by `time` for one timeline): `channel_id`, `ts`,
    /// `time`, `user`, `author`, `subtype`, `text`, `thread_ts`, and the flags
    /// `is_update` (people talking, not Slack's bookkeeping), `is_summary`,
    /// `is_escalation`, `is_resolution`.
    pub messages: DataFrame,
    /// "Now" for analyses: the newest message or creation in the incident channels, so
    /// that figures depend neither on the wall clock nor on the other channels read.
    pub as_of: Instant,
}

impl IncidentFrames {
    /// The frames of the incident channels of a convention (a prefix such as `"issue-"`
    /// or a [`Convention`]); an error when there are none, since every figure would then
    /// be empty.
    pub fn new(ws: &Workspace, convention: impl Into<Convention>) -> Result<Self> {
        let convention = convention.into();
        let chosen = incident_channels(&ws.channels, &convention)?;
        let read = Read {
            users: &ws.users,
            channels: Cow::Borrowed(&ws.channels),
            messages: Cow::Borrowed(&ws.messages),
        };
        crate::threads::on_polars_pool(|| Self::build(read, chosen, convention, true))
    }

    /// The same frames for what shows no message text (the command line's report), taking
    /// from the workspace what they read: its messages and channel list (`ws.messages`
    /// and `ws.channels` are left empty; users and warnings
    /// stay). Each goes once read: the channel list as soon as its facts are columns, each
    /// text once the frames have read it, so that neither stays to the peak of a large
    /// export. `messages` then has no `text` column.
    ///
    /// A convention that names no channel is an error before anything is taken.
    pub fn take_from(ws: &mut Workspace, convention: impl Into<Convention>) -> Result<Self> {
        let convention = convention.into();
        let chosen = incident_channels(&ws.channels, &convention)?;
        let read = Read {
            users: &ws.users,
            channels: Cow::Owned(std::mem::take(&mut ws.channels)),
            messages: Cow::Owned(std::mem::take(&mut ws.messages)),
        };
        crate::threads::on_polars_pool(|| Self::build(read, chosen, convention, false))
    }

    /// The frames of the `chosen` channels ([`incident_channels`]) of what is `read`.
    fn build(
        read: Read<'_>,
        chosen: Vec<(usize, Instant)>,
        convention: Convention,
        keep_texts: bool,
    ) -> Result<Self> {
        let Read {
            users,
            channels,
            messages,
        } = read;
        let ids: Vec<&str> = chosen
            .iter()
            .map(|&(i, _)| channels[i].id.as_str())
            .collect();
        // Owners in topics and messages' authors are both resolved through `people`,
        // indexed while the incident channels' rows are found (a company lists tens of
        // thousands of people).
        let (people, kept) = rayon::join(
            || People::new(users),
            || IncidentMessages::of(&messages, &ids),
        );
        let incident_count = ids.len();
        drop(ids);
        // A frame taken from the workspace ends here: the incident rows hold what is read.
        drop(messages);
        let (people, convention) = (&people, &convention);
        // What the parsers read per channel and what the messages say are independent:
        // one on each core. A channel list taken from the workspace goes once read (at 5M
        // messages it holds 150 MB).
        let (base, flagged) = rayon::join(
            move || {
                let rows = chosen
                    .iter()
                    .map(|&(i, created)| (&channels[i], &channels[i].activity, created));
                let facts = channel_facts(convention, &rows.collect::<Vec<_>>(), people);
                // Freed on the side: hundreds of thousands of channels take a while.
                if let Cow::Owned(channels) = channels {
                    rayon::spawn(move || drop(channels));
                }
                facts
            },
            || flagged_messages(kept?, incident_count, people.names(), keep_texts),
        );
        let (base, flagged) = (base?, flagged?);
        let as_of = base.newest_activity;
        let mut incidents = incident_rows(base.frame, &flagged)?;
        let mut messages = flagged.messages;
        // Texts a reader sees show mentions as Slack does (`@name`, not `<@U…>`); every
        // flag and owner was read from them as written.
        incidents = super::with_readable_mentions(incidents, &MENTIONING_COLUMNS, people.names())?;
        if keep_texts {
            messages = super::with_readable_mentions(messages, &["text"], people.names())?;
        }
        Ok(IncidentFrames {
            incidents,
            messages,
            as_of,
        })
    }
}

/// What the frames read of a workspace: borrowed by [`IncidentFrames::new`], taken by
/// [`IncidentFrames::take_from`] (users are only borrowed: the frames index them).
struct Read<'a> {
    users: &'a [User],
    channels: Cow<'a, [Channel]>,
    messages: Cow<'a, DataFrame>,
}

/// The per-channel facts Rust reads, and the newest activity among them.
struct ChannelFacts {
    frame: DataFrame,
    newest_activity: Instant,
}

/// An incident channel, what the loader saw of it, and when it was created.
type Chosen<'a> = (&'a Channel, &'a ChannelActivity, Instant);

/// The places in `channels` of those the convention calls incidents, with when each was
/// created; an error when there are none.
fn incident_channels(
    channels: &[Channel],
    convention: &Convention,
) -> Result<Vec<(usize, Instant)>> {
    let chosen: Vec<_> = channels
        .iter()
        .enumerate()
        .filter(|(_, c)| convention.is_incident(&c.name))
        .filter_map(|(i, c)| Some((i, from_unix(c.created)?)))
        .collect();
    if chosen.is_empty() {
        return Err(Error::NoMatchingChannels {
            convention: convention.describe(),
            total: channels.len(),
        });
    }
    Ok(chosen)
}

/// One row per incident channel with what the channel list, the loader's activity and the
/// parsers say: name parts, life, topic and owners.
fn channel_facts(
    convention: &Convention,
    chosen: &[Chosen],
    people: &People,
) -> Result<ChannelFacts> {
    // A workspace can have hundreds of thousands of incident channels: on all cores.
    let parts: Vec<_> = chosen
        .par_iter()
        .map(|(c, _, created)| convention.read(&c.name, *created))
        .collect();
    let owners: Vec<_> = chosen
        .par_iter()
        .map(|(c, ..)| parse_owners(&c.topic.value, people))
        .collect();
    let last_activity: Vec<Instant> = chosen
        .iter()
        .map(|(_, a, created)| a.last_message().map_or(*created, |m| m.max(*created)))
        .collect();
    let newest_activity = *last_activity.iter().max().expect("at least one channel");
    let frame = DataFrame::new_infer_height(vec![
        Column::new(
            "name".into(),
            chosen
                .iter()
                .map(|(c, ..)| c.name.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "channel_id".into(),
            chosen
                .iter()
                .map(|(c, ..)| c.id.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "topic_word".into(),
            parts
                .iter()
                .map(|p| p.as_ref().and_then(|p| p.topic.as_deref()))
                .collect::<Vec<_>>(),
        ),
        date_column(
            "name_date",
            parts.iter().map(|p| p.as_ref().and_then(|p| p.date)),
        ),
        Column::new(
            "name_number".into(),
            parts
                .iter()
                .map(|p| p.as_ref().and_then(|p| p.number))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "follows_convention".into(),
            parts.iter().map(Option::is_some).collect::<Vec<_>>(),
        ),
        datetime_column("created", chosen.iter().map(|(.., t)| Some(*t))),
        datetime_column(
            "archived_at",
            chosen.iter().map(|(_, a, _)| a.archived_at()),
        ),
        Column::new(
            "open".into(),
            chosen
                .iter()
                .map(|(c, ..)| !c.is_archived)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "topic".into(),
            chosen
                .iter()
                .map(|(c, ..)| non_empty(&c.topic.value))
                .collect::<Vec<_>>(),
        ),
        // A topic set before the export began has no message; its last_set still tells.
        datetime_column(
            "topic_last_set",
            chosen.iter().map(|(c, ..)| {
                (!c.topic.value.is_empty() && c.topic.last_set > 0)
                    .then(|| from_unix(c.topic.last_set))
                    .flatten()
            }),
        ),
        Column::new(
            "creator".into(),
            chosen
                .iter()
                .map(|(c, ..)| c.creator.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "sre_owner".into(),
            owners.iter().map(|o| o.sre.as_deref()).collect::<Vec<_>>(),
        ),
        Column::new(
            "dev_owner".into(),
            owners
                .iter()
                .map(|o| o.developer.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "message_count".into(),
            chosen
                .iter()
                .map(|(_, a, _)| a.message_count as u32)
                .collect::<Vec<_>>(),
        ),
        datetime_column("last_activity", last_activity.into_iter().map(Some)),
    ])?;
    Ok(ChannelFacts {
        frame,
        newest_activity,
    })
}

/// The incident channels' messages, grouped by channel and oldest first within each,
/// with their `incident` number and `is_update`.
struct IncidentMessages {
    messages: DataFrame,
    /// Whether the incident numbers ascend (rows kept in place, channels in the order
    /// of the ids).
    ascending: bool,
}

impl IncidentMessages {
    fn of(messages: &DataFrame, incident_ids: &[&str]) -> Result<Self> {
        let layout = Layout::of(messages, incident_ids)?;
        let mut kept = layout.rows_of(messages)?;
        kept.with_column(IdxCa::from_vec("incident".into(), layout.incident).into_column())?;
        let kept = kept
            .lazy()
            .with_column(
                col("subtype")
                    .is_in(string_list(&BOOKKEEPING_SUBTYPES), false)
                    .fill_null(lit(false))
                    .not()
                    .alias("is_update"),
            )
            .collect()?;
        // The loader's messages already are so; the layout pass has checked.
        let in_place = layout.grouped && layout.oldest_first;
        Ok(IncidentMessages {
            messages: if in_place {
                kept
            } else {
                super::sort_by_key_and_time(kept, "channel_id")?
            },
            ascending: in_place && layout.in_id_order,
        })
    }
}

/// The incident channels' messages with their author and flags, grouped by channel and
/// oldest first within each (see [`IncidentFrames::messages`]); without their texts
/// unless `keep_texts`.
fn flagged_messages(
    kept: IncidentMessages,
    incident_count: usize,
    names: &UserNames,
    keep_texts: bool,
) -> Result<Flagged> {
    let mut messages = kept.messages;
    let said = read_texts(&messages, incident_count)?;
    // The texts are read: a frame without them lets them go before the authors are added.
    if !keep_texts {
        messages.drop_in_place("text")?;
    }
    let mut messages = with_authors(messages, names)?;
    let flag = |name: &str, values: &[bool]| BooleanChunked::from_slice(name.into(), values);
    messages.with_column(flag("is_escalation", &said.escalation).into_column())?;
    messages.with_column(flag("is_resolution", &said.resolution).into_column())?;
    messages.with_column(flag("is_summary", &said.summary).into_column())?;
    let mut incident = messages.drop_in_place("incident")?;
    // Ascending numbers let a group-by on them take each incident's rows as one slice.
    if kept.ascending {
        let mut ascending = incident.as_materialized_series().clone();
        ascending.set_sorted_flag(polars::series::IsSorted::Ascending);
        incident = ascending.into_column();
    }
    Ok(Flagged {
        messages,
        incident,
        summary_fields: said.summary_fields,
    })
}

/// What the updates' texts say: a flag per message and row, and per incident number the
/// fields of its latest SOP summary.
struct Said {
    escalation: Vec<bool>,
    resolution: Vec<bool>,
    summary: Vec<bool>,
    summary_fields: Vec<Column>,
}

/// Reads the texts of numbered messages (`incident`, `is_update`, `text`).
fn read_texts(messages: &DataFrame, incident_count: usize) -> Result<Said> {
    let is_update = super::column(messages, "is_update")?.bool()?;
    let texts = super::column(messages, "text")?.str()?;
    let (updates, readings) = read_updates(texts, is_update);
    let height = messages.height();
    let (mut escalation, mut resolution) = (vec![false; height], vec![false; height]);
    // A summary has a line per field: fewer lines cannot be one, and most chat is one
    // line, so only these few messages go through the parser below.
    let mut candidates: Vec<(usize, &str)> = Vec::new();
    for (&(row, text), reading) in updates.iter().zip(&readings) {
        escalation[row] = reading.says(Says::Escalation);
        resolution[row] = reading.says(Says::Resolution) && !reading.says(Says::Denial);
        if reading.is_multiline() {
            candidates.push((row, text));
        }
    }
    let incident_of = super::column(messages, "incident")?.idx()?;
    // The parser is the costly part: it runs on all cores, an incident's candidates at a
    // time (their rows are together), keeping only the latest summary of each.
    let by_incident: Vec<&[(usize, &str)]> = candidates
        .chunk_by(|a, b| incident_of.get(a.0) == incident_of.get(b.0))
        .collect();
    let parsed: Vec<(Vec<usize>, Option<Summary>)> = by_incident
        .par_iter()
        .map(|candidates| {
            let mut rows = Vec::new();
            let mut latest = None;
            // Oldest first within each channel: a channel's last summary is its latest.
            for (row, text) in candidates.iter().rev() {
                if let Some(summary) = parse_summary(text) {
                    rows.push(*row);
                    latest.get_or_insert(summary);
                }
            }
            (rows, latest)
        })
        .collect();
    let mut summary = vec![false; height];
    let mut latest = vec![None; incident_count];
    for (rows, parsed) in parsed {
        for &row in &rows {
            summary[row] = true;
        }
        if let (Some(&row), Some(parsed)) = (rows.first(), parsed) {
            if let Some(incident) = incident_of.get(row) {
                latest[incident as usize] = Some(parsed);
            }
        }
    }
    let summary_fields = Field::ALL
        .iter()
        .map(|field| {
            let values: Vec<Option<&str>> = latest
                .iter()
                .map(|s| s.as_ref().and_then(|s| s.get(*field)))
                .collect();
            Column::new(field.name().into(), values)
        })
        .collect();
    Ok(Said {
        escalation,
        resolution,
        summary,
        summary_fields,
    })
}

/// Where the incident channels' messages lie among a workspace's, from one pass over the
/// channel ids and times: a map lookup per run of one channel's rows, not per row.
struct Layout {
    /// The rows of incident channels, as ranges of consecutive rows.
    ranges: Vec<Range<usize>>,
    /// For each of those rows, its channel's place among the incident ids.
    incident: Vec<IdxSize>,
    /// Whether each incident channel's rows are together.
    grouped: bool,
    /// Whether each incident channel's rows are oldest first.
    oldest_first: bool,
    /// Whether the channels' rows come in the order of the incident ids.
    in_id_order: bool,
}

impl Layout {
    fn of(messages: &DataFrame, incident_ids: &[&str]) -> Result<Layout> {
        let places: HashMap<&str, IdxSize> = incident_ids
            .iter()
            .enumerate()
            .map(|(place, id)| (*id, place as IdxSize))
            .collect();
        let ids = super::column(messages, "channel_id")?.str()?;
        let times = super::column(messages, "time")?.datetime()?.physical();
        let mut ranges: Vec<Range<usize>> = Vec::new();
        let mut incident = Vec::with_capacity(messages.height());
        let (mut grouped, mut oldest_first, mut in_id_order) = (true, true, true);
        let mut run_started = vec![false; incident_ids.len()];
        // The current run's place (none for other channels), and the last incident's.
        let (mut place, mut last_place): (Option<IdxSize>, Option<IdxSize>) = (None, None);
        let (mut previous_id, mut previous_time) = (None, None);
        for (row, (id, time)) in ids.iter().zip(times.iter()).enumerate() {
            if id != previous_id || row == 0 {
                place = id.and_then(|id| places.get(id)).copied();
                if let Some(new) = place {
                    // A channel whose rows start a second run is not together.
                    grouped &= !std::mem::replace(&mut run_started[new as usize], true);
                    in_id_order &= last_place.is_none_or(|before| before <= new);
                    last_place = place;
                }
                previous_id = id;
            } else if place.is_some() && time < previous_time {
                oldest_first = false;
            }
            previous_time = time;
            if place.is_some() {
                match ranges.last_mut() {
                    Some(last) if last.end == row => last.end += 1,
                    _ => ranges.push(row..row + 1),
                }
            }
            incident.extend(place);
        }
        Ok(Layout {
            ranges,
            incident,
            grouped,
            oldest_first,
            in_id_order,
        })
    }

    /// The incident rows of `messages`: slices of it when they lie in a few ranges (an
    /// export that lists its incident channels together), which copies nothing; else a
    /// filter.
    fn rows_of(&self, messages: &DataFrame) -> Result<DataFrame> {
        const FEW: usize = 64;
        if self.ranges.len() > FEW {
            let mut keep = vec![false; messages.height()];
            for range in &self.ranges {
                keep[range.clone()].fill(true);
            }
            return Ok(messages.filter(&BooleanChunked::from_slice("keep".into(), &keep))?);
        }
        let mut rows = messages.clear();
        for range in &self.ranges {
            rows.vstack_mut_owned(messages.slice(range.start as i64, range.len()))?;
        }
        Ok(rows)
    }
}

/// Every update with a text (its row and text), and each one's reading, read on all
/// cores. Slack's bookkeeping ("… has joined the channel") gets no flag, so it is not
/// read; nor are the texts a lean load left out.
fn read_updates<'a>(
    texts: &'a StringChunked,
    is_update: &BooleanChunked,
) -> (Vec<(usize, &'a str)>, Vec<Reading>) {
    let updates: Vec<(usize, &str)> = texts
        .iter()
        .zip(is_update.iter())
        .enumerate()
        .filter_map(|(row, (text, update))| {
            let text = text.filter(|t| update == Some(true) && !t.is_empty())?;
            Some((row, text))
        })
        .collect();
    let readings = updates
        .par_iter()
        .with_min_len(4096)
        .map(|(_, text)| phrases::read(text))
        .collect();
    (updates, readings)
}

/// The flagged messages with each one's incident number (its channel's place among the
/// incident ids), and per incident the fields of its latest SOP summary as the flagging
/// parsed it (so that it is not parsed again).
struct Flagged {
    messages: DataFrame,
    incident: Column,
    /// A column per SOP field, a row per incident number.
    summary_fields: Vec<Column>,
}

/// Joins what the messages say to the channel facts and derives the durations.
fn incident_rows(mut channels: DataFrame, flagged: &Flagged) -> Result<DataFrame> {
    let messages = &flagged.messages;
    // The channel facts and the summary fields both have a row per incident number.
    channels.hstack_mut(&flagged.summary_fields)?;
    let person = col("user").is_not_null().and(col("is_update"));
    let mut numbered = messages.clone();
    numbered.with_column(flagged.incident.clone())?;
    // Whether each message is its channel's creator's: the creator is kept only while
    // compared.
    let creator = of_incident(&channels, "creator")?;
    let numbered = numbered
        .lazy()
        .with_column(col("user").eq_missing(creator).alias("by_creator"));
    let conversation = numbered.clone().group_by([col("incident")]).agg([
        col("user")
            .filter(person.clone())
            .n_unique()
            .alias("participants"),
        only(person.and(col("by_creator").not()), "time")
            .min()
            .alias("first_response_at"),
    ]);
    // Escalations, resolutions and summaries are a few messages in each channel, and
    // Slack's events (topic changes, renames, reopenings) a few more: each is aggregated
    // over its own rows.
    let flags = numbered
        .clone()
        .filter(
            col("is_escalation")
                .or(col("is_resolution"))
                .or(col("is_summary")),
        )
        .group_by([col("incident")])
        .agg([
            col("is_escalation").sum().alias("escalations"),
            only(col("is_resolution"), "time")
                .min()
                .alias("resolved_at"),
            only(col("is_summary"), "time").max().alias("summary_at"),
        ]);
    let events = numbered
        .clone()
        .filter(col("subtype").is_in(string_list(&EVENT_SUBTYPES), false))
        .group_by([col("incident")])
        .agg([
            only(col("subtype").eq(lit(TOPIC_SUBTYPE)), "time")
                .min()
                .alias("topic_first_message"),
            col("subtype")
                .is_in(string_list(&UNARCHIVE_SUBTYPES), false)
                .sum()
                .alias("reopen_count"),
            col("subtype")
                .is_in(string_list(&RENAME_SUBTYPES), false)
                .sum()
                .alias("renames"),
        ]);
    let count = |name: &str| col(name).fill_null(lit(0)).cast(DataType::UInt32);
    // Still a row per incident number, in their order, for the silences below.
    let mut joined = channels
        .lazy()
        .with_row_index("incident", None)
        .join_on(conversation, "incident", JoinType::Left)
        .join_on(flags, "incident", JoinType::Left)
        .join_on(events, "incident", JoinType::Left)
        .with_columns([
            coalesce(&[col("topic_first_message"), col("topic_last_set")]).alias("topic_set_at"),
            count("participants"),
            count("escalations"),
            count("reopen_count"),
            count("renames"),
        ])
        .with_columns([
            elapsed(col("created"), col("archived_at"), HOUR).alias("hours_to_archive"),
            elapsed(col("created"), col("topic_set_at"), MINUTE).alias("minutes_to_topic"),
            elapsed(col("created"), col("first_response_at"), MINUTE)
                .alias("minutes_to_first_response"),
            col("summary_at").is_not_null().alias("has_summary"),
        ])
        .collect()?;
    let updates = numbered
        .filter(col("is_update"))
        .select([col("incident"), col("time")])
        .collect()?;
    let silences = numbered_silences(&joined, updates, true, DEFAULT_HOT_WINDOW)?;
    joined.with_column(super::column(&silences, "longest_silence_minutes")?.clone())?;
    Ok(joined
        .lazy()
        .sort(
            ["created", "name"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select(incident_columns())
        .collect()?)
}

/// For each row, the `name` of its incident in `incidents` (whose row i is incident i),
/// gathered by the row's `incident` number rather than joined on channel ids.
fn of_incident(incidents: &DataFrame, name: &str) -> Result<Expr> {
    let values = super::column(incidents, name)?.as_materialized_series();
    Ok(lit(values.clone())
        .gather(col("incident"), false)
        .alias(name))
}

/// `value` where `keep` holds, else null: for aggregates by incident. A filter inside a
/// group-by lists each group's kept rows anew; a mask keeps the groups as they are (the
/// slices of ascending incident numbers).
fn only(keep: Expr, value: &str) -> Expr {
    when(keep).then(col(value)).otherwise(lit(NULL))
}

/// The incidents frame's columns, in order.
fn incident_columns() -> Vec<Expr> {
    let mut columns: Vec<Expr> = [
        "name",
        "channel_id",
        "topic_word",
        "name_date",
        "name_number",
        "follows_convention",
        "created",
        "archived_at",
        "open",
        "hours_to_archive",
        "reopen_count",
        "renames",
        "last_activity",
        "topic",
        "topic_set_at",
        "minutes_to_topic",
        "creator",
        "sre_owner",
        "dev_owner",
        "has_summary",
        "summary_at",
    ]
    .into_iter()
    .map(col)
    .collect();
    columns.extend(Field::ALL.iter().map(|f| col(f.name())));
    columns.extend(
        [
            "message_count",
            "participants",
            "first_response_at",
            "minutes_to_first_response",
            "resolved_at",
            "escalations",
            "longest_silence_minutes",
        ]
        .into_iter()
        .map(col),
    );
    columns
}

/// Each incident's longest silence, in minutes, while it was hot: in its first `window`,
/// before anyone declared it mitigated, and before it was archived. Counted from
/// creation to the first update, between updates, and from the last update to the end of
/// the hot time; quiet after "mitigated"/"resolved" is not a lapse.
///
/// `incidents` needs `channel_id`, `created`, `resolved_at`, `archived_at`; `messages`
/// needs `channel_id`, `time`, `is_update`, in any order (grouped by channel and oldest
/// first within each, as [`IncidentFrames::messages`], saves a sort). Gives `channel_id`,
/// `longest_silence_minutes` and `updates_in_window` (updates up to `window` after
/// creation), one row per incident.
pub fn longest_silences(
    incidents: LazyFrame,
    messages: LazyFrame,
    window: Duration,
) -> Result<LazyFrame> {
    let incidents = incidents.collect()?;
    // Each incident gets a number (its row), a cheaper key than its channel id.
    let numbers = incidents
        .clone()
        .lazy()
        .select([col("channel_id")])
        .with_row_index("incident", None);
    let updates = messages
        .filter(col("is_update"))
        .select([col("channel_id"), col("time")])
        .join_on(numbers, "channel_id", JoinType::Inner)
        .select([col("incident"), col("time")])
        .collect()?;
    Ok(numbered_silences(&incidents, updates, false, window)?.lazy())
}

/// [`longest_silences`] of `incidents`, whose row i is incident number i, from their
/// updates (`incident`, `time`; `ordered` when already grouped by incident and oldest
/// first within each); a row per incident, in their order.
fn numbered_silences(
    incidents: &DataFrame,
    updates: DataFrame,
    ordered: bool,
    window: Duration,
) -> Result<DataFrame> {
    let hot = incidents
        .clone()
        .lazy()
        .select([
            col("channel_id"),
            col("created"),
            dsl::min_horizontal([
                col("created") + span_lit(window),
                col("resolved_at"),
                col("archived_at"),
            ])?
            .alias("hot_until"),
        ])
        .collect()?;
    // Grouped by incident, oldest first within each (as the incident frames' messages
    // already are; others are sorted so): each update's previous one is then the row
    // above when that row is of the same incident (a shift, not a window per channel).
    let updates = if ordered {
        updates
    } else {
        super::grouped_oldest_first(updates, "incident")?
    };
    let in_hot = || col("time").lt_eq(col("hot_until"));
    let previous = when(col("incident").shift(lit(1)).eq(col("incident")))
        .then(col("time").shift(lit(1)))
        .otherwise(lit(NULL));
    let gaps = updates
        .lazy()
        .with_column(of_incident(&hot, "created")?)
        // Only the updates up to the window's end count: they are a prefix of each
        // incident's, so each keeps its previous update, and the others are dropped before
        // anything more is gathered for them.
        .filter(col("time").lt_eq(col("created") + span_lit(window)))
        .with_column(of_incident(&hot, "hot_until")?)
        // The first gap is from creation.
        .with_column(
            elapsed(coalesce(&[previous, col("created")]), col("time"), MINUTE).alias("gap"),
        )
        .group_by([col("incident")])
        .agg([
            len().alias("updates_in_window"),
            only(in_hot(), "gap").max().alias("longest_gap"),
            only(in_hot(), "time").max().alias("last_update"),
        ]);
    let zero = || lit(0.0);
    Ok(hot
        .lazy()
        .with_row_index("incident", None)
        .join_on(gaps, "incident", JoinType::Left)
        .select([
            col("channel_id"),
            dsl::max_horizontal([
                zero(),
                col("longest_gap").fill_null(zero()),
                elapsed(
                    coalesce(&[col("last_update"), col("created")]),
                    col("hot_until"),
                    MINUTE,
                ),
            ])?
            .alias("longest_silence_minutes"),
            col("updates_in_window")
                .fill_null(lit(0))
                .cast(DataType::UInt32)
                .alias("updates_in_window"),
        ])
        .collect()?)
}

#[cfg(test)]
mod tests {
    use super::super::strings;
    use super::*;

    fn layout(ids: &[&str], times: &[i64], incidents: &[&str]) -> Layout {
        let mut df = df!("channel_id" => ids, "time" => times).unwrap();
        let time = super::super::column(&df, "time")
            .unwrap()
            .as_materialized_series()
            .clone()
            .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
        df.with_column(time.into_column()).unwrap();
        Layout::of(&df, incidents).unwrap()
    }

    #[test]
    fn incident_rows_are_sliced_when_together_and_filtered_when_scattered() {
        let together = ["o", "a", "a", "b", "o"];
        let scattered: Vec<String> = (0..100)
            .flat_map(|k| [format!("i{k}"), format!("o{k}")])
            .collect();
        let scattered: Vec<&str> = scattered.iter().map(String::as_str).collect();
        let incidents: Vec<&str> = scattered.iter().copied().step_by(2).collect();
        for (ids, incidents) in [(&together[..], &["a", "b"][..]), (&scattered, &incidents)] {
            let times = vec![0i64; ids.len()];
            let l = layout(ids, &times, incidents);
            let mut df = df!("channel_id" => ids, "time" => &times).unwrap();
            df.rechunk_mut();
            let kept = l.rows_of(&df).unwrap();
            let kept_ids = strings(&kept, "channel_id").unwrap();
            let expected: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|id| incidents.contains(id))
                .collect();
            assert_eq!(kept_ids, expected);
        }
    }

    #[test]
    fn layout_finds_the_rows_and_how_they_lie() {
        let l = layout(&["a", "a", "b"], &[1, 2, 0], &["a", "b"]);
        assert_eq!((l.ranges.len(), l.ranges[0].clone()), (1, 0..3));
        assert_eq!(l.incident, [0, 0, 1]);
        assert!(l.grouped && l.oldest_first && l.in_id_order);
        // Only incident channels count: "b" is out of order, "c" apart, neither matters.
        let l = layout(
            &["c", "b", "b", "a", "c", "d"],
            &[0, 5, 4, 1, 2, 0],
            &["a", "d"],
        );
        assert_eq!(l.ranges, [3..4, 5..6]);
        assert_eq!(l.incident, [0, 1]);
        assert!(l.grouped && l.oldest_first && l.in_id_order);
        let l = layout(&["a", "b", "a"], &[0, 1, 2], &["a", "b"]);
        assert!(!l.grouped && l.oldest_first);
        let l = layout(&["a", "a", "b"], &[2, 1, 3], &["a", "b"]);
        assert!(l.grouped && !l.oldest_first && l.in_id_order);
        let l = layout(&["b", "c", "a"], &[0, 0, 0], &["a", "b"]);
        assert_eq!(l.incident, [1, 0]);
        assert!(l.grouped && l.oldest_first && !l.in_id_order);
    }
}
