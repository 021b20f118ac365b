//! What the SOP asks people to write, read back from the channel: owners from the topic,
//! and the summary template (Environment, Component, Probable cause, Frequency/Duration,
//! Type, ETR, who, current and next action) in the spellings people really use.

use std::hash::{Hash, Hasher};

use foldhash::HashMap;

/// What the rules read of a member of the workspace: the rules do not depend on how
/// members are stored (the export's `User` is one).
pub trait Person {
    fn id(&self) -> &str;
    /// The user name (Slack's `name`), which mentions resolve to.
    fn user_name(&self) -> &str;
    fn real_name(&self) -> Option<&str>;
}

/// A field of the SOP summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Environment,
    Component,
    ProbableCause,
    Duration,
    Type,
    Etr,
    Who,
    CurrentAction,
    NextAction,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Environment,
        Field::Component,
        Field::ProbableCause,
        Field::Duration,
        Field::Type,
        Field::Etr,
        Field::Who,
        Field::CurrentAction,
        Field::NextAction,
    ];

    /// The column name in frames and reports.
    pub fn name(self) -> &'static str {
        match self {
            Field::Environment => "environment",
            Field::Component => "component",
            Field::ProbableCause => "probable_cause",
            Field::Duration => "duration",
            Field::Type => "type",
            Field::Etr => "etr",
            Field::Who => "who",
            Field::CurrentAction => "current_action",
            Field::NextAction => "next_action",
        }
    }

    /// Which field a key written by a person means: `Env`, `*Component responsible*`,
    /// `Frequency or duration`, `Estimated time to recovery`, `Who's fixing`…
    fn from_key(key: &str) -> Option<Field> {
        // Most keys are a few ASCII words: folded on the stack, as every line of every
        // candidate summary comes here. Others take the general path, same result.
        const SHORT: usize = 64;
        if key.is_ascii() && key.len() <= SHORT {
            let mut folded = [0u8; SHORT];
            let mut n = 0;
            for b in key.bytes() {
                if b.is_ascii_alphanumeric() || char::from(b).is_whitespace() {
                    folded[n] = b.to_ascii_lowercase();
                    n += 1;
                }
            }
            let k = std::str::from_utf8(&folded[..n]).ok()?;
            return Field::from_folded(k.trim());
        }
        let k: String = key
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        Field::from_folded(k.trim())
    }

    /// [`Field::from_key`] of a key already in lower case, with only letters, digits and
    /// spaces, trimmed.
    fn from_folded(k: &str) -> Option<Field> {
        // Keys are a few words: a plain scan beats building a searcher per `contains`.
        let has = |needle: &str| {
            let needle = needle.as_bytes();
            // The first byte first: most windows differ there, and need no comparison call.
            k.as_bytes()
                .windows(needle.len())
                .any(|w| w[0] == needle[0] && w == needle)
        };
        Some(if k.starts_with("env") {
            Field::Environment
        } else if has("component") {
            Field::Component
        } else if has("cause") {
            Field::ProbableCause
        } else if has("frequency") || has("duration") {
            Field::Duration
        } else if k == "type" || k.starts_with("type ") || k == "incident type" {
            Field::Type
        } else if k == "etr" || has("time to recover") || k.starts_with("eta") {
            Field::Etr
        } else if k.starts_with("who") {
            Field::Who
        } else if k.starts_with("current") {
            Field::CurrentAction
        } else if k.starts_with("next") {
            Field::NextAction
        } else {
            return None;
        })
    }
}

/// A summary: the fields found, each `None` when absent. `UNKNOWN` is kept as written
/// (normalised to upper case), so "said it is not known" differs from "did not say".
/// Values borrow from the message's text (or are the template's own words).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary<'a> {
    /// Indexed by [`Field`]: a fixed array, as every summary has the same nine fields.
    fields: [Option<&'a str>; Field::ALL.len()],
}

impl Summary<'_> {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.fields[field as usize]
    }

    /// How many fields the summary gives.
    pub fn given(&self) -> usize {
        self.fields.iter().flatten().count()
    }

    /// Fields the summary leaves out.
    pub fn missing(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| self.get(*f).is_none())
            .collect()
    }

    /// Fields given as UNKNOWN.
    pub fn unknown(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| self.get(*f) == Some("UNKNOWN"))
            .collect()
    }
}

/// Fewer recognised fields than this and a message is a chat line, not a summary.
const MIN_FIELDS: usize = 3;

