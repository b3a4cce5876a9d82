//! Who people are in the process.

use serde::{Deserialize, Serialize};

/// A person's role in the organisation. A person has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Member of a development team: starts requests, writes plans, signs off staging.
    DevTeamMember,
    /// Hosting team: reviews, edits, submits to the CORs and executes in production.
    HostingEngineer,
    /// Hosting team lead: everything an engineer can, plus escalations.
    HostingLead,
    /// Contracting Officer's Representative: approves or rejects.
    Cor,
    /// Information System Security Officer: copied on security-related changes.
    Isso,
    /// Reads and downloads the archive; changes nothing.
    Archivist,
    /// Manages people, teams, out-of-office dates and the calendar.
    Admin,
    /// Signed in through the identity provider, but no role yet (none of their groups gives
    /// one, or an admin handed the role back to the provider's groups): sees only their account.
    Unassigned,
}

impl Role {
    /// Every role, in the order the admin screens list them.
    pub const ALL: [Role; 8] = [
        Role::DevTeamMember,
        Role::HostingEngineer,
        Role::HostingLead,
        Role::Cor,
        Role::Isso,
        Role::Archivist,
        Role::Admin,
        Role::Unassigned,
    ];

    /// The stable identifier stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::DevTeamMember => "dev",
            Role::HostingEngineer => "hosting",
            Role::HostingLead => "hosting_lead",
            Role::Cor => "cor",
            Role::Isso => "isso",
            Role::Archivist => "archivist",
            Role::Admin => "admin",
            Role::Unassigned => "none",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// What people call the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::DevTeamMember => "Dev team member",
            Role::HostingEngineer => "Hosting engineer",
            Role::HostingLead => "Hosting lead",
            Role::Cor => "COR",
            Role::Isso => "ISSO",
            Role::Archivist => "Archivist",
            Role::Admin => "Admin",
            Role::Unassigned => "No role yet",
        }
    }

    /// True for both hosting roles.
    pub fn is_hosting(self) -> bool {
        matches!(self, Role::HostingEngineer | Role::HostingLead)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_stored_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
