//! Hostile and malformed exports against the real `report` binary (issue #11).
//!
//! Over 300 exports are generated here: truncations, wrong types for every field,
//! non-UTF-8 bytes, deep nesting, huge numbers, zip bombs and zip slip, FIFOs, sockets,
//! symlinks to devices and hostile names. Each runs `report --json`, lenient and
//! `--strict`, under a 2 GiB address-space limit and a 10 s timeout, and must not panic,
//! hang, run out of memory or write anything; an error or warning must name the file at
//! fault.

mod common;

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{DAY, DAY0};
use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(10);
/// Address space a run may take (a debug build with its threads needs a few hundred MiB).
const MEMORY_LIMIT: u64 = 2 << 30;
/// Peak resident memory a run may reach; the largest case reads 24 MiB.
const MAX_RSS: u64 = 512 << 20;
const THREADS: usize = 4;

/// What a case puts at a path of the export (relative to its folder).
enum Put {
    Bytes(Vec<u8>),
    Fifo,
    Socket,
    Dir,
    Link(PathBuf),
    /// A folder whose name is raw bytes (not UTF-8), holding one valid day file.
    RawFolder(Vec<u8>),
}

/// What must hold besides "no panic, no hang, bounded memory, nothing written".
#[derive(Clone, PartialEq, Debug)]
enum Expect {
    /// An error or warning names this (a file, folder or zip entry), in both modes;
    /// `--strict` fails.
    Names(String),
    /// A warning names this, in both modes, and the report succeeds.
    Warns(String),
    /// Read as a valid export: exit 0 in both modes and nothing on stderr.
    Clean,
    /// Nothing more (zip slip, odd names: whatever the outcome, it is survived).
    Survives,
}

struct Case {
    name: String,
    /// `None`: the base export folder; `Some`: a zip of these entries as the export.
    zip: Option<Vec<u8>>,
    puts: Vec<(String, Put)>,
    /// Replace the export path itself (a FIFO or a device).
    export_is: Option<Put>,
    expect: Expect,
}

impl Case {
    fn new(name: impl Into<String>, expect: Expect) -> Self {
        Case {
            name: name.into(),
            zip: None,
            puts: vec![],
            export_is: None,
            expect,
        }
    }
    fn put(mut self, rel: &str, what: Put) -> Self {
        self.puts.push((rel.to_string(), what));
        self
    }
}

fn names(s: &str) -> Expect {
    Expect::Names(s.to_string())
}

const DAY_A: &str = "issue-a-0908/2016-08-09.json";

/// A small valid export: two incident channels, `general`, two users, three day files.
fn base() -> BTreeMap<String, Vec<u8>> {
    let topic = json!({"value": "db down", "creator": "U1", "last_set": DAY0});
    let channels = json!([
        {"id": "C1", "name": "issue-a-0908", "created": DAY0, "creator": "U1",
         "is_archived": false, "is_general": false, "is_private": false,
         "members": ["U1", "U2"], "num_members": 2, "topic": topic, "purpose": topic},
        {"id": "C2", "name": "issue-b-1008", "created": DAY0 + DAY, "creator": "U2",
         "is_archived": true, "topic": topic, "purpose": topic},
        {"id": "C3", "name": "general", "created": DAY0 - DAY, "is_general": true}
    ]);
    let users = json!([
        {"id": "U1", "name": "ana", "real_name": "Ana", "deleted": false, "is_bot": false,
         "tz": "Europe/Berlin"},
        {"id": "U2", "name": "bo", "real_name": "Bo", "deleted": true, "is_bot": false}
    ]);
    let ts = |s: i64| format!("{s}.000100");
    let day_a = json!([
        {"type": "message", "subtype": "channel_join", "user": "U1", "ts": ts(DAY0 + 1),
         "text": "<@U1> has joined the channel"},
        {"type": "message", "user": "U2", "ts": ts(DAY0 + 60), "text": "looking",
         "thread_ts": ts(DAY0 + 60), "blocks": [{"type": "rich_text"}]},
        {"type": "message", "bot_id": "B1", "ts": ts(DAY0 + 120), "text": "alert",
         "thread_ts": ts(DAY0 + 60)}
    ]);
    let day_b = json!([
        {"type": "message", "subtype": "channel_join", "user": "U2", "ts": ts(DAY0 + DAY + 1),
         "text": "joined"},
        {"type": "message", "subtype": "channel_archive", "user": "U2",
         "ts": ts(DAY0 + DAY + 600), "text": "archived"}
    ]);
    let general = json!([{"type": "message", "user": "U1", "ts": ts(DAY0 - 10), "text": "hi"}]);
    let pretty = |v: &Value| serde_json::to_vec_pretty(v).unwrap();
    BTreeMap::from([
        ("channels.json".to_string(), pretty(&channels)),
        ("users.json".to_string(), pretty(&users)),
        (DAY_A.to_string(), pretty(&day_a)),
        ("issue-b-1008/2016-08-10.json".to_string(), pretty(&day_b)),
        ("general/2016-08-08.json".to_string(), pretty(&general)),
    ])
}

