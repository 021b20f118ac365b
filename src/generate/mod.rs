//! A deterministic, generated workspace in the export layout.
//!
//! At scale 1 it is calibrated to the seed post: 207 `issue-` channels, the first created
//! 2016-03-11 06:55:23 UTC and the last 2017-03-23 00:43:10 UTC, 3 still open, the worst
//! day 2016-08-09 with 6, a steep rise from July 2016 and a decline after. Inside the
//! channels people follow the post's SOP, mostly: a topic naming owners, a summary in the
//! template (in the spellings people really use), updates, escalations, the archive — and
//! the lapses an audit should find. `scale` adds copies of the year's incidents (other
//! teams' channels) to make workspaces large enough for benchmarks.

mod people;
mod script;

use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::export::model::{Channel, User};
use crate::export::ExportWriter;
use crate::time::Instant;

pub use people::{Role, PEOPLE, TROUBLES};
use script::{IncidentScript, Timeline};

/// How to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    /// Same seed, same bytes.
    pub seed: u64,
    /// Copies of the year's incidents; 1 is the calibrated sample.
    pub scale: u32,
    /// Users in `users.json`: the cast, padded with colleagues who never post up to this
    /// many (a company-wide export's size); the cast alone when smaller.
    pub users: usize,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            seed: 2016,
            scale: 1,
            users: PEOPLE.len(),
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateSummary {
    pub channels: usize,
    pub incident_channels: usize,
    pub messages: usize,
    pub users: usize,
}

/// The first incident channel of the post.
pub fn first_created() -> Instant {
    Utc.with_ymd_and_hms(2016, 3, 11, 6, 55, 23).unwrap()
}

/// The last incident channel of the post.
pub fn last_created() -> Instant {
    Utc.with_ymd_and_hms(2017, 3, 23, 0, 43, 10).unwrap()
}

/// The end of the data: the moment the export was taken.
pub fn export_time() -> Instant {
    Utc.with_ymd_and_hms(2017, 3, 24, 10, 0, 0).unwrap()
}

/// The post's worst day.
fn worst_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2016, 8, 9).unwrap()
}

/// Incident channels created per month, March 2016 to March 2017: quiet, then the July
/// launch, then a decline. Sums to 207.
const PER_MONTH: [(i32, u32, usize); 13] = [
    (2016, 3, 6),
    (2016, 4, 8),
    (2016, 5, 9),
    (2016, 6, 11),
    (2016, 7, 28),
    (2016, 8, 34),
    (2016, 9, 27),
    (2016, 10, 21),
    (2016, 11, 18),
    (2016, 12, 14),
    (2017, 1, 12),
    (2017, 2, 10),
    (2017, 3, 9),
];

/// Writes a workspace into `out`, which must be empty or new.
pub fn generate(out: impl AsRef<Path>, options: &GenerateOptions) -> Result<GenerateSummary> {
    let out = out.as_ref();
    if options.scale == 0 {
        return Err(Error::Parameter {
            name: "--scale",
            value: "0".into(),
            expected: "give at least 1 (copies of the sample year)",
        });
    }
    if let Ok(mut entries) = std::fs::read_dir(out) {
        if entries.next().is_some() {
            return Err(Error::NotEmpty {
                path: out.to_path_buf(),
            });
        }
    }
    let writer = ExportWriter::create(out)?.without_fsync();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let users = people::with_colleagues(users(), options.users);
    let mut summary = GenerateSummary {
        users: users.len(),
        ..Default::default()
    };
    let mut channels = Vec::new();
    let mut ids = IdMaker::default();

    let mut timeline = Timeline::default();
    let base = creation_times(&mut rng);
    for copy in 0..options.scale {
        let times: Vec<Instant> = if copy == 0 {
            base.clone()
        } else {
            base.iter()
                .map(|t| *t + Duration::seconds(rng.random_range(-172_800..172_800)))
                .collect()
        };
        let open = open_indices(times.len());
        for (i, created) in times.into_iter().enumerate() {
            let team = (copy > 0).then_some(copy);
            let script =
                IncidentScript::plan(&mut rng, &mut timeline, created, team, open.contains(&i));
            let (channel, messages) = script.play(&mut rng, &mut ids, &mut timeline);
            summary.messages += write_channel(&writer, &channel, messages)?;
            summary.incident_channels += 1;
            channels.push(channel);
        }
    }
    for (channel, messages) in script::other_channels(&mut rng, &mut ids, &timeline) {
        summary.messages += write_channel(&writer, &channel, messages)?;
        channels.push(channel);
    }
    channels.sort_by_key(|c| c.created);
    summary.channels = channels.len();
    writer.users(&users)?;
    writer.channels(&channels)?;
    Ok(summary)
}

