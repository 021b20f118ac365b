//! A Slack Web API emulator: a real HTTP server on loopback that serves an export folder
//! the way Slack serves a workspace — cursor pagination with short and empty pages,
//! histories newest first with `oldest`/`latest`/`inclusive`/`has_more`, rate-limit
//! tiers answered with 429 and `Retry-After`, `ok:false` errors — and that injects the
//! faults a careful client must survive: 5xx, dropped connections, cut-off bodies, slow
//! answers — and, for hostile-server tests, misbehaviour a careful client must not trust:
//! echoing the token back, endless or looping pagination, huge answers, redirects,
//! Retry-After storms, channels with hostile names or ids. It counts calls per method;
//! `/_emulator/stats` shows them and `/_emulator/faults` switches faults while it runs.

mod http;

use std::collections::{BTreeMap, HashMap};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::api::Method;
use crate::error::{Error, Result};
use crate::export::model::is_thread_reply;
use crate::export::source::ExportSource;
use crate::time::{safe_folder_name, ts_key, TsKey};

/// The token the emulator accepts unless told otherwise. Not a secret.
pub const DEFAULT_TOKEN: &str = "emulator-token";

/// Which faults to inject: each fires on every Nth API request (0: never). The same
/// fields are `incident-channels emulate`'s flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, clap::Args)]
#[serde(default)]
pub struct Faults {
    /// Answer every Nth call with HTTP 500/503.
    #[arg(long = "fail-every", value_name = "N", default_value_t = 0)]
    pub server_error_every: u64,
    /// Drop the connection on every Nth call.
    #[arg(long, default_value_t = 0)]
    pub drop_every: u64,
    /// Cut off the body of every Nth answer.
    #[arg(long, default_value_t = 0)]
    pub truncate_every: u64,
    /// Answer every Nth call with `ok:true` but without its list (`channels`, `messages`…).
    #[arg(long, default_value_t = 0)]
    pub hollow_every: u64,
    /// Delay every Nth answer by --slow-ms.
    #[arg(long, default_value_t = 0)]
    pub slow_every: u64,
    #[arg(long, default_value_t = 0)]
    pub slow_ms: u64,
    /// Hostile: send every answer's body one byte at a time, this many ms apart (0: off).
    #[arg(long, default_value_t = 0)]
    pub trickle_ms: u64,
    /// Hostile: echo the request's `Authorization` header back, in this place.
    #[arg(long, value_enum)]
    pub echo_auth: Option<Echo>,
    /// Hostile: list methods answer empty pages, each with a new cursor, forever.
    #[arg(long)]
    pub endless_pages: bool,
    /// Hostile: list methods answer their first page again and again, always with the
    /// same cursor.
    #[arg(long)]
    pub repeat_cursor: bool,
    /// Hostile: every answer padded to at least this many bytes (0: off).
    #[arg(long, default_value_t = 0)]
    pub huge_answer_bytes: u64,
    /// Hostile: every API call answered with a `307` to this URL.
    #[arg(long)]
    pub redirect_to: Option<String>,
    /// Hostile: every API call answered with HTTP 429 and this `Retry-After`, in seconds.
    #[arg(long)]
    pub always_rate_limited: Option<u64>,
    /// Channels added to the first page of `conversations.list` as they are (hostile
    /// names and ids); they have no history. (Tests only.)
    #[arg(skip)]
    pub extra_channels: Vec<Value>,
}

/// Where a hostile server puts the `Authorization` header it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Echo {
    /// `{"ok":false,"error":"<header>"}`.
    Error,
    /// A `200` whose body is not JSON but the header.
    Body,
    /// An HTTP 400 whose body is the header.
    Status,
    /// `missing_scope` with the header as the scope `needed`.
    Scope,
    /// A normal answer with the header in an `x-echo` response header.
    Header,
    /// Normal answers with the header in every listed object, and as the first channel's
    /// name.
    Data,
}

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    pub token: String,
    /// Scopes the token has; `None`: all it needs.
    pub scopes: Option<Vec<String>>,
    /// Enforce each method's tier per `minute`.
    pub rate_limits: bool,
    pub minute: Duration,
    /// A stricter limit for every method than its tier, in calls per `minute`: a way to
    /// provoke 429 storms.
    pub limit_per_minute: Option<u32>,
    /// Short and empty pages now and then, as Slack sends.
    pub quirks: bool,
    pub faults: Faults,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            token: DEFAULT_TOKEN.into(),
            scopes: None,
            rate_limits: true,
            minute: Duration::from_secs(60),
            limit_per_minute: None,
            quirks: true,
            faults: Faults::default(),
        }
    }
}

