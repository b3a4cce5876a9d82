//! Backups taken while the server serves a write load, restored into a new database: every
//! write acknowledged before the backup began is there, and the audit chain verifies. On
//! PostgreSQL the command refuses and says how to use pg_dump.

mod common;

use app::ports::prelude::*;
use common::flow::start;
use common::*;
use server::store::{restore, BackupError, Db, Store};
use std::time::{Duration, Instant};

both_backends!(a_backup_under_load_restores_every_acknowledged_write, |url: String, backend| async move {
    let app = TestApp::spawn(&url).await;
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200, "every migration applied");
    let db = Db::open(&url).await.unwrap();
    let dir = std::env::temp_dir().join(format!("offcycle-backup-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("offcycle-backup.db");
    if backend == Backend::Postgres {
        let refused = db.backup(&file).await.unwrap_err();
        assert!(matches!(refused, BackupError::UsePgTools));
        assert!(refused.to_string().contains("pg_dump --format=custom"), "{refused}");
        assert!(matches!(restore(&file, &url).await, Err(BackupError::UsePgTools)));
        db.close().await;
        app.stop().await;
        return;
    }
    app.sign_in("dev@example.gov").await;
    // Requests started one after another while the backup runs in between.
    let done = std::sync::atomic::AtomicUsize::new(0);
    let backed_up = std::sync::atomic::AtomicBool::new(false);
    let load = async {
        let mut acknowledged = Vec::new();
        // Until well after the backup: ten more requests once it is written.
        let mut extra = 10;
        for i in 0..2000 {
            let reference = start(&app, &format!("Backup load {i}")).await;
            acknowledged.push((Instant::now(), reference));
            done.store(i + 1, std::sync::atomic::Ordering::SeqCst);
            if backed_up.load(std::sync::atomic::Ordering::SeqCst) {
                extra -= 1;
                if extra == 0 {
                    break;
                }
            }
        }
        acknowledged
    };
    let backup = async {
        while done.load(std::sync::atomic::Ordering::SeqCst) < 10 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let began = Instant::now();
        let head = db.backup(&file).await.expect("backup");
        backed_up.store(true, std::sync::atomic::Ordering::SeqCst);
        (began, head)
    };
    let (acknowledged, (began, head)) = tokio::join!(load, backup);
    let before: Vec<&String> = acknowledged.iter().filter(|(at, _)| *at < began).map(|(_, r)| r).collect();
    let after = acknowledged.len() - before.len();
    assert!(!before.is_empty() && after > 0, "the backup ran in the middle of the load ({} before)", before.len());
    assert!(head.rows > 0);
    // Every read connection refuses to write, the backup's borrowed one never came back writable:
    // a write that skipped the writer's queue fails here rather than queueing in SQLite's busy
    // handler. The writer writes.
    let Db::Sqlite { pool, writer } = &db else { unreachable!("PostgreSQL returned above") };
    let mut readers = Vec::new();
    for _ in 0..8 {
        readers.push(pool.acquire().await.unwrap());
    }
    for reader in &mut readers {
        let refused = sqlx::query("CREATE TABLE skipped_the_queue (x)").execute(&mut **reader).await.unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
    }
    drop(readers);
    sqlx::query("CREATE TABLE through_the_queue (x)").execute(writer).await.unwrap();
    // A backup never overwrites.
    assert!(matches!(db.backup(&file).await, Err(BackupError::Exists(_))));
    // Restored into a new database: the chain verifies and every acknowledged write is there.
    let restored_url = format!("sqlite://{}", dir.join("restored.db").display());
    let restored_head = restore(&file, &restored_url).await.expect("restore");
    assert_eq!(restored_head, head);
    assert!(matches!(restore(&file, &restored_url).await, Err(BackupError::Exists(_))), "nor does a restore");
    let restored = Store::new(Db::open(&restored_url).await.unwrap());
    for reference in &before {
        let r = app::domain::reference::Reference::parse(reference).unwrap();
        assert!(
            restored.request_by_reference(r).await.unwrap().is_some(),
            "{reference} acknowledged before the backup"
        );
    }
    restored.db().close().await;
    db.close().await;
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
});

both_backends!(an_older_binary_refuses_a_database_a_newer_one_migrated, |url: String, _b| async move {
    let db = Db::open(&url).await.unwrap();
    // What a newer release would have recorded: a migration this build does not know.
    server::store::record_future_migration_for_test(&db, 9999).await;
    db.close().await;
    let refused = Db::open(&url).await.expect_err("an unknown applied migration stops the start");
    assert!(refused.to_string().contains("9999"), "{refused}");
});
