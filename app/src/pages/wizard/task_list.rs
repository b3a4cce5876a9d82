//! A request's home page: the task list while the dev team is preparing it, a summary after.

use super::{request_resource, with_request};
use crate::api::types::RequestView;
use crate::domain::tasks::TaskStatus;
use crate::domain::workflow::State;
use crate::pages::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

fn status_tag(status: TaskStatus) -> impl IntoView {
    let class = match status {
        TaskStatus::Completed => "tag tag--done",
        TaskStatus::InProgress => "tag tag--blue",
        TaskStatus::NotStarted => "tag tag--grey",
        TaskStatus::CannotStartYet => "tag tag--inactive",
    };
    view! { <strong class=class>{status.label()}</strong> }
}

/// True while the dev team works through the task list.
pub fn preparing(v: &RequestView) -> bool {
    v.state.preparing(v.fast_path)
}

/// `/requests/:reference`.
#[component]
pub fn RequestHome() -> impl IntoView {
    let resource = request_resource();
    with_request(resource, move |v| {
        let reference = v.summary.reference.clone();
        let groups = [(1u8, "Prepare the change"), (2, "Complete the emergency change request form"), (3, "Submit")];
        let done = v.tasks.iter().filter(|t| t.status == TaskStatus::Completed).count();
        view! {
            <Title text=page_title(&format!("{} – {}", v.summary.reference, v.summary.title), false)/>
            <span class="caption">{v.summary.reference.clone()}</span>
            <h1 class="heading-l">{v.summary.title.clone()}</h1>
            {v.fast_path.then(|| view! {
                <div class="notification notification--important" role="region" aria-label="Outage fast path">
                    <p><strong>"Outage fast path."</strong> " Production is down: the hosting team has this request now. Record the staging sign-offs afterwards."</p>
                </div>
            })}
            {v.returned_comments.clone().filter(|_| v.state == State::ReturnedToDev).map(|c| view! {
                <div class="notification notification--important" role="region" aria-label="Comments from the hosting team">
                    <h2 class="heading-s">"The hosting team returned this request"</h2>
                    <p class="preserve">{c}</p>
                </div>
            })}
            <dl class="summary-list summary-list--compact">
                <div class="summary-list__row">
                    <dt class="summary-list__key">"Affected system"</dt>
                    <dd class="summary-list__value">{v.summary.system.clone()}</dd>
                </div>
                <div class="summary-list__row">
                    <dt class="summary-list__key">"State"</dt>
                    <dd class="summary-list__value"><span class="tag">{v.state.label()}</span></dd>
                </div>
                <div class="summary-list__row">
                    <dt class="summary-list__key">"Started by"</dt>
                    <dd class="summary-list__value">{v.summary.started_by.clone()}</dd>
                </div>
                // Seed 000: the requester knows who took it (they are also mailed).
                <div class="summary-list__row">
                    <dt class="summary-list__key">"Hosting engineer"</dt>
                    <dd class="summary-list__value">{v.hosting_engineer()}</dd>
                </div>
            </dl>
            <super::RequestLinks view=v.clone()/>
            {v.can(crate::domain::workflow::ActionKind::AssignEngineer).then(|| view! {
                <p><a class="button" href=format!("/requests/{}/review", v.summary.reference)>"Open the hosting review"</a></p>
            })}
            // A COR (or an admin on escalation) who opens the request finds their way to decide.
            {v.can(crate::domain::workflow::ActionKind::Decide).then(|| view! {
                <p><a class="button" href=format!("/requests/{}/decide", v.summary.reference)>"Decide on this request"</a></p>
            })}
            {if preparing(&v) {
                view! {
                    <p>{format!("You have completed {done} of {} sections.", v.tasks.len())}</p>
                    <p>"Your answers are saved as you go: you can leave and come back at any time."</p>
                    {groups
                        .into_iter()
                        .map(|(group, heading)| {
                            let tasks: Vec<_> = v.tasks.iter().filter(|t| t.group == group).cloned().collect();
                            let reference = reference.clone();
                            view! {
                                <h2 class="heading-m">{format!("{group}. {heading}")}</h2>
                                <ul class="task-list">
                                    {tasks
                                        .into_iter()
                                        .map(|t| {
                                            let href = format!("/requests/{reference}/{}", t.path);
                                            let link = t.status != TaskStatus::CannotStartYet;
                                            view! {
                                                <li class="task-list__item">
                                                    <span class="task-list__name">
                                                        {if link {
                                                            view! { <a href=href>{t.title.clone()}</a> }.into_any()
                                                        } else {
                                                            view! { <span>{t.title.clone()}</span> }.into_any()
                                                        }}
                                                    </span>
                                                    {status_tag(t.status)}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        })
                        .collect_view()}
                }
                    .into_any()
            } else {
                view! {
                    <h2 class="heading-m">"Where it stands"</h2>
                    <p>{match v.state {
                        State::RegularChange => "Planned as a regular change for the coming month's maintenance window.",
                        State::HostingReview => "The hosting team is reviewing the request for security and performance risk.",
                        State::AwaitingApproval => "Submitted to the CORs for approval.",
                        State::Approved => "Approved. The hosting team will apply it in production.",
                        State::Implementing => "The hosting team is applying the change in production.",
                        State::ValidatingInProduction => "Applied. The dev team is validating it in production.",
                        State::Completed => "Completed and validated; stakeholders have been told.",
                        State::Rejected => "Rejected by a COR. The hosting team will rework it with you.",
                        State::Withdrawn => "Withdrawn.",
                        State::RolledBack => "The change was aborted and rolled back.",
                        _ => "In progress.",
                    }}</p>
                    <p><a href=format!("/requests/{reference}/check")>"See the full request"</a></p>
                }
                    .into_any()
            }}
        }
    })
}
