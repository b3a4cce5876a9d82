//! Demo mode with example requests (README command 1): one or more requests in every state of
//! the process, on SQLite and PostgreSQL, each with the archive copies its state calls for.

mod common;
use common::*;
use serde_json::Value;

both_backends!(demo_requests_cover_every_state_of_the_process, |url: String, _b| async move {
    let mut config = config(&url);
    config.demo_requests = true;
    let app = TestApp::spawn_with(config).await;
    app.sign_in("admin@example.gov").await;
    for state in app::domain::workflow::State::ALL {
        let page: Value = app.call("archive_search", &[("filter[state]", state.as_str())]).await.json().await.unwrap();
        let rows = page["rows"].as_array().cloned().unwrap_or_default();
        assert!(!rows.is_empty(), "no demo request is in {}", state.label());
    }
    let on_hold: Value = app.call("archive_search", &[("filter[q]", "abusive crawler")]).await.json().await.unwrap();
    let r = on_hold["rows"][0]["summary"]["reference"].as_str().unwrap().to_string();
    let v: Value = app.call("production_view", &[("reference", &r)]).await.json().await.unwrap();
    assert!(v["hold"].as_str().unwrap().contains("Marketing launch"), "one approved request is on hold: {v}");
    // A completed demo request's record as an archivist downloads it: the same bytes each time,
    // and PDF/UA-1 and PDF/A-2a by the checker the README names.
    let done: Value = app.call("archive_search", &[("filter[state]", "completed")]).await.json().await.unwrap();
    let r = done["rows"][0]["summary"]["reference"].as_str().unwrap().to_string();
    let download = app.url(&format!("/changes/{r}.pdf"));
    let pdf = app.client.get(&download).send().await.unwrap().bytes().await.unwrap();
    assert!(pdf == app.client.get(&download).send().await.unwrap().bytes().await.unwrap(), "two downloads differ");
    let (conforms, report) = common::pdf_check::conformance(&pdf);
    assert!(conforms, "{r}'s record:\n{report}");
    // Read by assistive technology: the title, then every section in order.
    let tree = common::pdf_check::struct_text(&pdf);
    let sections = [
        "H1",
        "\"Summary\"",
        "\"Triage\"",
        "\"Operation plan",
        "\"Staging validation\"",
        "\"Approvals\"",
        "\"Production execution log\"",
        "\"Audit trail\"",
    ];
    common::pdf_check::assert_in_order(&tree, &sections);
    app.stop().await;
    // A second start adds nothing: demo requests go only into an empty list.
    let mut again = common::config(&url);
    again.demo_requests = true;
    let app = TestApp::spawn_with(again).await;
    app.sign_in("admin@example.gov").await;
    let all: Value = app.call("archive_search", &[]).await.json().await.unwrap();
    let rows = all["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 16);
    // Each row shows its own copies (one statement reads a page's), numbered from 1, oldest first.
    for row in rows {
        let reference = row["summary"]["reference"].as_str().unwrap();
        let names: Vec<&str> =
            row["copies"].as_array().unwrap().iter().map(|c| c["file_name"].as_str().unwrap()).collect();
        for (i, name) in names.iter().enumerate() {
            assert!(name.starts_with(&format!("{reference}_")), "{reference} shows {name}");
            assert!(name.ends_with(&format!("_v{:02}.pdf", i + 1)), "{reference}: {names:?}");
        }
    }
    let filed = rows.iter().filter(|r| !r["copies"].as_array().unwrap().is_empty()).count();
    assert!((2..16).contains(&filed), "some demo requests have copies and some not: {filed}");
    app.stop().await;
});
