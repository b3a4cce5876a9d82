//! The archive: archivists (and hosting, CORs, the ISSO and admins) search every request and
//! download its current record or any filed copy.

use crate::api::types::{ArchivePage, QueueFilter};
use crate::error::AppError;
use leptos::prelude::*;

/// Requests per page of the archive search.
pub const PAGE_SIZE: i64 = 25;

/// One page of the archive search (the page passes its address's query).
#[server(endpoint = "archive_search")]
pub async fn archive_search(#[server(default)] filter: QueueFilter) -> Result<ArchivePage, AppError> {
    super::ssr::respond(server::archive_search(filter).await)
}

#[cfg(feature = "ssr")]
pub use server::query_of;

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::{ArchivePage, QueueFilter};
    use crate::domain::access::Area;
    use crate::error::AppError;
    use crate::ports::QueueQuery;

    /// The hosting queue's filter, read the archive's way: every state, newest first.
    pub fn query_of(f: &QueueFilter, user_id: i64) -> Result<QueueQuery, AppError> {
        let mut q = crate::api::queue::query_of(&QueueFilter { assigned: String::new(), ..f.clone() }, user_id)?;
        if f.after.trim().is_empty() {
            q.after = (i64::MAX, i64::MAX);
        }
        Ok(q)
    }

    pub async fn archive_search(filter: QueueFilter) -> Result<ArchivePage, AppError> {
        let session = require_area(Area::ArchiveSearch)?;
        let query = query_of(&filter, session.user.id)?;
        let store = services()?.requests.clone();
        let mut rows = store.archive_search(&query, super::PAGE_SIZE + 1).await?;
        let next = (rows.len() as i64 > super::PAGE_SIZE).then(|| {
            rows.truncate(super::PAGE_SIZE as usize);
            rows.last().map(|(_, c)| format!("{}:{}", c.0, c.1)).unwrap_or_default()
        });
        let folder_problems = if Area::Administration.allows(session.user.role) {
            store.archive_folder_problems().await?
        } else {
            Vec::new()
        };
        Ok(ArchivePage {
            rows: rows.into_iter().map(|(r, _)| r).collect(),
            next,
            teams: store.team_names().await?,
            folder_problems,
        })
    }
}
