//! The API token: read from `SLACK_TOKEN`, sent only in the `Authorization` header, and
//! never printed — its `Debug` and `Display` show a redacted form, and [`redact`] /
//! [`Token::redact`] take token-shaped text out of anything a server sent before it is
//! shown or written.

use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// A Slack token that cannot leak through formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

/// The environment variable the token is read from.
pub const TOKEN_VAR: &str = "SLACK_TOKEN";

pub use crate::secret::{redact, REDACTED};

impl Token {
    pub fn new(value: impl Into<String>) -> Self {
        Token(value.into().trim().to_string())
    }

    /// The token from `SLACK_TOKEN`, `None` when unset or empty.
    fn from_env() -> Option<Self> {
        std::env::var(TOKEN_VAR)
            .ok()
            .map(Token::new)
            .filter(|t| !t.0.is_empty())
    }

    /// The token in `SLACK_TOKEN`, or an error saying how to get one.
    pub fn required_from_env() -> Result<Self, crate::error::SlackError> {
        Token::from_env().ok_or(crate::error::SlackError::NoToken)
    }

    /// The header value; the only way to see the secret.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// Whether `text` holds this token or anything token-shaped.
    pub fn appears_in(&self, text: &str) -> bool {
        (!self.0.is_empty() && text.contains(&self.0)) || crate::secret::token_shaped(text)
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