/// `file` of the base with `f` applied to its JSON.
fn edited(file: &str, f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&base()[file]).unwrap();
    f(&mut v);
    serde_json::to_vec_pretty(&v).unwrap()
}

/// Sets the value at a JSON pointer such as `/0/topic/last_set`, creating the last key.
fn set(v: &mut Value, pointer: &str, to: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = v.pointer_mut(parent).unwrap();
    match parent {
        Value::Array(a) => a[key.parse::<usize>().unwrap()] = to,
        Value::Object(o) => {
            o.insert(key.to_string(), to);
        }
        _ => panic!("{pointer}"),
    }
}

fn truncations(cases: &mut Vec<Case>) {
    for file in ["channels.json", "users.json", DAY_A] {
        let bytes = &base()[file];
        let len = bytes.len();
        let mut cuts: Vec<usize> = (0..34).map(|i| i * len / 34).collect();
        cuts.extend([1, 2, len - 1, len - 2]);
        cuts.sort();
        cuts.dedup();
        for cut in cuts {
            let blame = file.rsplit('/').next().unwrap();
            // An empty day file is a day without messages.
            let expect = if cut == 0 && file == DAY_A {
                Expect::Clean
            } else {
                names(blame)
            };
            cases.push(
                Case::new(format!("{file} cut at {cut}"), expect)
                    .put(file, Put::Bytes(bytes[..cut].to_vec())),
            );
        }
    }
}

fn wrong_types(cases: &mut Vec<Case>) {
    let obj = || json!({"a": 1});
    let string_field = || vec![json!(5), json!(true), json!([]), obj()];
    let opt_string_field = || vec![json!(5), json!([]), obj()];
    let bool_field = || vec![json!("yes"), json!(1), json!(null), json!([])];
    let secs_field = || {
        vec![
            json!("abc"),
            json!(true),
            json!([]),
            obj(),
            json!(1.5),
            json!(null),
            json!(""),
            json!("1e3"),
        ]
    };
    let mut fields: Vec<(&str, &str, Vec<Value>)> = vec![
        (
            "channels.json",
            "/0/id",
            [string_field(), vec![json!(null)]].concat(),
        ),
        (
            "channels.json",
            "/0/name",
            [string_field(), vec![json!(null)]].concat(),
        ),
        ("channels.json", "/0/created", secs_field()),
        ("channels.json", "/0/creator", opt_string_field()),
        ("channels.json", "/0/is_archived", bool_field()),
        ("channels.json", "/0/is_general", bool_field()),
        (
            "channels.json",
            "/0/is_private",
            vec![json!("yes"), json!(1), json!([])],
        ),
        (
            "channels.json",
            "/0/members",
            vec![json!("U1"), json!(5), json!([5]), obj()],
        ),
        (
            "channels.json",
            "/0/num_members",
            vec![json!("x"), json!(-1), json!(1.5), json!([]), json!(true)],
        ),
        (
            "users.json",
            "/0/id",
            [string_field(), vec![json!(null)]].concat(),
        ),
        ("users.json", "/0/name", string_field()),
        ("users.json", "/0/real_name", opt_string_field()),
        ("users.json", "/0/deleted", vec![json!("x"), json!(1)]),
        ("users.json", "/0/is_bot", vec![json!("x"), json!(1)]),
        ("users.json", "/0/tz", opt_string_field()),
        (
            DAY_A,
            "/1/ts",
            vec![
                json!(null),
                json!(true),
                json!([]),
                obj(),
                json!("yesterday"),
                json!(""),
                json!("1.2.3"),
                json!("abc.000100"),
            ],
        ),
        (DAY_A, "/1/user", opt_string_field()),
        (DAY_A, "/1/subtype", vec![json!(5), json!([])]),
        (
            DAY_A,
            "/1/text",
            vec![json!(5), json!([]), obj(), json!(true)],
        ),
        (DAY_A, "/1/thread_ts", vec![json!(true), json!([]), obj()]),
    ];
    for part in ["topic", "purpose"] {
        fields.push((
            "channels.json",
            if part == "topic" {
                "/0/topic"
            } else {
                "/0/purpose"
            },
            // Not `[]`: serde reads a list as a struct's fields in order, and an empty
            // one is an empty topic.
            vec![json!("x"), json!(5), json!([1]), json!(null)],
        ));
        for (key, bad) in [
            ("value", string_field()),
            ("creator", string_field()),
            ("last_set", secs_field()),
        ] {
            let pointer: &'static str = Box::leak(format!("/0/{part}/{key}").into_boxed_str());
            fields.push(("channels.json", pointer, bad));
        }
    }
    for (file, pointer, bad) in fields {
        for value in bad {
            let blame = file.rsplit('/').next().unwrap();
            cases.push(
                Case::new(format!("{file} {pointer} = {value}"), names(blame)).put(
                    file,
                    Put::Bytes(edited(file, |v| set(v, pointer, value.clone()))),
                ),
            );
        }
    }
    // Wrong shapes of whole files and of list entries.
    for file in ["channels.json", "users.json", DAY_A] {
        let blame = file.rsplit('/').next().unwrap();
        for body in [
            "{}", "5", "\"x\"", "null", "[5]", "[null]", "[[]]", "true", "[{}]",
        ] {
            cases.push(
                Case::new(format!("{file} is {body}"), names(blame))
                    .put(file, Put::Bytes(body.as_bytes().to_vec())),
            );
        }
    }
}

