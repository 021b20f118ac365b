//! What a message's text says, read in one pass: whether it escalates, declares the
//! incident resolved, denies that, and has the lines an SOP summary needs.
//!
//! One automaton holds every phrase list, so a text is scanned once however many lists
//! there are (a `contains_any` per list scanned every text four times).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::{DENIAL_PHRASES, ESCALATION_MENTIONS, ESCALATION_PHRASES, RESOLUTION_PHRASES};

/// The phrase lists a text is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Says {
    /// An escalation phrase (any case) or mention (exact).
    Escalation,
    /// A resolution phrase, any case.
    Resolution,
    /// A denial phrase, any case.
    Denial,
}

impl Says {
    fn bit(self) -> u8 {
        match self {
            Says::Escalation => 1,
            Says::Resolution => 2,
            Says::Denial => 4,
        }
    }
}

/// A text's reading: which lists it matched, and its line breaks (counted up to two).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reading {
    said: u8,
    newlines: u8,
}

impl Reading {
    /// Whether the text matched a phrase of `list`.
    pub fn says(self, list: Says) -> bool {
        self.said & list.bit() != 0
    }

    /// Whether it has the two line breaks below which a text cannot be a summary.
    pub fn is_multiline(self) -> bool {
        self.newlines >= 2
    }
}

/// One pattern of the automaton: its list, and whether its case must match.
struct Phrase {
    list: Says,
    exact_case: bool,
    text: &'static str,
}

struct Automaton {
    phrases: Vec<Phrase>,
    matcher: AhoCorasick,
}

static AUTOMATON: LazyLock<Automaton> = LazyLock::new(|| {
    let lists: [(Says, bool, &[&'static str]); 4] = [
        (Says::Escalation, false, &ESCALATION_PHRASES),
        (Says::Escalation, true, &ESCALATION_MENTIONS),
        (Says::Resolution, false, &RESOLUTION_PHRASES),
        (Says::Denial, false, &DENIAL_PHRASES),
    ];
    let phrases: Vec<Phrase> = lists
        .into_iter()
        .flat_map(|(list, exact_case, texts)| {
            texts.iter().map(move |&text| Phrase {
                list,
                exact_case,
                text,
            })
        })
        .collect();
    // Case-insensitive for all; exact-case phrases are checked at each match. Overlapping
    // matches, so that no phrase hides another that starts inside it.
    let matcher = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(phrases.iter().map(|p| p.text))
        .expect("the phrase lists build an automaton");
    Automaton { phrases, matcher }
});

/// The phrases that can flag an update (a denial alone flags nothing), every one in any
/// case, for a quick first look.
static FLAGGING: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let phrases = ESCALATION_PHRASES
        .iter()
        .chain(&ESCALATION_MENTIONS)
        .chain(&RESOLUTION_PHRASES);
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(phrases)
        .expect("the phrase lists build an automaton")
});

/// Whether an update with this text may get a flag or be a summary: it has two line
/// breaks, or a phrase of the escalation or resolution lists in any case. A quick look
/// that stops at the first phrase: it says yes to a few texts that [`read`] flags
/// nothing in (a mention in the wrong case), never no to one it flags.
pub fn may_flag(text: &str) -> bool {
    let lines = Reading {
        said: 0,
        newlines: newlines(text),
    };
    lines.is_multiline() || FLAGGING.is_match(text)
}

/// A text's line breaks, counted up to two (all [`Reading::is_multiline`] needs).
fn newlines(text: &str) -> u8 {
    memchr::memchr_iter(b'\n', text.as_bytes()).take(2).count() as u8
}

/// Reads `text` for every phrase list and counts its line breaks, in one pass each.
pub fn read(text: &str) -> Reading {
    let automaton = &*AUTOMATON;
    let all = Says::Escalation.bit() | Says::Resolution.bit() | Says::Denial.bit();
    let mut said = 0;
    for found in automaton.matcher.find_overlapping_iter(text) {
        let phrase = &automaton.phrases[found.pattern().as_usize()];
        if !phrase.exact_case || &text[found.range()] == phrase.text {
            said |= phrase.list.bit();
            if said == all {
                break;
            }
        }
    }
    Reading {
        said,
        newlines: newlines(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_match_in_any_case_mentions_exactly() {
        let r = read("ESCALATING to the DB team");
        assert!(r.says(Says::Escalation) && !r.says(Says::Resolution));
        assert!(read("ping <!here> please").says(Says::Escalation));
        assert!(!read("ping <!HERE> please").says(Says::Escalation));
        assert!(read("<!HERE> and <!channel>").says(Says::Escalation));
        // Typed out, as pasted from elsewhere: any case.
        assert!(read("heads up @Channel, db is down").says(Says::Escalation));
        assert!(read("@HERE too").says(Says::Escalation));
        let r = read("Not resolved yet");
        assert!(r.says(Says::Resolution) && r.says(Says::Denial));
        assert!(read("it's all CLEAR").says(Says::Resolution));
        assert_eq!(read("quiet"), Reading::default());
    }

    #[test]
    fn overlapping_phrases_are_all_found() {
        // "unresolved" (denial) contains "resolved" (resolution).
        let r = read("unresolved");
        assert!(r.says(Says::Denial) && r.says(Says::Resolution));
    }

    #[test]
    fn two_line_breaks_make_a_multiline_text() {
        assert!(!read("one\ntwo").is_multiline());
        assert!(read("one\ntwo\nthree\nfour").is_multiline());
    }

    #[test]
    fn only_escalations_resolutions_and_summaries_may_flag() {
        for text in [
            "escalating",
            "not RESOLVED",
            "a\nb\nc",
            "<!channel>",
            "<!CHANNEL>",
        ] {
            assert!(may_flag(text), "{text}");
        }
        for text in ["not now", "one\ntwo", "", "unsolved"] {
            assert!(!may_flag(text), "{text}");
        }
    }
}
