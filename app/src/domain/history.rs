//! What changed between two versions of the plan or of the CR form, and how a save based on
//! an older form version merges with what others saved since (three-way, field by field).
//!
//! Plans are compared by step identity ([`PlanStep::id`]), so "moved" and "changed" are told
//! apart; forms field by field, in page order.

use super::cr_form::CrForm;
use super::plan::{Plan, PlanStep};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One field that differs, with both texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's stable name.
    pub field: String,
    /// What people call it.
    pub label: String,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
}

/// One difference between two plans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepChange {
    /// A step that is new (its 1-based position in the newer plan).
    Added { position: usize, action: String },
    /// A step that is gone (its position in the older plan).
    Removed { position: usize, action: String },
    /// A step whose place relative to the others changed.
    Moved { from: usize, to: usize, action: String },
    /// A step whose fields changed (position in the newer plan).
    Changed { position: usize, action: String, fields: Vec<FieldChange> },
}

impl StepChange {
    /// The change in words ("Step 3 “Deploy” was added").
    pub fn words(&self) -> String {
        match self {
            StepChange::Added { position, action } => format!("Step {position} “{action}” was added"),
            StepChange::Removed { position, action } => format!("Step {position} “{action}” was removed"),
            StepChange::Moved { from, to, action } => format!("“{action}” moved from step {from} to step {to}"),
            StepChange::Changed { position, action, fields } => format!(
                "Step {position} “{action}”: {} changed",
                fields.iter().map(|f| f.label.to_lowercase()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// Text shortened to `max` characters for a message (the whole text is in the history).
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

const STEP_FIELDS: [(&str, &str); 7] = [
    ("action", "What this step does"),
    ("commands", "Commands or instructions"),
    ("owner", "Who does it"),
    ("expected_result", "Expected result"),
    ("verification", "How to verify it"),
    ("rollback", "How to roll back"),
    ("estimated_minutes", "Estimated minutes"),
];

fn step_field(s: &PlanStep, field: &str) -> String {
    match field {
        "action" => s.action.clone(),
        "commands" => s.commands.clone(),
        "owner" => s.owner.clone(),
        "expected_result" => s.expected_result.clone(),
        "verification" => s.verification.clone(),
        "rollback" => s.rollback.clone(),
        _ => s.estimated_minutes.to_string(),
    }
}

/// The fields that differ between two versions of one step.
pub fn step_field_changes(old: &PlanStep, new: &PlanStep) -> Vec<FieldChange> {
    STEP_FIELDS
        .iter()
        .filter_map(|(field, label)| {
            let (before, after) = (step_field(old, field), step_field(new, field));
            (before != after).then(|| FieldChange { field: field.to_string(), label: label.to_string(), before, after })
        })
        .collect()
}

/// The steps that kept their relative order: the longest common subsequence of two orderings
/// of the same ids, found as the longest increasing run of old positions in the new order
/// (O(n log n) time, O(n) memory, however large the plans).
fn kept_in_order(a: &[u32], b: &[u32]) -> BTreeSet<u32> {
    let pos: BTreeMap<u32, usize> = a.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let seq: Vec<(usize, u32)> = b.iter().filter_map(|id| pos.get(id).map(|p| (*p, *id))).collect();
    // Walked from the end, so that of equally long runs the one keeping earlier steps wins (a
    // swap of two names the later step as moved). tails[k]: index in `seq` of the largest head
    // of a run of length k + 1 increasing from there to the end.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, (p, _)) in seq.iter().enumerate().rev() {
        let k = tails.partition_point(|&t| seq[t].0 > *p);
        prev[i] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut kept = BTreeSet::new();
    let mut at = tails.last().copied();
    while let Some(i) = at {
        kept.insert(seq[i].1);
        at = prev[i];
    }
    kept
}

/// Everything that changed from `old` to `new`: removals first (old positions), then, in the
/// new plan's order, additions, moves and changed fields.
pub fn plan_diff(old: &Plan, new: &Plan) -> Vec<StepChange> {
    let (old, new) = (old.clone().with_ids(), new.clone().with_ids());
    let old_pos: BTreeMap<u32, usize> = old.steps.iter().enumerate().map(|(i, s)| (s.id, i + 1)).collect();
    let new_ids: BTreeSet<u32> = new.steps.iter().map(|s| s.id).collect();
    let common_old: Vec<u32> = old.steps.iter().map(|s| s.id).filter(|id| new_ids.contains(id)).collect();
    let common_new: Vec<u32> = new.steps.iter().map(|s| s.id).filter(|id| old_pos.contains_key(id)).collect();
    let kept = kept_in_order(&common_old, &common_new);
    let mut out: Vec<StepChange> = old
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| !new_ids.contains(&s.id))
        .map(|(i, s)| StepChange::Removed { position: i + 1, action: s.action.clone() })
        .collect();
    for (i, s) in new.steps.iter().enumerate() {
        let position = i + 1;
        match old_pos.get(&s.id) {
            None => out.push(StepChange::Added { position, action: s.action.clone() }),
            Some(&from) => {
                if !kept.contains(&s.id) {
                    out.push(StepChange::Moved { from, to: position, action: s.action.clone() });
                }
                let fields = step_field_changes(&old.steps[from - 1], s);
                if !fields.is_empty() {
                    out.push(StepChange::Changed { position, action: s.action.clone(), fields });
                }
            }
        }
    }
    out
}

/// What people call a CR form field.
pub fn form_field_label(field: &str) -> &'static str {
    super::cr_form::field(field).map_or("Field", |f| f.short)
}

/// Every form field, in page order.
pub fn form_fields_in_order() -> impl Iterator<Item = &'static str> {
    super::cr_form::FIELDS.iter().map(|f| f.name)
}

/// A field's value as people read it (checklist items by their wording, one per line).
pub fn readable(form: &CrForm, field: &str) -> String {
    if field == "checklist" {
        return super::cr_form::CHECKLIST
            .iter()
            .filter(|(key, _)| form.checklist.iter().any(|c| c == key))
            .map(|(_, label)| format!("✓ {label}"))
            .collect::<Vec<_>>()
            .join("\n");
    }
    form.value(field)
}

/// The fields that differ between two versions of the CR form, in page order.
pub fn form_diff(old: &CrForm, new: &CrForm) -> Vec<FieldChange> {
    form_fields_in_order()
        .filter_map(|field| {
            let (before, after) = (readable(old, field), readable(new, field));
            (before != after).then(|| FieldChange {
                field: field.into(),
                label: form_field_label(field).into(),
                before,
                after,
            })
        })
        .collect()
}

/// A save based on an older form version, merged with what was saved since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormMerge {
    /// Nobody else touched the fields this save changes: the merged form.
    Clean(Box<CrForm>),
    /// Someone else changed some of the same fields differently. Nothing is saved; each
    /// field shows their text and keeps yours.
    Conflict(Vec<FieldChange>),
}

/// Three-way merge of one section's save: `base` is the version the editor opened, `theirs`
/// the stored one now, `mine` the base with this save applied. A field changed only by me or
/// only by them takes that change; changed by both to different texts is a conflict
/// (`before` = theirs, `after` = mine).
pub fn merge_form(base: &CrForm, theirs: &CrForm, mine: &CrForm) -> FormMerge {
    let mut merged = theirs.clone();
    let mut conflicts = Vec::new();
    for field in form_fields_in_order() {
        let (b, t, m) = (base.value(field), theirs.value(field), mine.value(field));
        if m == b || m == t {
            continue;
        }
        if t != b {
            conflicts.push(FieldChange {
                field: field.into(),
                label: form_field_label(field).into(),
                before: t,
                after: m,
            });
        } else if field == "checklist" {
            merged.checklist = mine.checklist.clone();
        } else {
            merged.set(field, m);
        }
    }
    if conflicts.is_empty() {
        FormMerge::Clean(Box::new(merged))
    } else {
        FormMerge::Conflict(conflicts)
    }
}

/// Comments shown on one page of a request's thread.
pub const COMMENTS_PER_PAGE: i64 = 50;

/// A comment as typed, checked: some text, not too much, trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewComment(String);

impl NewComment {
    /// The longest comment, in characters.
    pub const MAX: usize = 5_000;
    /// The comment box's hint, which says [`Self::MAX`] (a test holds the two together).
    pub const HINT: &'static str = "Plain text, up to 5,000 characters. Everyone involved in this request can read it.";

