//! A careful Web API client: bearer token, cursor pagination, pacing per rate-limit
//! tier, `Retry-After` on 429, jittered backoff on transient failures, typed errors.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::Value;

use super::api::{Method, Tier};
use super::token::Token;
pub use crate::error::SlackError;

/// Slack's own API root.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";
/// The environment variable that points the client at another server (an emulator).
pub const API_URL_VAR: &str = "SLACK_API_URL";

/// How the client talks to the server.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// API root, `SLACK_API_URL` or Slack's.
    pub base_url: String,
    /// Pace calls to each method's tier (Slack asks clients to).
    pub pace: bool,
    /// The length of a rate-limit "minute": 60 s on Slack; an emulator may run faster.
    pub minute: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Attempts for one call when the server fails transiently (5xx, resets, timeouts,
    /// cut-off bodies).
    pub max_attempts: u32,
    /// The first backoff; it doubles each attempt (with full jitter) up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// 429s one call may meet before the client gives up.
    pub max_rate_limited: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            base_url: std::env::var(API_URL_VAR)
                .ok()
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_API_URL.to_string()),
            pace: true,
            minute: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            max_attempts: 6,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_rate_limited: 30,
        }
    }
}

/// What the client did: calls per method, 429s met, retries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CallStats {
    pub calls: BTreeMap<&'static str, u64>,
    pub rate_limited: u64,
    pub retries: u64,
}

impl CallStats {
    pub fn total(&self) -> u64 {
        self.calls.values().sum()
    }
}

/// A client for one token and one server.
pub struct SlackClient {
    http: reqwest::blocking::Client,
    token: Token,
    options: ClientOptions,
    next_slot: BTreeMap<TierKey, Instant>,
    jitter: ChaCha8Rng,
    pub stats: CallStats,
}

type TierKey = u32;

fn tier_key(tier: Tier) -> TierKey {
    tier.per_minute()
}

/// One attempt's outcome.
enum Attempt {
    Done(Value),
    RateLimited(Duration),
    Transient(String),
}

impl SlackClient {
    pub fn new(token: Token, options: ClientOptions) -> Result<Self, SlackError> {
        if !secure_enough(&options.base_url) {
            return Err(SlackError::InsecureUrl {
                base: options.base_url.clone(),
            });
        }
        let http = reqwest::blocking::Client::builder()
            .timeout(options.timeout)
            .user_agent(concat!("incident-channels/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SlackError::Transport {
                method: "client",
                base: options.base_url.clone(),
                attempts: 0,
                message: e.without_url().to_string(),
            })?;
        Ok(SlackClient {
            http,
            token,
            options,
            next_slot: BTreeMap::new(),
            jitter: ChaCha8Rng::seed_from_u64(clock_seed()),
            stats: CallStats::default(),
        })
    }

    /// Calls `method` with form parameters and returns the JSON body of an `ok` answer.
    pub fn call(&mut self, method: Method, params: &[(&str, String)]) -> Result<Value, SlackError> {
        let name = method.name();
        let mut failures = 0;
        let mut rate_limited = 0;
        loop {
            self.wait_for_slot(method.tier());
            *self.stats.calls.entry(name).or_default() += 1;
            match self.attempt(method, params)? {
                Attempt::Done(body) => return Ok(body),
                Attempt::RateLimited(wait) => {
                    self.stats.rate_limited += 1;
                    rate_limited += 1;
                    if rate_limited >= self.options.max_rate_limited {
                        return Err(SlackError::RateLimited {
                            method: name,
                            attempts: rate_limited,
                        });
                    }
                    // Never sooner than asked; the whole tier waits, not just this call.
                    let until = Instant::now() + wait;
                    self.next_slot.insert(tier_key(method.tier()), until);
                    std::thread::sleep(wait);
                }
                Attempt::Transient(message) => {
                    failures += 1;
                    if failures >= self.options.max_attempts {
                        return Err(SlackError::Transport {
                            method: name,
                            base: self.options.base_url.clone(),
                            attempts: failures,
                            message,
                        });
                    }
                    self.stats.retries += 1;
                    std::thread::sleep(self.backoff(failures));
                }
            }
        }
    }

    /// Calls a paginated method until `next_cursor` is empty, handing each page's
    /// `items_key` array to `page`. Pages may be short or empty with more to come: only
    /// the cursor says when it ends.
    pub fn paginate(
        &mut self,
        method: Method,
        params: &[(&str, String)],
        items_key: &str,
        mut page: impl FnMut(Vec<Value>),
    ) -> Result<(), SlackError> {
        let mut cursor = String::new();
        loop {
            let mut all = params.to_vec();
            all.push(("limit", method.max_page().to_string()));
            if !cursor.is_empty() {
                all.push(("cursor", cursor.clone()));
            }
            let mut body = self.call(method, &all)?;
            // A page cut short must not pass for the end: sync prunes what a full read
            // no longer returns.
            let malformed = |what: String| SlackError::Api {
                method: method.name(),
                code: "malformed_response".into(),
                hint: format!("{what}; stopped before writing anything from it, run sync again"),
            };
            let items = match body.get_mut(items_key).map(Value::take) {
                Some(Value::Array(items)) => items,
                _ => return Err(malformed(format!("the answer has no `{items_key}` list"))),
            };
            page(items);
            let next = body
                .pointer("/response_metadata/next_cursor")
                .and_then(Value::as_str)
                .unwrap_or("");
            if next.is_empty() {
                if body.get("has_more").and_then(Value::as_bool) == Some(true) {
                    return Err(malformed(
                        "`has_more` is true but no cursor came with it".into(),
                    ));
                }
                return Ok(());
            }
            if next == cursor {
                return Err(SlackError::Api {
                    method: method.name(),
                    code: "invalid_cursor".into(),
                    hint: "the server returned the same cursor twice; run sync again".into(),
                });
            }
            cursor = next.to_string();
        }
    }

