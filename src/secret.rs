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

/// `text` with every Slack-secret-shaped run replaced by its prefix and `[redacted]`.
pub fn redact(text: &str) -> Cow<'_, str> {
    SECRET.replace_all(text, |c: &regex::Captures| {
        let prefix = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        format!("{prefix}[redacted]")
    })
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
            "Authorization: Bearer xoxb-[redacted], again xoxp-[redacted]"
        );
        assert_eq!(redact("nothing"), "nothing");
    }
}
