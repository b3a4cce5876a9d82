//! Shared pieces of pages.

pub mod clock;
pub mod follow;
pub mod form;
pub mod layout;
pub mod outcome;
pub mod plan;
pub mod schedule;
pub mod scripts;
