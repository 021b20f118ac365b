//! The library's parallel work runs on polars' thread pool: loading, the frames and the
//! report never start rayon's global pool, whose threads would otherwise sit idle beside
//! polars' holding memory. Alone in its test binary, so that nothing else starts it.

use incident_channels::prelude::*;
use incident_channels::publish::report::Report;
use std::path::Path;

#[test]
fn loading_framing_and_reporting_leave_rayons_global_pool_unstarted() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let mut ws = load(&sample).unwrap();
    assert!(messages_frame(&ws).unwrap().height() > 0);
    let options = PostOptions::default();
    let frames = IncidentFrames::new(&ws, options.convention.clone()).unwrap();
    let taken = IncidentFrames::take_from(&mut ws, options.convention.clone()).unwrap();
    assert_eq!(taken.incidents, frames.incidents);
    let report = Report::of_frames(frames, &options, AuditOptions::default()).unwrap();
    assert!(report.to_json().is_ok());
    // Building the global pool succeeds only if nothing has started it yet.
    let started = rayon::ThreadPoolBuilder::new().build_global().is_err();
    assert!(!started, "something ran on rayon's global pool");
}
