//! The Slack emulator behaves as Slack does, checked over real HTTP with raw requests and
//! with the crate's client.

mod common;

use std::time::Duration;

use common::*;
use incident_channels::slack::api::Method;
use incident_channels::slack::client::{ClientOptions, SlackClient, SlackError};
use incident_channels::slack::emulator::{Emulator, EmulatorOptions};
use incident_channels::slack::token::Token;
use serde_json::{json, Value};

fn start(options: EmulatorOptions) -> Emulator {
    Emulator::start(sample(), 0, options).unwrap()
}

/// A raw form POST, as any Slack client would send it.
fn post(
    emu: &Emulator,
    method: &str,
    token: Option<&str>,
    params: &[(&str, &str)],
) -> (u16, Value) {
    let client = reqwest::blocking::Client::new();
    let mut req = client.post(format!("{}/{method}", emu.url())).form(params);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(&resp.bytes().unwrap()).unwrap_or(Value::Null),
    )
}

fn client(emu: &Emulator) -> SlackClient {
    SlackClient::new(
        Token::new("emulator-token"),
        ClientOptions {
            base_url: emu.url(),
            pace: false,
            backoff: Duration::from_millis(10),
            ..Default::default()
        },
    )
    .unwrap()
}

fn ts_of(messages: &Value) -> Vec<String> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ts"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn auth_errors_have_slacks_shape() {
    let emu = start(EmulatorOptions::default());
    assert_eq!(
        post(&emu, "auth.test", None, &[]).1,
        json!({"ok": false, "error": "not_authed"})
    );
    assert_eq!(
        post(&emu, "auth.test", Some("nope"), &[]).1,
        json!({"ok": false, "error": "invalid_auth"})
    );
    assert_eq!(
        post(&emu, "auth.test", Some("emulator-token"), &[]).1["ok"],
        true
    );
    assert_eq!(
        post(&emu, "chat.postMessage", Some("emulator-token"), &[]).1["error"],
        "unknown_method"
    );
    let (_, body) = post(
        &emu,
        "conversations.history",
        Some("emulator-token"),
        &[("channel", "CNOPE")],
    );
    assert_eq!(body["error"], "channel_not_found");
    let (_, body) = post(
        &emu,
        "users.list",
        Some("emulator-token"),
        &[("cursor", "forged")],
    );
    assert_eq!(body["error"], "invalid_cursor");
}

#[test]
fn history_is_newest_first_with_oldest_latest_inclusive() {
    let emu = start(EmulatorOptions {
        quirks: false,
        ..Default::default()
    });
    let ws = incident_channels::export::load(sample()).unwrap();
    let channel = ws
        .channels
        .iter()
        .find(|c| c.name.starts_with("issue-"))
        .unwrap();
    let t = "emulator-token";
    let (_, all) = post(
        &emu,
        "conversations.history",
        Some(t),
        &[("channel", &channel.id), ("limit", "999")],
    );
    let all_ts = ts_of(&all["messages"]);
    assert!(all_ts.len() > 5);
    let mut sorted = all_ts.clone();
    sorted.sort_by(|a, b| {
        b.parse::<f64>()
            .unwrap()
            .total_cmp(&a.parse::<f64>().unwrap())
    });
    assert_eq!(all_ts, sorted, "newest first");
    assert_eq!(all["has_more"], false);

    let (newest, oldest) = (&all_ts[1], &all_ts[all_ts.len() - 2]);
    let range = |inclusive: &str| {
        let (_, r) = post(
            &emu,
            "conversations.history",
            Some(t),
            &[
                ("channel", &channel.id),
                ("oldest", oldest),
                ("latest", newest),
                ("inclusive", inclusive),
            ],
        );
        ts_of(&r["messages"])
    };
    assert_eq!(range("false"), all_ts[2..all_ts.len() - 2].to_vec());
    assert_eq!(range("true"), all_ts[1..all_ts.len() - 1].to_vec());

    let (_, first) = post(
        &emu,
        "conversations.history",
        Some(t),
        &[("channel", &channel.id), ("limit", "2")],
    );
    assert_eq!(ts_of(&first["messages"]), all_ts[..2].to_vec());
    assert_eq!(first["has_more"], true);
    let cursor = first["response_metadata"]["next_cursor"].as_str().unwrap();
    let (_, second) = post(
        &emu,
        "conversations.history",
        Some(t),
        &[("channel", &channel.id), ("limit", "2"), ("cursor", cursor)],
    );
    assert_eq!(ts_of(&second["messages"]), all_ts[2..4].to_vec());
}