/// Reads a message as an SOP summary, `None` when it is not one.
pub fn parse_summary(text: &str) -> Option<Summary<'_>> {
    let mut summary = Summary::default();
    for line in lines(text) {
        let Some((key, value)) = split_line(line) else {
            continue;
        };
        let Some(field) = Field::from_key(key) else {
            continue;
        };
        let value = value.trim().trim_matches(['*', '_']).trim();
        if value.is_empty() {
            continue;
        }
        // The first line that gives a field wins.
        let slot = &mut summary.fields[field as usize];
        if slot.is_none() {
            *slot = Some(normalise(field, value));
        }
    }
    (summary.given() >= MIN_FIELDS).then_some(summary)
}

/// The lines of `text`, as [`str::lines`] gives them (without `\n` or `\r\n`), found with
/// a fast byte search: every line of every candidate summary passes here.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text).filter(|t| !t.is_empty());
    std::iter::from_fn(move || {
        let t = rest?;
        // A `\r` goes only before a `\n`, as in `str::lines`.
        let (line, next) = match memchr::memchr(b'\n', t.as_bytes()) {
            Some(at) => {
                let line = &t[..at];
                let next = Some(&t[at + 1..]).filter(|r| !r.is_empty());
                (line.strip_suffix('\r').unwrap_or(line), next)
            }
            None => (t, None),
        };
        rest = next;
        Some(line)
    })
}

/// `• *Key:* value`, `3. Key - value`, `key: value` → (key, value).
fn split_line(line: &str) -> Option<(&str, &str)> {
    let line = line
        .trim()
        .trim_start_matches(['•', '-', '–', '>', ' '])
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(['.', ')', ' ']);
    let bytes = line.as_bytes();
    let colon = memchr::memchr(b':', bytes);
    // The first spaced dash of any kind, from the spaces before the colon (a dash after
    // it does not decide the split).
    let dash = memchr::memchr_iter(b' ', &bytes[..colon.unwrap_or(bytes.len())]).find_map(|i| {
        let rest = &bytes[i + 1..];
        ["- ", "– ", "— "]
            .iter()
            .find(|d| rest.starts_with(d.as_bytes()))
            .map(|d| (i, d.len() + 1))
    });
    let (at, len) = match (colon, dash) {
        (Some(c), Some((d, _))) if c < d => (c, 1),
        (_, Some(d)) => d,
        (Some(c), None) => (c, 1),
        (None, None) => return None,
    };
    let key = &line[..at];
    // A key is a few words; a long sentence with a colon is chat.
    if key.split_whitespace().count() > 6 {
        return None;
    }
    Some((key, &line[at + len..]))
}

fn normalise(field: Field, value: &str) -> &str {
    // Compared in lower case; an ASCII value without a copy.
    let lower = (!value.is_ascii()).then(|| value.to_lowercase());
    let is = |word: &str| match &lower {
        Some(lower) => lower == word,
        None => value.eq_ignore_ascii_case(word),
    };
    let starts = |prefix: &str| match &lower {
        Some(lower) => lower.starts_with(prefix),
        None => value
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
    };
    if is("unknown") || is("n/a") || is("?") || is("tbd") {
        return if field == Field::Type {
            "Unknown"
        } else {
            "UNKNOWN"
        };
    }
    match field {
        Field::Environment if starts("prod") => "Production",
        Field::Environment if starts("stag") => "Staging",
        Field::Type if starts("self") => "Self",
        Field::Type if starts("vendor") => "Vendor",
        Field::Type if starts("scale") => "Scale",
        Field::Type if starts("unknown") => "Unknown",
        _ => value,
    }
}

/// The owners a channel topic names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owners {
    pub sre: Option<String>,
    pub developer: Option<String>,
}

/// The workspace's people, indexed once for resolving the names in channel topics: by
/// id, and by user name or real name in any ASCII case (the first user listed wins a
/// name two people share). Lookups cost the same with 20 or 20,000 users.
#[derive(Debug, Default)]
pub struct People<'a> {
    by_id: UserNames<'a>,
    by_name: HashMap<AnyCase<'a>, &'a str>,
}

/// The workspace's user names by id: `users.json` may list someone twice, and the first
/// entry wins. What messages' authors and topics' mentions are resolved through. Each
/// name has a place in one list, so that a column of names can be a gather from it.
#[derive(Debug, Default)]
pub struct UserNames<'a> {
    names: Vec<&'a str>,
    place_of_id: HashMap<&'a str, u32>,
}

