//! What happens inside a generated incident channel, and in the channels around them.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use super::people::{Role, Trouble, LEAD, PEOPLE, TROUBLES};
use super::{export_time, user_id, IdMaker};
use crate::export::model::{Channel, TextField};
use crate::time::{to_slack_ts, Instant};

/// A channel's messages, each with its time.
pub(crate) type Messages = Vec<(Instant, Value)>;

/// What the incidents so far looked like, for the channels that talk about them.
#[derive(Default)]
pub(crate) struct Timeline {
    names: HashSet<String>,
    /// (created, archived, channel id, name, brief) of every incident.
    pub incidents: Vec<(Instant, Option<Instant>, String, String, &'static str)>,
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn people_with(role: Role) -> Vec<usize> {
    (0..PEOPLE.len())
        .filter(|&i| PEOPLE[i].role == role)
        .collect()
}

fn mention(person: usize) -> String {
    format!("<@{}>", user_id(person))
}

/// A log-normal draw with the given median, in hours.
fn lognormal_hours(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    // Box–Muller by hand, not rand_distr: its draws change the stream, and with it the
    // committed sample's channel names that notebooks and tests/sync.rs rely on.
    let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
    let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    median * (sigma * normal).exp()
}

fn secs(s: i64) -> Duration {
    Duration::seconds(s)
}

/// How the channel topic was set.
#[derive(Clone, Copy, PartialEq)]
enum TopicPlan {
    None,
    OneOwner,
    BothOwners(usize),
    Late,
}

/// The plan of one incident channel, decided before any message is written.
pub(crate) struct IncidentScript {
    created: Instant,
    trouble: &'static Trouble,
    name: String,
    creator: usize,
    sre_owner: usize,
    dev_owner: usize,
    topic: TopicPlan,
    summary_style: Option<usize>,
    summaries: usize,
    silence: bool,
    escalate: bool,
    threaded: bool,
    archive: Option<Instant>,
    reopen: bool,
}

impl IncidentScript {
    /// Decides what happens in an incident created at `created`.
    pub(crate) fn plan(
        rng: &mut ChaCha8Rng,
        timeline: &mut Timeline,
        created: Instant,
        team: Option<u32>,
        open: bool,
    ) -> Self {
        let trouble = &TROUBLES[rng.random_range(0..TROUBLES.len())];
        let sres = people_with(Role::Sre);
        let devs = people_with(Role::Developer);
        let sre_owner = pick(rng, &sres);
        let dev_owner = pick(rng, &devs);
        let creator = if rng.random_bool(0.8) {
            sre_owner
        } else {
            dev_owner
        };
        let name = incident_name(rng, timeline, trouble, created, team);

        let launch = created.year() == 2016 && (7..=9).contains(&created.month());
        let archive = (!open).then(|| {
            let median = if launch { 260.0 } else { 60.0 };
            let hours = lognormal_hours(rng, median, 1.0).clamp(3.0, 45.0 * 24.0);
            let planned = created + Duration::minutes((hours * 60.0) as i64);
            let latest = export_time() - Duration::hours(2);
            if planned < latest {
                planned
            } else {
                created + (latest - created) * rng.random_range(50..95) / 100
            }
        });
        let topic = match rng.random_range(0..100) {
            0..6 => TopicPlan::None,
            6..14 => TopicPlan::OneOwner,
            14..19 => TopicPlan::Late,
            _ => TopicPlan::BothOwners(rng.random_range(0..3)),
        };
        let script = IncidentScript {
            created,
            trouble,
            name,
            creator,
            sre_owner,
            dev_owner,
            topic,
            summary_style: (!rng.random_bool(0.07))
                .then(|| rng.random_range(0..SUMMARY_STYLES.len())),
            summaries: if rng.random_bool(0.2) { 2 } else { 1 },
            silence: rng.random_bool(0.12),
            escalate: rng.random_bool(0.3),
            threaded: rng.random_bool(0.2),
            archive,
            reopen: archive.is_some_and(|a| a - created > Duration::days(2))
                && rng.random_bool(0.02),
        };
        timeline.names.insert(script.name.clone());
        script
    }

    /// Writes the channel and its messages.
    pub(crate) fn play(
        self,
        rng: &mut ChaCha8Rng,
        ids: &mut IdMaker,
        timeline: &mut Timeline,
    ) -> (Channel, Messages) {
        let id = ids.channel();
        let mut chat = Chat::new(rng);
        let c = self.created;
        let tr = self.trouble;

        chat.join(c, self.creator);
        let mut members = vec![self.creator];
        let mut t = c;
        let mut joiners = vec![self.sre_owner, self.dev_owner];
        for _ in 0..rng.random_range(0..4) {
            joiners.push(rng.random_range(0..PEOPLE.len() - 2));
        }
        for p in joiners {
            if !members.contains(&p) {
                t += secs(rng.random_range(15..240));
                chat.join(t, p);
                members.push(p);
            }
        }

        let topic_value = self.topic_text();
        let topic_at = match self.topic {
            TopicPlan::None => None,
            TopicPlan::Late => Some(c + secs(rng.random_range(7200..28800))),
            _ => Some(c + secs(rng.random_range(60..600))),
        };
        if let (Some(at), Some(value)) = (topic_at, &topic_value) {
            chat.topic(at, self.creator, value);
        }

        let responder = if self.creator == self.sre_owner {
            self.dev_owner
        } else {
            self.sre_owner
        };
        chat.say(
            c + secs(rng.random_range(60..900)),
            responder,
            pick(rng, FIRST_WORDS),
        );

        let summary_at = c + secs(rng.random_range(300..1800));
        let summary_ts = self.summary_style.map(|style| {
            let text = self.summary(rng, style, false);
            chat.say(summary_at, self.sre_owner, &text)
        });

        let mut t = summary_at;
        let updates = rng.random_range(3..11);
        let silence_at = self.silence.then(|| rng.random_range(0..updates));
        for k in 0..updates {
            t += if silence_at == Some(k) {
                secs(rng.random_range(3000..12000))
            } else {
                secs(rng.random_range(240..840))
            };
            let who = pick(rng, &members);
            let text = fill(pick(rng, UPDATES), tr, rng);
            let thread = if self.threaded {
                summary_ts.clone()
            } else {
                None
            };
            chat.post(t, who, &text, thread);
            if self.escalate && k == updates / 2 {
                t += secs(rng.random_range(30..300));
                let text = fill(pick(rng, ESCALATIONS), tr, rng);
                chat.say(t, self.sre_owner, &text);
            }
            if k == 1 && rng.random_bool(0.5) {
                t += secs(rng.random_range(30..300));
                let support = pick(rng, &people_with(Role::Support));
                chat.say(t, support, &fill(pick(rng, SUPPORT), tr, rng));
            }
        }
        if let (Some(style), 2) = (self.summary_style, self.summaries) {
            t += secs(rng.random_range(120..600));
            let text = self.summary(rng, style, true);
            chat.say(t, self.sre_owner, &text);
        }
        t += secs(rng.random_range(300..1200));
        chat.say(t, self.sre_owner, &fill(RESOLVED, tr, rng));

        let archived_at = match self.archive {
            Some(planned) => {
                let mut archive = planned.max(t + secs(1800));
                if self.reopen {
                    let first = t + (archive - t) / 3;
                    chat.archive(first, self.sre_owner, "channel_archive");
                    let back = first + secs(6 * 3600);
                    chat.archive(back, self.sre_owner, "channel_unarchive");
                    chat.say(
                        back + secs(60),
                        self.sre_owner,
                        "Reopening: it happened again after the fix.",
                    );
                    archive = archive.max(back + secs(3600));
                }
                let postmortem = archive - (archive - t) / 4;
                chat.say(postmortem, self.dev_owner, &fill(POSTMORTEM, tr, rng));
                chat.archive(archive, self.sre_owner, "channel_archive");
                Some(archive)
            }
            None => {
                chat.say(
                    t + secs(900),
                    self.dev_owner,
                    "Keeping this open until the post-mortem is written.",
                );
                None
            }
        };
        timeline
            .incidents
            .push((c, archived_at, id.clone(), self.name.clone(), tr.brief));

        let topic = match (topic_value, topic_at) {
            (Some(value), Some(at)) => TextField {
                value,
                creator: user_id(self.creator),
                last_set: at.timestamp(),
            },
            _ => TextField::default(),
        };
        let channel = Channel {
            id,
            name: self.name,
            created: c.timestamp(),
            creator: Some(user_id(self.creator)),
            is_archived: self.archive.is_some(),
            is_general: false,
            is_private: None,
            members: Some(members.iter().map(|&p| user_id(p)).collect()),
            num_members: None,
            topic,
            purpose: TextField::default(),
            extra: Default::default(),
            activity: Default::default(),
        };
        (channel, chat.finish())
    }

    fn topic_text(&self) -> Option<String> {
        let (sre, dev) = (&PEOPLE[self.sre_owner], &PEOPLE[self.dev_owner]);
        let brief = self.trouble.brief;
        Some(match self.topic {
            TopicPlan::None => return None,
            TopicPlan::OneOwner => format!("{brief} | SRE: {}", mention(self.sre_owner)),
            TopicPlan::Late | TopicPlan::BothOwners(0) => format!(
                "{brief} | SRE: {} | Dev: {}",
                mention(self.sre_owner),
                mention(self.dev_owner)
            ),
            TopicPlan::BothOwners(1) => {
                format!("{brief}. Owners: SRE @{}, Dev @{}", sre.name, dev.name)
            }
            TopicPlan::BothOwners(_) => format!(
                "{brief} - SRE owner: {}; Dev owner: {}",
                sre.real_name, dev.real_name
            ),
        })
    }

    /// The SOP summary in one of the spellings people use; some fields UNKNOWN, some
    /// left out. `update` marks the second, revised summary.
    fn summary(&self, rng: &mut ChaCha8Rng, style: usize, update: bool) -> String {
        let tr = self.trouble;
        let unknown = |rng: &mut ChaCha8Rng, value: String| {
            if !update && rng.random_bool(0.15) {
                "UNKNOWN".to_string()
            } else {
                value
            }
        };
        let env = if rng.random_bool(0.88) {
            "Production"
        } else {
            "Staging"
        }
        .to_string();
        let cause = pick(rng, CAUSES).replace("{component}", tr.component);
        let cause = unknown(rng, cause);
        let duration = pick(rng, DURATIONS).to_string();
        let duration = unknown(rng, duration);
        let kind = match (tr.vendor, rng.random_range(0..10)) {
            (Some(vendor), 0..6) => format!("Vendor ({vendor})"),
            (_, 0..3) => "Scale".into(),
            (_, 3..5) => "Unknown".into(),
            _ => pick(rng, &["Self", "Self (Engineering)", "self"]).to_string(),
        };
        let kind = unknown(rng, kind);
        let etr = pick(rng, ETRS).to_string();
        let etr = unknown(rng, etr);
        let who = format!("{}, {}", mention(self.sre_owner), mention(self.dev_owner));
        let current = fill(pick(rng, CURRENT), tr, rng);
        let next = fill(pick(rng, NEXT), tr, rng);
        let values = [
            env,
            tr.component.to_string(),
            cause,
            duration,
            kind,
            etr,
            who,
            current,
            next,
        ];
        let (header, keys, line) = SUMMARY_STYLES[style];
        let drop_some = !update && rng.random_bool(0.15);
        let mut text = String::from(if update { "Updated summary" } else { header });
        for (n, (key, value)) in keys.iter().zip(values).enumerate() {
            if drop_some && n > 1 && rng.random_bool(0.3) {
                continue;
            }
            text.push('\n');
            text.push_str(
                &line
                    .replace("{n}", &(n + 1).to_string())
                    .replace("{k}", key)
                    .replace("{v}", &value),
            );
        }
        text
    }
}

/// A channel's messages as they are posted; keeps their times strictly increasing.
struct Chat {
    /// Jitters the microseconds of each ts; its own stream, so that what is said does
    /// not depend on how many messages were posted before.
    rng: ChaCha8Rng,
    messages: Messages,
}

impl Chat {
    fn new(rng: &mut ChaCha8Rng) -> Self {
        Chat {
            rng: ChaCha8Rng::seed_from_u64(rng.random()),
            messages: Vec::new(),
        }
    }

    /// Posts a message and returns its ts.
    fn post(&mut self, t: Instant, person: usize, text: &str, thread_ts: Option<String>) -> String {
        let t = t + Duration::microseconds(self.rng.random_range(0..1_000_000));
        let ts = to_slack_ts(t);
        let mut m = json!({"type": "message", "user": user_id(person), "text": text, "ts": ts});
        if let Some(thread) = thread_ts {
            m["thread_ts"] = thread.into();
        }
        self.messages.push((t, m));
        ts
    }

    fn say(&mut self, t: Instant, person: usize, text: &str) -> String {
        self.post(t, person, text, None)
    }

    fn with_subtype(&mut self, t: Instant, person: usize, subtype: &str, text: String) -> usize {
        self.say(t, person, &text);
        let last = self.messages.len() - 1;
        self.messages[last].1["subtype"] = subtype.into();
        last
    }

    fn join(&mut self, t: Instant, person: usize) {
        let text = format!("{} has joined the channel", mention(person));
        self.with_subtype(t, person, "channel_join", text);
    }

    fn topic(&mut self, t: Instant, person: usize, topic: &str) {
        let text = format!("{} set the channel topic: {topic}", mention(person));
        let i = self.with_subtype(t, person, "channel_topic", text);
        self.messages[i].1["topic"] = topic.into();
    }

    fn archive(&mut self, t: Instant, person: usize, subtype: &str) {
        let verb = subtype.trim_start_matches("channel_");
        self.with_subtype(
            t,
            person,
            subtype,
            format!("{} {verb}d the channel", mention(person)),
        );
    }

    /// The messages oldest first, with no two at the same ts.
    fn finish(mut self) -> Messages {
        self.messages.sort_by_key(|(t, _)| *t);
        let mut moved: HashMap<String, String> = HashMap::new();
        for i in 1..self.messages.len() {
            let prev = self.messages[i - 1].0;
            if self.messages[i].0 <= prev {
                let t = prev + Duration::microseconds(1);
                let old = self.messages[i].1["ts"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                self.messages[i].0 = t;
                self.messages[i].1["ts"] = to_slack_ts(t).into();
                moved.insert(old, to_slack_ts(t));
            }
        }
        self.mark_threads(&moved);
        self.messages
    }

    /// Gives thread parents and replies the fields Slack gives them: `reply_count`,
    /// `reply_users_count`, `latest_reply` and `thread_ts` on the parent,
    /// `parent_user_id` on each reply.
    fn mark_threads(&mut self, moved: &HashMap<String, String>) {
        let mut threads: HashMap<String, (u32, HashSet<String>, String)> = HashMap::new();
        for (_, m) in &mut self.messages {
            let Some(thread) = m["thread_ts"].as_str().map(str::to_string) else {
                continue;
            };
            let thread = moved.get(&thread).cloned().unwrap_or(thread);
            m["thread_ts"] = thread.clone().into();
            let entry = threads.entry(thread).or_default();
            entry.0 += 1;
            entry
                .1
                .insert(m["user"].as_str().unwrap_or_default().to_string());
            entry.2 = m["ts"].as_str().unwrap_or_default().to_string();
        }
        let parents: HashMap<String, String> = self
            .messages
            .iter()
            .filter(|(_, m)| threads.contains_key(m["ts"].as_str().unwrap_or_default()))
            .map(|(_, m)| {
                (
                    m["ts"].as_str().unwrap_or_default().to_string(),
                    m["user"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        for (_, m) in &mut self.messages {
            let ts = m["ts"].as_str().unwrap_or_default().to_string();
            if let Some((count, users, latest)) = threads.get(&ts) {
                m["thread_ts"] = ts.clone().into();
                m["reply_count"] = (*count).into();
                m["reply_users_count"] = users.len().into();
                m["latest_reply"] = latest.clone().into();
            } else if let Some(parent) = m["thread_ts"].as_str().and_then(|t| parents.get(t)) {
                m["parent_user_id"] = parent.clone().into();
            }
        }
    }
}

/// `issue-<topic>-<ddmm>`, with the date as the team (in India) saw it, and the naming
/// slips people make now and then.
fn incident_name(
    rng: &mut ChaCha8Rng,
    timeline: &Timeline,
    trouble: &Trouble,
    created: Instant,
    team: Option<u32>,
) -> String {
    let local = created
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let ddmm = local.format("%d%m").to_string();
    let word = match team {
        Some(team) => format!("{}-t{team}", trouble.word),
        None => trouble.word.to_string(),
    };
    let name = match rng.random_range(0..100) {
        0..2 => format!("issue-{word}"),
        2..3 => format!(
            "issue-{word}-{}",
            local.format("%-d%b").to_string().to_lowercase()
        ),
        3..4 => format!("issue-{ddmm}-{word}"),
        _ => format!("issue-{word}-{ddmm}"),
    };
    let mut unique = name.clone();
    let mut n = 2;
    while timeline.names.contains(&unique) {
        unique = format!("{name}-{n}");
        n += 1;
    }
    unique
}

fn fill(template: &str, trouble: &Trouble, rng: &mut ChaCha8Rng) -> String {
    template
        .replace("{component}", trouble.component)
        .replace("{vendor}", trouble.vendor.unwrap_or("the vendor"))
        .replace("{lead}", &mention(LEAD))
        .replace("{n}", &rng.random_range(2..40).to_string())
}

/// (header, keys in SOP order, line pattern) of each summary spelling.
type SummaryStyle = (&'static str, [&'static str; 9], &'static str);
const SUMMARY_STYLES: [SummaryStyle; 4] = [
    (
        "*Issue summary*",
        [
            "Environment",
            "Component",
            "Probable cause",
            "Frequency/Duration",
            "Type",
            "ETR",
            "Who",
            "Current action",
            "Next action",
        ],
        "*{k}:* {v}",
    ),
    (
        "Summary of the issue:",
        [
            "Environment",
            "Component responsible",
            "Probable cause",
            "Frequency or duration",
            "Type",
            "Estimated time to recovery",
            "Who is working on it",
            "Current action step",
            "Next action step",
        ],
        "• {k} - {v}",
    ),
    (
        "summary",
        [
            "env",
            "component",
            "cause",
            "duration",
            "type",
            "etr",
            "who",
            "current",
            "next",
        ],
        "{k}: {v}",
    ),
    (
        "SUMMARY (as per SOP)",
        [
            "Environment",
            "Component",
            "Probable Cause",
            "Duration",
            "Type",
            "ETR",
            "Who's fixing",
            "Current step",
            "Next step",
        ],
        "{n}. {k}: {v}",
    ),
];

const FIRST_WORDS: &[&str] = &[
    "Looking",
    "On it",
    "Checking the dashboards",
    "Joined, looking at logs",
    "ack",
];
const CAUSES: &[&str] = &[
    "Deploy of {component} this morning",
    "Disk full on one of the {component} nodes",
    "Connection pool exhausted",
    "Traffic spike from a large customer import",
    "Upstream provider degraded",
    "Config change not rolled out everywhere",
];
const DURATIONS: &[&str] = &[
    "Ongoing for 20 minutes",
    "Intermittent since 10:20 IST",
    "Every few minutes",
    "Continuous since the deploy",
    "Spikes every hour",
];
const ETRS: &[&str] = &[
    "30 minutes",
    "1-2 hours",
    "a few hours",
    "end of day",
    "minutes",
];
const CURRENT: &[&str] = &[
    "Restarting {component} workers",
    "Failing over {component}",
    "Scaling out {component}",
    "Rolling back the deploy",
];
const NEXT: &[&str] = &[
    "Watch error rates for 30 minutes",
    "Find the root cause in the logs",
    "Add an alert for this",
    "Talk to {vendor}",
];
const UPDATES: &[&str] = &[
    "Restarted the {component} workers, watching the graphs",
    "Error rate down to {n}% but not zero yet",
    "Still seeing failures for {n} helpdesks",
    "Rolled back the last deploy of {component}",
    "Added {n} more instances behind the load balancer",
    "Looks stable for the last 10 minutes",
    "10-minute timer: no change yet, continuing",
    "Queue depth at {n}k and dropping",
    "Found something in the {component} logs, digging",
];
const SUPPORT: &[&str] = &[
    "Support has {n} tickets about this so far",
    "Customers are asking, any ETA?",
    "Posted a status page update",
];
const ESCALATIONS: &[&str] = &[
    "Escalating to {lead} as per the escalation matrix: no progress in 30 minutes",
    "@here need someone who knows {component} well",
    "Opened a high-priority ticket with {vendor} support",
];
const RESOLVED: &str =
    "Mitigated: {component} back to normal. Root cause pending, post-mortem to follow.";
const POSTMORTEM: &str =
    "Post-mortem written, root cause fixed for {component}. Archiving the channel.";

/// A channel that is not an incident: who posts there, how often, about what.
struct Room {
    name: &'static str,
    created: (i32, u32, u32),
    purpose: &'static str,
    per_week: u32,
    lines: &'static [&'static str],
}

const ROOMS: &[Room] = &[
    Room {
        name: "general",
        created: (2015, 6, 1),
        purpose: "Company-wide announcements and work-based matters",
        per_week: 4,
        lines: &[
            "Welcome aboard!",
            "All-hands at 4pm today",
            "Office closed on Friday for the holiday",
            "Lunch is here",
        ],
    },
    Room {
        name: "random",
        created: (2015, 6, 1),
        purpose: "Non-work banter and water cooler conversation",
        per_week: 4,
        lines: &[
            "Anyone up for chai?",
            "Cricket score?",
            "Who took my charger",
            "Friday playlist thread",
        ],
    },
    Room {
        name: "engineering",
        created: (2015, 6, 3),
        purpose: "Engineering discussions",
        per_week: 8,
        lines: &[
            "Code freeze for the release starts tomorrow",
            "Please review my PR for the search indexer",
            "New staging environment is up",
            "Reminder: write tests",
        ],
    },
    Room {
        name: "support",
        created: (2015, 7, 1),
        purpose: "Support team",
        per_week: 6,
        lines: &[
            "Big customer asking about SLA reports",
            "Ticket volume is normal today",
            "Escalating a billing question to product",
        ],
    },
    Room {
        name: "deployments",
        created: (2015, 9, 14),
        purpose: "Deploy log",
        per_week: 6,
        lines: &[
            "Deployed helpdesk v4.12 to production",
            "Rolling restart of the web tier done",
            "Deploy paused: failing health checks",
        ],
    },
    Room {
        name: "issues-board",
        created: (2016, 5, 2),
        purpose: "Weekly board of open issue channels (not an incident channel)",
        per_week: 1,
        lines: &["Board review: please update the post-mortem column"],
    },
    Room {
        name: "postmortems",
        created: (2016, 9, 1),
        purpose: "Post-mortem documents and reviews",
        per_week: 1,
        lines: &[
            "Post-mortem review on Thursday",
            "New post-mortem template is in the wiki",
        ],
    },
    Room {
        name: "sre",
        created: (2015, 8, 20),
        purpose: "Site reliability",
        per_week: 5,
        lines: &[
            "Patched the kernel on the DB hosts",
            "On-call handover: quiet week",
            "Disk usage alert thresholds updated",
        ],
    },
];

/// The channels around the incidents, each with messages from its creation to the export.
pub(crate) fn other_channels(
    rng: &mut ChaCha8Rng,
    ids: &mut IdMaker,
    timeline: &Timeline,
) -> Vec<(Channel, Messages)> {
    let end = export_time();
    ROOMS
        .iter()
        .map(|room| {
            let (y, m, d) = room.created;
            let created = Utc.with_ymd_and_hms(y, m, d, 5, 30, 0).unwrap();
            let mut chat = Chat::new(rng);
            let everyone: Vec<usize> = (0..PEOPLE.len()).collect();
            for (i, &p) in everyone.iter().enumerate() {
                chat.join(created + Duration::days(i as i64 * 3), p);
            }
            let mean_gap = 7 * 86_400 / room.per_week as i64;
            let mut t = created + Duration::days(1);
            while t < end {
                let who = rng.random_range(0..PEOPLE.len() - 2);
                let line = pick(rng, room.lines);
                chat.say(t, who, line);
                t += secs(rng.random_range(mean_gap / 4..mean_gap * 7 / 4));
            }
            if room.name == "sre" {
                for (opened, _, id, name, brief) in &timeline.incidents {
                    chat.say(
                        *opened + secs(90),
                        0,
                        &format!("Opened <#{id}|{name}>: {brief}"),
                    );
                }
            }
            if room.name == "issues-board" {
                let mut week = created + Duration::days(7);
                while week < end {
                    let open = timeline
                        .incidents
                        .iter()
                        .filter(|(c, a, ..)| *c <= week && a.is_none_or(|a| a > week))
                        .count();
                    chat.say(week, 1, &format!("Open issue channels this week: {open}"));
                    week += Duration::days(7);
                }
            }
            let channel = Channel {
                id: ids.channel(),
                name: room.name.into(),
                created: created.timestamp(),
                creator: Some(user_id(LEAD)),
                is_archived: false,
                is_general: room.name == "general",
                is_private: None,
                members: Some(everyone.iter().map(|&p| user_id(p)).collect()),
                num_members: None,
                topic: TextField::default(),
                purpose: TextField {
                    value: room.purpose.into(),
                    creator: user_id(LEAD),
                    last_set: created.timestamp(),
                },
                extra: Default::default(),
                activity: Default::default(),
            };
            (channel, chat.finish())
        })
        .collect()
}
