//! A form body as the server receives it (URL-encoded, decoded the way server functions decode
//! it), then validated by the domain: never a panic, and every refusal names a field of the form.
#![no_main]

use app::domain::calendar::{Calendar, EntryForm};
use app::domain::cr_form::{section_field_names, CrForm};
use app::domain::forms::{PlanStepForm, StartRequest};
use app::domain::triage::TriageForm;
use libfuzzer_sys::fuzz_target;

const SECTIONS: [&str; 4] = ["details", "justification", "deployment", "checklist"];

fuzz_target!(|data: &[u8]| {
    if let Ok(start) = serde_qs::from_bytes::<StartRequest>(data) {
        if let Err(e) = start.normalised() {
            assert!(e.errors.iter().all(|f| f.field == "title" || f.field == "system"), "{e:?}");
        }
    }
    // The triage questions arrive as the posted pairs, by question key.
    let triage = TriageForm(form_urlencoded::parse(data).map(|(k, v)| (k.into_owned(), v.into_owned())).collect());
    if let Err(e) = triage.answers() {
        assert!(e.errors.iter().all(|f| app::domain::triage::QUESTIONS.iter().any(|q| q.key == f.field)), "{e:?}");
    }
    if let Ok(step) = serde_qs::from_bytes::<PlanStepForm>(data) {
        if let Ok(s) = step.step() {
            assert!((1..=1440).contains(&s.estimated_minutes), "{s:?}");
        }
    }
    if let Ok(entry) = serde_qs::from_bytes::<EntryForm>(data) {
        let _ = entry.validated();
    }
    // The CR form's sections take whatever fields arrive; unknown names are ignored.
    let mut form = CrForm::default();
    for (k, v) in form_urlencoded::parse(data) {
        form.set(&k, v.into_owned());
    }
    let form = form.normalised();
    let calendar = Calendar::default();
    for section in SECTIONS {
        if let Err(e) = form.validate_section(section, &calendar) {
            for f in &e.errors {
                assert!(section_field_names(section).any(|n| n == f.field) || f.field.starts_with(section), "{section}: {f:?}");
            }
        }
    }
    let _ = form.is_complete(&calendar);
    let _ = form.window_warnings(&calendar);
});
