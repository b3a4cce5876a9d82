//! Who must approve, and when enough have.
//!
//! Every configured COR (two by default, any number allowed) must approve. A COR who is out of
//! office on the day of the decision (Eastern date) is excused; if that leaves one, one approval
//! suffices. At least one approval is always required: if every COR is out, the request escalates
//! to an admin and never approves itself. Any rejection rejects. Only decisions on the current
//! submission (its round and plan version) count.

use super::plan::PlanHash;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A person's id.
pub type UserId = i64;

/// A declared absence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    /// First day away (inclusive, Eastern).
    pub from: NaiveDate,
    /// Last day away (inclusive, Eastern).
    pub to: NaiveDate,
    /// Optional note ("annual leave").
    pub note: Option<String>,
    /// Who recorded it (the COR themselves, an admin or the hosting team).
    pub set_by: String,
}

/// An absence someone declares, parsed from the out-of-office form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAbsence {
    /// First day away (inclusive, Eastern).
    pub from: NaiveDate,
    /// Last day away (inclusive, Eastern).
    pub to: NaiveDate,
    /// Optional note ("annual leave").
    pub note: Option<String>,
}

impl NewAbsence {
    /// Parses the typed absence: real dates, in order, at most a year apart, and a note of sane
    /// length; or every problem at its field, with what was typed.
    pub fn parse(from: &str, to: &str, note: &str) -> Result<NewAbsence, super::forms::FormErrors> {
        use super::forms::{FieldError, FormErrors};
        let mut errors = Vec::new();
        let mut problem = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
        let mut date = |field: &str, label: &str, text: &str| {
            let t = text.trim();
            if t.is_empty() {
                problem(field, format!("Enter the {label}"));
                return None;
            }
            let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
            if d.is_none() {
                problem(field, format!("The {label} must be a real date, for example 2026-12-24"));
            }
            d
        };
        let a = date("from", "first day away", from);
        let b = date("to", "last day away", to);
        if let (Some(a), Some(b)) = (a, b) {
            if b < a {
                problem("to", "The last day away must be on or after the first".into());
            } else if (b - a).num_days() > 366 {
                problem("to", "An absence can be at most a year long".into());
            }
        }
        let typed =
            super::limits::Typed { field: "note", label: "The note", value: note.trim(), max: super::limits::SHORT };
        if let Some(e) = super::limits::too_long(&typed) {
            problem("note", e.message);
        }
        match (a, b) {
            (Some(from), Some(to)) if errors.is_empty() => {
                Ok(NewAbsence { from, to, note: Some(note.trim().to_string()).filter(|n| !n.is_empty()) })
            }
            _ => Err(FormErrors {
                errors,
                values: vec![("from".into(), from.into()), ("to".into(), to.into()), ("note".into(), note.into())],
            }),
        }
    }
}

/// A configured COR and their absences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cor {
    /// Their id.
    pub id: UserId,
    /// Their name, for the basis in words.
    pub name: String,
    /// Out-of-office periods.
    pub absences: Vec<Absence>,
}

impl Cor {
    /// Their absence covering `day`, if any.
    pub fn absent_on(&self, day: NaiveDate) -> Option<&Absence> {
        self.absences.iter().find(|a| a.from <= day && day <= a.to)
    }
}

/// An emailed decision link as it stands: what says whether it may still decide. The link is
/// the COR's credential (no sign-in), so `decide` checks it like any other guard, and the
/// commit spends it in the same transaction as the decision.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkStanding {
    /// The plan version it was sent for.
    pub plan_hash: PlanHash,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
    /// Whether a plan edit voided it.
    pub voided: bool,
}

impl LinkStanding {
    /// Why the link cannot decide at `now`, in words for its COR (what happened and what to do),
    /// on a request whose submitted plan version is `submitted`; `None` while it can.
    pub fn closed(&self, submitted: Option<&PlanHash>, now: DateTime<Utc>) -> Option<String> {
        let replaced = self.voided || submitted != Some(&self.plan_hash);
        super::link_closed(
            self.used_at,
            "the decision is recorded below",
            replaced.then_some("The plan changed after this link was sent, so it no longer works. When the hosting team submits the new version, you will get a new link."),
            self.expires_at,
            "Sign in to decide from your dashboard, or ask the hosting team to send a new link.",
            now,
        )
    }
}

/// Approve or reject.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// Approved.
    Approve,
    /// Rejected, with the reason.
    Reject(String),
}

