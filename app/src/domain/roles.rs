//! Who people are in the process.

use serde::{Deserialize, Serialize};

/// A person's role in the organisation. A person has exactly one. Its one string form (stored,
/// in forms, in the identity provider's mapping) is given by `strum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// Member of a development team: starts requests, writes plans, signs off staging.
    #[strum(to_string = "dev")]
    DevTeamMember,
    /// Hosting team: reviews, edits, submits to the CORs and executes in production.
    #[strum(to_string = "hosting")]
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
    #[strum(to_string = "none")]
    Unassigned,
}

impl Role {
    /// Every role, in the order the admin screens list them.
    pub const ALL: &'static [Role] = <Role as strum::VariantArray>::VARIANTS;

    /// The stable identifier stored in the database.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Role> {
        s.parse().ok()
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
        for &role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
        // Stored rows and identity-provider mappings hold these: they never change.
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, ["dev", "hosting", "hosting_lead", "cor", "isso", "archivist", "admin", "none"]);
    }
}