fn non_utf8(cases: &mut Vec<Case>) {
    for file in ["channels.json", "users.json", DAY_A] {
        let blame = file.rsplit('/').next().unwrap();
        let bytes = base()[file].clone();
        // Inside a string, at the start, and a broken two-byte sequence in a key.
        let inside = bytes.iter().position(|&b| b == b'"').unwrap() + 1;
        for (label, at, insert) in [
            ("0xff in a string", inside, &b"\xff"[..]),
            ("0xfe first", 0, &b"\xfe"[..]),
            ("c3 28 in a key", inside, &b"\xc3\x28"[..]),
        ] {
            let mut b = bytes.clone();
            b.splice(at..at, insert.iter().copied());
            cases
                .push(Case::new(format!("{file}: {label}"), names(blame)).put(file, Put::Bytes(b)));
        }
    }
    cases.push(
        Case::new(
            "folder name not UTF-8",
            Expect::Warns("zz\u{fffd}zz".into()),
        )
        .put("unused", Put::RawFolder(b"zz\xffzz".to_vec())),
    );
}

fn nesting(cases: &mut Vec<Case>) {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes();
    for file in ["channels.json", "users.json", DAY_A] {
        let blame = file.rsplit('/').next().unwrap();
        for n in [200, 100_000, 1_000_000] {
            cases.push(
                Case::new(format!("{file} nested {n} deep"), names(blame))
                    .put(file, Put::Bytes(deep(n))),
            );
        }
        cases.push(
            Case::new(format!("{file} unclosed objects"), names(blame))
                .put(file, Put::Bytes("{\"a\":".repeat(100_000).into_bytes())),
        );
    }
    // Deep inside a field the loader ignores: skipped without being built, so fine.
    let mut day = String::from_utf8(base()[DAY_A].clone()).unwrap();
    day.insert_str(
        day.find("\"type\"").unwrap(),
        &format!(
            "\"blocks2\": {}, ",
            String::from_utf8(deep(50_000)).unwrap()
        ),
    );
    cases.push(
        Case::new("deep nesting in an ignored field", Expect::Clean)
            .put(DAY_A, Put::Bytes(day.into_bytes())),
    );
    // Deep inside a typed field: the message (with the whole file) is refused.
    let mut day = String::from_utf8(base()[DAY_A].clone()).unwrap();
    let at = day.find("\"looking\"").unwrap();
    day.replace_range(
        at..at + "\"looking\"".len(),
        &String::from_utf8(deep(50_000)).unwrap(),
    );
    cases.push(
        Case::new("deep nesting in text", names("2016-08-09.json"))
            .put(DAY_A, Put::Bytes(day.into_bytes())),
    );
}

