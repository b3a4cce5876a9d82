//! The README's tables that the code makes, kept equal to it by tests (the domain's here, the
//! server's configuration in its own crate).

/// The workspace's README, for the tests that keep its tables equal to the code. Found from
/// the package folder cargo names when it runs the test, so a test binary built in another
/// checkout (a shared build cache keeps one that is otherwise up to date) reads this one's.
fn readme_path() -> std::path::PathBuf {
    let package = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    std::path::Path::new(&package).join("../README.md")
}

/// Asserts that the README between `<!-- {name}:start -->` and `<!-- {name}:end -->` is
/// `generated` (a table the code makes); with `UPDATE_README` set, writes it there instead. For tests: the
/// README lies beside the package that runs them.
pub fn assert_section(name: &str, generated: &str) {
    let path = readme_path();
    let (start_marker, end_marker) = (format!("<!-- {name}:start -->"), format!("<!-- {name}:end -->"));
    let mut readme = std::fs::read_to_string(&path).expect("README.md beside the workspace");
    let start = readme.find(&start_marker).unwrap_or_else(|| panic!("README has {start_marker}")) + start_marker.len();
    let end = readme.find(&end_marker).unwrap_or_else(|| panic!("README has {end_marker}"));
    if std::env::var_os("UPDATE_README").is_some() {
        readme.replace_range(start..end, &format!("\n{generated}"));
        std::fs::write(&path, &readme).expect("write README.md");
        return;
    }
    assert_eq!(
        readme[start..end].trim(),
        generated.trim(),
        "the README's {name} table: regenerate with UPDATE_README=1"
    );
}
