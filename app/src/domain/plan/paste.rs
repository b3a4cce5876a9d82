//! Plan steps pasted in bulk: a Markdown table, CSV with a header row, or one step per line
//! (the step's action; the rest is filled in afterwards). Parsed here, shown as a preview, and
//! saved only when the person confirms what they see.

use super::{PlanStep, StepSource};
use crate::domain::limits;

/// A column a pasted table may have, recognised by its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// What the step does.
    Action,
    /// Commands or instructions.
    Commands,
    /// Who does it.
    Owner,
    /// The expected result.
    Expected,
    /// How to verify it.
    Verification,
    /// How to roll it back.
    Rollback,
    /// Estimated minutes.
    Minutes,
}

impl Column {
    /// Every column, in the order the plan shows them (and the order of a template table).
    pub const ALL: [Column; 7] = [
        Column::Action,
        Column::Commands,
        Column::Owner,
        Column::Expected,
        Column::Verification,
        Column::Rollback,
        Column::Minutes,
    ];

    /// The header a template uses.
    pub fn header(self) -> &'static str {
        match self {
            Column::Action => "Action",
            Column::Commands => "Commands",
            Column::Owner => "Owner",
            Column::Expected => "Expected result",
            Column::Verification => "Verification",
            Column::Rollback => "Rollback",
            Column::Minutes => "Minutes",
        }
    }

    /// The column a header names, loosely ("Roll back", "rollback", "Estimated minutes").
    pub fn from_header(header: &str) -> Option<Column> {
        let h: String = header.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
        Some(match h.as_str() {
            "action" | "step" | "what" | "whatthisstepdoes" => Column::Action,
            "commands" | "command" | "instructions" | "commandsorinstructions" => Column::Commands,
            "owner" | "who" | "whodoesit" => Column::Owner,
            "expected" | "expectedresult" | "result" => Column::Expected,
            "verification" | "verify" | "check" | "howtoverify" => Column::Verification,
            "rollback" | "undo" | "howtorollback" => Column::Rollback,
            "minutes" | "estimate" | "estimatedminutes" | "time" | "estimatedtimeinminutes" => Column::Minutes,
            _ => return None,
        })
    }

    fn max(self) -> usize {
        match self {
            Column::Owner => limits::LINE,
            Column::Commands | Column::Rollback => limits::LONG,
            _ => limits::SHORT,
        }
    }
}

/// Why pasted steps cannot be added, in words for the person who pasted them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasteError {
    /// Nothing but blank lines.
    #[error("Paste at least one step: one per line, or a table with a header row")]
    Empty,
    /// More steps than a plan may have.
    #[error("A plan has at most {max} steps: paste fewer")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// A header that names no column.
    #[error("The column “{0}” is not one we know: use Action, Commands, Owner, Expected result, Verification, Rollback and Minutes")]
    UnknownColumn(String),
    /// A table without an Action column.
    #[error("The table needs an Action column")]
    NoAction,
    /// A row with the wrong number of cells.
    #[error("Row {row} has {got} cells; the header has {want}")]
    Cells {
        /// The row, counted from 1 after the header.
        row: usize,
        /// Cells found.
        got: usize,
        /// Cells in the header.
        want: usize,
    },
    /// A row without an action.
    #[error("Row {0} says nothing under Action")]
    MissingAction(usize),
    /// Minutes that are not a whole number.
    #[error("Row {row}: the minutes “{value}” must be a whole number")]
    Minutes {
        /// The row.
        row: usize,
        /// What was there.
        value: String,
    },
    /// A cell longer than its field takes.
    #[error("Row {row}: {column} must be {max} characters or fewer")]
    TooLong {
        /// The row.
        row: usize,
        /// The column's header.
        column: &'static str,
        /// Its limit.
        max: usize,
    },
}

/// The steps in `text`, each marked as pasted (ids are given when they join a plan).
pub fn parse_steps(text: &str) -> Result<Vec<PlanStep>, PasteError> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let Some(first) = lines.first() else { return Err(PasteError::Empty) };
    let (columns, rows) = if first.starts_with('|') {
        markdown(&lines)?
    } else if let Some(table) = csv_table(text)? {
        table
    } else {
        let rows = lines.iter().map(|l| vec![strip_bullet(l).to_string()]).collect();
        (vec![Column::Action], rows)
    };
    if rows.is_empty() {
        return Err(PasteError::Empty);
    }
    if rows.len() > limits::PLAN_STEPS {
        return Err(PasteError::TooMany { max: limits::PLAN_STEPS });
    }
    rows.into_iter().enumerate().map(|(i, cells)| step(i + 1, &columns, cells)).collect()
}

