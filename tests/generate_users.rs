//! `generate --users N`: a company-sized users.json, the same channels and messages.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Every file under `dir` by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn generate(out: &Path, extra: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_incident-channels"))
        .arg("generate")
        .arg("--out")
        .arg(out)
        .args(extra)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn twenty_thousand_users_change_only_users_json() {
    let tmp = tempfile::tempdir().unwrap();
    let (plain, many) = (tmp.path().join("plain"), tmp.path().join("many"));
    generate(&plain, &[]);
    generate(&many, &["--users", "20000"]);
    let (mut a, mut b) = (files(&plain), files(&many));
    let users_a: Vec<serde_json::Value> =
        serde_json::from_slice(&a.remove("users.json").unwrap()).unwrap();
    let users_b: Vec<serde_json::Value> =
        serde_json::from_slice(&b.remove("users.json").unwrap()).unwrap();
    assert!(users_b.len() >= 20_000, "{} users", users_b.len());
    let ids: std::collections::HashSet<&str> =
        users_b.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), users_b.len(), "user ids are unique");
    let cast: Vec<&serde_json::Value> = users_b.iter().filter(|u| users_a.contains(u)).collect();
    assert_eq!(
        cast.len(),
        users_a.len(),
        "every user of the sample is there, unchanged"
    );
    assert!(a.len() > 200);
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs");
    }
}
