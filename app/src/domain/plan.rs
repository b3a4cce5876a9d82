//! The step-by-step operation plan, its versions and their content hash.
//!
//! Approvals and approval links pin a plan hash; editing the plan after submission makes a new
//! version whose hash differs, which voids what was pinned to the old one.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

pub mod library;
pub mod paste;

/// One step of the operation plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanStep {
    /// Stable identity across versions (so history can tell "moved" from "changed"); not part
    /// of the hash. 0 in plans saved before ids existed: [`Plan::with_ids`] numbers those.
    #[serde(default)]
    pub id: u32,
    /// What is done, in a few words.
    pub action: String,
    /// The exact commands or instructions.
    pub commands: String,
    /// Who performs it.
    pub owner: String,
    /// What should be seen when it worked.
    pub expected_result: String,
    /// How to check it worked.
    pub verification: String,
    /// How to undo this step.
    pub rollback: String,
    /// Estimated minutes.
    pub estimated_minutes: u32,
    /// Where the step came from, when it was not written here (kept through edits; not part of
    /// the hash: it says nothing about what is done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<StepSource>,
}

/// Where a plan step came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum StepSource {
    /// Inserted from the hosting team's documented operation.
    Operation {
        /// The operation's name.
        name: String,
        /// Its version.
        version: u32,
    },
    /// Copied from an earlier request's plan.
    Request {
        /// Its reference.
        reference: String,
    },
    /// Pasted in bulk.
    Pasted,
}

impl StepSource {
    /// In the record's words.
    pub fn words(&self) -> String {
        match self {
            StepSource::Operation { name, version } => format!("Documented operation “{name}” version {version}"),
            StepSource::Request { reference } => format!("Copied from {reference}"),
            StepSource::Pasted => "Pasted into the plan".into(),
        }
    }
}

/// The whole plan: steps in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The steps, first to last.
    pub steps: Vec<PlanStep>,
}

/// SHA-256 of a normalised plan, hex-encoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlanHash(pub String);

impl fmt::Display for PlanHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PlanHash {
    /// The first 12 hex digits, for people to compare at a glance.
    pub fn short(&self) -> &str {
        self.0.get(..12).unwrap_or(&self.0)
    }
}

/// Whitespace that does not change meaning is not a change: trailing spaces, CRLF vs LF,
/// blank lines at either end.
fn normalise(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim_matches('\n').trim().to_string()
}

impl Plan {
    /// Whether a plan of `steps` steps is within the limit; if not, the problem in words.
    pub fn within_step_limit(steps: usize) -> Result<(), String> {
        let max = crate::domain::limits::PLAN_STEPS;
        if steps > max {
            return Err(format!("A plan can have at most {max} steps: combine related steps into one"));
        }
        Ok(())
    }

    /// The plan's content hash. Every field of every step counts, and so does their order.
    pub fn hash(&self) -> PlanHash {
        let mut h = Sha256::new();
        h.update(b"offcycle-plan-v1");
        h.update((self.steps.len() as u64).to_be_bytes());
        for step in &self.steps {
            for field in
                [&step.action, &step.commands, &step.owner, &step.expected_result, &step.verification, &step.rollback]
            {
                let text = normalise(field);
                // Length prefixes: no two different plans serialise the same.
                h.update((text.len() as u64).to_be_bytes());
                h.update(text.as_bytes());
            }
            h.update(step.estimated_minutes.to_be_bytes());
        }
        PlanHash(hex::encode(h.finalize()))
    }

    /// The plan with every step carrying a distinct id (older plans had none: they are
    /// numbered by position, which is what they meant).
    pub fn with_ids(mut self) -> Plan {
        let mut seen = std::collections::BTreeSet::new();
        let distinct = self.steps.iter().all(|s| s.id != 0 && seen.insert(s.id));
        if !distinct {
            for (i, s) in self.steps.iter_mut().enumerate() {
                s.id = i as u32 + 1;
            }
        }
        self
    }

    /// The id a new step gets.
    pub fn next_id(&self) -> u32 {
        self.steps.iter().map(|s| s.id).max().unwrap_or(0) + 1
    }

