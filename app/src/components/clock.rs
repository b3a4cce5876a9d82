//! The tag beside an SLA deadline, alike on the hosting queue and the dev team's pages.

use crate::domain::sla::ClockStatus;
use leptos::prelude::*;

/// How a clock stands, as a coloured tag.
#[component]
pub fn ClockTag(status: ClockStatus) -> impl IntoView {
    let class = match status {
        ClockStatus::OnTrack => "tag tag--blue",
        ClockStatus::Amber => "tag tag--amber",
        ClockStatus::Overdue => "tag tag--red",
    };
    view! { <strong class=class>{status.label()}</strong> }
}