#[test]
fn client_follows_cursors_through_short_and_empty_pages() {
    let emu = start(EmulatorOptions::default());
    let mut pages = vec![];
    let mut users = 0;
    let mut c = client(&emu);
    // A tiny limit makes many pages; quirks make some short and some empty.
    let mut cursor = String::new();
    loop {
        let mut params = vec![("limit", "4".to_string())];
        if !cursor.is_empty() {
            params.push(("cursor", cursor.clone()));
        }
        let body = c.call(Method::UsersList, &params).unwrap();
        let n = body["members"].as_array().unwrap().len();
        pages.push(n);
        users += n;
        cursor = body["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(users, 21, "every user once: {pages:?}");
    assert!(
        pages.iter().any(|&n| n > 0 && n < 4),
        "some pages are short: {pages:?}"
    );
    assert!(
        pages[..pages.len() - 1].contains(&0),
        "an empty page with more to come: {pages:?}"
    );

    let mut listed = 0;
    c.paginate(Method::ConversationsList, &[], "channels", |page| {
        listed += page.len()
    })
    .unwrap();
    assert_eq!(listed, 215);
}

#[test]
fn rate_limits_answer_429_with_retry_after_and_the_client_waits() {
    let emu = start(EmulatorOptions {
        minute: Duration::from_millis(1500),
        limit_per_minute: Some(3),
        ..Default::default()
    });
    for _ in 0..3 {
        assert_eq!(post(&emu, "users.list", Some("emulator-token"), &[]).0, 200);
    }
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/users.list", emu.url()))
        .bearer_auth("emulator-token")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");

    let mut c = client(&emu);
    let started = std::time::Instant::now();
    c.call(Method::UsersList, &[]).unwrap();
    assert!(c.stats.rate_limited >= 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as told, not sooner"
    );
}

#[test]
fn missing_scope_is_a_typed_error_with_the_scope() {
    let emu = start(EmulatorOptions {
        scopes: Some(vec!["channels:read".into()]),
        ..Default::default()
    });
    let err = client(&emu).call(Method::UsersList, &[]).unwrap_err();
    match &err {
        SlackError::Api { code, .. } => assert_eq!(code, "missing_scope"),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("users:read"), "{err}");
}

#[test]
fn history_leaves_thread_replies_to_conversations_replies() {
    let emu = start(EmulatorOptions {
        quirks: false,
        ..Default::default()
    });
    let ws = incident_channels::export::load(sample()).unwrap();
    // A channel whose updates are threaded under the summary.
    let (channel, thread) = ws
        .channels
        .iter()
        .find_map(|c| {
            let dir = sample().join(&c.name);
            let files = std::fs::read_dir(&dir).ok()?;
            files.flatten().find_map(|f| {
                let day: Value = serde_json::from_slice(&std::fs::read(f.path()).ok()?).ok()?;
                day.as_array()?
                    .iter()
                    .find(|m| m["reply_count"].as_u64().unwrap_or(0) > 0)
                    .map(|m| (c.id.clone(), m["ts"].as_str().unwrap().to_string()))
            })
        })
        .expect("the sample has threads");
    let t = "emulator-token";
    let (_, history) = post(
        &emu,
        "conversations.history",
        Some(t),
        &[("channel", &channel), ("limit", "999")],
    );
    let in_history = history["messages"].as_array().unwrap();
    assert!(
        in_history.iter().any(|m| m["ts"] == thread.as_str()),
        "the parent is in history"
    );
    assert!(
        !in_history
            .iter()
            .any(|m| m["thread_ts"] == thread.as_str() && m["ts"] != thread.as_str()),
        "replies are not"
    );
    let (_, replies) = post(
        &emu,
        "conversations.replies",
        Some(t),
        &[("channel", &channel), ("ts", &thread)],
    );
    let msgs = replies["messages"].as_array().unwrap();
    assert_eq!(msgs[0]["ts"], thread.as_str(), "parent first");
    let parent_count = msgs[0]["reply_count"].as_u64().unwrap() as usize;
    assert_eq!(msgs.len(), parent_count + 1);
    assert!(msgs[1..].iter().all(|m| m["thread_ts"] == thread.as_str()));
    let (_, none) = post(
        &emu,
        "conversations.replies",
        Some(t),
        &[("channel", &channel), ("ts", "1.000001")],
    );
    assert_eq!(none["error"], "thread_not_found");
}
