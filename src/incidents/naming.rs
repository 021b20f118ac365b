//! Naming conventions: which channels are incidents, and what their names say. The
//! post's is `<prefix><topic>-<ddmm>`, e.g. `issue-cron-1203` for a cron incident on
//! 12 March; any other is a regex with named groups, such as `inc-<number>-<slug>` or
//! `incident-<yyyy-mm-dd>-<slug>`.

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use crate::error::{Error, Result};
use crate::time::Instant;

/// What a conventional name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParts {
    pub topic_word: String,
    pub date: NaiveDate,
}

/// What a name says under a [`Convention`]: any of the three may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameFacts {
    /// The topic or slug: `cron` in `issue-cron-1203`, `db-outage` in `inc-1234-db-outage`.
    pub topic: Option<String>,
    pub date: Option<NaiveDate>,
    /// The incident number: `1234` in `inc-1234-db-outage`.
    pub number: Option<u64>,
}

/// How a team names incident channels.
#[derive(Debug, Clone)]
pub struct Convention {
    /// Incident channels are those whose name starts with this; `None` with a pattern:
    /// those the pattern matches.
    pub prefix: Option<String>,
    /// Names are read with this regex's named groups `topic`, `date` (`ddmm`,
    /// `yyyy-mm-dd` or `yyyymmdd`) and `number`; `None`: the post's
    /// `<prefix><topic>-<ddmm>`.
    pub pattern: Option<Regex>,
}

impl Convention {
    /// The post's convention with another prefix: `issue-`, `inc-`…
    pub fn prefix(prefix: &str) -> Self {
        Convention {
            prefix: Some(prefix.to_string()),
            pattern: None,
        }
    }

    /// A convention described by a regex with named groups, e.g.
    /// `^inc-(?P<number>\d+)-(?P<topic>.+)$`. Incident channels are those it matches.
    pub fn pattern(pattern: &str) -> Result<Self> {
        let regex = Regex::new(pattern).map_err(|e| {
            // regex draws a caret under the fault over several lines: keep it on one.
            Error::Pattern {
                rule: "--match",
                pattern: pattern.to_string(),
                source: e,
            }
        })?;
        let known = ["topic", "date", "number"];
        if let Some(unknown) = regex.capture_names().flatten().find(|n| !known.contains(n)) {
            return Err(Error::UnknownGroup {
                pattern: pattern.to_string(),
                group: unknown.to_string(),
            });
        }
        Ok(Convention {
            prefix: None,
            pattern: Some(regex),
        })
    }

    /// A convention as a notebook parameter writes it: a regex when it starts with `^`
    /// (see [`Convention::pattern`]), otherwise a name prefix such as `issue-`.
    pub fn parse(text: &str) -> Result<Self> {
        if text.starts_with('^') {
            Convention::pattern(text)
        } else if text.is_empty() || text.starts_with('#') {
            Err(Error::Parameter {
                name: "convention",
                value: text.to_string(),
                expected: "give a channel-name prefix without the `#` (such as `issue-`), or a regex starting with `^` with the named groups topic, date or number",
            })
        } else {
            Ok(Convention::prefix(text))
        }
    }

    /// Whether a channel is an incident channel.
    pub fn is_incident(&self, name: &str) -> bool {
        match (&self.prefix, &self.pattern) {
            (Some(prefix), _) => name.starts_with(prefix.as_str()),
            (None, Some(pattern)) => pattern.is_match(name),
            (None, None) => true,
        }
    }

    /// What a channel's name says, `None` when it does not follow the convention.
    pub fn read(&self, name: &str, created: Instant) -> Option<NameFacts> {
        let Some(pattern) = &self.pattern else {
            let parts = parse_name(name, self.prefix.as_deref().unwrap_or(""), created)?;
            return Some(NameFacts {
                topic: Some(parts.topic_word),
                date: Some(parts.date),
                number: None,
            });
        };
        let captures = pattern.captures(name)?;
        let group = |g: &str| captures.name(g).map(|m| m.as_str());
        Some(NameFacts {
            topic: group("topic").filter(|t| !t.is_empty()).map(str::to_string),
            date: group("date").and_then(|d| parse_date(d, created)),
            number: group("number").and_then(|n| n.parse().ok()),
        })
    }

