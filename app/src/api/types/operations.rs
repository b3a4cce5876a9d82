//! The hosting team's documented operations as shown.

use crate::domain::plan::PlanStep;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One version of a documented operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationView {
    /// This version's id (a plan inserts a version, not a name).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its version, from 1.
    pub version: u32,
    /// Its steps.
    pub steps: Vec<PlanStep>,
    /// Who saved this version.
    pub saved_by: String,
    /// When.
    pub saved_at: DateTime<Utc>,
}