/// What the emulator saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmulatorStats {
    /// Answered calls per method (429s and injected faults included).
    pub calls: BTreeMap<String, u64>,
    pub rate_limited: u64,
    pub faults_injected: u64,
    /// Requests that carried a token anywhere but the Authorization header.
    pub token_outside_header: u64,
}

/// The workspace being served.
struct Data {
    channels: Vec<Value>,
    users: Vec<Value>,
    /// Per channel id: messages oldest first, with their sort key.
    histories: HashMap<String, Vec<(TsKey, Value)>>,
}

struct Shared {
    data: Data,
    options: Mutex<EmulatorOptions>,
    stats: Mutex<EmulatorStats>,
    windows: Mutex<HashMap<Method, (Instant, u32)>>,
    requests: AtomicU64,
    stop: AtomicBool,
}

/// A running emulator; it stops when dropped.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// Serves the export at `dir` on `127.0.0.1:port` (0: any free port).
    pub fn start(dir: impl AsRef<Path>, port: u16, options: EmulatorOptions) -> Result<Emulator> {
        let data = read_data(dir.as_ref())?;
        let listener = TcpListener::bind(("127.0.0.1", port))
            .map_err(|source| Error::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io(dir.as_ref(), e))?;
        let shared = Arc::new(Shared {
            data,
            options: Mutex::new(options),
            stats: Mutex::new(EmulatorStats::default()),
            windows: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let serving = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if serving.stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let s = Arc::clone(&serving);
                    std::thread::spawn(move || serve_connection(stream, &s));
                }
            }
        });
        Ok(Emulator {
            addr,
            shared,
            thread: Some(thread),
        })
    }

    /// The API root to put in `SLACK_API_URL`.
    pub fn url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn stats(&self) -> EmulatorStats {
        self.shared.stats.lock().expect("stats lock").clone()
    }

    pub fn reset_stats(&self) {
        *self.shared.stats.lock().expect("stats lock") = EmulatorStats::default();
    }

    pub fn set_scopes(&self, scopes: Option<Vec<String>>) {
        self.shared.options.lock().expect("options lock").scopes = scopes;
    }

    /// Blocks until the process ends (for the command line).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_data(dir: &Path) -> Result<Data> {
    let mut source = ExportSource::open(dir)?;
    let mut buf = Vec::new();
    let mut read_list = |rel: &str| -> Result<Vec<Value>> {
        Ok(source.read_json(rel, &mut buf)?.unwrap_or_default())
    };
    let channels = read_list("channels.json")?;
    let users = read_list("users.json")?;
    let mut histories = HashMap::new();
    for channel in &channels {
        let (Some(id), Some(name)) = (channel["id"].as_str(), channel["name"].as_str()) else {
            continue;
        };
        // The emulator reads only below its folder, whatever channels.json says.
        if !safe_folder_name(name) {
            continue;
        }
        let mut messages = Vec::new();
        for day in source.day_files(name)? {
            let rel = format!("{name}/{day}");
            let day: Vec<Value> = source.read_json(&rel, &mut buf)?.unwrap_or_default();
            for m in day {
                let key = m["ts"]
                    .as_str()
                    .and_then(ts_key)
                    .ok_or_else(|| Error::Field {
                        path: source.display_path(&rel),
                        field: "ts".into(),
                        message: "missing or not a Slack timestamp".into(),
                    })?;
                messages.push((key, m));
            }
        }
        messages.sort_by_key(|(k, _)| *k);
        histories.insert(id.to_string(), messages);
    }
    Ok(Data {
        channels,
        users,
        histories,
    })
}

