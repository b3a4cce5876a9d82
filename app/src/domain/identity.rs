//! Signing in through the organisation's identity provider (OpenID Connect): which role and team
//! the provider's groups give, and how a sign-in brings a person's account in line with them.
//!
//! The rule: what an admin chose stays; what the provider gave follows the provider. "No role
//! yet" hands the role back to the provider's groups.

use crate::domain::roles::Role;
use std::fmt;
use std::str::FromStr;

/// Who gave a person their role (or team).
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum Source {
    /// An admin, on the People page or with `server create-admin`.
    Admin,
    /// The identity provider's groups, at the last sign-in.
    #[strum(serialize = "idp")]
    Provider,
}

stored_form!(Source);

/// What one group of the provider gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// A role.
    Role(Role),
    /// Membership of a team (by name).
    Team(String),
}

/// `OFFCYCLE_OIDC_ROLE_MAP`: `group=role;group=team:Team name;…`, in order of precedence (the
/// first group a person has that gives a role decides the role; likewise for the team).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleMapping {
    rules: Vec<(String, Grant)>,
}

/// A mapping setting that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MappingError(String);

impl FromStr for RoleMapping {
    type Err = MappingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut rules = Vec::new();
        for rule in s.split(';').map(str::trim).filter(|r| !r.is_empty()) {
            let (group, grant) = rule
                .split_once('=')
                .ok_or_else(|| MappingError(format!("{rule:?} is not group=role or group=team:Name")))?;
            let (group, grant) = (group.trim(), grant.trim());
            if group.is_empty() {
                return Err(MappingError(format!("{rule:?} names no group")));
            }
            let grant = match grant.strip_prefix("team:") {
                Some(team) if !team.trim().is_empty() => Grant::Team(team.trim().to_string()),
                Some(_) => return Err(MappingError(format!("{rule:?} names no team"))),
                None => Grant::Role(Role::parse(grant).filter(|r| *r != Role::Unassigned).ok_or_else(|| {
                    let known: Vec<&str> =
                        Role::ALL.iter().filter(|r| **r != Role::Unassigned).map(|r| r.as_str()).collect();
                    MappingError(format!("{grant:?} is not a role (one of {})", known.join(", ")))
                })?),
            };
            rules.push((group.to_string(), grant));
        }
        Ok(RoleMapping { rules })
    }
}

/// What a person's groups give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapped {
    /// The role of the first rule that matches, if any.
    pub role: Option<Role>,
    /// The team of the first rule that matches, if any.
    pub team: Option<String>,
}

impl RoleMapping {
    /// What these groups give (group names compare exactly).
    pub fn map(&self, groups: &[String]) -> Mapped {
        let mut mapped = Mapped::default();
        for (group, grant) in &self.rules {
            if !groups.iter().any(|g| g == group) {
                continue;
            }
            match grant {
                Grant::Role(role) if mapped.role.is_none() => mapped.role = Some(*role),
                Grant::Team(team) if mapped.team.is_none() => mapped.team = Some(team.clone()),
                Grant::Role(_) | Grant::Team(_) => {}
            }
        }
        mapped
    }

    /// True when no rule is configured.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// A person's role and team, with who gave each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The role.
    pub role: Role,
    /// Who gave it.
    pub role_source: Source,
    /// The team's name, if any.
    pub team: Option<String>,
    /// Who gave it (or took it away).
    pub team_source: Source,
}

impl Assignment {
    /// A person created at sign-in (just-in-time): everything from the provider.
    pub fn provisioned(mapped: &Mapped) -> Assignment {
        Assignment {
            role: mapped.role.unwrap_or(Role::Unassigned),
            role_source: Source::Provider,
            team: mapped.team.clone(),
            team_source: Source::Provider,
        }
    }

    /// The assignment after a sign-in whose groups give `mapped`: the provider's own choices
    /// follow the provider (a group taken away takes its role or team with it); an admin's
    /// choice stays, except "No role yet" and "no team", which the provider may fill.
    pub fn synced(&self, mapped: &Mapped) -> Assignment {
        let mut next = self.clone();
        if self.role_source == Source::Provider || self.role == Role::Unassigned {
            if let Some(role) = mapped.role {
                next.role = role;
                next.role_source = Source::Provider;
            } else if self.role_source == Source::Provider {
                next.role = Role::Unassigned;
            }
        }
        if self.team_source == Source::Provider || self.team.is_none() {
            if mapped.team.is_some() {
                next.team = mapped.team.clone();
                next.team_source = Source::Provider;
            } else if self.team_source == Source::Provider {
                next.team = None;
            }
        }
        next
    }

    /// What changed from `self` to `next`, in words for the audit trail (empty: nothing).
    pub fn changes_to(&self, next: &Assignment) -> Vec<String> {
        let mut out = Vec::new();
        if self.role != next.role {
            out.push(format!("role {} → {} (from the identity provider)", self.role.label(), next.role.label()));
        }
        if self.team != next.team {
            let name = |t: &Option<String>| t.clone().unwrap_or_else(|| "no team".into());
            out.push(format!("team {} → {} (from the identity provider)", name(&self.team), name(&next.team)));
        }
        out
    }
}

