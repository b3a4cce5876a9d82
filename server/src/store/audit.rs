//! The append-only, hash-chained audit log.

use super::{on_pool, Db};
use sha2::{Digest, Sha256};

/// One thing that happened, as it is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// When (Unix milliseconds, UTC).
    pub at: i64,
    /// Who did it, if anyone was signed in.
    pub actor_id: Option<i64>,
    /// The request it concerns, if any.
    pub request_id: Option<i64>,
    /// What happened (`request.started`, `sign_in.failed`, …).
    pub action: String,
    /// Details in words.
    pub detail: String,
    /// The client's address.
    pub source: String,
    /// `success` or `failure`.
    pub outcome: String,
}

impl AuditEvent {
    /// A successful action by `actor`, about `request` if any.
    pub fn success(
        at: i64,
        actor: Option<i64>,
        request: Option<i64>,
        action: &str,
        detail: String,
        source: &str,
    ) -> AuditEvent {
        AuditEvent {
            at,
            actor_id: actor,
            request_id: request,
            action: action.into(),
            detail,
            source: source.into(),
            outcome: "success".into(),
        }
    }
}

/// The chain hash of one row: SHA-256 over the previous hash and the row's fields.
pub(crate) fn chain_hash(prev: &str, seq: i64, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    // Length-prefix every field so no two different rows serialise the same.
    for part in [
        prev.to_string(),
        seq.to_string(),
        e.at.to_string(),
        e.actor_id.map(|v| v.to_string()).unwrap_or_default(),
        e.request_id.map(|v| v.to_string()).unwrap_or_default(),
        e.action.clone(),
        e.detail.clone(),
        e.source.clone(),
        e.outcome.clone(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends `event` inside the caller's transaction `$tx`. Updating `audit_head` first takes
/// its row lock, so concurrent writers queue and the chain never forks.
macro_rules! append_audit {
    ($tx:expr, $event:expr) => {{
        let event: &$crate::store::AuditEvent = $event;
        let (seq, prev): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *$tx)
                .await?;
        let hash = $crate::store::audit::chain_hash(&prev, seq, event);
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor_id, request_id, action, detail, source, outcome, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(seq)
        .bind(event.at)
        .bind(event.actor_id)
        .bind(event.request_id)
        .bind(&event.action)
        .bind(&event.detail)
        .bind(&event.source)
        .bind(&event.outcome)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *$tx).await?;
    }};
}
pub(crate) use append_audit;

/// One audited write: runs `$body` in a transaction `$tx` on `$db`; the body ends in
/// `(value, event)`, and `event` joins the audit chain in the same transaction before it commits.
/// A body that returns early (nothing to change) rolls the transaction back.
macro_rules! audited {
    ($db:expr, $tx:ident => $body:expr) => {
        $crate::store::on_writer!($db, pool => async {
            let mut $tx = pool.begin().await?;
            let (value, event): (_, $crate::store::AuditEvent) = $body;
            $crate::store::audit::append_audit!($tx, &event);
            $tx.commit().await?;
            Ok::<_, sqlx::Error>(value)
        }.await)
    };
}
pub(crate) use audited;

/// Where the audit chain first breaks.
#[derive(Debug, PartialEq, Eq)]
pub struct ChainBreak {
    /// The id of the first row whose hash does not match.
    pub row_id: i64,
    /// Why.
    pub reason: String,
}

type AuditRow = (i64, i64, Option<i64>, Option<i64>, String, String, String, String, String, String);

/// An intact chain: how many rows it has and the hash of the last, which an operator keeps
/// elsewhere (a later check that no longer reaches that hash shows a rewritten chain).
#[derive(Debug, PartialEq, Eq)]
pub struct ChainHead {
    /// Rows verified.
    pub rows: u64,
    /// The last row's hash (empty for an empty log).
    pub hash: String,
}

/// Re-computes the whole chain: its head, or the first break. With `kept`, a head hash an
/// operator kept from an earlier run, the chain must still pass through it: a log rewritten
/// from before that point (by someone who dropped the triggers) no longer does.
pub async fn verify_audit_chain(db: &Db, kept: Option<&str>) -> Result<Result<ChainHead, ChainBreak>, sqlx::Error> {
    let mut kept_seen = kept.is_none_or(str::is_empty);
    let rows: Vec<AuditRow> = on_pool!(db, pool => sqlx::query_as(
        "SELECT id, at, actor_id, request_id, action, detail, source, outcome, prev_hash, hash FROM audit_events ORDER BY id"
    ).fetch_all(pool).await)?;
    let mut prev = String::new();
    let mut expected_id = 1;
    for (id, at, actor_id, request_id, action, detail, source, outcome, prev_hash, hash) in rows {
        if id != expected_id {
            return Ok(Err(ChainBreak { row_id: id, reason: format!("row {expected_id} is missing") }));
        }
        if prev_hash != prev {
            return Ok(Err(ChainBreak { row_id: id, reason: "previous hash does not match the row before".into() }));
        }
        let event = AuditEvent { at, actor_id, request_id, action, detail, source, outcome };
        let computed = chain_hash(&prev, id, &event);
        if computed != hash {
            return Ok(Err(ChainBreak { row_id: id, reason: "contents do not match the row's hash".into() }));
        }
        kept_seen |= kept == Some(hash.as_str());
        prev = hash;
        expected_id += 1;
    }
    if !kept_seen {
        return Ok(Err(ChainBreak {
            row_id: expected_id,
            reason: "the kept head hash is not in the chain: the log was rewritten before it".into(),
        }));
    }
    // Rows cut from the end leave a valid prefix: the head remembers how far the chain went.
    let (seq, head): (i64, String) =
        on_pool!(db, pool => sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(pool).await)?;
    if seq != expected_id - 1 || head != prev {
        return Ok(Err(ChainBreak {
            row_id: expected_id,
            reason: format!("the chain head says {seq} rows, found {}", expected_id - 1),
        }));
    }
    Ok(Ok(ChainHead { rows: (expected_id - 1) as u64, hash: prev }))
}

impl super::Store {
    /// Records one event on its own (downloads, token use: things with no other write).
    pub async fn record(&self, event: &AuditEvent) -> Result<(), sqlx::Error> {
        audited!(&self.db, tx => ((), event.clone()))
    }
}

impl super::Store {
    /// Every audit row's (action, outcome, detail), oldest first (tests).
    #[doc(hidden)]
    pub async fn audit_rows_for_test(&self) -> Vec<(String, String, String)> {
        on_pool!(&self.db, pool => sqlx::query_as("SELECT action, outcome, detail FROM audit_events ORDER BY id")
            .fetch_all(pool)
            .await)
        .expect("the audit log reads")
    }
}

/// The audit event of a change `acting` made successfully.
pub(crate) fn done_by(acting: &app::ports::Acting<'_>, action: &str, detail: String) -> AuditEvent {
    AuditEvent::success(acting.now.timestamp_millis(), Some(acting.by.id), None, action, detail, &acting.source)
}

/// One transaction for a change someone makes outside a request's process: the body gets the
/// transaction and `at` (the stored time of `acting.now`) and returns its value and audit event.
macro_rules! audited_as {
    ($db:expr, $acting:expr, $tx:ident => $body:expr) => {
        $crate::store::audit::audited_as!($db, $acting, $tx, _at => $body)
    };
    ($db:expr, $acting:expr, $tx:ident, $at:ident => $body:expr) => {
        $crate::store::ported(async {
            let $at = $crate::store::millis($acting.now);
            $crate::store::audit::audited!($db, $tx => $body)
        })
        .await
    };
}
pub(crate) use audited_as;
