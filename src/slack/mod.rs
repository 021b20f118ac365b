//! Slack's side of the data flow: the objects its Web API and exports share.

pub mod model;