    /// Parses the typed comment, or says what is wrong at its field, with what was typed.
    pub fn parse(body: &str) -> Result<NewComment, super::forms::FormErrors> {
        let typed = super::limits::Typed { field: "body", label: "A comment", value: body, max: Self::MAX };
        super::limits::required(typed, "Enter a comment").map(NewComment)
    }

    /// Its text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One page of a comment thread: which page, of how many, and the rows it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadPage {
    /// This page, from 1.
    pub page: i64,
    /// How many pages the thread has (at least 1, even when empty).
    pub pages: i64,
    /// Comments before this page, oldest first.
    pub offset: i64,
}

/// The page of a thread of `total` comments to show for `asked` (the `?page=` text): the asked
/// page when it exists, else the last one, where the newest comments and the reply box are.
pub fn thread_page(total: i64, asked: &str) -> ThreadPage {
    let pages = ((total.max(0) + COMMENTS_PER_PAGE - 1) / COMMENTS_PER_PAGE).max(1);
    let page = match asked.trim().parse::<i64>() {
        Ok(p) if (1..=pages).contains(&p) => p,
        _ => pages,
    };
    ThreadPage { page, pages, offset: (page - 1) * COMMENTS_PER_PAGE }
}

#[cfg(test)]
mod words_tests;

#[cfg(test)]
mod comment_tests {
    use super::NewComment;

