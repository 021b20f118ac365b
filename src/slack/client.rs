//! A careful Web API client: bearer token, cursor pagination, pacing per rate-limit
//! tier, `Retry-After` on 429, jittered backoff on transient failures, typed errors.

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::io::Read;
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
    /// Attempts for one call when the server fails transiently (5xx, resets, cut-off
    /// bodies).
    pub max_attempts: u32,
    /// Attempts of one call that may time out (no whole answer within `timeout`) before
    /// the server is given up as too slow: a server that trickles its answers would
    /// otherwise hold every call for `max_attempts` timeouts.
    pub max_stalls: u32,
    /// The first backoff; it doubles each attempt (with full jitter) up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// 429s one call may meet before the client gives up.
    pub max_rate_limited: u32,
    /// The longest one call may spend waiting on `Retry-After`s and backoffs: a server
    /// asking for 300 s thirty times must not hold a sync for hours.
    pub max_wait: Duration,
    /// Pages one listing may take; far more than any workspace needs, so that a server
    /// that sends cursors forever is stopped.
    pub max_pages: usize,
    /// The largest answer read, in bytes; a page of 1,000 messages is a few MB.
    pub max_answer_bytes: u64,
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
            max_stalls: 2,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_rate_limited: 30,
            max_wait: Duration::from_secs(600),
            max_pages: 10_000,
            max_answer_bytes: 64 << 20,
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
    /// The checked API root, without a trailing `/`.
    base: String,
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
    /// No whole answer within the timeout.
    Stalled,
}

/// The longest rate-limit "minute" and per-call timeout accepted: beyond an hour a value
/// is a mistake, and would hold a sync for as long.
pub const LONGEST_SETTING: Duration = Duration::from_secs(3600);

