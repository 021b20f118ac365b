//! Queries over the incident frames: [`post`] reproduces the seed post's figures,
//! [`metrics`] goes where incident tools go ([`phases`] times each phase, [`severity`]
//! reads or classifies it, [`estimates`] checks the SOP's recovery estimates,
//! [`recurrence`] finds what comes back), [`audit`] holds the channels to the SOP;
//! [`period`] is the calendar they bucket by.

pub mod audit;
pub mod estimates;
pub mod metrics;
pub mod period;
pub mod phases;
pub mod post;
pub mod recurrence;
pub mod severity;
