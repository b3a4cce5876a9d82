//! Request references such as `ECR-2026-0001`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The human reference of a change request: prefix, year and a per-year sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reference {
    /// The calendar year (UTC) the request was started in.
    pub year: i32,
    /// The 1-based sequence number within that year.
    pub number: i64,
}

impl Reference {
    /// Parses `ECR-YYYY-NNNN` (four or more digits; case-insensitive prefix).
    pub fn parse(s: &str) -> Option<Reference> {
        let s = s.trim();
        if !s.get(..4)?.eq_ignore_ascii_case("ECR-") {
            return None;
        }
        let (year, number) = s[4..].split_once('-')?;
        if year.len() != 4 || number.len() < 4 {
            return None;
        }
        if !year.bytes().all(|b| b.is_ascii_digit()) || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: i64 = number.parse().ok()?;
        (number > 0).then_some(Reference { year: year.parse().ok()?, number })
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ECR-{:04}-{:04}", self.year, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_reference_reads_like_the_organisations_numbering() {
        assert_eq!(Reference { year: 2026, number: 1 }.to_string(), "ECR-2026-0001");
        assert_eq!(Reference { year: 2026, number: 12345 }.to_string(), "ECR-2026-12345");
    }

    #[test]
    fn malformed_references_are_refused() {
        for bad in ["", "ECR-2026", "ECR-26-0001", "ECR-2026-001", "XCR-2026-0001", "ECR-2026-0000", "ECR-2026-00a1"] {
            assert_eq!(Reference::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(year in 2000i32..=9999, number in 1i64..10_000_000) {
            let r = Reference { year, number };
            prop_assert_eq!(Reference::parse(&r.to_string()), Some(r));
        }
    }
}