fn huge_numbers(cases: &mut Vec<Case>) {
    let raw = |file: &str, pointer: &str, number: &str| {
        // Raw number text, which serde_json's Value could not hold.
        let marker = "\"__N__\"";
        let text = String::from_utf8(edited(file, |v| set(v, pointer, json!("__N__")))).unwrap();
        text.replace(marker, number).into_bytes()
    };
    let big = "9".repeat(10_000);
    for (file, pointer, numbers) in [
        (
            "channels.json",
            "/0/created",
            vec![
                "1e400",
                "99999999999999999999",
                "-9223372036854775808",
                "9223372036854775807",
                "5000000000",
                "-1",
                big.as_str(),
            ],
        ),
        (
            "channels.json",
            "/0/num_members",
            vec!["4294967296", "1e300"],
        ),
        (
            "channels.json",
            "/0/topic/last_set",
            vec!["1e300", big.as_str()],
        ),
        (
            DAY_A,
            "/1/ts",
            vec![
                "1e308",
                "5000000000",
                "-1",
                "99999999999999999999",
                big.as_str(),
            ],
        ),
    ] {
        let blame = file.rsplit('/').next().unwrap();
        for n in numbers {
            let shown: String = n.chars().take(24).collect();
            cases.push(
                Case::new(format!("{file} {pointer} = {shown}"), names(blame))
                    .put(file, Put::Bytes(raw(file, pointer, n))),
            );
        }
    }
    for ts in [
        "5000000000.000000",
        "-1",
        "99999999999999999999.000000",
        "1.0000000001",
    ] {
        cases.push(
            Case::new(format!("ts {ts:?}"), names("2016-08-09.json")).put(
                DAY_A,
                Put::Bytes(edited(DAY_A, |v| set(v, "/1/ts", json!(ts)))),
            ),
        );
    }
}

