//! The states of an emergency change request.

use serde::{Deserialize, Serialize};

/// Where a request stands in the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum State {
    /// Step 0: is this really an emergency?
    Triage,
    /// Not justified as an emergency: queued for the next monthly maintenance window.
    RegularChange,
    /// Step 1: the dev team writes the step-by-step operation plan.
    Planning,
    /// Step 2: changes made and validated in staging; sign-offs collected.
    StagingValidation,
    /// Step 3: the emergency CR form is being completed.
    CrForm,
    /// Step 4a: the hosting team checks security and performance risk.
    HostingReview,
    /// Step 4b: submitted to the CORs.
    AwaitingApproval,
    /// Quorum reached; ready for production.
    Approved,
    /// Step 5: the hosting team is applying the plan.
    Implementing,
    /// The dev team is validating the change in production.
    ValidatingInProduction,
    /// Done, stakeholders told, archived.
    Completed,
    /// Sent back to the dev team with comments.
    ReturnedToDev,
    /// A COR rejected it (with a reason).
    Rejected,
    /// The requester withdrew it.
    Withdrawn,
    /// Implementation was aborted and the rollback executed.
    RolledBack,
}

impl State {
    /// Every state, in process order.
    pub const ALL: [State; 15] = [
        State::Triage,
        State::RegularChange,
        State::Planning,
        State::StagingValidation,
        State::CrForm,
        State::HostingReview,
        State::AwaitingApproval,
        State::Approved,
        State::Implementing,
        State::ValidatingInProduction,
        State::Completed,
        State::ReturnedToDev,
        State::Rejected,
        State::Withdrawn,
        State::RolledBack,
    ];

    /// The stable identifier stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Triage => "triage",
            State::RegularChange => "regular_change",
            State::Planning => "planning",
            State::StagingValidation => "staging_validation",
            State::CrForm => "cr_form",
            State::HostingReview => "hosting_review",
            State::AwaitingApproval => "awaiting_approval",
            State::Approved => "approved",
            State::Implementing => "implementing",
            State::ValidatingInProduction => "validating_in_production",
            State::Completed => "completed",
            State::ReturnedToDev => "returned_to_dev",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
            State::RolledBack => "rolled_back",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// What people call the state.
    pub fn label(self) -> &'static str {
        match self {
            State::Triage => "Triage",
            State::RegularChange => "Regular change",
            State::Planning => "Planning",
            State::StagingValidation => "Staging validation",
            State::CrForm => "CR form",
            State::HostingReview => "Hosting review",
            State::AwaitingApproval => "Awaiting approval",
            State::Approved => "Approved",
            State::Implementing => "Implementing",
            State::ValidatingInProduction => "Validating in production",
            State::Completed => "Completed",
            State::ReturnedToDev => "Returned to dev",
            State::Rejected => "Rejected",
            State::Withdrawn => "Withdrawn",
            State::RolledBack => "Rolled back",
        }
    }

    /// True when nothing more can happen to the request.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::RegularChange
                | State::Completed
                | State::Rejected
                | State::Withdrawn
                | State::RolledBack
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_round_trips_through_its_stored_name() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }
}
