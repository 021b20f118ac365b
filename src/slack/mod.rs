//! Slack's side of the data flow: its objects, the Web API client, `sync` into the
//! export layout, and an emulator of the API to test all of it against.

pub mod api;
pub mod client;
pub mod emulator;
pub mod sync;
pub mod token;
