//! Everything parsed out of a URL or a header: references, states, roles, step statuses, canary
//! percentages, decision-link tokens. Never a panic; what parses prints back to itself.
#![no_main]

use app::domain::reference::Reference;
use app::domain::roles::Role;
use app::domain::workflow::State;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(r) = Reference::parse(text) {
        assert_eq!(Reference::parse(&r.to_string()), Some(r), "{text:?}");
    }
    if let Some(s) = State::parse(text) {
        assert_eq!(State::parse(s.as_str()), Some(s));
    }
    if let Some(role) = Role::parse(text) {
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    let _ = app::domain::execution::StepStatus::parse(text);
    let _ = app::domain::calendar::EntryKind::parse(text);
    if let Some(steps) = app::domain::cr_form::parse_canary_steps(text) {
        assert!(steps.iter().all(|p| (1..=100).contains(p)), "{steps:?}");
    }
    // A decision link's token is only ever hashed and looked up: any text hashes to 64 hex digits.
    let hash = app::ports::token_hash(text);
    assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");
});