/// Who may sign in with a password (`OFFCYCLE_PASSWORD_SIGN_IN`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PasswordSignIn {
    /// Everyone with a password (the default).
    #[default]
    Everyone,
    /// Admins only: break-glass access when the identity provider is down.
    AdminsOnly,
}

impl PasswordSignIn {
    /// Whether someone with this role may sign in with a password.
    pub fn allows(self, role: Role) -> bool {
        match self {
            PasswordSignIn::Everyone => true,
            PasswordSignIn::AdminsOnly => role == Role::Admin,
        }
    }
}

impl FromStr for PasswordSignIn {
    type Err = MappingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "everyone" | "on" => Ok(PasswordSignIn::Everyone),
            "admins" => Ok(PasswordSignIn::AdminsOnly),
            other => Err(MappingError(format!("{other:?} is not everyone or admins"))),
        }
    }
}

/// How new people come in through the provider (`OFFCYCLE_OIDC_PROVISIONING`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Provisioning {
    /// Only people an admin invited: a verified email claims its invitation (the default).
    #[default]
    InviteOnly,
    /// Anyone the provider signs in gets an account, with the role their groups give (or none).
    JustInTime,
}

impl FromStr for Provisioning {
    type Err = MappingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "invite" | "invite-only" => Ok(Provisioning::InviteOnly),
            "jit" | "just-in-time" => Ok(Provisioning::JustInTime),
            other => Err(MappingError(format!("{other:?} is not invite or jit"))),
        }
    }
}

/// Why a sign-in through the provider did not open a session. Travels in the sign-in page's
/// address (`?oidc=key`), so only its key, never detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum Refusal {
    /// Nobody invited this person (invite-only).
    NotInvited,
    /// The account is deactivated.
    Deactivated,
    /// The provider did not say the email address is verified, so it cannot claim an invitation.
    EmailUnverified,
    /// The sign-in took too long, was already used, or began in another browser.
    Expired,
    /// The person cancelled at the provider, or it refused.
    Cancelled,
    /// The provider's answer did not check out (or it could not be reached).
    Failed,
}

stored_form!(Refusal, key);

impl Refusal {
    /// Every refusal.
    pub const ALL: [Refusal; 6] = [
        Refusal::NotInvited,
        Refusal::Deactivated,
        Refusal::EmailUnverified,
        Refusal::Expired,
        Refusal::Cancelled,
        Refusal::Failed,
    ];