/// Old exports, which must read as if they were new.
fn old_exports(cases: &mut Vec<Case>) {
    let stringly = edited("channels.json", |v| {
        for c in v.as_array_mut().unwrap() {
            c["created"] = json!(c["created"].as_i64().unwrap().to_string());
            if let Some(t) = c.get_mut("topic") {
                t["last_set"] = json!(t["last_set"].as_i64().unwrap().to_string());
            }
            if c.get("num_members").is_some() {
                c["num_members"] = json!("2");
            }
        }
    });
    cases.push(
        Case::new("2015 export: numbers as strings", Expect::Clean)
            .put("channels.json", Put::Bytes(stringly)),
    );
    let numeric_ts = edited(DAY_A, |v| {
        set(v, "/0/ts", json!(DAY0 + 1));
        set(v, "/2/ts", json!((DAY0 + 120) as f64 + 0.0001));
    });
    cases.push(Case::new("numeric ts", Expect::Clean).put(DAY_A, Put::Bytes(numeric_ts)));
    // Saved by a Windows editor: a byte order mark before the JSON.
    for file in ["channels.json", "users.json", DAY_A] {
        let marked = [b"\xEF\xBB\xBF".as_slice(), &base()[file]].concat();
        cases.push(
            Case::new(format!("{file} with a byte order mark"), Expect::Clean)
                .put(file, Put::Bytes(marked)),
        );
    }
    cases.push(Case::new("the base export", Expect::Clean));
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn base_entries(root: &str) -> Vec<(String, Vec<u8>)> {
    base()
        .into_iter()
        .map(|(k, v)| (format!("{root}{k}"), v))
        .collect()
}

/// The base as a zip, with `name` replaced by `bytes`.
fn zip_with(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    let mut entries: Vec<_> = base_entries("")
        .into_iter()
        .filter(|(n, _)| n != name)
        .collect();
    entries.push((name.to_string(), bytes));
    zip_of(&entries)
}

/// Sets the uncompressed size that the local header and the central directory declare
/// for entry `name`.
fn declare_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(name.len()) {
        if &zip[at..at + name.len()] != name.as_bytes() {
            continue;
        }
        for (header_len, signature, field) in [(30, 0x04034b50u32, 22), (46, 0x02014b50u32, 24)] {
            if at >= header_len
                && zip[at - header_len..at - header_len + 4] == signature.to_le_bytes()
            {
                let f = at - header_len + field;
                zip[f..f + 4].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
        }
    }
    assert_eq!(patched, 2, "{name}");
}

fn zips(cases: &mut Vec<Case>) {
    let zip_case = |name: String, zip: Vec<u8>, expect: Expect| Case {
        zip: Some(zip),
        ..Case::new(name, expect)
    };
    cases.push(zip_case(
        "zip".into(),
        zip_of(&base_entries("")),
        Expect::Clean,
    ));
    cases.push(zip_case(
        "zip with a root folder".into(),
        zip_of(&base_entries("export Mar 24/")),
        Expect::Clean,
    ));
    let zeros = vec![0u8; 24 << 20];
    for file in ["users.json", "channels.json", DAY_A] {
        // Honest: declares 24 MiB from ~24 KiB.
        cases.push(zip_case(
            format!("zip bomb {file}"),
            zip_with(file, zeros.clone()),
            names(file),
        ));
        // Lies: declares 1000 bytes, inflates to 24 MiB.
        let mut lying = zip_with(file, zeros.clone());
        declare_size(&mut lying, file, 1000);
        cases.push(zip_case(
            format!("lying zip bomb {file}"),
            lying,
            names(file),
        ));
        // Declares 4 GiB.
        let mut huge = zip_of(&base_entries(""));
        declare_size(&mut huge, file, u32::MAX - 1);
        cases.push(zip_case(
            format!("zip declaring 4 GiB {file}"),
            huge,
            names(file),
        ));
    }
    // Each entry under the per-entry floor, 40 MiB of valid JSON in all from a zip of a
    // few dozen KiB: refused as a whole, naming the zip.
    let mut many = base_entries("");
    let padded = [b"[".as_slice(), &vec![b' '; 1 << 20], b"]"].concat();
    let day0 = chrono::NaiveDate::from_ymd_opt(2016, 6, 1).unwrap();
    many.extend((0..40).map(|i| {
        let day = day0 + chrono::Days::new(i);
        (format!("issue-a-0908/{day}.json"), padded.clone())
    }));
    cases.push(zip_case(
        "zip of many small entries that add up".into(),
        zip_of(&many),
        names("export.zip"),
    ));
    let marked: Vec<_> = base_entries("")
        .into_iter()
        .map(|(name, bytes)| (name, [b"\xEF\xBB\xBF".as_slice(), &bytes].concat()))
        .collect();
    cases.push(zip_case(
        "zip of files with byte order marks".into(),
        zip_of(&marked),
        Expect::Clean,
    ));
    // Small and repetitive: read, and refused as JSON.
    cases.push(zip_case(
        "zip of 8 MiB of brackets".into(),
        zip_with("users.json", vec![b'['; 8 << 20]),
        names("users.json"),
    ));
    let good = zip_of(&base_entries(""));
    for i in 1..10 {
        let cut = good.len() * i / 10;
        cases.push(zip_case(
            format!("zip cut at {cut}"),
            good[..cut].to_vec(),
            names("export.zip"),
        ));
    }
    // Zip slip: nothing is ever extracted, so nothing lands outside.
    let slip = |names: &[&str]| {
        let mut entries = base_entries("");
        for n in names {
            entries.push((n.to_string(), b"[]".to_vec()));
        }
        zip_of(&entries)
    };
    for evil in [
        "../evil.json",
        "../../tmp/evil/2016-08-09.json",
        "/tmp/evil-abs.json",
        "issue-a-0908/../../../evil/2016-08-10.json",
        "..\\..\\evil.json",
        "../channels.json",
    ] {
        cases.push(zip_case(
            format!("zip slip {evil}"),
            slip(&[evil]),
            Expect::Survives,
        ));
    }
    cases.push(zip_case(
        "zip with only ../channels.json".into(),
        zip_of(&[("../channels.json".into(), base()["channels.json"].clone())]),
        Expect::Survives,
    ));
    cases.push(zip_case(
        "zip with only /abs/channels.json".into(),
        zip_of(&[("/abs/channels.json".into(), base()["channels.json"].clone())]),
        Expect::Survives,
    ));
    cases.push(zip_case(
        "not a zip".into(),
        b"PK\x03\x04 not really".to_vec(),
        names("export.zip"),
    ));
}

fn special_files(cases: &mut Vec<Case>) {
    for file in ["channels.json", "users.json", DAY_A] {
        let blame = file.rsplit('/').next().unwrap();
        for (label, put) in [
            ("a FIFO", Put::Fifo),
            ("a socket", Put::Socket),
            ("a folder", Put::Dir),
            ("-> /dev/zero", Put::Link("/dev/zero".into())),
            ("-> /dev/null", Put::Link("/dev/null".into())),
            ("-> /dev/urandom", Put::Link("/dev/urandom".into())),
            ("-> nothing", Put::Link("/nonexistent/file".into())),
            (
                "-> itself",
                Put::Link(PathBuf::from(file.rsplit('/').next().unwrap())),
            ),
            ("-> /proc/self/mem", Put::Link("/proc/self/mem".into())),
        ] {
            cases.push(Case::new(format!("{file} is {label}"), names(blame)).put(file, put));
        }
        let fifo = format!("{file}.fifo");
        cases.push(
            Case::new(format!("{file} -> a FIFO"), names(blame))
                .put(&fifo, Put::Fifo)
                .put(
                    file,
                    Put::Link(PathBuf::from(fifo.rsplit('/').next().unwrap())),
                ),
        );
    }
    for (label, put) in [
        ("a FIFO", Put::Fifo),
        ("-> /dev/zero", Put::Link("/dev/zero".into())),
        ("-> /dev/null", Put::Link("/dev/null".into())),
        ("a socket", Put::Socket),
    ] {
        cases.push(Case {
            export_is: Some(put),
            ..Case::new(format!("export path is {label}"), names("export"))
        });
    }
    // A channel's folder that is a regular file: its messages cannot be read, and the
    // file is named rather than taken for a channel with no messages.
    cases.push(
        Case::new("channel folder is a regular file", names("issue-a-0908"))
            .put("issue-a-0908", Put::Bytes(b"[]".to_vec())),
    );
    // A channel folder that is a device folder or a FIFO holds no day files.
    cases.push(
        Case::new("channel folder -> /dev", Expect::Survives)
            .put("issue-b-1008/2016-08-10.json", Put::Dir)
            .put("issue-c", Put::Link("/dev".into())),
    );
}

fn hostile_names(cases: &mut Vec<Case>) {
    let long = "x".repeat(10_000);
    for name in [
        "../../x",
        "..",
        ".",
        "",
        "a/b",
        "a\0b",
        "a\\b",
        "/etc",
        "~",
        "channels.json",
        "users.json",
        "issue-\n-0908",
        "issue-\u{202e}evil-0908",
        "issue-\u{1b}[2J-0908",
        long.as_str(),
    ] {
        let channels = edited("channels.json", |v| {
            v.as_array_mut().unwrap().push(
                json!({"id": "C9", "name": name, "created": DAY0 + 3 * DAY, "is_archived": false}),
            )
        });
        let shown: String = name.chars().take(16).collect();
        cases.push(
            Case::new(format!("channel named {shown:?}"), Expect::Survives)
                .put("channels.json", Put::Bytes(channels)),
        );
    }
    // The same channel listed twice, by id and by name: read once, with a warning.
    for (id, name) in [("C1", "issue-a-copy"), ("C8", "issue-a-0908")] {
        let channels = edited("channels.json", |v| {
            v.as_array_mut().unwrap().push(
                json!({"id": id, "name": name, "created": DAY0 + 2 * DAY, "is_archived": false}),
            )
        });
        cases.push(
            Case::new(
                format!("channel {id} #{name} listed twice"),
                Expect::Warns(format!("#{name} ({id}) is listed again")),
            )
            .put("channels.json", Put::Bytes(channels)),
        );
    }
    // A folder without a channel, and one whose channel has a hostile name.
    cases.push(
        Case::new(
            "folder without a channel",
            Expect::Warns("issue-ghost-0101".into()),
        )
        .put(
            "issue-ghost-0101/2017-01-01.json",
            Put::Bytes(base()[DAY_A].clone()),
        ),
    );
    let dup = edited("channels.json", |v| {
        let first = v[0].clone();
        v.as_array_mut().unwrap().push(first);
    });
    cases.push(
        Case::new("duplicate channel", Expect::Survives).put("channels.json", Put::Bytes(dup)),
    );
    cases.push(
        Case::new("only implausible channels", names("channels.json")).put(
            "channels.json",
            Put::Bytes(edited("channels.json", |v| {
                for c in v.as_array_mut().unwrap() {
                    c["created"] = json!(DAY0 * 1000);
                }
            })),
        ),
    );
}

fn all_cases() -> Vec<Case> {
    let mut cases = vec![];
    truncations(&mut cases);
    wrong_types(&mut cases);
    non_utf8(&mut cases);
    nesting(&mut cases);
    huge_numbers(&mut cases);
    old_exports(&mut cases);
    zips(&mut cases);
    special_files(&mut cases);
    hostile_names(&mut cases);
    cases
}

fn put(path: &Path, what: &Put) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let _ = std::fs::remove_file(path);
    if path.is_dir() && !path.is_symlink() {
        std::fs::remove_dir_all(path).unwrap();
    }
    match what {
        Put::Bytes(b) => std::fs::write(path, b).unwrap(),
        Put::Fifo => {
            let ok = Command::new("mkfifo").arg(path).status().unwrap();
            assert!(ok.success());
        }
        Put::Socket => drop(std::os::unix::net::UnixListener::bind(path).unwrap()),
        Put::Dir => std::fs::create_dir_all(path).unwrap(),
        Put::Link(to) => std::os::unix::fs::symlink(to, path).unwrap(),
        Put::RawFolder(name) => {
            let dir = path
                .parent()
                .unwrap()
                .join(std::ffi::OsStr::from_bytes(name));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("2016-08-09.json"), &base()[DAY_A]).unwrap();
        }
    }
}

