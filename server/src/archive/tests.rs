use super::downloads::cell;
use super::{sha256_hex, write_once};

#[tokio::test]
async fn folder_writes_never_follow_links_nor_replace_a_file() {
    let dir = std::env::temp_dir().join(format!("offcycle-folder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let outside = dir.join("outside.txt");
    std::fs::write(&outside, b"keep me").unwrap();
    let pdf = b"%PDF-1.7 copy";
    let sha = sha256_hex(pdf);
    // A link planted where the copy goes is refused, and what it points at is untouched.
    std::os::unix::fs::symlink(&outside, dir.join("a.pdf")).unwrap();
    assert!(write_once(&dir, "a.pdf", pdf, &sha).await.unwrap_err().contains("symbolic link"));
    // A link planted as the temporary file is removed, not written through.
    std::os::unix::fs::symlink(&outside, dir.join(".b.pdf.partial")).unwrap();
    write_once(&dir, "b.pdf", pdf, &sha).await.unwrap();
    assert_eq!(std::fs::read(dir.join("b.pdf")).unwrap(), pdf);
    assert_eq!(std::fs::read(&outside).unwrap(), b"keep me");
    assert!(!dir.join(".b.pdf.partial").exists());
    // The same bytes again count as written; other bytes never replace them.
    write_once(&dir, "b.pdf", pdf, &sha).await.unwrap();
    assert!(write_once(&dir, "b.pdf", b"other", &sha256_hex(b"other")).await.unwrap_err().contains("not replaced"));
    assert_eq!(std::fs::read(dir.join("b.pdf")).unwrap(), pdf);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_csv_cell_can_neither_start_a_formula_nor_a_new_row() {
    assert_eq!(cell("=HYPERLINK(\"https://evil.example\")".into()), "'=HYPERLINK(\"https://evil.example\")");
    assert_eq!(cell("\t+1".into()), "' +1");
    assert_eq!(cell("Fix\r\nECR-2026-9999,forged".into()), "Fix  ECR-2026-9999,forged");
    assert_eq!(cell("Grants portal".into()), "Grants portal");
}
