//! The API token: read from `SLACK_TOKEN`, sent only in the `Authorization` header, and
//! never printed — its `Debug` and `Display` show a redacted form.

use std::fmt;

/// A Slack token that cannot leak through formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

/// The environment variable the token is read from.
pub const TOKEN_VAR: &str = "SLACK_TOKEN";

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
}