/// Every path under `dir` with its kind and size, not following symlinks.
fn listing(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let e = e.unwrap();
        let meta = std::fs::symlink_metadata(e.path()).unwrap();
        out.push(format!(
            "{} {:?} {}",
            e.path().display(),
            meta.file_type(),
            if meta.is_file() { meta.len() } else { 0 }
        ));
        if meta.is_dir() {
            listing(&e.path(), out);
        }
    }
}

/// Lays out case `i` in its own folder and returns the path to give `report`.
fn lay_out(case: &Case, root: &Path) -> PathBuf {
    let dir = root.join("export");
    let export = if let Some(zip) = &case.zip {
        std::fs::create_dir_all(root).unwrap();
        let path = root.join("export.zip");
        std::fs::write(&path, zip).unwrap();
        path
    } else {
        for (rel, bytes) in base() {
            put(&dir.join(rel), &Put::Bytes(bytes));
        }
        dir.clone()
    };
    for (rel, what) in &case.puts {
        put(&dir.join(rel), what);
    }
    if let Some(what) = &case.export_is {
        std::fs::remove_dir_all(&dir).unwrap();
        put(&dir, what);
    }
    std::fs::create_dir_all(root.join("cwd")).unwrap();
    export
}

struct Run {
    code: Option<i32>,
    timed_out: bool,
    /// Bytes.
    peak_rss: u64,
    stdout: Vec<u8>,
    stderr: String,
}

