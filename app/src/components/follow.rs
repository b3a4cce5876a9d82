//! The production page follows the work by itself: an island, the one part of that page the
//! browser runs. Pages are rendered by the server; this asks every few seconds whether the
//! request changed and, when it did, shows the newer page, unless the person has started typing
//! in one of the page's forms: then it says so and leaves their text alone.

use crate::api::production::production_version;
use leptos::prelude::*;

/// How often the page asks (a hosting engineer records a step every few minutes at most).
const EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Follows the request at `version`; rendered only while production work is under way.
#[island]
pub fn FollowProgress(reference: String, version: i64) -> impl IntoView {
    let (newer, set_newer) = signal(false);
    let (typed, set_typed) = signal(false);
    Effect::new(move |_| {
        // Anything typed or ticked in a form on the page: do not throw it away by reloading.
        let input = window_event_listener(leptos::ev::input, move |_| set_typed.set(true));
        let reference = reference.clone();
        let timer = set_interval_with_handle(
            move || {
                if newer.get_untracked() {
                    return;
                }
                let reference = reference.clone();
                leptos::task::spawn_local(async move {
                    // A failed ask (network, signed out) is asked again at the next tick.
                    if matches!(production_version(reference).await, Ok(now) if now != version) {
                        if typed.get_untracked() {
                            set_newer.set(true);
                        } else {
                            let _ = window().location().reload();
                        }
                    }
                });
            },
            EVERY,
        );
        on_cleanup(move || {
            input.remove();
            if let Ok(timer) = timer {
                timer.clear();
            }
        });
    });
    view! {
        <div role="status" class="follow">
            <Show when=move || newer.get()>
                <p class="notification notification--important">
                    "Progress was recorded since this page opened. "
                    <a href="">"Show the latest progress"</a>
                    " (what you typed below is not saved)."
                </p>
            </Show>
        </div>
    }
}
