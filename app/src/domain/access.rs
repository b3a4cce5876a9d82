//! Who may do what: the parts of the product that are not an action on one request (the queue,
//! the problem log, out-of-office dates, administration) as [`Area`]s the server functions
//! check, and the README's "Who may do what" table, generated from them and from [`RULES`].

use super::roles::Role;
use super::workflow::{may_read, ActionKind, Actor, Context, Party, Request, State, RULES};

/// What a person's "Your requests" lists, by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum YourRequests {
    /// The requests this person started (dev teams and admins).
    Started,
    /// The requests this hosting engineer is assigned to, and those they started (outages at
    /// night): what they have taken on.
    Taken,
    /// The requests this COR approved or rejected.
    Decided,
    /// Every request marked security-related: the ISSO is copied on each one's messages, as
    /// [`crate::domain::notify`] says.
    SecurityRelated,
    /// None: archivists find requests in the archive.
    Nothing,
}

impl YourRequests {
    /// The list for someone in `role`.
    pub fn of(role: Role) -> YourRequests {
        match role {
            Role::DevTeamMember | Role::Admin => YourRequests::Started,
            Role::HostingEngineer | Role::HostingLead => YourRequests::Taken,
            Role::Cor => YourRequests::Decided,
            Role::Isso => YourRequests::SecurityRelated,
            Role::Archivist | Role::Unassigned => YourRequests::Nothing,
        }
    }
}

/// A part of the product that roles, not a person's relation to a request, give access to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// Start a request (hosting may too, on a team's behalf: outages at night).
    StartRequest,
    /// The hosting queue.
    HostingQueue,
    /// The problem log across requests.
    ProblemLog,
    /// A COR's own out-of-office dates.
    OwnAbsence,
    /// Any COR's out-of-office dates.
    AnyCorAbsence,
    /// People, teams, invitations, the calendar, undelivered mail.
    Administration,
    /// One's own account: sessions and API tokens.
    OwnAccount,
    /// The library of documented operations (everyone who writes plans reads it).
    OperationLibrary,
    /// Search the archive and download any archived record (dev team members read their own
    /// team's records from the request pages).
    ArchiveSearch,
}

impl Area {
    /// Every area, in the README's order.
    pub const ALL: [Area; 9] = [
        Area::StartRequest,
        Area::HostingQueue,
        Area::ProblemLog,
        Area::OwnAbsence,
        Area::AnyCorAbsence,
        Area::Administration,
        Area::OwnAccount,
        Area::OperationLibrary,
        Area::ArchiveSearch,
    ];

    /// What the README calls it.
    pub fn label(self) -> &'static str {
        match self {
            Area::StartRequest => "Start a request",
            Area::HostingQueue => "The hosting queue",
            Area::ProblemLog => "The problem log",
            Area::OwnAbsence => "Their own out-of-office dates",
            Area::AnyCorAbsence => "Any COR's out-of-office dates",
            Area::Administration => "People, teams, invitations, the calendar, undelivered mail",
            Area::OwnAccount => "Their own sessions and API tokens",
            Area::OperationLibrary => "Save documented operations",
            Area::ArchiveSearch => "Search the archive",
        }
    }

    /// True when someone with `role` may use it.
    pub fn allows(self, role: Role) -> bool {
        use Role as R;
        match self {
            Area::StartRequest => matches!(role, R::DevTeamMember | R::HostingEngineer | R::HostingLead | R::Admin),
            Area::HostingQueue | Area::ProblemLog | Area::AnyCorAbsence => role.is_hosting() || role == R::Admin,
            Area::OwnAbsence => role == R::Cor,
            Area::Administration => role == R::Admin,
            Area::OwnAccount => true,
            Area::OperationLibrary => role.is_hosting() || role == R::Admin,
            Area::ArchiveSearch => match role {
                R::DevTeamMember | R::Unassigned => false,
                R::HostingEngineer | R::HostingLead | R::Cor | R::Isso | R::Archivist | R::Admin => true,
            },
        }
    }
}

/// The table's columns: a role, and for dev team members whether the request is their team's.
const COLUMNS: [(&str, Role, bool); 8] = [
    ("dev team (own)", Role::DevTeamMember, true),
    ("dev team (other)", Role::DevTeamMember, false),
    ("hosting engineer", Role::HostingEngineer, true),
    ("hosting lead", Role::HostingLead, true),
    ("COR", Role::Cor, true),
    ("ISSO", Role::Isso, true),
    ("archivist", Role::Archivist, true),
    ("admin", Role::Admin, true),
];

/// Whether `party` admits someone with `role`: not at all, always (`Some(None)`), or on a
/// condition said in words.
fn admits(party: Party, role: Role, raises_holds: bool) -> Option<Option<&'static str>> {
    let always = Some(None);
    match party {
        Party::DevTeam => (role == Role::DevTeamMember).then_some(None),
        Party::Hosting => role.is_hosting().then_some(None),
        Party::AssignedEngineer => match role {
            Role::HostingLead => always,
            Role::HostingEngineer => Some(Some("if assigned")),
            _ => None,
        },
        Party::Cor => (role == Role::Cor).then_some(None),
        Party::Isso => (role == Role::Isso).then_some(None),
        Party::Admin => (role == Role::Admin).then_some(None),
        Party::Escalation => (role == Role::Admin).then_some(Some("when every COR is out of office")),
        Party::HoldRaiser => raises_holds.then_some(Some("if they raised it")),
        // Not a role: whoever the dev team asked by email, by their link alone.
        Party::InvitedSigner => None,
    }
}