    /// What the person is told.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotInvited => {
                "You do not have an Offcycle account yet. Ask an admin to invite you, then sign in again"
            }
            Refusal::Deactivated => "Your Offcycle account is deactivated. Ask an admin if you need it back",
            Refusal::EmailUnverified => {
                "Your identity provider has not verified your email address, so it cannot claim your invitation"
            }
            Refusal::Expired => "That sign-in expired or was already used. Start again",
            Refusal::Cancelled => "Sign-in was cancelled at your identity provider. Start again when you are ready",
            Refusal::Failed => "Sign-in through your identity provider did not work. Try again, or ask an admin",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mapping() -> RoleMapping {
        "offcycle-cors=cor; offcycle-isso=isso; offcycle-hosting=hosting; team-grants=team:Grants Portal"
            .parse()
            .unwrap()
    }

    fn groups(g: &[&str]) -> Vec<String> {
        g.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_setting_parses_and_refuses_what_it_cannot_read() {
        let m = mapping();
        assert_eq!(m.map(&groups(&["offcycle-cors"])), Mapped { role: Some(Role::Cor), team: None });
        assert_eq!(
            m.map(&groups(&["team-grants", "offcycle-isso", "offcycle-cors"])),
            Mapped { role: Some(Role::Cor), team: Some("Grants Portal".into()) },
            "the setting's order decides, not the claim's"
        );
        assert_eq!(m.map(&groups(&["Offcycle-Cors"])), Mapped::default(), "group names compare exactly");
        let two_teams: RoleMapping = "team-grants=team:Grants Portal; team-pay=team:Payments".parse().unwrap();
        let both = two_teams.map(&groups(&["team-pay", "team-grants"]));
        assert_eq!(both.team.as_deref(), Some("Grants Portal"), "the first team rule decides too");
        assert!("".parse::<RoleMapping>().unwrap().is_empty());
        assert!(!m.is_empty());
        for bad in ["cors", "=cor", "g=superuser", "g=team:", "g=none"] {
            assert!(bad.parse::<RoleMapping>().is_err(), "{bad}");
        }
        // The refusal lists the roles a group may give: "no role yet" is not one.
        let refusal = "g=none".parse::<RoleMapping>().unwrap_err().to_string();
        let (_, listed) = refusal.split_once("one of ").unwrap_or_default();
        assert!(listed.contains("cor") && !listed.contains("none"), "{refusal}");
    }

    #[test]
    fn an_admins_choice_stays_and_the_providers_follows_the_provider() {
        let cor = mapping().map(&groups(&["offcycle-cors", "team-grants"]));
        let fresh = Assignment::provisioned(&cor);
        assert_eq!(fresh.role, Role::Cor);
        assert_eq!(fresh.team.as_deref(), Some("Grants Portal"));
        // The group is taken away: so is the role it gave.
        let removed = fresh.synced(&Mapped::default());
        assert_eq!((removed.role, removed.team.clone()), (Role::Unassigned, None));
        assert_eq!(removed.changes_to(&removed.synced(&Mapped::default())), Vec::<String>::new());
        assert_eq!(fresh.changes_to(&removed).len(), 2);
        // An admin made them an archivist: the provider's groups leave it alone.
        let admin_set =
            Assignment { role: Role::Archivist, role_source: Source::Admin, team: None, team_source: Source::Admin };
        let after = admin_set.synced(&cor);
        assert_eq!(after.role, Role::Archivist);
        assert_eq!(after.team.as_deref(), Some("Grants Portal"), "an empty team may be filled");
        // "No role yet" from an admin hands the role to the provider.
        let pending = Assignment { role: Role::Unassigned, ..admin_set };
        assert_eq!(pending.synced(&cor).role, Role::Cor);
        assert_eq!(pending.synced(&cor).role_source, Source::Provider);
    }

    #[test]
    fn every_refusal_round_trips_through_its_key() {
        for r in Refusal::ALL {
            assert_eq!(Refusal::parse(r.key()), Some(r));
        }
        assert_eq!(Refusal::parse("whatever"), None);
        // The keys are in addresses people bookmark and the sources are stored: they stay as written.
        let keys = Refusal::ALL.map(Refusal::key);
        assert_eq!(keys, ["not_invited", "deactivated", "email_unverified", "expired", "cancelled", "failed"]);
        assert_eq!([Source::Admin, Source::Provider].map(Source::as_str), ["admin", "idp"]);
        assert_eq!(Source::parse("idp"), Some(Source::Provider));
        assert_eq!(Source::parse("Provider"), None);
        assert!(!PasswordSignIn::AdminsOnly.allows(Role::Cor));
        assert!(PasswordSignIn::AdminsOnly.allows(Role::Admin));
        assert!(PasswordSignIn::Everyone.allows(Role::Cor));
    }

    #[test]
    fn the_sign_in_settings_take_their_spellings_and_refuse_anything_else() {
        for (text, way) in [("everyone", PasswordSignIn::Everyone), ("on", PasswordSignIn::Everyone)] {
            assert_eq!(text.parse::<PasswordSignIn>(), Ok(way));
        }
        assert_eq!(" admins ".parse::<PasswordSignIn>(), Ok(PasswordSignIn::AdminsOnly));
        // A typo must not quietly leave passwords open to everyone.
        assert!("admin-only".parse::<PasswordSignIn>().is_err());
        for text in ["invite", "invite-only"] {
            assert_eq!(text.parse::<Provisioning>(), Ok(Provisioning::InviteOnly));
        }
        for text in ["jit", "just-in-time"] {
            assert_eq!(text.parse::<Provisioning>(), Ok(Provisioning::JustInTime));
        }
        assert!("open".parse::<Provisioning>().is_err());
    }

    #[test]
    fn each_refusal_tells_the_person_what_happened_in_its_own_words() {
        let said: std::collections::BTreeSet<String> = Refusal::ALL.iter().map(Refusal::to_string).collect();
        assert_eq!(said.len(), Refusal::ALL.len());
        assert!(Refusal::ALL.iter().all(|r| r.to_string() == r.message() && !r.message().is_empty()));
        assert!(Refusal::NotInvited.message().contains("Ask an admin to invite you"));
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    fn any_source() -> impl Strategy<Value = Source> {
        prop::sample::select(vec![Source::Admin, Source::Provider])
    }

    proptest! {
        /// Syncing twice with the same groups changes nothing more (a sign-in is idempotent),
        /// and an admin's real role never changes through the provider.
        #[test]
        fn syncing_is_idempotent_and_never_overrides_an_admin(
            role in any_role(), role_source in any_source(), team in prop::option::of("[A-C]"), team_source in any_source(),
            mapped_role in prop::option::of(any_role().prop_filter("a grant", |r| *r != Role::Unassigned)),
            mapped_team in prop::option::of("[A-C]"),
        ) {
            let current = Assignment { role, role_source, team, team_source };
            let mapped = Mapped { role: mapped_role, team: mapped_team };
            let once = current.synced(&mapped);
            prop_assert_eq!(once.synced(&mapped), once.clone());
            if role_source == Source::Admin && role != Role::Unassigned {
                prop_assert_eq!(once.role, role);
            }
            if role_source == Source::Provider {
                prop_assert_eq!(once.role, mapped_role.unwrap_or(Role::Unassigned));
            }
        }
    }
}