/// Writes one channel's messages as day files (UTC dates), returning how many.
fn write_channel(
    writer: &ExportWriter,
    channel: &Channel,
    messages: Vec<(Instant, Value)>,
) -> Result<usize> {
    let count = messages.len();
    let mut day: Option<NaiveDate> = None;
    let mut batch: Vec<Value> = Vec::new();
    for (t, m) in messages {
        let date = t.date_naive();
        if day.is_some_and(|d| d != date) {
            writer.day(&channel.name, day.unwrap(), &batch)?;
            batch.clear();
        }
        day = Some(date);
        batch.push(m);
    }
    if let Some(d) = day {
        writer.day(&channel.name, d, &batch)?;
    }
    Ok(count)
}

/// Stable ids, Slack-shaped.
#[derive(Default)]
pub(crate) struct IdMaker {
    next_channel: u32,
}

impl IdMaker {
    pub(crate) fn channel(&mut self) -> String {
        self.next_channel += 1;
        format!("C{:08X}", 0x1A00_0000 + self.next_channel)
    }
}

/// The user id of `PEOPLE[index]`.
pub(crate) fn user_id(index: usize) -> String {
    format!("U{:08X}", 0x0B00_0000 + index as u32)
}

fn users() -> Vec<User> {
    PEOPLE
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut extra = serde_json::Map::new();
            extra.insert(
                "profile".into(),
                serde_json::json!({
                    "real_name": p.real_name,
                    "display_name": p.name,
                    "title": p.title,
                }),
            );
            User {
                id: user_id(i),
                name: p.name.into(),
                real_name: Some(p.real_name.into()),
                deleted: false,
                is_bot: p.role == Role::Bot,
                tz: Some("Asia/Kolkata".into()),
                extra,
            }
        })
        .collect()
}

/// Which incidents (by creation order) are still open at the export: the newest, and two
/// recent ones whose post-mortem is pending.
fn open_indices(n: usize) -> Vec<usize> {
    [1, 5, 14]
        .iter()
        .filter_map(|back| n.checked_sub(*back))
        .collect()
}

/// The creation times of the calibrated year, oldest first: the post's first and last
/// channel exactly, six on the worst day and fewer than six on any other day.
fn creation_times(rng: &mut ChaCha8Rng) -> Vec<Instant> {
    const OTHER_DAY_CAP: usize = 4;
    let (first, last, worst) = (first_created(), last_created(), worst_day());
    // Just after midnight in India on New Year's Day: named `-0101`, created in 2016.
    let new_year = Utc.with_ymd_and_hms(2016, 12, 31, 20, 5, 0).unwrap();
    let mut times = vec![first, last, new_year];
    for _ in 0..6 {
        times.push(at_time_of_day(rng, worst));
    }
    let mut per_day = std::collections::BTreeMap::<NaiveDate, usize>::new();
    for &(year, month, count) in &PER_MONTH {
        let fixed = times
            .iter()
            .filter(|t| t.year() == year && t.month() == month)
            .count();
        let mut made = 0;
        while made + fixed < count {
            let day =
                NaiveDate::from_ymd_opt(year, month, rng.random_range(1..=days_in(year, month)))
                    .expect("PER_MONTH holds real months");
            let t = at_time_of_day(rng, day);
            let taken = per_day.get(&day).copied().unwrap_or(0);
            if day == worst
                || taken >= OTHER_DAY_CAP
                || t <= first
                || t >= last
                || times.contains(&t)
            {
                continue;
            }
            per_day.insert(day, taken + 1);
            times.push(t);
            made += 1;
        }
    }
    times.sort();
    times
}

/// Days in a month of `PER_MONTH` (a constant table of real months).
fn days_in(year: i32, month: u32) -> u32 {
    NaiveDate::from_ymd_opt(year, month, 1)
        .expect("PER_MONTH holds real months")
        .num_days_in_month()
        .into()
}

/// A moment on `day` (UTC), mostly in Indian working hours, sometimes at night.
fn at_time_of_day(rng: &mut ChaCha8Rng, day: NaiveDate) -> DateTime<Utc> {
    let hour = if rng.random_bool(0.8) {
        rng.random_range(3..18)
    } else {
        rng.random_range(0..24)
    };
    let secs = hour * 3600 + rng.random_range(0..3600);
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight")) + Duration::seconds(secs)
}