/// True when some rule lets someone with `role` take `action`, on some request under its
/// conditions (a page for that action is theirs to open; `decide` says whether they may now).
pub fn role_may_take(action: ActionKind, role: Role) -> bool {
    RULES.iter().filter(|r| r.action == action).flat_map(|r| r.who).any(|p| admits(*p, role, true).is_some())
}

/// The states in which a request waits for a decision that someone with `role` gives as of right
/// (a COR; an admin decides only on escalation): the "awaiting your decision" list holds them.
pub fn awaits_decision_of(role: Role) -> Vec<State> {
    let decides = |s: &State| {
        RULES.iter().any(|r| {
            r.action == ActionKind::Decide
                && r.from.contains(s)
                && r.who.iter().any(|p| admits(*p, role, false) == Some(None))
        })
    };
    State::ALL.iter().copied().filter(decides).collect()
}

/// One cell for a request action: "yes", the conditions, or "no".
fn action_cell(action: ActionKind, role: Role) -> String {
    let raises_holds = RULES.iter().any(|r| {
        r.action == ActionKind::RaiseHold
            && r.who.iter().any(|p| *p != Party::HoldRaiser && admits(*p, role, false).is_some())
    });
    let mut conditions: Vec<&str> = Vec::new();
    for rule in RULES.iter().filter(|r| r.action == action) {
        for party in rule.who {
            let Some(condition) = admits(*party, role, raises_holds) else { continue };
            let on_fast_path = rule.only_on_fast_path.map(|_| "on the outage fast path");
            match condition.or(on_fast_path) {
                None => return "yes".into(),
                Some(c) if !conditions.contains(&c) => conditions.push(c),
                Some(_) => {}
            }
        }
    }
    if conditions.is_empty() {
        "no".into()
    } else {
        conditions.join(", or ")
    }
}