    /// Where its steps came from, runs of steps from one source together: "Steps 1–3:
    /// Documented operation “Restart the web tier” version 2". Steps written here say nothing.
    pub fn provenance(&self) -> Vec<String> {
        let mut out: Vec<(usize, usize, &StepSource)> = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            let Some(source) = &s.source else { continue };
            match out.last_mut() {
                Some((_, last, prev)) if *last + 1 == i + 1 && *prev == source => *last = i + 1,
                _ => out.push((i + 1, i + 1, source)),
            }
        }
        out.into_iter()
            .map(|(a, b, s)| match a == b {
                true => format!("Step {a}: {}", s.words()),
                false => format!("Steps {a}–{b}: {}", s.words()),
            })
            .collect()
    }

    /// Total estimated minutes.
    pub fn estimated_minutes(&self) -> u32 {
        self.steps.iter().map(|s| s.estimated_minutes).fold(0, u32::saturating_add)
    }

    /// True when the plan has at least one step and every step says what, how, who, what to
    /// expect, how to verify and how to roll back.
    pub fn is_complete(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(PlanStep::is_complete)
    }
}

impl PlanStep {
    /// Every text field filled in.
    pub fn is_complete(&self) -> bool {
        [&self.action, &self.commands, &self.owner, &self.expected_result, &self.verification, &self.rollback]
            .iter()
            .all(|f| !f.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(action: &str) -> PlanStep {
        PlanStep {
            id: 0,
            action: action.into(),
            commands: "kubectl rollout restart deploy/portal".into(),
            owner: "Hosting".into(),
            expected_result: "pods ready".into(),
            verification: "curl /healthz".into(),
            rollback: "kubectl rollout undo deploy/portal".into(),
            estimated_minutes: 5,
            source: None,
        }
    }

    #[test]
    fn where_steps_came_from_is_said_in_runs_and_does_not_change_the_hash() {
        let op = StepSource::Operation { name: "Restart the web tier".into(), version: 2 };
        let mut p = Plan { steps: vec![step("a"), step("b"), step("c"), step("d"), step("e")] };
        let hash = p.hash();
        for i in 0..3 {
            p.steps[i].source = Some(op.clone());
        }
        p.steps[4].source = Some(StepSource::Pasted);
        assert_eq!(p.hash(), hash);
        assert_eq!(
            p.provenance(),
            ["Steps 1–3: Documented operation “Restart the web tier” version 2", "Step 5: Pasted into the plan"]
        );
        // A step written here stores no source at all: older plans read the same.
        let json = serde_json::to_string(&step("x")).unwrap();
        assert!(!json.contains("source"), "{json}");
    }

    #[test]
    fn the_plan_hash_ignores_whitespace_that_changes_nothing() {
        let a = Plan { steps: vec![step("Restart")] };
        let mut b = a.clone();
        b.steps[0].commands = "kubectl rollout restart deploy/portal  \r\n\r\n".into();
        assert_eq!(a.hash(), b.hash());
    }

    #[test]
    fn any_real_edit_changes_the_plan_hash() {
        let a = Plan { steps: vec![step("Restart"), step("Verify")] };
        let mut reordered = a.clone();
        reordered.steps.swap(0, 1);
        let mut longer = a.clone();
        longer.steps[1].estimated_minutes = 6;
        let mut renamed = a.clone();
        renamed.steps[0].owner = "Dev".into();
        for other in [reordered, longer, renamed] {
            assert_ne!(a.hash(), other.hash());
        }
    }

    #[test]
    fn step_ids_do_not_change_the_hash_and_old_plans_get_positional_ids() {
        let a = Plan { steps: vec![step("Restart"), step("Verify")] };
        let b = a.clone().with_ids();
        assert_eq!(a.hash(), b.hash());
        assert_eq!(b.steps.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(b.next_id(), 3);
        let mut c = b.clone();
        c.steps.swap(0, 1);
        assert_eq!(c.clone().with_ids(), c, "distinct ids are kept as they are");
    }

    #[test]
    fn a_plan_is_complete_only_when_every_step_is() {
        assert!(!Plan::default().is_complete(), "an empty plan is not a plan");
        let mut p = Plan { steps: vec![step("Restart")] };
        assert!(p.is_complete());
        p.steps[0].rollback = "  ".into();
        assert!(!p.is_complete());
    }

    proptest! {
        #[test]
        fn moving_text_between_fields_changes_the_hash(a in "[a-z]{1,8}", b in "[a-z]{1,8}") {
            let mut p = Plan { steps: vec![step("x")] };
            p.steps[0].action = format!("{a}{b}");
            p.steps[0].commands = String::new();
            let mut q = p.clone();
            q.steps[0].action = a.clone();
            q.steps[0].commands = b.clone();
            prop_assert_ne!(p.hash(), q.hash());
        }
    }
}
