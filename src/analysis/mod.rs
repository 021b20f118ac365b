//! Analyses of incident channels: [`post`] reproduces the seed post's figures,
//! [`metrics`] goes where incident tools go.

pub mod audit;
pub mod metrics;
pub mod post;
pub mod report;