impl SlackClient {
    pub fn new(token: Token, options: ClientOptions) -> Result<Self, SlackError> {
        for (setting, value) in [
            ("rate-limit minute (--minute-ms)", options.minute),
            ("per-call timeout (--timeout-ms)", options.timeout),
        ] {
            if value > LONGEST_SETTING || value.is_zero() {
                return Err(SlackError::Setting {
                    setting,
                    millis: value.as_millis(),
                });
            }
        }
        let base = check_base_url(&options.base_url)
            .map_err(|e| e.map_text(|t| token.redact(t)))?
            .as_str()
            .trim_end_matches('/')
            .to_string();
        let mut http = reqwest::blocking::Client::builder();
        if base.starts_with("http:") {
            // Plain http is allowed only to this machine: a proxy from the environment
            // (`http_proxy`) would carry the token in clear to wherever it runs.
            http = http.no_proxy();
        }
        let http = http
            .timeout(options.timeout)
            .user_agent(concat!("incident-channels/", env!("CARGO_PKG_VERSION")))
            // Slack's API does not redirect; a server that does is reported, not followed
            // (following would drop the token at best and send the form elsewhere).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SlackError::Transport {
                method: "client",
                base: token.redact(&base),
                attempts: 0,
                message: token.redact(&e.without_url().to_string()),
            })?;
        Ok(SlackClient {
            http,
            base,
            token,
            options,
            next_slot: BTreeMap::new(),
            jitter: ChaCha8Rng::seed_from_u64(clock_seed()),
            stats: CallStats::default(),
        })
    }

    /// Calls `method` with form parameters and returns the JSON body of an `ok` answer,
    /// with the token scrubbed from it wherever the server put it.
    pub fn call(&mut self, method: Method, params: &[(&str, String)]) -> Result<Value, SlackError> {
        self.call_unredacted(method, params)
            .map_err(|e| self.redacted(e))
    }

    /// Every error the client hands out passes here: nothing token-shaped, and not the
    /// token itself, whatever a server echoed.
    fn redacted(&self, e: SlackError) -> SlackError {
        e.map_text(|t| self.token.redact(t))
    }

    fn call_unredacted(
        &mut self,
        method: Method,
        params: &[(&str, String)],
    ) -> Result<Value, SlackError> {
        let name = method.name();
        let mut failures = 0;
        let mut stalls = 0;
        let mut rate_limited = 0;
        let mut waited = Duration::ZERO;
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
                    self.within_patience(name, &mut waited, wait)?;
                    // Never sooner than asked; the whole tier waits, not just this call.
                    let until = Instant::now() + wait;
                    self.next_slot.insert(tier_key(method.tier()), until);
                    std::thread::sleep(wait);
                }
                Attempt::Stalled => {
                    stalls += 1;
                    if stalls >= self.options.max_stalls {
                        return Err(SlackError::TooSlow {
                            method: name,
                            base: self.base.clone(),
                            attempts: stalls,
                            timeout: self.options.timeout,
                        });
                    }
                    self.back_off(name, &mut waited, stalls)?;
                }
                Attempt::Transient(message) => {
                    failures += 1;
                    if failures >= self.options.max_attempts {
                        return Err(SlackError::Transport {
                            method: name,
                            base: self.base.clone(),
                            attempts: failures,
                            message,
                        });
                    }
                    self.back_off(name, &mut waited, failures)?;
                }
            }
        }
    }

    /// Waits the backoff before retry number `attempt` of a call, counted against the
    /// call's `max_wait` (an error instead when it would exceed it).
    fn back_off(
        &mut self,
        method: &'static str,
        waited: &mut Duration,
        attempt: u32,
    ) -> Result<(), SlackError> {
        let pause = self.backoff(attempt);
        self.within_patience(method, waited, pause)?;
        self.stats.retries += 1;
        std::thread::sleep(pause);
        Ok(())
    }

    /// Counts `pause` against the call's `max_wait`, or fails if it would exceed it.
    fn within_patience(
        &self,
        method: &'static str,
        waited: &mut Duration,
        pause: Duration,
    ) -> Result<(), SlackError> {
        if *waited + pause > self.options.max_wait {
            return Err(SlackError::WaitedTooLong {
                method,
                waited: *waited,
                asked: pause,
                limit: self.options.max_wait,
            });
        }
        *waited += pause;
        Ok(())
    }

    /// Calls a paginated method until `next_cursor` is empty, handing each page's
    /// `items_key` array to `page`. Pages may be short or empty with more to come: only
    /// the cursor says when it ends. A listing that would not end (more than
    /// `max_pages` pages, or a cursor sent twice) is an error.
    pub fn paginate(
        &mut self,
        method: Method,
        params: &[(&str, String)],
        items_key: &str,
        page: impl FnMut(Vec<Value>),
    ) -> Result<(), SlackError> {
        self.paginate_unredacted(method, params, items_key, page)
            .map_err(|e| self.redacted(e))
    }

    fn paginate_unredacted(
        &mut self,
        method: Method,
        params: &[(&str, String)],
        items_key: &str,
        mut page: impl FnMut(Vec<Value>),
    ) -> Result<(), SlackError> {
        let name = method.name();
        // Hashes, not the cursors: a hostile server's cursors may be long.
        let hasher = RandomState::new();
        let mut seen: HashSet<u64> = HashSet::new();
        let mut cursor = String::new();
        let mut pages = 0;
        loop {
            if pages >= self.options.max_pages {
                return Err(SlackError::TooManyPages {
                    method: name,
                    pages,
                });
            }
            let mut all = params.to_vec();
            all.push(("limit", method.max_page().to_string()));
            if !cursor.is_empty() {
                all.push(("cursor", cursor.clone()));
            }
            let (items, body) = self.call_with_list(method, &all, items_key)?;
            pages += 1;
            page(items);
            let next = body
                .pointer("/response_metadata/next_cursor")
                .and_then(Value::as_str)
                .unwrap_or("");
            if next.is_empty() {
                if body.get("has_more").and_then(Value::as_bool) == Some(true) {
                    return Err(malformed(
                        method,
                        "`has_more` is true but no cursor came with it".into(),
                    ));
                }
                return Ok(());
            }
            if next.len() > MAX_CURSOR {
                return Err(malformed(
                    method,
                    format!("a cursor of {} bytes came with page {pages}", next.len()),
                ));
            }
            if !seen.insert(hasher.hash_one(next)) {
                return Err(SlackError::RepeatedCursor {
                    method: name,
                    page: pages,
                });
            }
            cursor = next.to_string();
        }
    }

    /// One page: the call, retried with backoff while an `ok` answer lacks its
    /// `items_key` list (a server's hiccup that passes); then an error, so that a page cut
    /// short never passes for the end (sync prunes what a full read no longer returns).
    fn call_with_list(
        &mut self,
        method: Method,
        params: &[(&str, String)],
        items_key: &str,
    ) -> Result<(Vec<Value>, Value), SlackError> {
        let mut hollow = 0;
        let mut waited = Duration::ZERO;
        loop {
            let mut body = self.call_unredacted(method, params)?;
            if let Some(Value::Array(items)) = body.get_mut(items_key).map(Value::take) {
                return Ok((items, body));
            }
            hollow += 1;
            if hollow >= self.options.max_attempts {
                return Err(malformed(
                    method,
                    format!("{hollow} answers in a row had no `{items_key}` list"),
                ));
            }
            self.back_off(method.name(), &mut waited, hollow)?;
        }
    }

    fn attempt(
        &mut self,
        method: Method,
        params: &[(&str, String)],
    ) -> Result<Attempt, SlackError> {
        let name = method.name();
        let url = format!("{}/{name}", self.base);
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
        // The whole answer within the timeout: the HTTP client's own bounds each read, so
        // a server sending a byte at a time would never time out.
        let deadline = Instant::now() + self.options.timeout;
        let response = self
            .http
            .post(&url)
            .header(reqwest::header::AUTHORIZATION, auth)
            .form(params)
            .send();
        let response = match response {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Ok(Attempt::Stalled),
            Err(e) => return Ok(Attempt::Transient(describe(&e))),
        };
        let status = response.status();
        if status.is_redirection() {
            return Err(SlackError::Redirected {
                method: name,
                base: self.base.clone(),
                to: redirect_host(&response),
            });
        }
        if status.as_u16() == 429 {
            return Ok(Attempt::RateLimited(retry_after(&response)));
        }
        if status.is_server_error() {
            return Ok(Attempt::Transient(format!("HTTP {status}")));
        }
        if !status.is_success() {
            return Err(SlackError::Status {
                method: name,
                base: self.base.clone(),
                status: status.as_u16(),
            });
        }
        let limit = self.options.max_answer_bytes;
        let too_large = SlackError::TooLarge {
            method: name,
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large);
        }
        // Read at most one byte past the limit: a server that declares nothing, or lies,
        // cannot make the client hold more than that.
        let mut bytes = Vec::new();
        let mut body = response.take(limit.saturating_add(1));
        let mut chunk = vec![0u8; 64 << 10];
        loop {
            match body.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if timed_out(&e) => return Ok(Attempt::Stalled),
                Err(e) => return Ok(Attempt::Transient(format!("the answer was cut off: {e}"))),
            }
            if Instant::now() > deadline {
                return Ok(Attempt::Stalled);
            }
        }
        if bytes.len() as u64 > limit {
            return Err(too_large);
        }
        let mut body: Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => return Ok(Attempt::Transient(format!("unreadable answer ({e})"))),
        };
        drop(bytes);
        self.token.scrub(&mut body);
        if body.get("ok").and_then(Value::as_bool) == Some(true) {
            return Ok(Attempt::Done(body));
        }
        // A code is a short identifier; a server's essay is cut.
        let code: String = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("unknown_error")
            .chars()
            .take(MAX_CODE_CHARS)
            .collect();
        let code = code.as_str();
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

