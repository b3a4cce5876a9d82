//! Data that travels between server and browser.

use crate::domain::roles::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The signed-in person, as the pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Database id.
    pub id: i64,
    /// Sign-in email address.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Their role.
    pub role: Role,
    /// Their team, if they belong to one.
    pub team_id: Option<i64>,
    /// Their team's name.
    pub team_name: Option<String>,
}

/// A change request as lists and summaries show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    /// `ECR-2026-0001`.
    pub reference: String,
    /// What the change does.
    pub title: String,
    /// The system that needs it.
    pub system: String,
    /// The stored state key (see the workflow module).
    pub state: String,
    /// Who started it.
    pub started_by: String,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}