/// One person's decision on one plan version.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decision {
    /// Who decided (a COR, or an admin on escalation).
    pub by: UserId,
    /// Their name.
    pub name: String,
    /// What they decided.
    pub verdict: Verdict,
    /// When.
    pub at: DateTime<Utc>,
    /// The plan version they saw.
    pub plan_hash: PlanHash,
    /// The submission to the CORs it was made on (see [`super::workflow::Request::round`]).
    pub round: u32,
    /// True when an admin decided because every COR was out of office.
    pub on_escalation: bool,
}

/// Where approval stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quorum {
    /// Still waiting for these CORs.
    Pending {
        /// Who has yet to decide.
        waiting_for: Vec<UserId>,
        /// The situation in words ("approved by A; waiting for B").
        basis: String,
    },
    /// Enough approvals.
    Approved {
        /// Why this is enough, in words.
        basis: String,
    },
    /// Someone rejected.
    Rejected {
        /// Who.
        by: String,
        /// Why.
        reason: String,
    },
    /// Every COR is out of office: an admin must decide.
    Escalated {
        /// Who is out, in words.
        basis: String,
    },
}

impl Quorum {
    /// Where approval stands, in words: the basis, or who rejected and why. The decision page, the
    /// request's record and the rejection message all say it this way.
    pub fn basis(&self) -> String {
        match self {
            Quorum::Pending { basis, .. } | Quorum::Approved { basis } | Quorum::Escalated { basis } => basis.clone(),
            Quorum::Rejected { by, reason } => format!("rejected by {by}: {reason}"),
        }
    }
}

