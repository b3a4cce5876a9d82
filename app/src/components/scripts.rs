//! The browser's module is loaded only by a page that renders an island: every other page is
//! HTML and CSS alone (a COR's decision page, a wizard step), and works the same with JavaScript
//! on or off.

use leptos::prelude::*;

/// The scripts that load the module and hydrate the page's islands: render it once on a page
/// that has any, outside them. (Not de-duplicated by a flag: the server may evaluate a
/// suspended view more than once before it renders it.)
#[component]
pub fn IslandScripts() -> impl IntoView {
    use_context::<LeptosOptions>().map(|options| view! { <HydrationScripts options islands=true/> })
}
