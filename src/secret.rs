//! What a Slack secret looks like: the one pattern used to refuse (a notebook to
//! publish) and to redact (an error or log line).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Slack tokens (`xoxb-`, `xoxp-`, `xoxa-`, `xoxo-`, `xoxr-`, `xoxs-`, `xoxe-`, `xoxc-`,
/// `xapp-`) followed by at least six token characters, and incoming-webhook URLs (their
/// path is the secret). Group 1 is the part that may be shown.
static SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"((?:xox[abceoprs]|xapp)-)[A-Za-z0-9-]{6,}|(https://hooks\.slack\.com/)[A-Za-z0-9/_-]{8,}",
    )
    // A constant pattern, compiled by every test run.
    .expect("the secret pattern compiles")
});

/// The first thing in `text` shaped like a Slack secret, as a glimpse that never shows
/// the secret part (`xoxb-…`).
pub fn token_like(text: &str) -> Option<String> {
    let found = SECRET.captures(text)?;
    let prefix = found.get(1).or_else(|| found.get(2))?.as_str();
    Some(format!("{prefix}…"))
}

/// What stands in for a secret in shown or written text.
pub const REDACTED: &str = "<redacted>";

/// For redaction, looser than [`SECRET`]: any case, any length from one character on,
/// glued to anything (a prefix alone, as in "bot tokens start with xoxb-", is no secret). A
/// hostile server may echo a token inside other text, and a false positive in an error
/// line costs nothing (refusing a notebook uses the strict pattern).
static TOKEN_SHAPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:xox[abceoprs]|xapp)-[A-Za-z0-9_\-]+|https://hooks\.slack\.com/[A-Za-z0-9/_-]+",
    )
    // A constant pattern, compiled by every test run.
    .expect("a valid constant pattern")
});

/// `text` with anything shaped like a Slack secret replaced by [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    TOKEN_SHAPED.replace_all(text, REDACTED)
}

/// Whether `text` holds anything shaped like a Slack secret (the loose pattern).
pub fn token_shaped(text: &str) -> bool {
    TOKEN_SHAPED.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_token_shapes_without_showing_them() {
        assert_eq!(
            token_like("let t = \"xoxb-1234-abcdef\";").as_deref(),
            Some("xoxb-…")
        );
        assert_eq!(token_like("xoxp-99887766"), Some("xoxp-…".into()));
        assert_eq!(token_like("xoxo-123456789"), Some("xoxo-…".into()));
        assert_eq!(token_like("xapp-1-A0123-4567"), Some("xapp-…".into()));
        assert_eq!(
            token_like("https://hooks.slack.com/services/T000/B000/XXXXXXXX"),
            Some("https://hooks.slack.com/…".into())
        );
        assert_eq!(token_like("xoxb-12"), None);
        assert_eq!(token_like("xoxz-123456789"), None);
        assert_eq!(token_like("no token here"), None);
    }

    #[test]
    fn redacts_every_secret() {
        assert_eq!(
            redact("Authorization: Bearer xoxb-1234-abcdef, again xoxp-99887766"),
            "Authorization: Bearer <redacted>, again <redacted>"
        );
        assert_eq!(
            redact("hook https://hooks.slack.com/services/T0/B0/XYZ ok"),
            "hook <redacted> ok"
        );
        assert_eq!(redact("nothing"), "nothing");
    }

    #[test]
    fn token_shaped_text_is_redacted_in_any_case_and_position() {
        for (text, shown) in [
            ("Bearer xoxb-1-2-abc", "Bearer <redacted>"),
            ("echo:xoxp-9-AbC_d.", "echo:<redacted>."),
            (
                "XOXA-2-x and xoxs-3 and xoxo-4",
                "<redacted> and <redacted> and <redacted>",
            ),
            (
                "xoxr-1 xoxe.xoxp-1-z xapp-1-A-2",
                "<redacted> xoxe.<redacted> <redacted>",
            ),
            (
                "no token here: xoxz-1, xox-1",
                "no token here: xoxz-1, xox-1",
            ),
        ] {
            assert_eq!(redact(text), shown, "{text}");
        }
    }
}
