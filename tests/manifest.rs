//! The Slack app manifest asks for exactly the scopes sync's calls need, no more.

use std::collections::BTreeSet;

use incident_channels::slack::api::Method;

#[test]
fn manifest_scopes_are_the_ones_sync_calls_need() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/slack/app-manifest.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let needed: BTreeSet<&str> = Method::ALL
        .iter()
        .flat_map(|m| [m.scope(false), m.scope(true)])
        .filter(|s| !s.is_empty())
        .collect();
    for kind in ["bot", "user"] {
        let asked: BTreeSet<&str> = manifest["oauth_config"]["scopes"][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(asked, needed, "{kind} scopes");
        assert!(asked
            .iter()
            .all(|s| s.ends_with(":read") || s.ends_with(":history")));
    }
}
