//! The one way to read or change a request: load it for a person, authorise, decide, commit.
//!
//! Server functions, the JSON API, the attachment and archive handlers and the demo seeder all
//! go through [`Workflow`]. It needs no Leptos context, and "now" comes from the [`Clock`] it is
//! given, so what a transition records is what a reload reads back.

use crate::api::types::SessionUser;
use crate::domain::calendar::Calendar;
use crate::domain::cr_form::CrForm;
use crate::domain::forms::{FieldError, FormErrors};
use crate::domain::plan::Plan;
use crate::domain::quorum::Cor;
use crate::domain::reference::Reference;
use crate::domain::review::RiskReview;
use crate::domain::workflow::{
    decide, may_read, Action, ActionKind, Actor, Context, Input, Refusal, Request, Transition, TriageAnswers, RULES,
};
use crate::error::AppError;
use crate::ports::{Commit, LoadedRequest, RequestStore, StoreError};
use chrono::{DateTime, Utc};

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, to the millisecond the store keeps: what a transition records in memory
/// (a decision's time, say) is then exactly what a reload reads back.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        use chrono::SubsecRound;
        Utc::now().trunc_subsecs(3)
    }
}

/// The person acting, as the domain sees them.
pub fn actor_of(user: &SessionUser) -> Actor {
    Actor { id: user.id, name: user.display_name.clone(), role: user.role, team_id: user.team_id }
}

/// A request someone may read, with what deciding about it needs.
pub struct Readable {
    /// The request.
    pub request: LoadedRequest,
    /// The configured CORs.
    pub cors: Vec<Cor>,
    /// The admins' holidays, freezes and windows (the default monthly windows until they set any).
    pub calendar: Calendar,
    /// When it was read.
    pub now: DateTime<Utc>,
}

impl Readable {
    /// The domain's context for this request, now.
    pub fn context(&self) -> Context<'_> {
        Context { now: self.now, cors: &self.cors, calendar: &self.calendar }
    }
}