/// A table's columns (from its header) and its rows' cells.
type Table = (Vec<Column>, Vec<Vec<String>>);

/// `| Action | Commands |` rows; the separator row (`|---|---|`) is skipped; `<br>` in a cell is
/// a line break (how Markdown tables carry multi-line commands).
fn markdown(lines: &[&str]) -> Result<Table, PasteError> {
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|');
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        inner.split('|').map(|c| c.trim().replace("<br>", "\n").replace("<br/>", "\n")).collect()
    };
    let mut rows = lines.iter().filter(|l| l.starts_with('|'));
    let header = rows.next().map(|l| cells(l)).unwrap_or_default();
    let columns = columns_of(&header)?;
    let body: Vec<Vec<String>> =
        rows.filter(|l| !l.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))).map(|l| cells(l)).collect();
    Ok((columns, body))
}

/// CSV whose first row names known columns; `None` when the first row is not such a header
/// (then the text is one step per line).
fn csv_table(text: &str) -> Result<Option<Table>, PasteError> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut records = reader.records().filter_map(Result::ok).filter(|r| r.iter().any(|c| !c.is_empty()));
    let Some(header) = records.next() else { return Ok(None) };
    if header.len() < 2 || header.iter().any(|h| Column::from_header(h).is_none()) {
        return Ok(None);
    }
    let columns = columns_of(&header.iter().map(str::to_string).collect::<Vec<_>>())?;
    Ok(Some((columns, records.map(|r| r.iter().map(str::to_string).collect()).collect())))
}