impl<'a> UserNames<'a> {
    pub fn new<P: Person>(users: &'a [P]) -> Self {
        let mut by_id = UserNames {
            names: Vec::with_capacity(users.len()),
            place_of_id: HashMap::with_capacity_and_hasher(users.len(), Default::default()),
        };
        for u in users {
            let place = by_id.names.len() as u32;
            by_id.place_of_id.entry(u.id()).or_insert_with(|| {
                by_id.names.push(u.user_name());
                place
            });
        }
        by_id
    }

    /// The user name of an id.
    pub fn get(&self, id: &str) -> Option<&'a str> {
        self.place(id).map(|at| self.names[at as usize])
    }

    /// Where an id's name is in [`UserNames::names`].
    pub fn place(&self, id: &str) -> Option<u32> {
        self.place_of_id.get(id).copied()
    }

    /// Every name, once per id that has it, in the order of the users.
    pub fn names(&self) -> &[&'a str] {
        &self.names
    }
}

/// A name that hashes and compares in any ASCII case, with no lowercase copy: indexing
/// 20,000 users then allocates nothing per name.
#[derive(Debug, Clone, Copy)]
struct AnyCase<'a>(&'a str);

impl Hash for AnyCase<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Lowercased a chunk at a time into the stack: one write per chunk hashes far
        // faster than one per byte, and the chunks depend only on the name's length.
        let mut lower = [0u8; 32];
        for chunk in self.0.as_bytes().chunks(lower.len()) {
            let lower = &mut lower[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            state.write(lower);
        }
        // Ends the name (no UTF-8 text holds this byte), as `str`'s own hash does.
        state.write_u8(0xff);
    }
}

impl PartialEq for AnyCase<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for AnyCase<'_> {}

impl<'a> People<'a> {
    pub fn new<P: Person>(users: &'a [P]) -> Self {
        let mut people = People {
            by_id: UserNames::new(users),
            by_name: HashMap::with_capacity_and_hasher(users.len() * 2, Default::default()),
        };
        for u in users {
            let names = std::iter::once(u.user_name()).chain(u.real_name());
            for name in names {
                people.by_name.entry(AnyCase(name)).or_insert(u.user_name());
            }
        }
        people
    }

    /// The user name of an id.
    fn name_of_id(&self, id: &str) -> Option<&'a str> {
        self.by_id.get(id)
    }

    /// The user names by id.
    pub fn names(&self) -> &UserNames<'a> {
        &self.by_id
    }

    /// The user name of someone written as a user name or real name, in any ASCII case.
    fn name_of(&self, written: &str) -> Option<&'a str> {
        self.by_name.get(&AnyCase(written)).copied()
    }
}

/// Reads `SRE: <@U1> | Dev: <@U2>`, `Owners: SRE @arjun, Dev @priya`,
/// `SRE owner: Arjun Mehra; Dev owner: Priya Nair` and the like, resolving mentions and
/// real names to user names.
pub fn parse_owners(topic: &str, people: &People) -> Owners {
    Owners {
        sre: owner_after(topic, &["sre"], people),
        developer: owner_after(
            topic,
            &["dev", "developer", "engineer", "product engineer"],
            people,
        ),
    }
}

/// How far past a role word its owner is looked for ("eloper owner: " and a name): no
/// Slack name is longer, and it keeps a long topic's cost in proportion to its length.
const OWNER_WITHIN_CHARS: usize = 160;

fn owner_after(topic: &str, roles: &[&str], people: &People) -> Option<String> {
    // ASCII lowering keeps byte offsets, so `lower` and `topic` slice alike.
    let lower = topic.to_ascii_lowercase();
    for role in roles {
        let mut from = 0;
        while let Some(i) = lower[from..].find(role) {
            let start = from + i;
            from = start + role.len();
            // The role must be a word of its own ("sre", not "measured").
            if start > 0 && lower.as_bytes()[start - 1].is_ascii_alphanumeric() {
                continue;
            }
            let after = &topic[from..];
            let after = after
                .char_indices()
                .nth(OWNER_WITHIN_CHARS)
                .map_or(after, |(end, _)| &after[..end]);
            let after = after.trim_start_matches(|c: char| c.is_alphabetic()); // "developer" / "dev"
            let after = after.trim_start();
            let after = after
                .strip_prefix("owner")
                .or_else(|| after.strip_prefix("Owner"))
                .unwrap_or(after);
            let after = after.trim_start_matches([':', '-', '–', ' ', '=']);
            if after.is_empty() {
                continue;
            }
            let name: &str = after
                .split(['|', ';', ',', '/', '\n'])
                .next()
                .unwrap_or("")
                .trim();
            if let Some(resolved) = resolve(name, people) {
                return Some(resolved);
            }
        }
    }
    None
}