/// What one action changes: the domain action and what it carries.
#[derive(Clone)]
pub struct Change {
    /// The domain action.
    pub action: Action,
    /// The new plan (with `EditPlan`).
    pub plan: Option<Plan>,
    /// The plan version the editor started from.
    pub base_plan_version: Option<i64>,
    /// The new form (with `UpdateForm`).
    pub form: Option<CrForm>,
    /// The triage answers (with `Triage`).
    pub triage: Option<TriageAnswers>,
    /// The risk review (with `RecordRiskReview`).
    pub risk_review: Option<RiskReview>,
    /// The evidence file's bytes (with `AttachEvidence`).
    pub attachment: Option<Vec<u8>>,
    /// What was typed, by the page's field names: a refusal of one of the action's inputs
    /// brings all of it back.
    pub typed: Vec<(String, String)>,
    /// The page's field for an input it names differently from the action.
    pub fields: Vec<(Input, &'static str)>,
}

impl Change {
    /// A change that is only an action.
    pub fn action(action: Action) -> Change {
        Change {
            action,
            plan: None,
            base_plan_version: None,
            form: None,
            triage: None,
            risk_review: None,
            attachment: None,
            typed: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// A new plan version, based on version `base`.
    pub fn plan(plan: Plan, base: i64) -> Change {
        let mut change = Change::action(Action::EditPlan {
            new_hash: plan.hash(),
            complete: plan.is_complete(),
            steps: plan.steps.len() as u32,
        });
        change.plan = Some(plan);
        change.base_plan_version = Some(base);
        change
    }

    /// What the page's fields held, to come back with a refusal.
    pub fn typed(mut self, values: &[(&str, &str)]) -> Change {
        self.typed.extend(values.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    /// A form's fields as typed ([`crate::domain::forms::FormFields::values`]), to come back with a refusal.
    pub fn typed_form(mut self, values: Vec<(String, String)>) -> Change {
        self.typed.extend(values);
        self
    }

    /// The page shows `input` at `field`.
    pub fn input_at(mut self, input: Input, field: &'static str) -> Change {
        self.fields.push((input, field));
        self
    }

    /// The domain's refusal as the page's error: an input's at its field, with what was typed.
    fn refused(&self, r: Refusal) -> AppError {
        match r {
            Refusal::NotPermitted { .. } => AppError::Forbidden,
            Refusal::Input { input, message } => {
                let field = self.fields.iter().find(|(i, _)| *i == input).map_or(input.name(), |(_, f)| *f);
                AppError::Invalid(FormErrors {
                    errors: vec![FieldError { field: field.into(), message }],
                    values: self.typed.clone(),
                })
            }
            other => AppError::Refused(other.to_string()),
        }
    }
}

/// A committed action: the request as it was read, the transition, and the request after it.
pub struct Performed {
    /// The request the action was decided on.
    pub before: Readable,
    /// What the domain decided.
    pub transition: Transition,
    /// The request as the commit left it (what a reload reads).
    pub after: Request,
}

/// What the request's requested window runs into, in words: other changes on the same system,
/// freezes, maintenance windows (nothing while it has no valid start), as `viewer` may see them:
/// changes they may not read are named without reference or title (a dev team member; the
/// record, for the requester's eyes).
pub async fn schedule_conflicts(
    store: &dyn RequestStore,
    request: &LoadedRequest,
    calendar: &Calendar,
    viewer: &Actor,
) -> Result<Vec<String>, StoreError> {
    use crate::domain::calendar::conflicts::{conflicts, Booking};
    let Some(start) = request.form.planned_start() else { return Ok(Vec::new()) };
    let mine = Booking {
        reference: request.summary.reference.clone(),
        title: request.summary.title.clone(),
        system: request.summary.system.clone(),
        start,
        minutes: request.form.planned_minutes(),
        other_team: false,
    };
    let end = start + chrono::Duration::minutes(mine.minutes);
    // Another change that started up to a day before may still be running.
    let near = store.scheduled_changes(start - chrono::Duration::days(1), end).await?;
    let others: Vec<Booking> =
        near.iter().map(|c| Booking { other_team: !c.owner.readable_by(viewer), ..c.booking() }).collect();
    Ok(conflicts(&mine, &others, calendar).iter().map(|c| c.message()).collect())
}

/// Who acts, from where.
pub struct Principal<'a> {
    /// The person.
    pub user: &'a SessionUser,
    /// Their address (for the audit trail).
    pub source: &'a str,
    /// The emailed link they came by: the commit spends it.
    pub link: Option<crate::ports::EmailedLink<'a>>,
}

/// Reads and changes requests through the domain, one transaction per change.
pub struct Workflow<'a> {
    /// The store.
    pub store: &'a dyn RequestStore,
    /// Where "now" comes from.
    pub clock: &'a dyn Clock,
    /// The address people use (links in mail).
    pub public_url: &'a str,
}

impl Workflow<'_> {
    /// The calendar decisions use: the admins' holidays, freezes and windows (the default
    /// monthly windows until they set any ahead).
    pub async fn calendar(&self, now: DateTime<Utc>) -> Result<Calendar, AppError> {
        Ok(Calendar::of(&self.store.calendar_entries().await?, now))
    }

    /// [`schedule_conflicts`] as `viewer` may see them: a dev team member is not told which
    /// other team's change it is.
    pub async fn conflicts(
        &self,
        viewer: &SessionUser,
        request: &LoadedRequest,
        calendar: &Calendar,
    ) -> Result<Vec<String>, AppError> {
        Ok(schedule_conflicts(self.store, request, calendar, &actor_of(viewer)).await?)
    }

    /// The request `reference` if `user` may read it; "not found" otherwise, so nothing leaks.
    pub async fn readable(&self, user: &SessionUser, reference: &str) -> Result<Readable, AppError> {
        let reference = Reference::parse(reference).ok_or(AppError::NotFound)?;
        let request = self.store.load_request(reference).await?.ok_or(AppError::NotFound)?;
        let now = self.clock.now();
        let cors = self.store.configured_cors(now).await?;
        let calendar = self.calendar(now).await?;
        let readable = Readable { request, cors, calendar, now };
        if !may_read(&actor_of(user), &readable.request.snapshot, &readable.context()) {
            return Err(AppError::NotFound);
        }
        Ok(readable)
    }

    /// Authorise → decide → one transaction. `build` turns the freshly read request into the
    /// change; a commit that lost a race with an unrelated write is retried from a fresh read,
    /// but a plan edit based on an older plan version is a conflict for the person to resolve.
    pub async fn perform(
        &self,
        who: &Principal<'_>,
        reference: &str,
        kind: ActionKind,
        build: impl Fn(&Readable) -> Result<Change, AppError>,
    ) -> Result<Performed, AppError> {
        for _ in 0..3 {
            let before = self.readable(who.user, reference).await?;
            let actor = actor_of(who.user);
            // Authorise before looking at the input: someone who may never take this action
            // on this request learns nothing from it.
            let ctx = before.context();
            let may = RULES
                .iter()
                .any(|r| r.action == kind && r.who.iter().any(|p| p.includes(&actor, &before.request.snapshot, &ctx)));
            if !may {
                return Err(AppError::Forbidden);
            }
            let change = build(&before)?;
            if change.base_plan_version.is_some_and(|base| base != before.request.plan_version) {
                return Err(AppError::Conflict);
            }
            let transition =
                decide(&before.request.snapshot, &actor, &change.action, &ctx).map_err(|r| change.refused(r))?;
            let mut after = before.request.snapshot.clone();
            after.apply(&transition);
            let commit = Commit {
                request: &before.request,
                actor: who.user,
                source: who.source,
                now: before.now,
                transition: &transition,
                after: &after,
                plan: change.plan.as_ref(),
                form: change.form.as_ref(),
                triage: change.triage.as_ref(),
                risk_review: change.risk_review.as_ref(),
                attachment: change.attachment.as_deref(),
                public_url: self.public_url,
                link: who.link,
            };
            match self.store.commit(commit).await {
                Ok(()) => return Ok(Performed { before, transition, after }),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict)
    }
}