fn serve_connection(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    while let Ok(Some(request)) = http::read_request(&mut stream, &mut buf) {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let close = request.close;
        match answer(&request, shared) {
            Reply::Drop => return,
            Reply::Send {
                status,
                headers,
                body,
                cut,
            } => {
                let bytes = match body {
                    Body::Json(value) => serde_json::to_vec(&value).unwrap_or_default(),
                    Body::Raw(bytes) => bytes,
                };
                let trickle = match shared
                    .options
                    .lock()
                    .expect("options lock")
                    .faults
                    .trickle_ms
                {
                    0 => None,
                    ms => Some(Duration::from_millis(ms)),
                };
                if http::write_response(&mut stream, status, &headers, &bytes, cut, trickle)
                    .is_err()
                    || cut
                    || close
                {
                    return;
                }
            }
        }
    }
}

enum Reply {
    Send {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Body,
        cut: bool,
    },
    Drop,
}

enum Body {
    Json(Value),
    /// Not JSON at all.
    Raw(Vec<u8>),
}

fn ok(body: Value) -> Reply {
    send(200, vec![], body)
}

fn send(status: u16, headers: Vec<(&'static str, String)>, body: Value) -> Reply {
    Reply::Send {
        status,
        headers,
        body: Body::Json(body),
        cut: false,
    }
}

fn slack_error(code: &str) -> Reply {
    ok(json!({"ok": false, "error": code}))
}

fn answer(request: &Request, shared: &Shared) -> Reply {
    match request.path.as_str() {
        "/_emulator/stats" => return ok(json!(shared.stats.lock().expect("stats lock").clone())),
        "/_emulator/faults" if request.method == "POST" => {
            return match serde_json::from_slice::<Faults>(&request.body) {
                Ok(faults) => {
                    shared.options.lock().expect("options lock").faults = faults;
                    ok(json!({"ok": true}))
                }
                Err(e) => ok(json!({"ok": false, "error": e.to_string()})),
            };
        }
        _ => {}
    }
    let Some(name) = request.path.strip_prefix("/api/") else {
        return send(404, vec![], json!({"ok": false, "error": "not_found"}));
    };
    let options = shared.options.lock().expect("options lock").clone();
    let n = shared.requests.fetch_add(1, Ordering::SeqCst) + 1;
    {
        let mut stats = shared.stats.lock().expect("stats lock");
        *stats.calls.entry(name.to_string()).or_default() += 1;
        if request.params.iter().any(|(k, _)| k == "token")
            || request.query_keys.iter().any(|k| k == "token")
        {
            stats.token_outside_header += 1;
        }
    }
    if let Some(reply) = inject_fault(n, &options.faults, shared) {
        return reply;
    }
    if let Some(reply) = hostile(request, &options.faults) {
        shared.stats.lock().expect("stats lock").faults_injected += 1;
        return reply;
    }
    // A server whose cursors loop or never end answers any cursor with a page.
    let uncursored;
    let request = if options.faults.endless_pages || options.faults.repeat_cursor {
        uncursored = request.without_param("cursor");
        &uncursored
    } else {
        request
    };
    let reply = serve(request, name, shared, &options);
    tamper(reply, request, n, &options.faults)
}

/// The answer of a well-behaved server.
fn serve(request: &Request, name: &str, shared: &Shared, options: &EmulatorOptions) -> Reply {
    let Some(method) = Method::from_name(name) else {
        return slack_error("unknown_method");
    };
    if options.rate_limits {
        if let Some(wait) = over_limit(method, options, shared) {
            shared.stats.lock().expect("stats lock").rate_limited += 1;
            return send(
                429,
                vec![("retry-after", wait.to_string())],
                json!({"ok": false, "error": "ratelimited"}),
            );
        }
    }
    let given = request
        .authorization
        .as_deref()
        .and_then(|h| h.strip_prefix("Bearer "))
        .or_else(|| param(request, "token"));
    match given {
        None => return slack_error("not_authed"),
        Some(t) if t != options.token => return slack_error("invalid_auth"),
        Some(_) => {}
    }
    match method {
        Method::AuthTest => ok(json!({
            "ok": true, "url": "http://emulated.slack.invalid/", "team": "Emulated workspace",
            "user": "incident-sync", "team_id": "T0EMULATED", "user_id": "U0EMULATED"
        })),
        Method::UsersList => {
            if let Some(reply) = missing_scope(options, "users:read") {
                return reply;
            }
            ok(page_of(
                request,
                &shared.data.users,
                "members",
                options.quirks,
                method,
            ))
        }
        Method::ConversationsList => list_channels(request, shared, options),
        Method::ConversationsHistory => history(request, shared, options),
        Method::ConversationsReplies => replies(request, shared, options),
    }
}

use http::Request;

fn param<'r>(request: &'r Request, key: &str) -> Option<&'r str> {
    request
        .params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The `Authorization` header as sent.
