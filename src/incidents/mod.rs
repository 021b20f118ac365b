//! Incident channels: which channels are incidents, and what their names and states say.

mod conversation;
pub mod naming;
pub mod sop;

use crate::error::{Error, Result};
use crate::export::Workspace;
use crate::time::{from_unix, Instant};

pub use conversation::{read_conversations, Conversation};
pub use naming::{parse_name, NameParts};

/// One incident channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub channel_id: String,
    pub name: String,
    /// `cron` in `issue-cron-1203`; `None` when the name does not follow the convention.
    pub topic_word: Option<String>,
    /// The date the name carries (`ddmm`), its year inferred from `created`.
    pub name_date: Option<chrono::NaiveDate>,
    pub created: Instant,
    /// See [`crate::export::ChannelActivity::archived_at`]; `None` while open, and for an
    /// archived channel whose archive message is not in the export.
    pub archived_at: Option<Instant>,
    /// Not archived, by the channel's own `is_archived` flag.
    pub open: bool,
    pub topic: String,
    pub creator: Option<String>,
    pub message_count: usize,
    /// The channel's newest message, or its creation when it has none.
    pub last_activity: Instant,
    /// What its messages say: owners, summary, responses, escalations.
    pub conversation: Conversation,
}

impl Incident {
    /// Hours from creation to archive, when archived with a known time.
    pub fn hours_to_archive(&self) -> Option<f64> {
        self.archived_at
            .map(|a| (a - self.created).num_milliseconds() as f64 / 3_600_000.0)
    }

    /// Whether the channel was open at `t`, as the post counts it: created at or before
    /// `t` and not archived before it. An archived channel whose archive time is unknown
    /// counts as open, as the post's `math.inf` did.
    pub fn open_at(&self, t: Instant) -> bool {
        self.created <= t && self.archived_at.is_none_or(|a| t <= a)
    }
}

/// The newest moment in the incidents' channels: the default "now" of an analysis, so
/// that results depend neither on the wall clock nor on which other channels were read.
pub fn newest_activity(incidents: &[Incident]) -> Option<Instant> {
    incidents.iter().map(|i| i.last_activity).max()
}

/// The channels whose name starts with `prefix`, oldest first. An error when there are
/// none, since every figure would then be empty.
pub fn find_incidents(ws: &Workspace, prefix: &str) -> Result<Vec<Incident>> {
    let matching: Vec<&crate::export::model::Channel> = ws
        .channels
        .iter()
        .filter(|c| c.name.starts_with(prefix))
        .collect();
    let mut conversations = read_conversations(&ws.messages, &matching, &ws.users)?;
    let mut incidents: Vec<Incident> = ws
        .channels
        .iter()
        .zip(&ws.activity)
        .filter(|(c, _)| c.name.starts_with(prefix))
        .filter_map(|(c, a)| {
            let created = from_unix(c.created)?;
            let parts = parse_name(&c.name, prefix, created);
            Some(Incident {
                channel_id: c.id.clone(),
                name: c.name.clone(),
                topic_word: parts.as_ref().map(|p| p.topic_word.clone()),
                name_date: parts.map(|p| p.date),
                created,
                archived_at: a.archived_at(),
                open: !c.is_archived,
                topic: c.topic.value.clone(),
                creator: c.creator.clone(),
                message_count: a.message_count,
                last_activity: a.last_message.map_or(created, |m| m.max(created)),
                conversation: conversations.remove(&c.id).unwrap_or_default(),
            })
        })
        .collect();
    if incidents.is_empty() {
        return Err(Error::NoMatchingChannels {
            prefix: prefix.to_string(),
            total: ws.channels.len(),
        });
    }
    incidents.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.name.cmp(&b.name)));
    Ok(incidents)
}
