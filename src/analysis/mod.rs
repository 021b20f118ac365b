//! Queries over the incident frames: [`post`] reproduces the seed post's figures,
//! [`metrics`] goes where incident tools go, [`audit`] holds the channels to the SOP.

pub mod audit;
pub mod metrics;
pub mod post;