    #[test]
    fn a_comment_has_some_text_and_not_too_much() {
        assert_eq!(NewComment::parse("  Add the CVE number \n").unwrap().as_str(), "Add the CVE number");
        let problem = |body: &str| NewComment::parse(body).unwrap_err().errors[0].message.clone();
        assert_eq!(problem(" \n "), "Enter a comment");
        assert!(NewComment::parse(&"x".repeat(NewComment::MAX)).is_ok());
        assert_eq!(
            problem(&"x".repeat(NewComment::MAX + 1)),
            "A comment must be 5,000 characters or fewer (it has 5,001)"
        );
        assert_eq!(NewComment::parse("").unwrap_err().errors[0].field, "body");
        let said = format!("up to {} characters", crate::domain::limits::grouped(NewComment::MAX));
        assert!(NewComment::HINT.contains(&said), "the hint says the limit that is checked: {said}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(id: u32, action: &str) -> PlanStep {
        PlanStep {
            id,
            action: action.into(),
            commands: format!("run {action}"),
            owner: "Hosting".into(),
            expected_result: "ok".into(),
            verification: "check".into(),
            rollback: "undo".into(),
            estimated_minutes: 5,
            source: None,
        }
    }

    fn plan(ids: &[u32]) -> Plan {
        Plan { steps: ids.iter().map(|&i| step(i, &format!("s{i}"))).collect() }
    }

    #[test]
    fn the_diff_names_added_removed_moved_and_changed_steps() {
        let old = plan(&[1, 2, 3, 4]);
        let mut new = plan(&[1, 3, 2, 5]);
        new.steps[0].owner = "Dev".into();
        let diff = plan_diff(&old, &new);
        assert_eq!(
            diff,
            vec![
                StepChange::Removed { position: 4, action: "s4".into() },
                StepChange::Changed {
                    position: 1,
                    action: "s1".into(),
                    fields: vec![FieldChange {
                        field: "owner".into(),
                        label: "Who does it".into(),
                        before: "Hosting".into(),
                        after: "Dev".into()
                    }]
                },
                // A swap of two is one move (either could be named; the tie goes to the later one).
                StepChange::Moved { from: 2, to: 3, action: "s2".into() },
                StepChange::Added { position: 4, action: "s5".into() },
            ]
        );
        assert!(plan_diff(&old, &old).is_empty());
    }

    #[test]
    fn fields_only_one_side_changed_merge_and_both_sides_changing_one_field_conflicts() {
        let base = CrForm { description: "a".into(), impact: "low".into(), ..CrForm::default() };
        let theirs = CrForm { impact: "high".into(), ..base.clone() };
        let mine = CrForm { description: "b".into(), ..base.clone() };
        assert_eq!(
            merge_form(&base, &theirs, &mine),
            FormMerge::Clean(Box::new(CrForm { description: "b".into(), impact: "high".into(), ..base.clone() }))
        );
        let mine_too = CrForm { impact: "medium".into(), ..base.clone() };
        match merge_form(&base, &theirs, &mine_too) {
            FormMerge::Conflict(c) => {
                assert_eq!(c.len(), 1);
                assert_eq!((c[0].before.as_str(), c[0].after.as_str()), ("high", "medium"));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        // Both sides making the same change is no conflict.
        assert!(matches!(merge_form(&base, &theirs, &theirs), FormMerge::Clean(f) if *f == theirs));
    }

    /// The quadratic reference the diff used to build (tests only, on small inputs).
    fn lcs_len(a: &[u32], b: &[u32]) -> usize {
        let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                table[i][j] = if a[i] == b[j] { table[i + 1][j + 1] + 1 } else { table[i + 1][j].max(table[i][j + 1]) };
            }
        }
        table[0][0]
    }

    #[test]
    fn a_huge_reordered_plan_diffs_without_a_quadratic_table() {
        // 100,000 steps: a (n+1)×(m+1) table would need 80 GB.
        let a: Vec<u32> = (1..=100_000).collect();
        let mut b = a.clone();
        b.swap(0, 99_999);
        let kept = kept_in_order(&a, &b);
        assert_eq!(kept.len(), 99_998);
    }

    fn ids() -> impl Strategy<Value = Vec<u32>> {
        proptest::sample::subsequence((1u32..=12).collect::<Vec<_>>(), 0..=12).prop_shuffle()
    }

    proptest! {
        /// Every comment is on exactly one page, no page is empty but the only one, and any text
        /// asks for a page that exists.
        #[test]
        fn thread_pages_cover_every_comment_once(total in 0i64..2_000, asked in "[0-9-]{0,4}|.{0,4}") {
            let shown = thread_page(total, &asked);
            prop_assert!((1..=shown.pages).contains(&shown.page));
            // No page is empty but the only one: the last page holds the newest comments.
            prop_assert!(shown.pages == 1 || (shown.pages - 1) * COMMENTS_PER_PAGE < total);
            let mut covered = Vec::new();
            for p in 1..=shown.pages {
                let t = thread_page(total, &p.to_string());
                prop_assert_eq!(t.page, p);
                covered.extend(t.offset..(t.offset + COMMENTS_PER_PAGE).min(total));
            }
            prop_assert_eq!(covered, (0..total).collect::<Vec<_>>());
        }

        /// The bounded-memory order keeping finds as many kept steps as the textbook quadratic
        /// table, and they really are in order in both plans.
        #[test]
        fn kept_in_order_is_a_longest_common_subsequence(a in ids()) {
            let mut b = a.clone();
            b.reverse();
            b.rotate_left(a.len() / 3);
            for (x, y) in [(&a, &b), (&b, &a), (&a, &a)] {
                let kept = kept_in_order(x, y);
                prop_assert_eq!(kept.len(), lcs_len(x, y));
                let in_x: Vec<u32> = x.iter().filter(|i| kept.contains(i)).copied().collect();
                let in_y: Vec<u32> = y.iter().filter(|i| kept.contains(i)).copied().collect();
                prop_assert_eq!(in_x, in_y);
            }
        }

        /// Replaying the diff's bookkeeping accounts for every step exactly once: each new
        /// step is either added or came from the old plan; each old step is removed or kept.
        #[test]
        fn every_step_is_accounted_for(a in ids(), b in ids()) {
            let (old, new) = (plan(&a), plan(&b));
            let diff = plan_diff(&old, &new);
            let removed = diff.iter().filter(|c| matches!(c, StepChange::Removed { .. })).count();
            let added = diff.iter().filter(|c| matches!(c, StepChange::Added { .. })).count();
            let common = a.iter().filter(|i| b.contains(i)).count();
            prop_assert_eq!(removed, a.len() - common);
            prop_assert_eq!(added, b.len() - common);
            let moved = diff.iter().filter(|c| matches!(c, StepChange::Moved { .. })).count();
            prop_assert_eq!(moved == 0, a.iter().filter(|i| b.contains(i)).collect::<Vec<_>>()
                == b.iter().filter(|i| a.contains(i)).collect::<Vec<_>>());
            let changed = diff.iter().any(|c| matches!(c, StepChange::Changed { .. }));
            prop_assert!(!changed, "identical steps never show as changed");
        }

        /// A merge never loses a change: every field ends as mine when only I changed it,
        /// theirs when only they did, and a field both changed differently is reported.
        #[test]
        fn merging_keeps_every_one_sided_change(
            b in proptest::collection::vec("[ab]?", 4),
            t in proptest::collection::vec("[ab]?", 4),
            m in proptest::collection::vec("[ab]?", 4),
        ) {
            let form = |v: &[String]| CrForm {
                services: v[0].clone(), description: v[1].clone(), impact: v[2].clone(), on_call: v[3].clone(),
                ..CrForm::default()
            };
            let (base, theirs, mine) = (form(&b), form(&t), form(&m));
            let fields = ["services", "description", "impact", "on_call"];
            match merge_form(&base, &theirs, &mine) {
                FormMerge::Clean(merged) => {
                    for (i, f) in fields.iter().enumerate() {
                        let expected = if m[i] != b[i] { &m[i] } else { &t[i] };
                        prop_assert_eq!(&merged.value(f), expected);
                        prop_assert!(!(m[i] != b[i] && t[i] != b[i] && m[i] != t[i]));
                    }
                }
                FormMerge::Conflict(c) => {
                    prop_assert!(!c.is_empty());
                    for change in &c {
                        let i = fields.iter().position(|f| *f == change.field).unwrap();
                        prop_assert!(m[i] != b[i] && t[i] != b[i] && m[i] != t[i]);
                    }
                }
            }
        }
    }
}