fn auth_header(request: &Request) -> String {
    request.authorization.clone().unwrap_or_default()
}

/// Answers that replace the server's own, whatever the call.
fn hostile(request: &Request, faults: &Faults) -> Option<Reply> {
    if let Some(to) = &faults.redirect_to {
        return Some(send(307, vec![("location", to.clone())], json!({})));
    }
    if let Some(secs) = faults.always_rate_limited {
        return Some(send(
            429,
            vec![("retry-after", secs.to_string())],
            json!({"ok": false, "error": "ratelimited"}),
        ));
    }
    let auth = auth_header(request);
    match faults.echo_auth? {
        Echo::Error => Some(ok(json!({"ok": false, "error": auth}))),
        Echo::Scope => Some(ok(
            json!({"ok": false, "error": "missing_scope", "needed": auth, "provided": auth}),
        )),
        Echo::Body | Echo::Status => Some(Reply::Send {
            status: if faults.echo_auth == Some(Echo::Body) {
                200
            } else {
                400
            },
            headers: vec![],
            body: Body::Raw(format!("you sent: {auth}").into_bytes()),
            cut: false,
        }),
        Echo::Header | Echo::Data => None,
    }
}

/// Changes to a well-behaved answer: echoes, endless or looping cursors, padding.
fn tamper(reply: Reply, request: &Request, n: u64, faults: &Faults) -> Reply {
    let Reply::Send {
        status,
        mut headers,
        body: Body::Json(mut body),
        cut,
    } = reply
    else {
        return reply;
    };
    let list_key = ["channels", "members", "messages"]
        .into_iter()
        .find(|k| body.get(*k).is_some_and(Value::is_array));
    if let Some(key) = list_key {
        if faults.endless_pages {
            body[key] = json!([]);
            body["response_metadata"] = json!({"next_cursor": format!("endless{n}")});
        } else if faults.repeat_cursor {
            body["response_metadata"] = json!({"next_cursor": "dXNlcjsame"});
        }
        if key == "channels" && param(request, "cursor").is_none() {
            if let Some(list) = body[key].as_array_mut() {
                list.extend(faults.extra_channels.iter().cloned());
            }
        }
    }
    let auth = auth_header(request);
    match faults.echo_auth {
        Some(Echo::Header) => headers.push(("x-echo", auth)),
        Some(Echo::Data) => {
            if let Some(list) = list_key.and_then(|k| body[k].as_array_mut()) {
                for item in list.iter_mut() {
                    item["echo"] = auth.clone().into();
                }
                if list_key == Some("channels") {
                    if let Some(first) = list.first_mut() {
                        first["name"] = auth.clone().into();
                    }
                }
            }
        }
        _ => {}
    }
    if faults.huge_answer_bytes > 0 {
        body["padding"] = "x".repeat(faults.huge_answer_bytes as usize).into();
    }
    Reply::Send {
        status,
        headers,
        body: Body::Json(body),
        cut,
    }
}

fn inject_fault(n: u64, faults: &Faults, shared: &Shared) -> Option<Reply> {
    let hits = |every: u64| every > 0 && n.is_multiple_of(every);
    let reply = if hits(faults.drop_every) {
        Reply::Drop
    } else if hits(faults.server_error_every) {
        send(
            if n.is_multiple_of(2) { 503 } else { 500 },
            vec![],
            json!({"ok": false, "error": "service_unavailable"}),
        )
    } else if hits(faults.truncate_every) {
        Reply::Send {
            status: 200,
            headers: vec![],
            body: Body::Json(json!({"ok": true, "padding": "x".repeat(64)})),
            cut: true,
        }
    } else if hits(faults.hollow_every) {
        ok(json!({"ok": true}))
    } else {
        if hits(faults.slow_every) {
            std::thread::sleep(Duration::from_millis(faults.slow_ms));
        }
        return None;
    };
    shared.stats.lock().expect("stats lock").faults_injected += 1;
    Some(reply)
}