/// `<@U123>`, `<@U123|arjun>`, `@arjun`, `Arjun Mehra` → the user's name.
fn resolve(name: &str, people: &People) -> Option<String> {
    if let Some(inner) = name.strip_prefix("<@") {
        let id = inner.split(['>', '|']).next()?;
        return Some(people.name_of_id(id).unwrap_or(id).to_string());
    }
    let plain = name.trim_start_matches('@').trim();
    if plain.is_empty() {
        return None;
    }
    match people.name_of(plain) {
        Some(user) => Some(user.to_string()),
        // A single word after a role is still a name, even for someone not in users.json.
        None if name.starts_with('@') || plain.split_whitespace().count() <= 2 => {
            Some(plain.split_whitespace().next()?.to_lowercase())
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A member as the tests write one: id, user name, real name.
    struct User(String, String, String);

    impl Person for User {
        fn id(&self) -> &str {
            &self.0
        }
        fn user_name(&self) -> &str {
            &self.1
        }
        fn real_name(&self) -> Option<&str> {
            Some(&self.2)
        }
    }

    fn user(id: &str, name: &str, real: &str) -> User {
        User(id.into(), name.into(), real.into())
    }

    fn users() -> Vec<User> {
        vec![
            user("U1", "arjun", "Arjun Mehra"),
            user("U2", "priya", "Priya Nair"),
        ]
    }

    #[test]
    fn summaries_in_every_spelling() {
        let spellings = [
            "*Issue summary*\n*Environment:* Production\n*Component:* Search\n*Probable cause:* UNKNOWN\n*Frequency/Duration:* 20 min\n*Type:* Vendor (AWS)\n*ETR:* 1 hour\n*Who:* <@U1>\n*Current action:* restart\n*Next action:* watch",
            "Summary of the issue:\n• Environment - Production\n• Component responsible - Search\n• Probable cause - unknown\n• Frequency or duration - 20 min\n• Type - Vendor (AWS)\n• Estimated time to recovery - 1 hour\n• Who is working on it - <@U1>\n• Current action step - restart\n• Next action step - watch",
            "summary\nenv: prod\ncomponent: Search\ncause: Unknown\nduration: 20 min\ntype: vendor\netr: 1 hour\nwho: <@U1>\ncurrent: restart\nnext: watch",
            "SUMMARY (as per SOP)\n1. Environment: Production\n2. Component: Search\n3. Probable Cause: UNKNOWN\n4. Duration: 20 min\n5. Type: Vendor\n6. ETR: 1 hour\n7. Who's fixing: <@U1>\n8. Current step: restart\n9. Next step: watch",
        ];
        for text in spellings {
            let s = parse_summary(text).unwrap_or_else(|| panic!("not read: {text}"));
            assert_eq!(s.get(Field::Environment), Some("Production"), "{text}");
            assert_eq!(s.get(Field::Component), Some("Search"), "{text}");
            assert_eq!(s.get(Field::ProbableCause), Some("UNKNOWN"), "{text}");
            assert_eq!(s.get(Field::Type), Some("Vendor"), "{text}");
            assert_eq!(s.get(Field::Etr), Some("1 hour"), "{text}");
            assert_eq!(s.get(Field::NextAction), Some("watch"), "{text}");
            assert!(s.missing().is_empty(), "{text}: {:?}", s.missing());
            assert_eq!(s.unknown(), vec![Field::ProbableCause]);
        }
    }

    #[test]
    fn keys_and_values_beyond_ascii_read_as_ascii_ones_do() {
        let long_key = format!("Next{}", "x".repeat(70));
        let text = format!(
            "Environnement — Prüfstand\nComponent ✱: Search — API\nCause: a - b\n\
             Type: SELF-inflicted\nWho: ÜNKNOWN\nETR: N/A\n{long_key}: watch"
        );
        let s = parse_summary(&text).expect("a summary");
        // An em dash splits; the colon comes first in the next two lines.
        assert_eq!(s.get(Field::Environment), Some("Prüfstand"));
        assert_eq!(s.get(Field::Component), Some("Search — API"));
        assert_eq!(s.get(Field::ProbableCause), Some("a - b"));
        assert_eq!(s.get(Field::Type), Some("Self"));
        // Lower-cased as text, not byte by byte: Ü is not U.
        assert_eq!(s.get(Field::Who), Some("ÜNKNOWN"));
        assert_eq!(s.get(Field::Etr), Some("UNKNOWN"));
        assert_eq!(s.get(Field::NextAction), Some("watch"));
        assert_eq!(s.given(), 7);
    }

    #[test]
    fn a_long_topic_is_read_in_one_pass_and_still_names_its_owners() {
        let users = users();
        let people = People::new(&users);
        // 2 MB of role words without a name after them: with each looked at only a name's
        // length ahead this takes milliseconds (read to the end each time, it took most of
        // an hour).
        let noise = "sre on call for the night and more ".repeat(60_000);
        let topic = format!("{noise}| SRE: @arjun | Dev: Priya Nair");
        let owners = parse_owners(&topic, &people);
        assert_eq!(owners.sre.as_deref(), Some("arjun"));
        assert_eq!(owners.developer.as_deref(), Some("priya"));
    }

    #[test]
    fn chat_is_not_a_summary() {
        assert_eq!(parse_summary("Looks stable for the last 10 minutes"), None);
        assert_eq!(parse_summary("Note: restarted\nAlso: deployed"), None);
        assert_eq!(
            parse_summary(
                "Escalating to <@U9> as per the escalation matrix: no progress in 30 minutes"
            ),
            None
        );
    }

    #[test]
    fn fields_index_a_summary_in_their_listed_order() {
        for (i, field) in Field::ALL.into_iter().enumerate() {
            assert_eq!(field as usize, i, "{field:?}");
        }
    }

    #[test]
    fn missing_fields_are_absent_not_unknown() {
        let s = parse_summary("Environment: Staging\nComponent: Queue\nType: self").unwrap();
        assert_eq!(s.get(Field::Type), Some("Self"));
        assert_eq!(s.get(Field::Etr), None);
        assert_eq!(s.missing().len(), 6);
        assert!(s.unknown().is_empty());
    }

    #[test]
    fn owners_in_every_spelling() {
        let users = users();
        let u = People::new(&users);
        let both = Owners {
            sre: Some("arjun".into()),
            developer: Some("priya".into()),
        };
        assert_eq!(parse_owners("DB down | SRE: <@U1> | Dev: <@U2>", &u), both);
        assert_eq!(
            parse_owners("DB down. Owners: SRE @arjun, Dev @priya", &u),
            both
        );
        assert_eq!(
            parse_owners(
                "DB down - SRE owner: Arjun Mehra; Dev owner: Priya Nair",
                &u
            ),
            both
        );
        assert_eq!(
            parse_owners("Queue backlog | SRE: <@U1>", &u),
            Owners {
                sre: Some("arjun".into()),
                developer: None
            }
        );
        assert_eq!(
            parse_owners("Measured latency is high", &u),
            Owners::default()
        );
        assert_eq!(parse_owners("", &u), Owners::default());
    }

    #[test]
    fn lines_split_as_str_lines_does() {
        for text in [
            "",
            "a",
            "a\n",
            "a\n\n",
            "\n",
            "a\r\nb",
            "a\rb\r",
            "\r\n\r\nx",
            "é\nü",
        ] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn names_match_in_any_ascii_case_and_the_first_listed_wins() {
        let mut users = users();
        users.push(user("U9", "arjun2", "Arjun Mehra"));
        users.push(user("U8", "zoë", "Zoë Ünal"));
        // Longer than one chunk of the hash.
        users.push(user(
            "U7",
            "kim",
            "Kim Maria Antonia de la Cruz y Villanueva",
        ));
        let people = People::new(&users);
        let long = "KIM MARIA ANTONIA DE LA CRUZ Y villanueva";
        assert_eq!(people.name_of(long), Some("kim"));
        assert_eq!(people.name_of(&long[..long.len() - 1]), None);
        assert_eq!(people.name_of("ARJUN mehra"), Some("arjun"));
        assert_eq!(people.name_of("Priya"), Some("priya"));
        assert_eq!(people.name_of("ZOË"), None, "only ASCII letters fold");
        assert_eq!(people.name_of("ZOë Ünal"), Some("zoë"));
        assert_eq!(people.name_of("zoë ünal"), None);
        assert_eq!(people.name_of("arju"), None);
        assert_eq!(people.name_of_id("U9"), Some("arjun2"));
    }
}
