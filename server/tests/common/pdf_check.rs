//! What assistive technology and an archive's checker see in a record: poppler's
//! `pdfinfo -struct-text`, and the PDF/UA-1 and PDF/A-2a checker `scripts/pdf-conformance.py`,
//! which drives `page` (PyPI `page-validation`) from the virtual environment
//! `scripts/bootstrap.sh --test` installs it in. Shared by `pdf.rs` (rendered records) and
//! `demo.rs` (a download).

use std::path::PathBuf;
use std::process::Command;

/// `pdf` in a file of its own (tests run in parallel and renders can be byte-identical).
fn file_of(pdf: &[u8]) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("offcycle-check-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf).expect("the PDF is written");
    path
}

/// The structure tree with each element's text, as `pdfinfo -struct-text` prints it.
pub fn struct_text(pdf: &[u8]) -> String {
    let path = file_of(pdf);
    let out = Command::new("pdfinfo").arg("-struct-text").arg(&path).output().expect("pdfinfo runs");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "pdfinfo -struct-text: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Checks `pdf`: whether it conforms to both standards, and the checker's report.
pub fn conformance(pdf: &[u8]) -> (bool, String) {
    let tools = std::env::var_os("OFFCYCLE_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/offcycle/tools"));
    let python = tools.join("pdfcheck/bin/python");
    assert!(python.exists(), "the PDF/UA checker is not at {}: run scripts/bootstrap.sh --test", python.display());
    // The package folder cargo names at run time: a binary from a shared build cache may have
    // been built in another checkout.
    let package = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    let script = PathBuf::from(package).join("../scripts/pdf-conformance.py");
    let path = file_of(pdf);
    let out = Command::new(&python).arg(&script).arg(&path).output().expect("the checker runs");
    let _ = std::fs::remove_file(&path);
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), report)
}

/// Asserts each needle occurs in `haystack`, each after the previous one.
pub fn assert_in_order(haystack: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match haystack[from..].find(needle) {
            Some(i) => from += i + needle.len(),
            None => panic!("{needle:?} is missing or out of order in:\n{haystack}"),
        }
    }
}