/// Seconds to wait when `method` has used up its tier in the current window.
fn over_limit(method: Method, options: &EmulatorOptions, shared: &Shared) -> Option<u64> {
    let mut windows = shared.windows.lock().expect("windows lock");
    let now = Instant::now();
    let (start, count) = windows.entry(method).or_insert((now, 0));
    if now.duration_since(*start) >= options.minute {
        *start = now;
        *count = 0;
    }
    let limit = options
        .limit_per_minute
        .map_or(method.tier().per_minute(), |cap| {
            cap.min(method.tier().per_minute())
        });
    if *count >= limit {
        let left = options.minute.saturating_sub(now.duration_since(*start));
        return Some(left.as_secs_f64().ceil().max(1.0) as u64);
    }
    *count += 1;
    None
}

fn missing_scope(options: &EmulatorOptions, needed: &str) -> Option<Reply> {
    let scopes = options.scopes.as_ref()?;
    if scopes.iter().any(|s| s == needed) {
        return None;
    }
    Some(ok(
        json!({"ok": false, "error": "missing_scope", "needed": needed, "provided": scopes.join(",")}),
    ))
}

/// Opaque cursors that the emulator can tell from forged ones: where the next page
/// starts, and how many pages came before (so that an empty page still moves on).
fn cursor_for(offset: usize, page: usize) -> String {
    let body = format!("{offset:x}_{page:x}");
    format!("dXNlcj{body}x{:x}", checksum(&body))
}

fn checksum(body: &str) -> u32 {
    body.bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 65_521
}

fn read_cursor(cursor: &str) -> Option<(usize, usize)> {
    let (body, check) = cursor.strip_prefix("dXNlcj")?.rsplit_once('x')?;
    if format!("{:x}", checksum(body)) != check {
        return None;
    }
    let (offset, page) = body.split_once('_')?;
    Some((
        usize::from_str_radix(offset, 16).ok()?,
        usize::from_str_radix(page, 16).ok()?,
    ))
}

/// How many items the `page`th page holds: the limit, or with quirks now and then fewer,
/// or none while more remain, as Slack's filtered pagination does.
fn page_len(page: usize, limit: usize, remaining: usize, quirks: bool) -> usize {
    let full = limit.min(remaining);
    if !quirks || page == 0 || remaining <= 1 {
        return full;
    }
    match page % 5 {
        2 => 0,
        1 | 3 => (full / 2).max(1),
        _ => full,
    }
}

/// The answer body with a page of `items` for a list method with `limit` and `cursor`.
fn page_of(request: &Request, items: &[Value], key: &str, quirks: bool, method: Method) -> Value {
    let limit = param(request, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|&l| l > 0)
        .unwrap_or(100)
        .min(method.max_page());
    let (offset, page) = match param(request, "cursor").filter(|c| !c.is_empty()) {
        None => (0, 0),
        Some(c) => match read_cursor(c) {
            Some((o, p)) if o <= items.len() => (o, p),
            _ => return json!({"ok": false, "error": "invalid_cursor"}),
        },
    };
    let end = offset + page_len(page, limit, items.len() - offset, quirks);
    let next = if end < items.len() {
        cursor_for(end, page + 1)
    } else {
        String::new()
    };
    json!({"ok": true, key: &items[offset..end], "response_metadata": {"next_cursor": next}})
}

fn list_channels(request: &Request, shared: &Shared, options: &EmulatorOptions) -> Reply {
    let types = param(request, "types").unwrap_or("public_channel");
    let want_public = types.split(',').any(|t| t.trim() == "public_channel");
    let want_private = types.split(',').any(|t| t.trim() == "private_channel");
    if want_public {
        if let Some(reply) = missing_scope(options, "channels:read") {
            return reply;
        }
    }
    if want_private {
        if let Some(reply) = missing_scope(options, "groups:read") {
            return reply;
        }
    }
    let exclude_archived = matches!(param(request, "exclude_archived"), Some("true" | "1"));
    let channels: Vec<Value> = shared
        .data
        .channels
        .iter()
        .filter(|c| {
            let private = c["is_private"].as_bool().unwrap_or(false);
            (if private { want_private } else { want_public })
                && !(exclude_archived && c["is_archived"].as_bool().unwrap_or(false))
        })
        .map(|c| {
            let mut c = c.clone();
            let members = c
                .get("members")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if let Some(obj) = c.as_object_mut() {
                obj.remove("members");
                obj.insert("is_channel".into(), json!(true));
                obj.entry("is_private").or_insert(json!(false));
                obj.entry("num_members").or_insert(json!(members));
            }
            c
        })
        .collect();
    ok(page_of(
        request,
        &channels,
        "channels",
        options.quirks,
        Method::ConversationsList,
    ))
}