    /// How the convention reads in messages: `#issue-*` or the regex.
    pub fn describe(&self) -> String {
        match (&self.prefix, &self.pattern) {
            (Some(prefix), _) => format!("#{prefix}*"),
            (None, Some(pattern)) => format!("names matching {}", pattern.as_str()),
            (None, None) => "every channel".into(),
        }
    }
}

impl Default for Convention {
    fn default() -> Self {
        Convention::prefix("issue-")
    }
}

impl From<&str> for Convention {
    fn from(prefix: &str) -> Self {
        Convention::prefix(prefix)
    }
}

/// A date written in a name: `yyyy-mm-dd`, `yyyymmdd`, or `ddmm` (its year the one
/// nearest to the channel's creation).
fn parse_date(text: &str, created: Instant) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y%m%d"))
        .ok()
        .or_else(|| ddmm_near(text, created))
}

/// `ddmm` with the year that puts it nearest to `created`; `None` for no such date, or
/// one more than half a year away (a typo, not the incident's date).
fn ddmm_near(ddmm: &str, created: Instant) -> Option<NaiveDate> {
    if ddmm.len() != 4 || !ddmm.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day: u32 = ddmm[..2].parse().ok()?;
    let month: u32 = ddmm[2..].parse().ok()?;
    let created_day = created.date_naive();
    let year = created_day.year();
    let date = [year - 1, year, year + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| (*d - created_day).num_days().abs())?;
    ((date - created_day).num_days().abs() <= 183).then_some(date)
}

