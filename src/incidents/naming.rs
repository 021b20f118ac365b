//! The naming convention `<prefix><topic>-<ddmm>`, e.g. `issue-cron-1203` for a cron
//! incident on 12 March.

use chrono::{Datelike, NaiveDate};

use crate::time::Instant;

/// What a conventional name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParts {
    pub topic_word: String,
    pub date: NaiveDate,
}

/// Parses `name` by the convention. The name carries no year, so the year is the one
/// that puts the date nearest to the channel's creation: `issue-x-3112` created on
/// 1 January 2017 is 31 December 2016. `None` for names off the convention (no topic,
/// no `ddmm` at the end, or a date that no year near `created` has).
pub fn parse_name(name: &str, prefix: &str, created: Instant) -> Option<NameParts> {
    let rest = name.strip_prefix(prefix)?;
    let (topic, ddmm) = rest.rsplit_once('-')?;
    if topic.is_empty() || ddmm.len() != 4 || !ddmm.bytes().all(|b| b.is_ascii_digit()) {
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
    // A date more than half a year away is not the incident's date but a typo.
    if (date - created_day).num_days().abs() > 183 {
        return None;
    }
    Some(NameParts {
        topic_word: topic.to_string(),
        date,
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
}
