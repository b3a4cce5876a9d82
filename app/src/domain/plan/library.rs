//! The library of documented operations: named step lists, versioned by name, that plans copy
//! steps from.

use super::paste::parse_steps;
use super::PlanStep;
use crate::domain::forms::FormErrors;
use crate::domain::limits;

/// An operation saved to the library, checked: a one-line name and the steps its text holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOperation {
    /// Its name, trimmed.
    pub name: String,
    /// Its steps, numbered from 1.
    pub steps: Vec<PlanStep>,
}

impl NewOperation {
    /// Parses the typed name and pasted steps, or says what is wrong at its field, with what was
    /// typed.
    pub fn parse(name: &str, steps: &str) -> Result<NewOperation, FormErrors> {
        let typed = [("name", name), ("steps", steps)];
        let problem = |field: &str, message: &str| FormErrors::one(field, message, &typed);
        let name = limits::Typed { field: "name", label: "The name", value: name, max: limits::LINE };
        let name = limits::required(name, "Enter the operation's name").map_err(|e| FormErrors {
            errors: e.errors,
            values: typed.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        })?;
        // The library's steps say nothing of where they came from: they are the source.
        let steps = parse_steps(steps)
            .map_err(|e| problem("steps", &e.to_string()))?
            .into_iter()
            .enumerate()
            .map(|(i, s)| PlanStep { id: i as u32 + 1, source: None, ..s })
            .collect();
        Ok(NewOperation { name, steps })
    }

    /// The name as the library tells operations apart: one version history per key.
    pub fn key(&self) -> String {
        self.name.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::NewOperation;

    #[test]
    fn an_operation_has_a_one_line_name_and_steps_numbered_from_one() {
        let op = NewOperation::parse("  Blue/Green deploy ", "Drain blue\nSwitch traffic").unwrap();
        assert_eq!((op.name.as_str(), op.key().as_str()), ("Blue/Green deploy", "blue/green deploy"));
        let ids: Vec<u32> = op.steps.iter().map(|s| s.id).collect();
        assert_eq!(ids, [1, 2]);
        assert!(op.steps.iter().all(|s| s.source.is_none()));
        let field = |name: &str, steps: &str| NewOperation::parse(name, steps).unwrap_err().errors[0].field.clone();
        assert_eq!(field(" ", "Drain blue"), "name");
        assert_eq!(field(&"n".repeat(121), "Drain blue"), "name");
        assert_eq!(field("Deploy", "  "), "steps");
        let kept = NewOperation::parse("Deploy", "").unwrap_err();
        assert_eq!(kept.value_of("name"), Some("Deploy"));
    }
}
