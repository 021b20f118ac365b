//! The Web API methods the crate calls, their rate-limit tiers and page sizes.

use std::time::Duration;

/// Slack's rate-limit tiers: calls per minute a method allows per workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Tier2,
    Tier3,
    Tier4,
}

impl Tier {
    /// Calls per minute Slack documents for the tier.
    pub fn per_minute(self) -> u32 {
        match self {
            Tier::Tier2 => 20,
            Tier::Tier3 => 50,
            Tier::Tier4 => 100,
        }
    }

    /// The spacing between calls that stays within the tier, for a "minute" of `minute`.
    pub fn interval(self, minute: Duration) -> Duration {
        minute / self.per_minute()
    }
}

/// A Web API method used by the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    AuthTest,
    ConversationsList,
    ConversationsHistory,
    ConversationsReplies,
    UsersList,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::AuthTest,
        Method::ConversationsList,
        Method::ConversationsHistory,
        Method::ConversationsReplies,
        Method::UsersList,
    ];

    /// The method's name in the URL.
    pub fn name(self) -> &'static str {
        match self {
            Method::AuthTest => "auth.test",
            Method::ConversationsList => "conversations.list",
            Method::ConversationsHistory => "conversations.history",
            Method::ConversationsReplies => "conversations.replies",
            Method::UsersList => "users.list",
        }
    }

    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn tier(self) -> Tier {
        match self {
            Method::AuthTest => Tier::Tier4,
            Method::ConversationsList | Method::UsersList => Tier::Tier2,
            Method::ConversationsHistory | Method::ConversationsReplies => Tier::Tier3,
        }
    }

    /// The largest `limit` the method accepts.
    pub fn max_page(self) -> usize {
        match self {
            Method::ConversationsHistory => 999,
            _ => 1000,
        }
    }

    /// The scope a call needs, for hints on `missing_scope`.
    pub fn scope(self, private: bool) -> &'static str {
        match (self, private) {
            (Method::AuthTest, _) => "",
            (Method::ConversationsList, false) => "channels:read",
            (Method::ConversationsList, true) => "groups:read",
            (Method::ConversationsHistory | Method::ConversationsReplies, false) => {
                "channels:history"
            }
            (Method::ConversationsHistory | Method::ConversationsReplies, true) => "groups:history",
            (Method::UsersList, _) => "users:read",
        }
    }
}
