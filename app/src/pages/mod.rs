//! One module per page or workflow step.

pub mod dev_mail;
pub mod home;
pub mod hosting;
pub mod not_found;
pub mod requests;
pub mod sign_in;
pub mod wizard;

/// The browser tab title: the page's own title, then the service name; `Error: ` first when
/// the page shows validation errors (so screen readers announce it).
pub fn page_title(title: &str, has_errors: bool) -> String {
    if has_errors {
        format!("Error: {title} – Offcycle")
    } else {
        format!("{title} – Offcycle")
    }
}
