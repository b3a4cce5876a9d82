//! The operation plan's steps as a numbered list, for those who check it without editing it: the
//! COR deciding, someone asked to sign off, the library of documented operations.

use crate::domain::plan::PlanStep;
use leptos::prelude::*;

/// Each step: what it does, who, how long, its commands, how to check it and how to roll it back.
#[component]
pub fn StepList(steps: Vec<PlanStep>) -> impl IntoView {
    view! {
        <ol class="list list--number">
            {steps.into_iter().map(|s| view! {
                <li>
                    <strong>{s.action}</strong>{format!(" ({}, {} min)", s.owner, s.estimated_minutes)}
                    <pre class="code">{s.commands}</pre>
                    <p class="hint">{format!("Check: {}", s.verification)}</p>
                    <p class="hint">{format!("Roll back: {}", s.rollback)}</p>
                </li>
            }).collect_view()}
        </ol>
    }
}