// The child is reaped by wait4 (for its peak memory), which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn run_report(export: &Path, cwd: &Path, logs: &Path, strict: bool) -> Run {
    let (out_path, err_path) = (logs.with_extension("out"), logs.with_extension("err"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_incident-channels"));
    cmd.args(["report", export.to_str().unwrap(), "--json"]);
    if strict {
        cmd.arg("--strict");
    }
    cmd.current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    // SAFETY: setrlimit is async-signal-safe, and nothing else runs in the child.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_LIMIT,
                rlim_max: MEMORY_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    // wait4 rather than Child::try_wait: it also tells the child's peak memory.
    let pid = child.id() as libc::pid_t;
    let (mut status, mut timed_out) = (0, false);
    // SAFETY: rusage is plain data; wait4 fills it and `status` for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let started = Instant::now();
    loop {
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break;
        }
        assert_eq!(reaped, 0, "wait4: {}", std::io::Error::last_os_error());
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            timed_out = true;
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Run {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        timed_out,
        peak_rss: usage.ru_maxrss as u64 * 1024,
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned(),
    }
}

/// What is wrong with one run of a case, if anything.
fn check(case: &Case, strict: bool, run: &Run) -> Option<String> {
    let mode = if strict { "--strict" } else { "lenient" };
    let fail = |why: &str| {
        Some(format!(
            "{} [{mode}]: {why}; stderr: {}",
            case.name,
            run.stderr.trim()
        ))
    };
    if run.timed_out {
        return fail("hung (killed after 10 s)");
    }
    let Some(code) = run.code else {
        return fail("killed by a signal (out of memory? stack overflow?)");
    };
    if code == 101 || run.stderr.contains("panicked") {
        return fail("panicked");
    }
    // The address-space limit turns runaway reads into allocation errors; this catches
    // those that then end "cleanly".
    if run.peak_rss > MAX_RSS {
        return fail(&format!("peak memory {} MiB", run.peak_rss >> 20));
    }
    if code == 0 && serde_json::from_slice::<Value>(&run.stdout).is_err() {
        return fail("exit 0 without a JSON report");
    }
    if code != 0 && !run.stdout.is_empty() {
        return fail("failed after printing a report");
    }
    match &case.expect {
        Expect::Names(blame) => {
            if !run.stderr.contains(blame.as_str()) {
                return fail(&format!("no error or warning names {blame:?}"));
            }
            if strict && code != 1 {
                return fail(&format!("--strict exited {code}"));
            }
        }
        Expect::Warns(blame) => {
            if code != 0 || !run.stderr.contains(blame.as_str()) {
                return fail(&format!("expected a report and a warning naming {blame:?}"));
            }
        }
        Expect::Clean => {
            if code != 0 || !run.stderr.trim().is_empty() {
                return fail(&format!("expected a clean report, exit {code}"));
            }
        }
        Expect::Survives => {}
    }
    None
}

#[test]
fn hostile_exports_never_panic_hang_exhaust_memory_or_write() {
    let cases = all_cases();
    assert!(cases.len() >= 300, "only {} cases", cases.len());
    let tmp = tempfile::tempdir().unwrap();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let root = tmp.path().join(format!("case-{i}"));
                let export = lay_out(case, &root);
                let mut before = vec![];
                listing(&root, &mut before);
                for strict in [false, true] {
                    let logs = tmp.path().join(format!("log-{i}-{strict}"));
                    let run = run_report(&export, &root.join("cwd"), &logs, strict);
                    let mut problem = check(case, strict, &run);
                    let mut after = vec![];
                    listing(&root, &mut after);
                    if problem.is_none() && after != before {
                        problem = Some(format!("{}: the run changed files: {after:?}", case.name));
                    }
                    if let Some(p) = problem {
                        failures.lock().unwrap().push(p);
                    }
                }
                // FIFOs and sockets are cheap, but 24 MiB zips add up.
                let _ = std::fs::remove_dir_all(&root);
            });
        }
    });
    // Nothing landed beside the cases either (zip slip).
    let mut stray = vec![];
    listing(tmp.path(), &mut stray);
    stray.retain(|l| !l.contains("/log-") && !l.contains("/case-"));
    assert!(stray.is_empty(), "written outside: {stray:?}");
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Lays out the base export folder in `dir`.
fn write_base(dir: &Path) {
    for (rel, bytes) in base() {
        put(&dir.join(rel), &Put::Bytes(bytes));
    }
}

