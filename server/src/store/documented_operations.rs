//! The hosting team's library of documented operations: named sets of plan steps, each save a
//! new version (names compared without case), so a plan can say which version a step came from.

use super::audit::{audited_as, done_by};
use super::ported;
use super::{corrupt, from_millis, on_pool, Store};
use app::api::types::OperationView;
use app::domain::plan::library::NewOperation;
use app::domain::plan::PlanStep;
use app::ports::Acting;
use app::ports::{OperationLibrary, StoreError};

/// An operation version as stored: id, name, version, steps (JSON), saved by, when (ms).
type Row = (i64, String, i64, String, String, i64);

fn view(row: Row) -> Result<OperationView, sqlx::Error> {
    let (id, name, version, steps_json, saved_by, saved_at) = row;
    let at = format!("documented operation {id}");
    let steps: Vec<PlanStep> = serde_json::from_str(&steps_json).map_err(|e| corrupt(&at, "steps_json", e))?;
    Ok(OperationView {
        id,
        name,
        version: u32::try_from(version).map_err(|e| corrupt(&at, "version", e))?,
        steps,
        saved_by,
        saved_at: from_millis(saved_at)?,
    })
}

const SELECT: &str = "SELECT o.id, o.name, o.version, o.steps_json, u.display_name, o.saved_at \
                      FROM documented_operations o JOIN users u ON u.id = o.saved_by";

#[async_trait::async_trait]
impl OperationLibrary for Store {
    async fn operations(&self) -> Result<Vec<OperationView>, StoreError> {
        ported(async {
            let sql = format!(
                "{SELECT} WHERE o.version = (SELECT MAX(version) FROM documented_operations n WHERE n.name_key = o.name_key) \
                 ORDER BY o.name_key"
            );
            let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
            rows.into_iter().map(view).collect()
        })
        .await
    }

    async fn operation(&self, id: i64) -> Result<Option<OperationView>, StoreError> {
        ported(async {
            let sql = format!("{SELECT} WHERE o.id = $1");
            let row: Option<Row> =
                on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
            row.map(view).transpose()
        })
        .await
    }

    async fn save_operation(&self, operation: &NewOperation, acting: &Acting<'_>) -> Result<i64, StoreError> {
        let NewOperation { name, steps } = operation;
        let key = operation.key();
        // Two saves of one name at once: the second's version collides with the first's
        // (UNIQUE (name_key, version)) and its transaction rolls back.
        audited_as!(&self.db, acting, tx, at => {
                let (id, version): (i64, i64) = sqlx::query_as(
                    "INSERT INTO documented_operations (name, name_key, version, steps_json, saved_by, saved_at) \
                     VALUES ($1, $2, (SELECT COALESCE(MAX(version), 0) + 1 FROM documented_operations WHERE name_key = $2), $3, $4, $5) \
                     RETURNING id, version",
                )
                .bind(name)
                .bind(&key)
                .bind(super::to_json(steps)?)
                .bind(acting.by.id)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                let detail = format!("“{name}” version {version}: {} steps", steps.len());
                (id, done_by(acting, "Save a documented operation", detail))
        })
    }
}