fn bound(request: &Request, key: &str) -> Option<TsKey> {
    param(request, key).and_then(ts_key)
}

/// A thread reply that Slack leaves out of `conversations.history` (only its parent and
/// replies also sent to the channel appear there).
fn is_hidden_reply(m: &Value) -> bool {
    is_thread_reply(m) && m["subtype"] != "thread_broadcast"
}

/// The channel's messages (after the scope check), or the error to answer with.
fn channel_messages<'s>(
    request: &Request,
    shared: &'s Shared,
    options: &EmulatorOptions,
) -> Result<&'s [(TsKey, Value)], Reply> {
    let id = param(request, "channel").ok_or_else(|| slack_error("channel_not_found"))?;
    let messages = shared
        .data
        .histories
        .get(id)
        .ok_or_else(|| slack_error("channel_not_found"))?;
    let private = shared
        .data
        .channels
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["is_private"].as_bool())
        .unwrap_or(false);
    let scope = if private {
        "groups:history"
    } else {
        "channels:history"
    };
    match missing_scope(options, scope) {
        Some(reply) => Err(reply),
        None => Ok(messages),
    }
}

/// Whether `key` lies within the request's `oldest`/`latest` (exclusive unless
/// `inclusive`).
fn within_bounds(request: &Request) -> impl Fn(&TsKey) -> bool {
    let inclusive = matches!(param(request, "inclusive"), Some("true" | "1"));
    let (oldest, latest) = (bound(request, "oldest"), bound(request, "latest"));
    move |k: &TsKey| {
        oldest.is_none_or(|o| *k > o || (inclusive && *k == o))
            && latest.is_none_or(|l| *k < l || (inclusive && *k == l))
    }
}

/// A page of messages with Slack's `has_more`.
fn message_page(
    request: &Request,
    messages: &[Value],
    options: &EmulatorOptions,
    method: Method,
) -> Reply {
    let mut page = page_of(request, messages, "messages", options.quirks, method);
    if page["ok"] == json!(true) {
        let has_more = page["response_metadata"]["next_cursor"]
            .as_str()
            .is_some_and(|c| !c.is_empty());
        page["has_more"] = json!(has_more);
    }
    ok(page)
}

fn history(request: &Request, shared: &Shared, options: &EmulatorOptions) -> Reply {
    let messages = match channel_messages(request, shared, options) {
        Ok(m) => m,
        Err(reply) => return reply,
    };
    let within = within_bounds(request);
    let newest_first: Vec<Value> = messages
        .iter()
        .rev()
        .filter(|(k, m)| within(k) && !is_hidden_reply(m))
        .map(|(_, m)| m.clone())
        .collect();
    message_page(
        request,
        &newest_first,
        options,
        Method::ConversationsHistory,
    )
}

/// `conversations.replies`: a thread's parent and its replies, oldest first.
fn replies(request: &Request, shared: &Shared, options: &EmulatorOptions) -> Reply {
    let messages = match channel_messages(request, shared, options) {
        Ok(m) => m,
        Err(reply) => return reply,
    };
    let Some(thread) = param(request, "ts") else {
        return slack_error("thread_not_found");
    };
    let within = within_bounds(request);
    let in_thread: Vec<Value> = messages
        .iter()
        .filter(|(_, m)| m["ts"] == thread || m["thread_ts"] == thread)
        .filter(|(k, m)| m["ts"] == thread || within(k))
        .map(|(_, m)| m.clone())
        .collect();
    if in_thread.is_empty() {
        return slack_error("thread_not_found");
    }
    message_page(request, &in_thread, options, Method::ConversationsReplies)
}
