//! Small crafted workspaces written as real export folders, for tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

/// Seconds of 2016-08-09T00:00:00Z, a convenient origin.
pub const DAY0: i64 = 1_470_700_800;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

/// A workspace being written into a temporary folder.
pub struct Crafted {
    pub dir: tempfile::TempDir,
    channels: Vec<Value>,
}

impl Crafted {
    pub fn new() -> Self {
        Crafted {
            dir: tempfile::tempdir().unwrap(),
            channels: vec![],
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Adds a channel created at `created` (Unix seconds); archived at `archived` with an
    /// archive message when given.
    pub fn channel(&mut self, name: &str, created: i64, archived: Option<i64>) -> &mut Self {
        let id = format!("C{:06}", self.channels.len() + 1);
        self.channels.push(json!({
            "id": id, "name": name, "created": created, "creator": "U1",
            "is_archived": archived.is_some(),
            "topic": {"value": "", "creator": "", "last_set": 0},
        }));
        let mut messages = vec![msg(
            created + 1,
            "channel_join",
            "<@U1> has joined the channel",
        )];
        if let Some(a) = archived {
            messages.push(msg(a, "channel_archive", "<@U1> archived the channel"));
        }
        self.messages(name, &messages)
    }

    /// Appends messages to a channel's folder, one day file per UTC date.
    pub fn messages(&mut self, name: &str, messages: &[Value]) -> &mut Self {
        let folder = self.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        for m in messages {
            let secs: f64 = m["ts"].as_str().unwrap().parse().unwrap();
            let date = chrono::DateTime::from_timestamp(secs as i64, 0)
                .unwrap()
                .date_naive();
            let file = folder.join(format!("{date}.json"));
            let mut day: Vec<Value> = std::fs::read(&file)
                .map(|b| serde_json::from_slice(&b).unwrap())
                .unwrap_or_default();
            day.push(m.clone());
            std::fs::write(&file, serde_json::to_vec_pretty(&day).unwrap()).unwrap();
        }
        self
    }

    /// Writes channels.json and users.json; returns the folder.
    pub fn finish(&mut self) -> PathBuf {
        let write = |name: &str, v: &Value| {
            std::fs::write(
                self.path().join(name),
                serde_json::to_vec_pretty(v).unwrap(),
            )
            .unwrap()
        };
        write("channels.json", &Value::Array(self.channels.clone()));
        write(
            "users.json",
            &json!([{"id": "U1", "name": "ana"}, {"id": "U2", "name": "bo"}]),
        );
        self.path().to_path_buf()
    }
}

/// A message at `secs` with an optional subtype.
pub fn msg(secs: i64, subtype: &str, text: &str) -> Value {
    let mut m =
        json!({"type": "message", "user": "U1", "text": text, "ts": format!("{secs}.000100")});
    if !subtype.is_empty() {
        m["subtype"] = subtype.into();
    }
    m
}

/// Runs the CLI with `args`.
pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_incident-channels"))
        .args(args)
        .output()
        .expect("the CLI runs")
}

/// Runs `report --json` and parses its output, failing with stderr when it fails.
pub fn report_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["report", dir.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let out = cli(&args);
    assert!(
        out.status.success(),
        "report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report --json prints JSON")
}

/// The repository's bundled sample.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// A frame's column names, in order.
pub fn column_names(df: &incident_channels::prelude::DataFrame) -> Vec<&str> {
    df.get_column_names().iter().map(|s| s.as_str()).collect()
}
