//! The schedule conflicts of a requested window, as every page that decides about it shows them.

use leptos::prelude::*;

/// "Schedule conflicts": what the requested window overlaps (a warning, not a block); nothing
/// when there are none.
#[component]
pub fn ScheduleConflicts(conflicts: Vec<String>) -> impl IntoView {
    (!conflicts.is_empty()).then(|| {
        view! {
            <div class="warning-text" role="region" aria-label="Schedule conflicts">
                <h2 class="heading-s">"Schedule conflicts"</h2>
                <ul class="list">{conflicts.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                <p>"A warning, not a block: agree the timing with the hosting team if it must go ahead."</p>
            </div>
        }
    })
}
