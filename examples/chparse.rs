#[global_allocator]
static A: mimalloc::MiMalloc = mimalloc::MiMalloc;
use incident_channels::export::model::{Channel, TextField};
use serde::Deserialize;
#[derive(Deserialize)]
#[allow(dead_code)]
struct Plain {
    id: String,
    name: String,
    created: i64,
    creator: Option<String>,
    #[serde(default)]
    is_archived: bool,
    #[serde(default)]
    is_general: bool,
    members: Option<Vec<String>>,
    #[serde(default)]
    topic: TextField,
    #[serde(default)]
    purpose: TextField,
}
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let a: Vec<Channel> = serde_json::from_slice(&bytes).unwrap();
        let t1 = t.elapsed();
        let b: Vec<Plain> = serde_json::from_slice(&bytes).unwrap();
        let t2 = t.elapsed() - t1;
        let c: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&bytes).unwrap();
        let t3 = t.elapsed() - t1 - t2;
        eprintln!(
            "Channel {t1:?} plain {t2:?} ignored {t3:?} {}",
            a.len() + b.len() + c.len()
        );
    }
}