fn columns_of(header: &[String]) -> Result<Vec<Column>, PasteError> {
    let columns = header
        .iter()
        .map(|h| Column::from_header(h).ok_or_else(|| PasteError::UnknownColumn(h.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    if !columns.contains(&Column::Action) {
        return Err(PasteError::NoAction);
    }
    Ok(columns)
}

/// "- Drain node 1", "2. Drain node 2", "* Drain" → the words.
fn strip_bullet(line: &str) -> &str {
    let t = line.trim_start_matches(['-', '*', '•']).trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    match t[digits..].chars().next() {
        Some('.' | ')') if digits > 0 => t[digits + 1..].trim_start(),
        _ => t,
    }
}

fn step(row: usize, columns: &[Column], cells: Vec<String>) -> Result<PlanStep, PasteError> {
    if cells.len() != columns.len() {
        return Err(PasteError::Cells { row, got: cells.len(), want: columns.len() });
    }
    let mut s = PlanStep { source: Some(StepSource::Pasted), ..PlanStep::default() };
    for (column, value) in columns.iter().zip(cells) {
        if value.chars().count() > column.max() {
            return Err(PasteError::TooLong { row, column: column.header(), max: column.max() });
        }
        match column {
            Column::Action => s.action = value,
            Column::Commands => s.commands = value,
            Column::Owner => s.owner = value,
            Column::Expected => s.expected_result = value,
            Column::Verification => s.verification = value,
            Column::Rollback => s.rollback = value,
            Column::Minutes if value.is_empty() => {}
            Column::Minutes => {
                s.estimated_minutes = value.parse().map_err(|_| PasteError::Minutes { row, value: value.clone() })?
            }
        }
    }
    if s.action.trim().is_empty() {
        return Err(PasteError::MissingAction(row));
    }
    Ok(s)
}

/// The steps as a Markdown table that [`parse_steps`] reads back (the library shows an
/// operation this way, for copying into a change or a runbook).
pub fn to_markdown(steps: &[PlanStep]) -> String {
    let cell = |s: &str| s.replace('|', "/").replace("\r\n", "<br>").replace('\n', "<br>");
    let mut out = format!("| {} |\n", Column::ALL.map(Column::header).join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(Column::ALL.len())));
    for s in steps {
        let row = [
            cell(&s.action),
            cell(&s.commands),
            cell(&s.owner),
            cell(&s.expected_result),
            cell(&s.verification),
            cell(&s.rollback),
            s.estimated_minutes.to_string(),
        ];
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_step_per_line_takes_the_words_without_bullets_or_numbers() {
        let steps =
            parse_steps("\n- Drain node 1\n2. Drain node 2\n* Restart the pool\n  Check the dashboards  \n").unwrap();
        let actions: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
        assert_eq!(actions, ["Drain node 1", "Drain node 2", "Restart the pool", "Check the dashboards"]);
        assert!(steps.iter().all(|s| s.source == Some(StepSource::Pasted) && !s.is_complete()));
    }

    #[test]
    fn a_markdown_table_fills_the_columns_its_header_names() {
        let text = "| Action | Commands | Owner | Expected | Verify | Roll back | Minutes |\n\
                    |---|---|---|---|---|---|---:|\n\
                    | Drain node 1 | lb drain n1<br>lb wait n1 | Hosting | n1 idle | lb status | lb enable n1 | 5 |\n\
                    | Patch | apt upgrade openssl | Hosting | 3.0.13 | openssl version | apt install openssl=3.0.11 |  |";
        let steps = parse_steps(text).unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].commands, "lb drain n1\nlb wait n1");
        assert_eq!((steps[0].rollback.as_str(), steps[0].estimated_minutes), ("lb enable n1", 5));
        assert!(steps[0].is_complete());
        assert_eq!(steps[1].estimated_minutes, 0, "an empty estimate is left to fill in");
    }

    #[test]
    fn csv_with_a_header_row_is_a_table_and_quoted_cells_keep_commas_and_lines() {
        let text =
            "action,commands,minutes\n\"Drain, then wait\",\"lb drain n1\nlb wait n1\",5\nPatch,apt upgrade,10\n";
        let steps = parse_steps(text).unwrap();
        assert_eq!(steps[0].action, "Drain, then wait");
        assert_eq!(steps[0].commands, "lb drain n1\nlb wait n1");
        assert_eq!(steps[1].estimated_minutes, 10);
        // A line with commas that is not a header is just a step.
        assert_eq!(parse_steps("Drain node 1, then node 2").unwrap()[0].action, "Drain node 1, then node 2");
    }

    #[test]
    fn each_problem_says_where_it_is() {
        assert_eq!(parse_steps(" \n \n"), Err(PasteError::Empty));
        assert_eq!(
            parse_steps("| Action | Colour |\n|---|---|\n| a | b |"),
            Err(PasteError::UnknownColumn("Colour".into()))
        );
        assert_eq!(parse_steps("| Owner | Minutes |\n| Hosting | 5 |"), Err(PasteError::NoAction));
        assert_eq!(
            parse_steps("| Action | Minutes |\n| a | 5 |\n| b |"),
            Err(PasteError::Cells { row: 2, got: 1, want: 2 })
        );
        assert_eq!(
            parse_steps("| Action | Minutes |\n| a | five |"),
            Err(PasteError::Minutes { row: 1, value: "five".into() })
        );
        assert_eq!(parse_steps("| Action | Owner |\n|  | Hosting |"), Err(PasteError::MissingAction(1)));
        let many = "step\n".repeat(limits::PLAN_STEPS + 1);
        assert_eq!(parse_steps(&many), Err(PasteError::TooMany { max: limits::PLAN_STEPS }));
        let long = format!("| Action | Owner |\n| a | {} |", "x".repeat(limits::LINE + 1));
        assert_eq!(parse_steps(&long), Err(PasteError::TooLong { row: 1, column: "Owner", max: limits::LINE }));
    }

    fn text() -> impl Strategy<Value = String> {
        // Words, punctuation, pipes and line breaks: what commands really hold.
        "[a-zA-Z0-9 ,.:;/=|-]{0,30}(\n[a-zA-Z0-9 ,.|-]{1,20})?".prop_map(|s| s.trim().to_string())
    }

    proptest! {
        #[test]
        fn a_plan_written_as_a_table_reads_back_as_the_same_steps(
            rows in prop::collection::vec((text(), text(), text(), 0u32..600), 1..6)
        ) {
            let steps: Vec<PlanStep> = rows
                .into_iter()
                .map(|(action, commands, rollback, minutes)| PlanStep {
                    action: format!("Do {}", action.replace('\n', " ")).trim().to_string(),
                    commands,
                    rollback,
                    owner: "Hosting".into(),
                    estimated_minutes: minutes,
                    source: Some(StepSource::Pasted),
                    ..PlanStep::default()
                })
                .collect();
            let back = parse_steps(&to_markdown(&steps)).unwrap();
            // A pipe inside a cell cannot survive a Markdown table: it is written as a slash.
            let expected: Vec<PlanStep> = steps
                .iter()
                .map(|s| PlanStep {
                    action: s.action.replace('|', "/").trim().to_string(),
                    commands: s.commands.replace('|', "/").trim().to_string(),
                    rollback: s.rollback.replace('|', "/").trim().to_string(),
                    ..s.clone()
                })
                .collect();
            prop_assert_eq!(back, expected);
        }
    }
}
