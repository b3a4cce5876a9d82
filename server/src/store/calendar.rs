//! The admin-managed calendar and the changes scheduled on it.

use super::audit::{audited_as, done_by};
use super::ported;
use super::{corrupt, from_millis, millis, on_pool, parsed, Store};
use app::api::types::ScheduledChange;
use app::domain::calendar::conflicts::Booked;
use app::domain::calendar::{CalendarEntry, EntryKind};
use app::domain::workflow::Owner;
use app::ports::Acting;
use app::ports::{CalendarStore, StoreError};
use chrono::{DateTime, NaiveDate, Utc};

type EntryRow = (i64, String, String, String, String, String, Option<i64>);

impl Store {}

#[async_trait::async_trait]
impl CalendarStore for Store {
    /// Every calendar entry, by first day.
    async fn calendar_entries(&self) -> Result<Vec<CalendarEntry>, StoreError> {
        ported(async {
            let rows: Vec<EntryRow> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT id, kind, name, reason, starts_on, ends_on, starts_at FROM calendar_entries ORDER BY starts_on, id",
            )
            .fetch_all(pool)
            .await)?;
            rows.into_iter()
                .map(|(id, kind, name, reason, from, to, starts_at)| {
                    let at = format!("calendar entry {id}");
                    let day = |column: &str, s: &str| {
                        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(&at, column, e))
                    };
                    Ok(CalendarEntry {
                        id,
                        kind: parsed(&at, "kind", &kind, EntryKind::parse)?,
                        name,
                        reason,
                        from: day("starts_on", &from)?,
                        to: day("ends_on", &to)?,
                        starts_at: starts_at.map(from_millis).transpose()?,
                    })
                })
                .collect()
        })
        .await
    }

    /// Adds an entry, audited, in one transaction.
    async fn add_calendar_entry(&self, e: &CalendarEntry, acting: &Acting<'_>) -> Result<i64, StoreError> {
        audited_as!(&self.db, acting, tx, at => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO calendar_entries (kind, name, reason, starts_on, ends_on, starts_at, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(e.kind.as_str())
            .bind(&e.name)
            .bind(&e.reason)
            .bind(e.from.format("%Y-%m-%d").to_string())
            .bind(e.to.format("%Y-%m-%d").to_string())
            .bind(e.starts_at.map(millis))
            .bind(acting.by.id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let detail = format!("{} “{}” {} to {}", e.kind.label(), e.name, e.from, e.to);
            (id, done_by(acting, "Add calendar entry", detail))
        })
    }

    /// Removes an entry, audited. False when there was none.
    async fn remove_calendar_entry(&self, id: i64, acting: &Acting<'_>) -> Result<bool, StoreError> {
        audited_as!(&self.db, acting, tx => {
            let row: Option<(String, String)> = sqlx::query_as("DELETE FROM calendar_entries WHERE id = $1 RETURNING kind, name")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((kind, name)) = row else { return Ok(false) };
            let label = parsed(&format!("calendar entry {id}"), "kind", &kind, EntryKind::parse)?.label();
            (true, done_by(acting, "Remove calendar entry", format!("{label} “{name}”")))
        })
    }

    /// Changes planned in `[from, to)`, each by the date `Booked::of` its state names: emergency
    /// changes by their requested start, regular changes by the maintenance window they are
    /// queued for. The states are literals in the statement; a row it returns that the domain
    /// would not book by that date is an error, and the storage suite checks every state on
    /// both databases against the domain.
    async fn scheduled_changes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ScheduledChange>, StoreError> {
        ported(async {
            /// One scheduled request, decoded by name.
            #[derive(sqlx::FromRow)]
            struct Row {
                #[sqlx(flatten)]
                summary: super::requests::SummaryRow,
                planned_start: Option<i64>,
                queued_window: Option<i64>,
                form_json: String,
                team: Option<String>,
                owner_id: i64,
                team_id: Option<i64>,
            }
            let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(concat!(
                "SELECT ",
                super::requests::summary_columns!(),
                ", r.planned_start, r.queued_window, r.form_json, t.name AS team, r.started_by AS owner_id, r.team_id \
                 FROM change_requests r JOIN users u ON u.id = r.started_by \
                 LEFT JOIN teams t ON t.id = r.team_id \
                 WHERE (r.planned_start >= $1 AND r.planned_start < $2 \
                 AND r.state NOT IN ('triage', 'regular_change', 'rejected', 'withdrawn')) \
                 OR (r.queued_window >= $1 AND r.queued_window < $2 AND r.state = 'regular_change') \
                 ORDER BY COALESCE(r.planned_start, r.queued_window), r.id LIMIT 500"
            ))
            .bind(millis(from))
            .bind(millis(to))
            .fetch_all(pool)
            .await)?;
            rows.into_iter()
                .map(|Row { summary, planned_start, queued_window, form_json, team, owner_id, team_id }| {
                    let form =
                        super::stored::<app::domain::cr_form::CrForm>(&summary.reference, "form_json", &form_json)?;
                    let summary = super::requests::summary(summary)?;
                    // The statement chose this row by one date; the domain must book it by that
                    // same date, or the statement's state list has drifted from `Booked::of`.
                    let (when, regular) = match Booked::of(summary.state) {
                        Some(Booked::RequestedWindow) => (planned_start, false),
                        Some(Booked::MaintenanceWindow) => (queued_window, true),
                        None => (None, false),
                    };
                    let at =
                        when.map(from_millis).transpose()?.filter(|at| (from..to).contains(at)).ok_or_else(|| {
                            corrupt(&summary.reference, "state", "the calendar listed a state the domain does not book")
                        })?;
                    let minutes = form.planned_minutes();
                    let owner = Owner { started_by: owner_id, team_id };
                    Ok(ScheduledChange { summary, at, minutes, regular, team, owner, overlaps: Vec::new() })
                })
                .collect()
        })
        .await
    }
}
