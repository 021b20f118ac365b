//! The API token: read from `SLACK_TOKEN`, sent only in the `Authorization` header, and
//! never printed — its `Debug` and `Display` show a redacted form, and [`redact`] /
//! [`Token::redact`] take token-shaped text out of anything a server sent before it is
//! shown or written.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// A Slack token that cannot leak through formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

/// The environment variable the token is read from.
pub const TOKEN_VAR: &str = "SLACK_TOKEN";

/// What stands in for a secret in shown or written text.
pub const REDACTED: &str = "<redacted>";

/// Slack's token prefixes (bot, user, app-level, legacy, refresh…) and what follows them.
/// Matched anywhere, in any case: a hostile server may glue them to other text.
static TOKEN_SHAPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:xox[abposre]|xapp)-[A-Za-z0-9_\-]*").expect("a valid constant pattern")
});

/// `text` with anything shaped like a Slack token replaced by [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    TOKEN_SHAPED.replace_all(text, REDACTED)
}

impl Token {
    pub fn new(value: impl Into<String>) -> Self {
        Token(value.into().trim().to_string())
    }

    /// The token from `SLACK_TOKEN`, `None` when unset or empty.
    pub fn from_env() -> Option<Self> {
        std::env::var(TOKEN_VAR)
            .ok()
            .map(Token::new)
            .filter(|t| !t.0.is_empty())
    }

    /// The header value; the only way to see the secret.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// Whether `text` holds this token or anything token-shaped.
    pub fn appears_in(&self, text: &str) -> bool {
        (!self.0.is_empty() && text.contains(&self.0)) || TOKEN_SHAPED.is_match(text)
    }

    /// `text` without this token (whatever its shape) and without anything token-shaped.
    pub fn redact(&self, text: &str) -> String {
        let text = if self.0.is_empty() {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(text.replace(&self.0, REDACTED))
        };
        redact(&text).into_owned()
    }

    /// Replaces this token wherever it occurs in a server's answer, in strings and keys:
    /// a server that echoes the `Authorization` header must not get it onto disk.
    /// Other token-shaped text is data (someone pasted a token into a channel) and stays.
    pub fn scrub(&self, value: &mut Value) {
        if self.0.is_empty() {
            return;
        }
        match value {
            Value::String(s) if s.contains(&self.0) => *s = s.replace(&self.0, REDACTED),
            Value::Array(items) => items.iter_mut().for_each(|v| self.scrub(v)),
            Value::Object(map) => {
                if map.keys().any(|k| k.contains(&self.0)) {
                    *map = std::mem::take(map)
                        .into_iter()
                        .map(|(k, v)| (k.replace(&self.0, REDACTED), v))
                        .collect();
                }
                map.values_mut().for_each(|v| self.scrub(v));
            }
            _ => {}
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted token>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_secret() {
        let t = Token::new("xoxb-123-secret");
        assert!(!format!("{t:?} {t} {:#?}", t).contains("secret"));
        assert_eq!(t.bearer(), "Bearer xoxb-123-secret");
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

    #[test]
    fn the_token_itself_is_redacted_whatever_its_shape() {
        let t = Token::new("plain-secret-42");
        assert_eq!(
            t.redact("Bearer plain-secret-42 / xoxb-7"),
            "Bearer <redacted> / <redacted>"
        );
        assert!(t.appears_in("xplain-secret-42x") && t.appears_in("xapp-1"));
        assert!(!t.appears_in("issue-db-2303"));
        let mut v = serde_json::json!({
            "a": ["Bearer plain-secret-42"], "plain-secret-42": {"b": "plain-secret-42!"},
            "other": "xoxb-someone-elses", "n": 1
        });
        t.scrub(&mut v);
        assert_eq!(
            v,
            serde_json::json!({
                "a": ["Bearer <redacted>"], "<redacted>": {"b": "<redacted>!"},
                "other": "xoxb-someone-elses", "n": 1
            })
        );
    }
}