/// Parses `name` by the convention. The name carries no year, so the year is the one
/// that puts the date nearest to the channel's creation: `issue-x-3112` created on
/// 1 January 2017 is 31 December 2016. `None` for names off the convention (no topic,
/// no `ddmm` at the end, or a date that no year near `created` has).
pub fn parse_name(name: &str, prefix: &str, created: Instant) -> Option<NameParts> {
    let rest = name.strip_prefix(prefix)?;
    let (topic, ddmm) = rest.rsplit_once('-')?;
    if topic.is_empty() {
        return None;
    }
    Some(NameParts {
        topic_word: topic.to_string(),
        date: ddmm_near(ddmm, created)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(y: i32, m: u32, d: u32) -> Instant {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn parts(name: &str, created: Instant) -> Option<(String, String)> {
        parse_name(name, "issue-", created).map(|p| (p.topic_word, p.date.to_string()))
    }

    #[test]
    fn a_parameter_is_a_regex_when_it_starts_with_a_caret() {
        let prefix = Convention::parse("inc-").unwrap();
        assert_eq!(prefix.prefix.as_deref(), Some("inc-"));
        assert!(prefix.pattern.is_none());
        let regex = Convention::parse(r"^inc-(?P<number>\d+)-(?P<topic>.+)$").unwrap();
        assert!(regex.prefix.is_none());
        assert!(regex.is_incident("inc-12-db") && !regex.is_incident("x-inc-12-db"));
        for bad in ["", "#issue-"] {
            let err = Convention::parse(bad).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("convention `{bad}`: give")),
                "{err}"
            );
        }
        assert!(Convention::parse("^inc-(?P<who>.+)").is_err());
    }

    #[test]
    fn conventional_name() {
        assert_eq!(
            parts("issue-cron-1203", at(2016, 3, 12)),
            Some(("cron".into(), "2016-03-12".into()))
        );
    }

    #[test]
    fn topic_may_contain_hyphens() {
        assert_eq!(
            parts("issue-helpdesk-search-0908", at(2016, 8, 9)),
            Some(("helpdesk-search".into(), "2016-08-09".into()))
        );
    }

    #[test]
    fn year_is_inferred_across_new_year() {
        // Named on the evening of 31 December, created just after midnight UTC.
        assert_eq!(
            parts("issue-db-3112", at(2017, 1, 1)),
            Some(("db".into(), "2016-12-31".into()))
        );
        // Named for 1 January while it was still 31 December in UTC.
        assert_eq!(
            parts("issue-db-0101", at(2016, 12, 31)),
            Some(("db".into(), "2017-01-01".into()))
        );
    }

    #[test]
    fn leap_day_finds_its_year() {
        assert_eq!(
            parts("issue-mail-2902", at(2016, 3, 1)),
            Some(("mail".into(), "2016-02-29".into()))
        );
        assert_eq!(parts("issue-mail-2902", at(2017, 3, 1)), None);
    }

    #[test]
    fn names_off_the_convention_are_none() {
        let created = at(2016, 3, 12);
        for name in [
            "issue-db-slow",
            "issue-1203",
            "issue--1203",
            "issue-cron-1203-2",
            "issue-cron-3202",
            "issue-cron-123",
            "issues-board",
            "general",
        ] {
            assert_eq!(parts(name, created), None, "{name}");
        }
    }

    #[test]
    fn numbered_convention_reads_number_and_slug() {
        let c = Convention::pattern(r"^inc-(?P<number>\d+)-(?P<topic>.+)$").unwrap();
        assert!(c.is_incident("inc-1234-db-outage"));
        assert!(!c.is_incident("incident-review") && !c.is_incident("inc-x-db"));
        let facts = c.read("inc-1234-db-outage", at(2024, 5, 12)).unwrap();
        assert_eq!(facts.number, Some(1234));
        assert_eq!(facts.topic.as_deref(), Some("db-outage"));
        assert_eq!(facts.date, None);
    }

    #[test]
    fn dated_convention_reads_full_dates() {
        let c =
            Convention::pattern(r"^incident-(?P<date>\d{4}-\d{2}-\d{2})-(?P<topic>.+)$").unwrap();
        let facts = c.read("incident-2024-05-12-api", at(2024, 5, 12)).unwrap();
        assert_eq!(facts.date.unwrap().to_string(), "2024-05-12");
        assert_eq!(facts.topic.as_deref(), Some("api"));
        // A date that does not exist is no date, but the name still matches.
        let odd = c.read("incident-2024-02-31-api", at(2024, 3, 1)).unwrap();
        assert_eq!(odd.date, None);
        assert_eq!(c.read("incident-api", at(2024, 3, 1)), None);
    }

    #[test]
    fn the_posts_convention_as_a_pattern_reads_like_the_prefix() {
        let c = Convention::pattern(r"^issue-(?P<topic>.+)-(?P<date>\d{4})$").unwrap();
        let by_pattern = c.read("issue-db-3112", at(2017, 1, 1)).unwrap();
        let by_prefix = Convention::prefix("issue-")
            .read("issue-db-3112", at(2017, 1, 1))
            .unwrap();
        assert_eq!(by_pattern, by_prefix);
        assert_eq!(by_prefix.date.unwrap().to_string(), "2016-12-31");
    }

    #[test]
    fn bad_patterns_are_clear_errors() {
        let err = Convention::pattern("inc-(").unwrap_err().to_string();
        assert!(err.contains("not a valid regex"), "{err}");
        let err = Convention::pattern("inc-(?P<slug>.+)")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown group `slug`"), "{err}");
    }

    #[test]
    fn prefix_convention_selects_by_prefix_and_reads_off_names_as_none() {
        let c = Convention::prefix("issue-");
        assert!(c.is_incident("issue-db-slow") && !c.is_incident("issues-board"));
        assert_eq!(c.read("issue-db-slow", at(2016, 3, 12)), None);
        assert_eq!(c.describe(), "#issue-*");
    }
}