/// The API root from `SLACK_API_URL`, parsed and checked: https anywhere, plain http
/// only to this machine (an emulator), never a user name or password in it.
fn check_base_url(base: &str) -> Result<reqwest::Url, SlackError> {
    let invalid = |shown: String, reason: &str| SlackError::InvalidUrl {
        base: shown,
        reason: reason.to_string(),
    };
    let url = reqwest::Url::parse(base.trim()).map_err(|e| {
        // Unparsed, it may still hold a password: show only what follows the last `@`.
        let shown = base.rsplit('@').next().unwrap_or_default().to_string();
        invalid(
            shown,
            &format!("{e}; give the API root, such as {DEFAULT_API_URL}"),
        )
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(invalid(
            shown.to_string(),
            "it holds a user name or password (before `@`), which would be sent along; remove them",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            url.to_string(),
            "it has a query or fragment; give the API root alone",
        ));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(SlackError::InsecureUrl {
            base: url.to_string(),
        }),
        other => Err(invalid(
            url.to_string(),
            &format!("`{other}` is not https; give the API root, such as {DEFAULT_API_URL}"),
        )),
    }
}

/// A loopback IP literal or exactly `localhost`: not `127.0.0.1.evil.example`.
fn is_loopback(url: &reqwest::Url) -> bool {
    // The parser has already turned IP literals (`127.1`, `0x7f.0.0.1`) into canonical
    // form; an IPv6 literal keeps its brackets, which no domain can hold.
    let Some(host) = url.host_str() else {
        return false;
    };
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host == "localhost",
    }
}

