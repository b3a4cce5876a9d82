//! Documented operations on SQLite and PostgreSQL: the hosting team keeps named, versioned
//! steps; a plan inserts one, copies an earlier request's steps or takes pasted ones, each
//! previewed first; every step keeps where it came from, through to the record's PDF.

mod common;
use common::flow::*;
use common::*;
use serde_json::Value;

const TABLE: &str = "| Action | Commands | Owner | Expected result | Verification | Rollback | Minutes |\n\
                     |---|---|---|---|---|---|---|\n\
                     | Drain web-1 | lb drain web-1 | Hosting | web-1 idle | lb status web-1 | lb enable web-1 | 5 |\n\
                     | Restart web-1 | systemctl restart portal | Hosting | portal active | curl -f web-1/healthz | systemctl start portal | 3 |";

both_backends!(
    a_plan_is_built_from_a_documented_operation_an_earlier_request_and_pasted_steps,
    |url: String, _b| async move {
        add_other_team_dev(&url).await;
        let app = TestApp::spawn(&url).await;

        // The hosting team documents an operation, then a second version of it.
        app.sign_in("hosting@example.gov").await;
        let (status, e) = failed(&app, "save_documented_operation", &[("name", " "), ("steps", TABLE)]).await;
        assert_eq!((status, fields(&e)), (422, vec!["name".to_string()]));
        assert!(e.to_string().contains("Drain web-1"), "the steps typed come back: {e}");
        let (status, e) = failed(
            &app,
            "save_documented_operation",
            &[("name", "Restart the web tier"), ("steps", "| Action | Minutes |\n| Drain | five |")],
        )
        .await;
        assert_eq!((status, fields(&e)), (422, vec!["steps".to_string()]));
        assert!(e.to_string().contains("Row 1: the minutes “five” must be a whole number"), "{e}");
        ok(&app, "save_documented_operation", &[("name", "Restart the web tier"), ("steps", TABLE)]).await;
        let v2 = format!("{TABLE}\n| Check the dashboards | open grafana/portal | Hosting | error rate flat | compare to last hour | none needed | 10 |");
        ok(&app, "save_documented_operation", &[("name", "restart the web tier "), ("steps", &v2)]).await;
        let list: Value = app.call("documented_operations", &[]).await.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1, "one operation, its newest version: {list}");
        assert_eq!((list[0]["version"].as_u64(), list[0]["steps"].as_array().unwrap().len()), (Some(2), 3));
        assert_eq!(
            list[0]["name"], "restart the web tier",
            "names compare without case; a version keeps its own spelling"
        );
        let operation = list[0]["id"].to_string();

        // Only the hosting team (and admins) keep the library.
        app.sign_in("dev@example.gov").await;
        assert_eq!(app.call("save_documented_operation", &[("name", "Mine"), ("steps", "Do it")]).await.status(), 403);

        // A plan inserts the operation: previewed first (nothing saved), then added.
        let r = start(&app, "Restart the portal").await;
        ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
        let from_operation = [("reference", r.as_str()), ("from", "operation"), ("operation", operation.as_str())];
        let preview: Value = app.call("preview_plan_steps", &from_operation).await.json().await.unwrap();
        assert_eq!(preview.as_array().unwrap().len(), 3);
        assert_eq!(preview[0]["source"]["Operation"]["version"], 2);
        assert!(view(&app, &r).await["plan"]["steps"].as_array().unwrap().is_empty(), "a preview saves nothing");
        ok(&app, "add_plan_steps", &from_operation).await;

        // Pasted steps: a problem is said at the field, with what was pasted; lines become steps.
        let bad = [("reference", r.as_str()), ("from", "paste"), ("text", "| Action | Colour |\n| Drain | red |")];
        let (status, e) = failed(&app, "preview_plan_steps", &bad).await;
        assert_eq!((status, fields(&e)), (422, vec!["text".to_string()]));
        assert!(e.to_string().contains("The column “Colour” is not one we know"), "{e}");
        let pasted = [
            ("reference", r.as_str()),
            ("from", "paste"),
            ("text", "1. Tell the service desk\n2. Watch the error budget"),
        ];
        ok(&app, "add_plan_steps", &pasted).await;
        let v = view(&app, &r).await;
        let steps = v["plan"]["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 5);
        assert_eq!(steps[0]["source"]["Operation"]["name"], "restart the web tier");
        assert_eq!(steps[3]["action"], "Tell the service desk");
        assert_eq!(steps[3]["source"], "Pasted");
        let ids: Vec<u64> = steps.iter().map(|s| s["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);

        // Another request copies the first one's steps; another team may not read it, so may not copy.
        let second = start(&app, "Restart the portal again").await;
        ok(&app, "answer_triage", &[&[("reference", second.as_str())], EMERGENCY].concat()).await;
        ok(&app, "add_plan_steps", &[("reference", second.as_str()), ("from", "request"), ("copy", &r.to_lowercase())])
            .await;
        let copied = view(&app, &second).await;
        assert_eq!(copied["plan"]["steps"].as_array().unwrap().len(), 5);
        assert_eq!(copied["plan"]["steps"][0]["source"]["Request"]["reference"], r.as_str());
        app.sign_in("otto@example.gov").await;
        let mine = start(&app, "Otto's change").await;
        ok(&app, "answer_triage", &[&[("reference", mine.as_str())], EMERGENCY].concat()).await;
        let (status, e) = failed(
            &app,
            "preview_plan_steps",
            &[("reference", mine.as_str()), ("from", "request"), ("copy", r.as_str())],
        )
        .await;
        assert_eq!((status, fields(&e)), (422, vec!["copy".to_string()]));
        assert!(e.to_string().contains(&format!("There is no request {r} that you may read")), "{e}");
        // Nor may another team add to its plan: to them it does not exist.
        assert_eq!(app.call("add_plan_steps", &pasted).await.status(), 404);

        // Editing a step keeps where it came from; the record's PDF says it for each step.
        app.sign_in("dev@example.gov").await;
        let mut edit = step(&r, "2");
        edit.push(("step_id", "1"));
        ok(&app, "save_plan_step", &edit).await;
        assert_eq!(view(&app, &r).await["plan"]["steps"][0]["source"]["Operation"]["version"], 2);
        let pdf = app.client.get(app.url(&format!("/changes/{r}.pdf"))).send().await.unwrap().bytes().await.unwrap();
        let text = pdftotext(&pdf);
        assert!(text.contains("Documented operation “restart the web tier” version 2"), "{text}");
        assert!(text.contains("Pasted into the plan"), "{text}");
        app.stop().await;
    }
);
