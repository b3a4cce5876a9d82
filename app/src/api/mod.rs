//! Server functions, one file per area. Thin: authorise, call the domain, persist.

pub mod absence;
pub mod admin;
pub mod archive;
pub mod auth;
pub mod calendar;
pub mod decide;
pub mod history;
pub mod operations;
pub mod production;
pub mod queue;
pub mod requests;
pub mod review;
pub mod sign_off_link;
pub mod types;
pub mod wizard;

#[cfg(feature = "ssr")]
pub(crate) mod ssr;
