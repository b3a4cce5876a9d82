//! The emergency change process as one state machine.
//!
//! [`RULES`] says, for every action, from which states it may be taken, by whom and under
//! which guard, and where it leads; the README's table is generated from it (a test keeps them
//! equal). [`decide`] checks an action against the rules and the guards and returns the
//! [`Transition`]: the next state and its effects as data (messages, archive copies, audit
//! events). The server persists the effects; nothing here does IO.

mod action;
mod decide;
mod effect;
mod request;
mod rules;

pub use action::*;
pub use decide::*;
pub use effect::*;
pub use request::*;
pub use rules::*;
// Triage's answers are part of the request the rules decide on.
pub use super::triage::{TriageAnswers, TriageOutcome};

use super::calendar::Calendar;
use super::execution::{Execution, Mark, StepStatus};
use super::notify::{message, MessageKind};
use super::plan::PlanHash;
use super::quorum::{evaluate, Cor, Decision, LinkStanding, Quorum, UserId, Verdict};
use super::roles::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use State as S;

#[cfg(test)]
mod tests;
