//! What the loader learns about a channel while its messages stream past.

use crate::time::{ts_instant, Instant, TsKey};

/// Per-channel facts gathered from its messages in one pass, independent of their order.
/// Times are kept as Slack wrote them (seconds and nanoseconds): a message costs two
/// comparisons here, and a date is built only when one is asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelActivity {
    pub message_count: usize,
    last_message: Option<TsKey>,
    last_archive: Option<TsKey>,
    last_unarchive: Option<TsKey>,
}

impl ChannelActivity {
    /// Counts one message posted at `time` (see [`crate::time::plausible_ts`]) with
    /// Slack's `subtype`.
    pub fn record(&mut self, time: TsKey, subtype: Option<&str>) {
        self.message_count += 1;
        self.last_message = Some(self.last_message.map_or(time, |t| t.max(time)));
        let slot = match subtype {
            Some("channel_archive" | "group_archive") => &mut self.last_archive,
            Some("channel_unarchive" | "group_unarchive") => &mut self.last_unarchive,
            _ => return,
        };
        *slot = Some(slot.map_or(time, |t| t.max(time)));
    }

    /// Adds what another pass over some of the same channel's messages saw (each fact
    /// is a count or a maximum, so the order of passes does not matter).
    pub fn merge(&mut self, other: &ChannelActivity) {
        let latest = |a: Option<TsKey>, b: Option<TsKey>| a.into_iter().chain(b).max();
        self.message_count += other.message_count;
        self.last_message = latest(self.last_message, other.last_message);
        self.last_archive = latest(self.last_archive, other.last_archive);
        self.last_unarchive = latest(self.last_unarchive, other.last_unarchive);
    }

    /// The newest message's time.
    pub fn last_message(&self) -> Option<Instant> {
        self.last_message.and_then(ts_instant)
    }

    /// When the channel was archived: its newest `channel_archive` message, unless a
    /// `channel_unarchive` came after it (then it was reopened and is not archived).
    pub fn archived_at(&self) -> Option<Instant> {
        match (self.last_archive, self.last_unarchive) {
            (Some(archive), Some(unarchive)) if unarchive >= archive => None,
            (archive, _) => archive.and_then(ts_instant),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_unix;

    fn at(secs: i64) -> TsKey {
        (secs, 0)
    }

    fn instant(secs: i64) -> Option<Instant> {
        from_unix(secs)
    }

    #[test]
    fn newest_archive_wins_after_reopening() {
        let mut a = ChannelActivity::default();
        a.record(at(100), Some("channel_archive"));
        a.record(at(200), Some("channel_unarchive"));
        assert_eq!(a.archived_at(), None);
        a.record(at(300), Some("channel_archive"));
        assert_eq!(a.archived_at(), instant(300));
        assert_eq!(a.message_count, 3);
    }

    #[test]
    fn order_of_messages_does_not_matter() {
        let mut a = ChannelActivity::default();
        a.record(at(300), Some("channel_archive"));
        a.record(at(100), None);
        a.record(at(200), Some("channel_unarchive"));
        assert_eq!(a.archived_at(), instant(300));
        assert_eq!(a.last_message(), instant(300));
    }

    #[test]
    fn merged_passes_equal_one_pass() {
        let mut whole = ChannelActivity::default();
        let (mut a, mut b) = (ChannelActivity::default(), ChannelActivity::default());
        for (t, subtype) in [(100, None), (300, Some("channel_archive"))] {
            whole.record(at(t), subtype);
            a.record(at(t), subtype);
        }
        for (t, subtype) in [(50, None), (200, Some("channel_unarchive"))] {
            whole.record(at(t), subtype);
            b.record(at(t), subtype);
        }
        b.merge(&a);
        assert_eq!(b, whole);
    }

    #[test]
    fn unarchive_without_later_archive_is_open() {
        let mut a = ChannelActivity::default();
        a.record(at(100), Some("channel_archive"));
        a.record(at(100), Some("channel_unarchive"));
        assert_eq!(a.archived_at(), None);
    }
}