/// Where a redirect points: the host alone (a path or query may carry anything).
fn redirect_host(response: &reqwest::blocking::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|to| response.url().join(to).ok())
        .and_then(|to| to.host_str().map(str::to_string))
        .unwrap_or_else(|| "an address it did not give".into())
}

/// An answer that cannot be trusted to be whole.
fn malformed(method: Method, what: String) -> SlackError {
    SlackError::Api {
        method: method.name(),
        code: "malformed_response".into(),
        hint: format!("{what}; stopped before writing anything from it, run sync again"),
    }
}

/// The longest cursor accepted; Slack's are well under 100 bytes.
const MAX_CURSOR: usize = 4096;

/// The longest error code shown; Slack's are short identifiers.
const MAX_CODE_CHARS: usize = 100;

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

/// Whether reading an answer's body failed because the client's timeout ran out.
fn timed_out(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return true;
    }
    let mut source = e
        .get_ref()
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    while let Some(s) = source {
        if s.downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        source = s.source();
    }
    false
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
            // Scopes are short names too: a server's essay is cut like a code.
            let needed: String = body
                .get("needed")
                .and_then(Value::as_str)
                .unwrap_or_else(|| method.scope(false))
                .chars()
                .take(MAX_CODE_CHARS)
                .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_servers_essay_in_needed_is_cut_like_a_code() {
        let body = serde_json::json!({"ok": false, "error": "missing_scope", "needed": "x".repeat(100_000)});
        let shown = hint(Method::ConversationsHistory, "missing_scope", &body);
        assert!(shown.contains(&"x".repeat(MAX_CODE_CHARS)), "{shown}");
        assert!(
            shown.len() < MAX_CODE_CHARS + 200,
            "{} characters",
            shown.len()
        );
    }

    fn refused(url: &str) -> String {
        match check_base_url(url) {
            Ok(u) => panic!("{url} was accepted as {u}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn plain_http_goes_only_to_loopback() {
        for good in [
            "https://slack.com/api",
            "HTTPS://Slack.COM/api/",
            "http://127.0.0.1:8080/api",
            "HTTP://127.0.0.1/api",
            "http://127.1.2.3/api",
            "http://[::1]:9/api",
            "http://localhost/api",
            "http://LOCALHOST:80/api",
        ] {
            assert!(check_base_url(good).is_ok(), "{good} refused");
        }
        for insecure in [
            "HTTP://host/api",
            "Http://slack.com/api",
            "http://127.0.0.1.evil.example/api",
            "http://localhost.evil.example/api",
            "http://localhost./api",
            "http://[::ffff:127.0.0.1]/api",
            "http://10.0.0.1/api",
        ] {
            let err = refused(insecure);
            assert!(err.contains("plain http"), "{insecure}: {err}");
        }
    }

    #[test]
    fn credentials_in_the_url_are_refused_and_not_shown() {
        for url in [
            "http://127.0.0.1@host/api",
            "http://[::1]@host/api",
            "http://user:hunter2@127.0.0.1/api",
            "https://user:hunter2@slack.com/api",
            "https://hunter2@slack.com/api",
        ] {
            let err = refused(url);
            assert!(!err.contains("hunter2"), "{err}");
            assert!(
                err.contains("user name or password") || err.contains("plain http"),
                "{url}: {err}"
            );
        }
        // Whatever the parser makes of it, `[::1]@host` never reaches `host` in clear.
        assert!(!refused("http://[::1]@host/api").is_empty());
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        for url in [
            "ftp://slack.com/api",
            "file:///etc/passwd",
            "slack.com/api",
            "",
            "https://slack.com/api?x=1",
            "https://slack.com/api#frag",
            "http://user:hunter2@exa mple/api",
        ] {
            let err = refused(url);
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
