//! The whole `incident-channels` API, built as a Rust dylib for notebook kernels.
//!
//! A notebook names it under the library's own name, so its cells read the same:
//! `:dep incident-channels = { package = "incident-channels-dylib", path = "dylib" }`.
pub use incident_channels::*;
