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

stored_form!(Role);

impl Role {
    /// Every role, in the order the admin screens list them.
    pub const ALL: &'static [Role] = <Role as strum::VariantArray>::VARIANTS;

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

    /// False for someone signed in through the identity provider with no role yet: the home page
    /// (which says so) and signing out are all theirs until an admin or a group gives them one.
    pub fn has_access(self) -> bool {
        self != Role::Unassigned
    }
}

/// Someone an admin gives access, parsed from the people page's form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPerson {
    /// Their email address, lower case (how they sign in and are mailed).
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Their team (a dev team member needs one).
    pub team_id: Option<i64>,
}

/// A team's name, trimmed: a one-line name of the limits' table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamName(String);

impl TeamName {
    /// Parses what was typed into the `team_name` field, or says there what is wrong.
    pub fn parse(typed: &str) -> Result<TeamName, super::forms::FormErrors> {
        use super::limits::{required, Typed, LINE};
        let typed = Typed { field: "team_name", label: "Team name", value: typed, max: LINE };
        required(typed, "Enter the team's name").map(TeamName)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl NewPerson {
    /// Checks a person's name (the admin form's, or the command line's): given, and a one-line
    /// name's length.
    pub fn name(typed: &str) -> Result<String, super::forms::FieldError> {
        use super::limits::{given, Typed, LINE};
        given(Typed { field: "name", label: "Their name", value: typed, max: LINE }, "Enter their name")
    }

    /// The name an identity provider gives, as a name to show: its word, not typed here, so it is
    /// never refused, only made one line (control characters and runs of spaces folded) and cut
    /// to a one-line name's length. Nothing left: no name (the address stands in).
    pub fn provided_name(given: &str) -> Option<String> {
        let one_line = super::limits::printable(given);
        let folded = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
        let cut: String = folded.chars().take(super::limits::LINE).collect();
        let cut = cut.trim_end();
        (!cut.is_empty()).then(|| cut.to_string())
    }

    /// Parses the form against the teams there are, or says at each field what is wrong (with
    /// what was typed).
    pub fn parse(
        email: &str,
        name: &str,
        role: &str,
        team: &str,
        teams: &[i64],
    ) -> Result<NewPerson, super::forms::FormErrors> {
        use super::forms::{FieldError, FormErrors};
        let (email, name) = (email.trim().to_lowercase(), name.trim().to_string());
        let mut errors = Vec::new();
        let mut problem =
            |field: &str, message: &str| errors.push(FieldError { field: field.into(), message: message.into() });
        if email.is_empty() {
            problem("email", "Enter their email address");
        } else if !super::cr_form::is_email(&email) {
            problem("email", "Enter an email address like name@agency.gov");
        }
        if let Err(e) = Self::name(&name) {
            problem(&e.field, &e.message);
        }
        let parsed_role = Role::parse(role.trim());
        if parsed_role.is_none() {
            problem("role", "Choose a role");
        }
        let team_id = match team.trim() {
            "" => Ok(None),
            t => t.parse::<i64>().ok().filter(|id| teams.contains(id)).map(Some).ok_or(()),
        };
        match (parsed_role, team_id) {
            (_, Err(())) => problem("team", "Choose a team"),
            (Some(Role::DevTeamMember), Ok(None)) => problem("team", "A dev team member needs a team"),
            _ => {}
        }
        match (parsed_role, team_id) {
            (Some(role), Ok(team_id)) if errors.is_empty() => Ok(NewPerson { email, name, role, team_id }),
            _ => Err(FormErrors {
                errors,
                values: [("email", email), ("name", name), ("role", role.to_string()), ("team", team.to_string())]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_person_has_an_address_a_name_a_role_and_a_team_when_a_developer() {
        let ok = NewPerson::parse(" Dana@Example.gov ", " Dana ", "dev", "3", &[3]).unwrap();
        assert_eq!(
            ok,
            NewPerson {
                email: "dana@example.gov".into(),
                name: "Dana".into(),
                role: Role::DevTeamMember,
                team_id: Some(3)
            }
        );
        assert_eq!(NewPerson::parse("h@example.gov", "Hal", "hosting", "", &[3]).unwrap().team_id, None);
        let fields = |r: Result<NewPerson, crate::domain::forms::FormErrors>| {
            r.unwrap_err().errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>()
        };
        assert_eq!(fields(NewPerson::parse("", "", "", "", &[])), ["email", "name", "role"]);
        assert_eq!(fields(NewPerson::parse("d@example.gov", "Dana", "dev", "", &[3])), ["team"]);
        assert_eq!(fields(NewPerson::parse("d@example.gov", "Dana", "hosting", "9", &[3])), ["team"]);
        let e = NewPerson::parse("not-an-address", "Dana", "dev", "3", &[3]).unwrap_err();
        assert_eq!(e.value_of("email"), Some("not-an-address"), "what was typed comes back");
    }

    #[test]
    fn only_someone_with_no_role_yet_is_kept_out_and_only_two_roles_are_hosting() {
        let kept_out: Vec<_> = Role::ALL.iter().filter(|r| !r.has_access()).collect();
        assert_eq!(kept_out, [&Role::Unassigned], "every other role may use the service");
        let hosting: Vec<_> = Role::ALL.iter().filter(|r| r.is_hosting()).collect();
        assert_eq!(hosting, [&Role::HostingEngineer, &Role::HostingLead]);
    }

    #[test]
    fn a_team_name_is_trimmed_and_a_one_line_name() {
        use crate::domain::limits::LINE;
        assert_eq!(TeamName::parse("  Portal team ").unwrap().as_str(), "Portal team");
        assert!(TeamName::parse(&"x".repeat(LINE)).is_ok());
        for bad in ["", "   ", &"x".repeat(LINE + 1)] {
            let e = TeamName::parse(bad).unwrap_err();
            assert_eq!(e.errors[0].field, "team_name");
            assert_eq!(e.value_of("team_name"), Some(bad.trim()), "what was typed comes back");
        }
    }

    #[test]
    fn a_person_name_is_given_and_a_one_line_name() {
        use crate::domain::limits::LINE;
        let named = |name: &str| NewPerson::parse("d@example.gov", name, "hosting", "", &[]);
        assert_eq!(named(&format!(" {} ", "n".repeat(LINE))).unwrap().name, "n".repeat(LINE));
        assert_eq!(named("  ").unwrap_err().message_for("name"), Some("Enter their name"));
        let e = named(&"n".repeat(LINE + 1)).unwrap_err();
        assert_eq!(e.message_for("name"), Some("Their name must be 120 characters or fewer (it has 121)"));
        assert_eq!(NewPerson::name(&"n".repeat(LINE + 1)).unwrap_err().message, e.errors[0].message);
    }

    #[test]
    fn a_provided_name_is_one_line_and_cut_to_a_name_s_length_never_refused() {
        use crate::domain::limits::LINE;
        assert_eq!(NewPerson::provided_name("  Dana \r\n  Q.\tPublic\u{1b} ").as_deref(), Some("Dana Q. Public"));
        assert_eq!(NewPerson::provided_name(" \n\t ").as_deref(), None);
        let long = format!("{} {}", "é".repeat(LINE - 1), "x".repeat(300));
        assert_eq!(NewPerson::provided_name(&long), Some("é".repeat(LINE - 1)), "cut, and no trailing space");
        assert_eq!(NewPerson::provided_name(&"n".repeat(LINE)), Some("n".repeat(LINE)));
    }

    proptest::proptest! {
        #[test]
        fn a_provided_name_is_kept_as_a_person_s_name_would_be(given in "\\PC{0,200}|[ \t\r\nA-Za-zé]{0,300}") {
            if let Some(name) = NewPerson::provided_name(&given) {
                proptest::prop_assert!(NewPerson::name(&name).is_ok(), "{name:?}");
                proptest::prop_assert!(!name.chars().any(char::is_control));
                proptest::prop_assert_eq!(NewPerson::provided_name(&name), Some(name.clone()), "settled");
            }
        }
    }

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
