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

/// The workspace's README, for the tests that keep its tables equal to the code. Found from
/// the package folder cargo names when it runs the test, so a test binary built in another
/// checkout (a shared build cache keeps one that is otherwise up to date) reads this one's.
#[cfg(test)]
pub(crate) fn readme_path() -> std::path::PathBuf {
    let package = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    std::path::Path::new(&package).join("../README.md")
}
