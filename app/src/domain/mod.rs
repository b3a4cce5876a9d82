//! The emergency change process in plain Rust: no IO, no Leptos types.
//!
//! Everything here is shared by the server (which persists what the domain decides),
//! the browser (which shows what is possible next) and, later, the PDF and the API.

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod cr_form;
pub mod execution;
pub mod forms;
pub mod history;
pub mod identity;
pub mod limits;
pub mod notify;
pub mod plan;
pub mod quorum;
pub mod reference;
pub mod review;
pub mod roles;
pub mod sla;
pub mod tasks;
pub mod triage;
pub mod webhook;
pub mod workflow;