#[test]
fn report_into_a_closed_pipe_exits_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    write_base(tmp.path());
    for json in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_incident-channels"));
        cmd.args(["report", tmp.path().to_str().unwrap()]);
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `report | head -0`: the reader is gone before the report is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(stderr.is_empty(), "{stderr}");
    }
}

#[test]
fn warnings_come_after_the_report_and_are_capped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_base(dir);
    for i in 0..25 {
        put(
            &dir.join(format!("ghost-{i:02}/2016-08-09.json")),
            &Put::Bytes(b"[]".to_vec()),
        );
    }
    put(
        &dir.join(DAY_A),
        &Put::Bytes(b"[{\"ts\": 5000000000}, ".to_vec()),
    );
    let out = common::cli(&["report", dir.to_str().unwrap(), "--json"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    serde_json::from_slice::<Value>(&out.stdout).expect("the report, whole");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 21, "{stderr}");
    assert!(lines.iter().all(|l| l.starts_with("warning: ")), "{stderr}");
    assert!(lines[0].contains("2016-08-09.json") && lines[0].contains("invalid JSON"));
    assert!(lines[1].contains("ghost-00") && lines[1].contains("channels.json does not list"));
    assert!(lines[20].contains("and 6 more"), "{stderr}");

    let strict = common::cli(&["report", dir.to_str().unwrap(), "--json", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(strict.stdout.is_empty(), "no half report");
}

#[test]
fn implausible_times_from_sync_are_skipped_not_fatal() {
    // Sync accepts any ts; the report skips those outside 1970-2100 and says so.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_base(dir);
    let day = edited(DAY_A, |v| {
        set(v, "/1/ts", json!("5000000000.000000"));
        set(v, "/2/ts", json!("-1"));
    });
    put(&dir.join(DAY_A), &Put::Bytes(day));
    let out = common::cli(&["report", dir.to_str().unwrap(), "--json"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("2016-08-09.json: skipped 2 messages, e.g. message 1: `ts`")
            && stderr.contains("5000000000.000000"),
        "{stderr}"
    );
}

#[test]
fn hostile_names_in_warnings_cannot_drive_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_base(dir);
    put(
        &dir.join("evil\u{1b}[2J\u{202e}x\ny/2016-08-09.json"),
        &Put::Bytes(b"[]".to_vec()),
    );
    let out = common::cli(&["report", dir.to_str().unwrap(), "--json"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(r"evil\u{1b}[2J\u{202e}x\ny"), "{stderr}");
}
