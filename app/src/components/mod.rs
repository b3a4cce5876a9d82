//! Shared pieces of pages.

pub mod form;
pub mod layout;
pub mod schedule;