/// The README's "Who may do what" table, generated from [`RULES`], [`may_read`] and [`Area`].
pub fn who_may_do_what_markdown() -> String {
    let header: Vec<&str> = COLUMNS.iter().map(|(name, ..)| *name).collect();
    let mut out = format!("| | {} |\n|{}\n", header.join(" | "), " --- |".repeat(COLUMNS.len() + 1));
    let mut row = |what: &str, cells: Vec<String>| out.push_str(&format!("| {what} | {} |\n", cells.join(" | ")));
    // A request of team 1 started by someone else; the reader is of team 1 or of team 2.
    let request = Request::new(99, Some(1), super::plan::PlanHash(String::new()));
    let reader =
        |role: Role, own: bool| Actor { id: 1, name: String::new(), role, team_id: Some(if own { 1 } else { 2 }) };
    let calendar = super::calendar::Calendar::default();
    let cors = [super::quorum::Cor { id: 1, name: String::new(), absences: Vec::new() }];
    let ctx = Context { now: chrono::DateTime::default(), cors: &cors, calendar: &calendar };
    let not_found = |role: Role, own: bool| !may_read(&reader(role, own), &request, &ctx);
    row(
        "Read a request, its history and audit trail; comment",
        COLUMNS
            .iter()
            .map(|(_, role, own)| if not_found(*role, *own) { "not found" } else { "yes" }.to_string())
            .collect(),
    );
    let mut actions: Vec<ActionKind> = Vec::new();
    for rule in RULES {
        if !actions.contains(&rule.action) {
            actions.push(rule.action);
        }
    }
    for action in actions {
        let cells = COLUMNS
            .iter()
            .map(|(_, role, own)| if not_found(*role, *own) { "not found".into() } else { action_cell(action, *role) })
            .collect();
        row(action.label(), cells);
    }
    for area in Area::ALL {
        row(
            area.label(),
            COLUMNS.iter().map(|(_, role, _)| if area.allows(*role) { "yes" } else { "no" }.into()).collect(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run with `UPDATE_README=1` to rewrite the README's table from the code.
    #[test]
    fn a_decision_page_is_for_cors_and_admins_on_escalation() {
        let deciders: Vec<Role> = Role::ALL.iter().copied().filter(|r| role_may_take(ActionKind::Decide, *r)).collect();
        assert_eq!(deciders, [Role::Cor, Role::Admin]);
    }

    #[test]
    fn only_a_cor_is_awaited_for_a_decision_and_only_once_it_is_submitted() {
        for role in Role::ALL {
            let expected: &[State] = if *role == Role::Cor { &[State::AwaitingApproval] } else { &[] };
            assert_eq!(awaits_decision_of(*role), expected, "{role:?}");
        }
    }

    #[test]
    fn the_readme_who_may_do_what_table_is_the_code() {
        crate::readme::assert_section("access", &who_may_do_what_markdown());
    }

    #[test]
    fn conditions_come_from_the_parties_and_the_fast_path() {
        use super::ActionKind as A;
        assert_eq!(action_cell(A::StartImplementation, Role::HostingEngineer), "if assigned");
        assert_eq!(action_cell(A::StartImplementation, Role::HostingLead), "yes");
        assert_eq!(action_cell(A::Decide, Role::Admin), "when every COR is out of office");
        assert_eq!(action_cell(A::LiftHold, Role::Cor), "if they raised it");
        assert_eq!(action_cell(A::Decide, Role::Isso), "no");
        assert!(!Area::Administration.allows(Role::HostingLead) && Area::Administration.allows(Role::Admin));
    }

    #[test]
    fn each_token_does_one_thing_and_only_a_write_token_opens_requests() {
        let may = |scope: TokenScope| (scope.reads_api(), scope.writes_api());
        assert_eq!(may(TokenScope::Read), (true, false));
        assert_eq!(may(TokenScope::Write), (true, true));
        // A calendar app's token sits in a URL: it reaches the feed and nothing of the API.
        assert_eq!(may(TokenScope::CalendarFeed), (false, false));
        for scope in TokenScope::ALL {
            assert_eq!(
                NewToken::parse("Pipeline", scope.as_str(), chrono::DateTime::UNIX_EPOCH).unwrap().scope,
                *scope
            );
        }
        let e = NewToken::parse("Pipeline", "admin", chrono::DateTime::UNIX_EPOCH).unwrap_err();
        assert_eq!(e.message_for("token_scope"), Some("Choose what the token may do"));
        assert_eq!(e.value_of("token_name"), Some("Pipeline"), "the name typed comes back");
    }

    #[test]
    fn a_token_says_what_it_is_for_in_a_one_line_name() {
        use crate::domain::limits::LINE;
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let ok = NewToken::parse(&format!(" {} ", "t".repeat(LINE)), "", now).unwrap();
        assert_eq!((ok.name.chars().count(), ok.scope), (LINE, TokenScope::Read));
        assert_eq!(ok.expires_at - now, chrono::Duration::days(90), "it works for 90 days from now");
        assert_eq!(
            NewToken::parse(" ", "", now).unwrap_err().message_for("token_name"),
            Some("Say what the token is for")
        );
        let e = NewToken::parse(&"t".repeat(LINE + 1), "", now).unwrap_err();
        assert_eq!(e.message_for("token_name"), Some("The token's name must be 120 characters or fewer (it has 121)"));
        assert_eq!(e.value_of("token_name"), Some("t".repeat(LINE + 1).as_str()), "what was typed comes back");
    }
}

/// What a personal access token may do: each token does one thing. Its stored form is the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
pub enum TokenScope {
    /// Read the JSON API as its owner.
    #[strum(serialize = "read")]
    Read,
    /// Read the JSON API and open requests as its owner (a release pipeline: seed 004).
    #[strum(serialize = "write")]
    Write,
    /// Fetch `/calendar.ics` only (a calendar app keeps it in a URL, where it leaks easily).
    #[strum(serialize = "calendar")]
    CalendarFeed,
}

stored_form!(TokenScope);

impl TokenScope {
    /// Every scope, in the order the account page offers them.
    pub const ALL: &'static [TokenScope] = <TokenScope as strum::VariantArray>::VARIANTS;

    /// What the account page says it does.
    pub fn label(self) -> &'static str {
        match self {
            TokenScope::Read => "Read the JSON API as you",
            TokenScope::Write => "Read the JSON API and open requests as you (for a release pipeline)",
            TokenScope::CalendarFeed => "Only fetch the calendar feed (for a calendar app: /calendar.ics?token=…)",
        }
    }

    /// May read the JSON API.
    pub fn reads_api(self) -> bool {
        matches!(self, TokenScope::Read | TokenScope::Write)
    }

    /// May open requests and add to them through the JSON API.
    pub fn writes_api(self) -> bool {
        self == TokenScope::Write
    }
}

/// A personal access token someone asks for, parsed from the account page's form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    /// What it is for, in its owner's words.
    pub name: String,
    /// What it may do.
    pub scope: TokenScope,
    /// When it stops working: 90 days on.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl NewToken {
    /// How long a token works.
    pub const LIFETIME_DAYS: i64 = 90;

    /// Parses the form (an empty scope reads), or says at the field what is wrong.
    pub fn parse(
        name: &str,
        scope: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<NewToken, super::forms::FormErrors> {
        use super::forms::FormErrors;
        use super::limits::{required, Typed, LINE};
        let kept = [("token_name", name.trim())];
        let scope = match scope.trim() {
            "" => TokenScope::Read,
            other => TokenScope::parse(other)
                .ok_or_else(|| FormErrors::one("token_scope", "Choose what the token may do", &kept))?,
        };
        let typed = Typed { field: "token_name", label: "The token's name", value: name, max: LINE };
        let name = required(typed, "Say what the token is for")?;
        let expires_at = now + chrono::Duration::days(Self::LIFETIME_DAYS);
        Ok(NewToken { name, scope, expires_at })
    }
}