fn fmt_day(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

fn absence_words(cor: &Cor, a: &Absence) -> String {
    let span = if a.from == a.to { fmt_day(a.from) } else { format!("{}–{}", fmt_day(a.from), fmt_day(a.to)) };
    let note = a.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
    format!("{} out of office {span}{note}, set by {}", cor.name, a.set_by)
}

fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Decides where approval stands for plan `current` in submission `round` on Eastern date
/// `today`.
pub fn evaluate(cors: &[Cor], decisions: &[Decision], current: &PlanHash, round: u32, today: NaiveDate) -> Quorum {
    let counted: Vec<&Decision> = decisions.iter().filter(|d| &d.plan_hash == current && d.round == round).collect();
    if let Some(d) = counted.iter().find(|d| matches!(d.verdict, Verdict::Reject(_))) {
        let reason = match &d.verdict {
            Verdict::Reject(r) => r.clone(),
            Verdict::Approve => String::new(),
        };
        return Quorum::Rejected { by: d.name.clone(), reason };
    }
    let approved = |id: UserId| counted.iter().any(|d| d.by == id && d.verdict == Verdict::Approve);
    let approvers: Vec<String> = {
        let mut names: Vec<String> = Vec::new();
        for d in counted.iter().filter(|d| d.verdict == Verdict::Approve) {
            let name = if d.on_escalation { format!("{} (admin, on escalation)", d.name) } else { d.name.clone() };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    };
    // An absent COR who approved anyway counts as an approver, not as excused.
    let excused: Vec<String> = cors
        .iter()
        .filter(|c| !approved(c.id))
        .filter_map(|c| c.absent_on(today).map(|a| absence_words(c, a)))
        .collect();
    let waiting: Vec<&Cor> = cors.iter().filter(|c| !approved(c.id) && c.absent_on(today).is_none()).collect();
    let excused_words = if excused.is_empty() { String::new() } else { format!("; {}", excused.join("; ")) };

    if waiting.is_empty() {
        if approvers.is_empty() {
            return Quorum::Escalated {
                basis: format!("every COR is out of office ({}); an admin must decide", excused.join("; ")),
            };
        }
        return Quorum::Approved { basis: format!("approved by {}{excused_words}", join_names(&approvers)) };
    }
    let waiting_names: Vec<String> = waiting.iter().map(|c| c.name.clone()).collect();
    let so_far = if approvers.is_empty() {
        "no approvals yet".to_string()
    } else {
        format!("approved by {}", join_names(&approvers))
    };
    Quorum::Pending {
        waiting_for: waiting.iter().map(|c| c.id).collect(),
        basis: format!("{so_far}; waiting for {}{excused_words}", join_names(&waiting_names)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absence_has_real_dates_in_order() {
        let ok = NewAbsence::parse("2026-12-24", "2026-12-26", " leave ").unwrap();
        assert_eq!(
            (ok.from.to_string(), ok.to.to_string(), ok.note.as_deref()),
            ("2026-12-24".into(), "2026-12-26".into(), Some("leave"))
        );
        let e = NewAbsence::parse("2026-12-26", "2026-12-24", "").unwrap_err();
        assert_eq!(e.errors[0].field, "to");
        let e = NewAbsence::parse("24/12/2026", "", "").unwrap_err();
        assert_eq!(e.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["from", "to"]);
        assert_eq!(e.value_of("from"), Some("24/12/2026"));
        let e = NewAbsence::parse("2026-12-24", "2026-12-24", &"x".repeat(2_001)).unwrap_err();
        assert_eq!(e.message_for("note"), Some("The note must be 2,000 characters or fewer (it has 2,001)"));
        assert!(NewAbsence::parse("2026-12-24", "2026-12-24", &"x".repeat(2_000)).is_ok());
        // At most a year: 366 days on is the last day that may end it (a leap year's span).
        assert!(NewAbsence::parse("2027-03-01", "2028-03-01", "").is_ok());
        let e = NewAbsence::parse("2027-03-01", "2028-03-02", "").unwrap_err();
        assert_eq!(e.message_for("to"), Some("An absence can be at most a year long"));
    }
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }
    fn hash(s: &str) -> PlanHash {
        PlanHash(s.into())
    }
    fn cor(id: UserId, name: &str) -> Cor {
        Cor { id, name: name.into(), absences: vec![] }
    }
    fn away(mut c: Cor, from: u32, to: u32) -> Cor {
        c.absences.push(Absence { from: day(from), to: day(to), note: None, set_by: "Ada Admin".into() });
        c
    }
    fn decide(by: UserId, name: &str, verdict: Verdict, plan: &str) -> Decision {
        Decision {
            by,
            name: name.into(),
            verdict,
            at: Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap(),
            plan_hash: hash(plan),
            round: 1,
            on_escalation: false,
        }
    }
    fn two_cors() -> Vec<Cor> {
        vec![cor(1, "Elizabeth"), cor(2, "Alana")]
    }

    #[test]
    fn both_cors_must_approve() {
        let one = [decide(1, "Elizabeth", Verdict::Approve, "p1")];
        match evaluate(&two_cors(), &one, &hash("p1"), 1, day(21)) {
            Quorum::Pending { waiting_for, basis } => {
                assert_eq!(waiting_for, vec![2]);
                assert_eq!(basis, "approved by Elizabeth; waiting for Alana");
            }
            other => panic!("{other:?}"),
        }
        let both = [decide(1, "Elizabeth", Verdict::Approve, "p1"), decide(2, "Alana", Verdict::Approve, "p1")];
        assert_eq!(
            evaluate(&two_cors(), &both, &hash("p1"), 1, day(21)),
            Quorum::Approved { basis: "approved by Elizabeth and Alana".into() }
        );
    }

    #[test]
    fn one_approval_suffices_when_the_other_cor_is_out_of_office_and_the_basis_says_so() {
        let cors = vec![cor(1, "Elizabeth"), away(cor(2, "Alana"), 20, 27)];
        let one = [decide(1, "Elizabeth", Verdict::Approve, "p1")];
        assert_eq!(
            evaluate(&cors, &one, &hash("p1"), 1, day(21)),
            Quorum::Approved {
                basis: "approved by Elizabeth; Alana out of office 20 Nov–27 Nov, set by Ada Admin".into()
            }
        );
        // Back in the office on the 28th: her approval is needed again.
        assert!(matches!(evaluate(&cors, &one, &hash("p1"), 1, day(28)), Quorum::Pending { .. }));
    }

    #[test]
    fn any_rejection_rejects() {
        let ds = [
            decide(1, "Elizabeth", Verdict::Approve, "p1"),
            decide(2, "Alana", Verdict::Reject("no rollback".into()), "p1"),
        ];
        assert_eq!(
            evaluate(&two_cors(), &ds, &hash("p1"), 1, day(21)),
            Quorum::Rejected { by: "Alana".into(), reason: "no rollback".into() }
        );
    }

    #[test]
    fn if_every_cor_is_out_the_request_escalates_and_never_approves_itself() {
        let cors = vec![away(cor(1, "Elizabeth"), 20, 22), away(cor(2, "Alana"), 21, 21)];
        assert!(matches!(evaluate(&cors, &[], &hash("p1"), 1, day(21)), Quorum::Escalated { .. }));
        let admin = Decision { on_escalation: true, ..decide(9, "Ada", Verdict::Approve, "p1") };
        match evaluate(&cors, &[admin], &hash("p1"), 1, day(21)) {
            Quorum::Approved { basis } => {
                assert!(basis.starts_with("approved by Ada (admin, on escalation); Elizabeth out of office"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decisions_on_an_older_plan_version_do_not_count() {
        let ds = [decide(1, "Elizabeth", Verdict::Approve, "old"), decide(2, "Alana", Verdict::Approve, "old")];
        assert!(matches!(evaluate(&two_cors(), &ds, &hash("new"), 1, day(21)), Quorum::Pending { .. }));
        let rejected_old = [decide(2, "Alana", Verdict::Reject("x".into()), "old")];
        assert!(matches!(evaluate(&two_cors(), &rejected_old, &hash("new"), 1, day(21)), Quorum::Pending { .. }));
    }

    #[test]
    fn decisions_of_an_earlier_submission_do_not_count_even_on_the_same_plan() {
        let earlier =
            [decide(1, "Elizabeth", Verdict::Approve, "p1"), decide(2, "Alana", Verdict::Reject("x".into()), "p1")];
        assert!(matches!(evaluate(&two_cors(), &earlier, &hash("p1"), 2, day(21)), Quorum::Pending { .. }));
        let now = [Decision { round: 2, ..decide(1, "Elizabeth", Verdict::Approve, "p1") }];
        match evaluate(&two_cors(), &[&earlier[..], &now[..]].concat(), &hash("p1"), 2, day(21)) {
            Quorum::Pending { waiting_for, .. } => assert_eq!(waiting_for, vec![2]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn any_number_of_cors_may_be_configured() {
        let cors = vec![cor(1, "A"), cor(2, "B"), cor(3, "C")];
        let two = [decide(1, "A", Verdict::Approve, "p"), decide(2, "B", Verdict::Approve, "p")];
        assert!(matches!(evaluate(&cors, &two, &hash("p"), 1, day(21)), Quorum::Pending { .. }));
        let three = [two[0].clone(), two[1].clone(), decide(3, "C", Verdict::Approve, "p")];
        assert_eq!(
            evaluate(&cors, &three, &hash("p"), 1, day(21)),
            Quorum::Approved { basis: "approved by A, B and C".into() }
        );
    }

    proptest! {
        /// Never approved without an approval on the current submission from every COR who is in:
        /// decisions on another plan version or an earlier round never count.
        #[test]
        fn approval_always_has_every_present_cor_and_at_least_one_approval(
            absent in proptest::collection::vec(any::<bool>(), 1..5),
            approves in proptest::collection::vec(proptest::option::of(any::<bool>()), 1..5),
            stale in proptest::collection::vec(0u8..3, 1..5),
        ) {
            let n = absent.len().min(approves.len()).min(stale.len());
            let cors: Vec<Cor> = (0..n).map(|i| {
                let c = cor(i as i64, &format!("C{i}"));
                if absent[i] { away(c, 20, 22) } else { c }
            }).collect();
            let decisions: Vec<Decision> = (0..n).filter_map(|i| approves[i].map(|yes| {
                let verdict = if yes { Verdict::Approve } else { Verdict::Reject("r".into()) };
                // 0: this submission; 1: an older plan version; 2: an earlier round, same plan.
                let d = decide(i as i64, &format!("C{i}"), verdict, if stale[i] == 1 { "old" } else { "cur" });
                Decision { round: if stale[i] == 2 { 1 } else { 2 }, ..d }
            })).collect();
            let current: Vec<&Decision> =
                decisions.iter().filter(|d| d.plan_hash == hash("cur") && d.round == 2).collect();
            match evaluate(&cors, &decisions, &hash("cur"), 2, day(21)) {
                Quorum::Approved { .. } => {
                    prop_assert!(current.iter().any(|d| d.verdict == Verdict::Approve));
                    prop_assert!(current.iter().all(|d| d.verdict == Verdict::Approve));
                    for c in &cors {
                        let approved = current.iter().any(|d| d.by == c.id);
                        prop_assert!(approved || c.absent_on(day(21)).is_some());
                    }
                }
                Quorum::Rejected { .. } => prop_assert!(current.iter().any(|d| d.verdict != Verdict::Approve)),
                Quorum::Escalated { .. } => {
                    prop_assert!(cors.iter().all(|c| c.absent_on(day(21)).is_some()));
                    prop_assert!(current.is_empty());
                }
                Quorum::Pending { waiting_for, .. } => prop_assert!(!waiting_for.is_empty()),
            }
        }
    }
}