    fn attempt(
        &mut self,
        method: Method,
        params: &[(&str, String)],
    ) -> Result<Attempt, SlackError> {
        let name = method.name();
        let url = format!("{}/{name}", self.options.base_url.trim_end_matches('/'));
        let mut auth = match reqwest::header::HeaderValue::from_str(&self.token.bearer()) {
            Ok(v) => v,
            Err(_) => {
                return Err(SlackError::Api {
                    method: name,
                    code: "invalid_auth".into(),
                    hint: "SLACK_TOKEN holds characters a token cannot have".into(),
                })
            }
        };
        auth.set_sensitive(true);
        let response = self
            .http
            .post(&url)
            .header(reqwest::header::AUTHORIZATION, auth)
            .form(params)
            .send();
        let response = match response {
            Ok(r) => r,
            Err(e) => return Ok(Attempt::Transient(describe(&e))),
        };
        let status = response.status();
        if status.as_u16() == 429 {
            return Ok(Attempt::RateLimited(retry_after(&response)));
        }
        if status.is_server_error() {
            return Ok(Attempt::Transient(format!("HTTP {status}")));
        }
        if !status.is_success() {
            return Err(SlackError::Status {
                method: name,
                base: self.options.base_url.clone(),
                status: status.as_u16(),
            });
        }
        let bytes = match response.bytes() {
            Ok(b) => b,
            Err(e) => return Ok(Attempt::Transient(describe(&e))),
        };
        let body: Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => return Ok(Attempt::Transient(format!("unreadable answer ({e})"))),
        };
        if body.get("ok").and_then(Value::as_bool) == Some(true) {
            return Ok(Attempt::Done(body));
        }
        let code = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("unknown_error");
        match code {
            "ratelimited" => Ok(Attempt::RateLimited(Duration::from_secs(1))),
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                Ok(Attempt::Transient(format!("Slack answered `{code}`")))
            }
            _ => Err(SlackError::Api {
                method: name,
                code: code.to_string(),
                hint: hint(method, code, &body),
            }),
        }
    }

    /// Sleeps until the tier has room for one more call.
    fn wait_for_slot(&mut self, tier: Tier) {
        if !self.options.pace {
            return;
        }
        let now = Instant::now();
        let slot = self.next_slot.get(&tier_key(tier)).copied().unwrap_or(now);
        if slot > now {
            std::thread::sleep(slot - now);
        }
        let next = slot.max(now) + tier.interval(self.options.minute);
        self.next_slot.insert(tier_key(tier), next);
    }

    fn backoff(&mut self, failures: u32) -> Duration {
        let ceiling = self
            .options
            .backoff
            .saturating_mul(1 << failures.min(16))
            .min(self.options.max_backoff);
        // Full jitter: anywhere up to the ceiling, but not less than the first step.
        let ms = self.jitter.random_range(
            self.options.backoff.as_millis()
                ..=ceiling.as_millis().max(self.options.backoff.as_millis()),
        );
        Duration::from_millis(ms as u64)
    }
}

/// https anywhere; plain http only to this machine (an emulator).
fn secure_enough(base: &str) -> bool {
    let Some(rest) = base.strip_prefix("http://") else {
        return true;
    };
    let host = rest.split(['/', ':']).next().unwrap_or("");
    host == "localhost" || host.starts_with("127.") || rest.starts_with("[::1]")
}

/// A seed for backoff jitter, different for each client so that clients spread out.
fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The longest `Retry-After` honoured, in seconds.
const MAX_RETRY_AFTER: f64 = 300.0;

/// `Retry-After` in seconds (whole or fractional); 1 s when missing or unreadable.
fn retry_after(response: &reqwest::blocking::Response) -> Duration {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        // A server asking for more than five minutes is not waited on blindly.
        .map_or(Duration::from_secs(1), |s| {
            Duration::from_secs_f64(s.min(MAX_RETRY_AFTER))
        })
}

/// A transport error without its URL (which never holds the token, but may hold
/// credentials a user put in SLACK_API_URL).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "the connection failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

/// What to do about an `ok:false` answer.
fn hint(method: Method, code: &str, body: &Value) -> String {
    match code {
        "not_authed" => "no token reached Slack: set SLACK_TOKEN".into(),
        "invalid_auth" => "the token was rejected: check SLACK_TOKEN (bot tokens start with xoxb-, user tokens with xoxp-)".into(),
        "token_revoked" | "token_expired" | "account_inactive" => {
            "the token is no longer valid: create a new one and set SLACK_TOKEN".into()
        }
        "missing_scope" => {
            let needed = body
                .get("needed")
                .and_then(Value::as_str)
                .unwrap_or_else(|| method.scope(false));
            format!("the token lacks the `{needed}` scope: add it to the Slack app, reinstall the app, and use the new token")
        }
        "channel_not_found" => {
            "the channel is gone or the token cannot see it (invite the app to private channels)".into()
        }
        "not_in_channel" => "invite the app to the channel (/invite @your-app)".into(),
        "invalid_cursor" => "the pagination cursor was rejected; run sync again".into(),
        _ => format!("see Slack's documentation of {}", method.name()),
    }
}
