//! Analyses of incident channels. [`post`] reproduces the seed post's figures.

pub mod post;
