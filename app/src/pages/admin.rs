//! `/admin/people` (admins): people, roles, teams, invitations, deactivation.
//! `/account`: your sessions and API tokens. `/set-password/:token`: choose a password.

use crate::api::admin::{
    my_account, password_link, people, webhooks, AddWebhook, ChangePerson, CreateApiToken, CreateTeam, EndSession,
    InvitePerson, RemoveWebhook, RevokeApiToken, SetPassword, SetTeamSettings,
};
use crate::components::form::{kept_value, select_field, ErrorSummary, Outcome, Radios, TextField};
use crate::domain::roles::Role;
use crate::pages::{loaded, problem_text, PageTitle};
use leptos::prelude::*;

/// A labelled `<select>`; `id` must be unique on the page.
fn select(
    id: String,
    name: &'static str,
    label: String,
    current: String,
    options: Vec<(String, String)>,
    visible_label: bool,
) -> impl IntoView {
    let class = if visible_label { "label" } else { "visually-hidden" };
    view! {
        <label class=class for=id.clone()>{label}</label>
        <select class="select select--small" id=id name=name>
            {options.into_iter().map(|(v, t)| { let sel = v == current; view! { <option value=v selected=sel>{t}</option> } }).collect_view()}
        </select>
    }
}

fn role_options() -> Vec<(String, String)> {
    Role::ALL.iter().map(|r| (r.as_str().to_string(), r.label().to_string())).collect()
}

/// `/admin/people`.
#[component]
pub fn AdminPeoplePage() -> impl IntoView {
    let invite = ServerAction::<InvitePerson>::new();
    let change = ServerAction::<ChangePerson>::new();
    let team = ServerAction::<CreateTeam>::new();
    let stake = ServerAction::<SetTeamSettings>::new();
    let (invited, created, staked) = (Outcome::of(invite), Outcome::of(team), Outcome::of(stake));
    let (invite_errors, team_errors, stake_errors) = (invited.errors, created.errors, staked.errors);
    let Outcome { errors, other, has_errors, .. } =
        [created, Outcome::of(change), staked].into_iter().fold(invited, Outcome::or);
    let data = Resource::new(|| (), |_| people());
    view! {
        <PageTitle title="People and teams" has_errors=has_errors/>
        <ErrorSummary errors=errors other=other/>
        <h1 class="heading-l">"People and teams"</h1>
        {loaded(data, problem_text, move |d| {
            let teams = d.teams.clone();
            let team_options = move |none: &str| -> Vec<(String, String)> {
                std::iter::once((String::new(), none.to_string()))
                    .chain(teams.iter().map(|(id, n)| (id.to_string(), n.clone())))
                    .collect()
            };
            let me = d.me;
            view! {
                <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Everyone with access, by name"</caption>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Team"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {d.people.into_iter().map(|p| {
                            let id = p.id.to_string();
                            let status = match (p.active, p.has_password || p.linked) {
                                (false, _) => "Deactivated",
                                (true, false) => "Invited",
                                (true, true) if p.linked => "Active (identity provider)",
                                (true, true) => "Active",
                            };
                            let role_hint = p.role_from_provider.then(|| view! { <span class="hint">"From the identity provider's groups"</span> });
                            let opts = team_options("No team");
                            let form = |what: &'static str, label: String, extra: AnyView| {
                                let id = id.clone();
                                view! {
                                    <ActionForm action=change attr:class="inline-form">
                                        <input type="hidden" name="id" value=id/>
                                        <input type="hidden" name="what" value=what/>
                                        {extra}
                                        <button type="submit" class="button button--secondary button--small">{label}</button>
                                    </ActionForm>
                                }
                            };
                            let name = p.name.clone();
                            view! {
                                <tr>
                                    <td>{p.name.clone()}</td>
                                    <td>{p.email.clone()}</td>
                                    <td>{(p.id != me).then(|| form("role", "Change role".into(), select(format!("role-{}", p.id), "value", format!("Role of {name}"), p.role.as_str().to_string(), role_options(), false).into_any())).map(IntoAny::into_any).unwrap_or_else(|| p.role.label().into_any())}{role_hint}</td>
                                    <td>{form("team", "Change team".into(), select(format!("team-{}", p.id), "value", format!("Team of {}", p.name), p.team_id.map(|t| t.to_string()).unwrap_or_default(), opts, false).into_any())}</td>
                                    <td>{status}</td>
                                    <td>
                                        {(p.active && !p.has_password && !p.linked).then(|| form("resend", "Send a new link".into(), ().into_any()))}
                                        {(p.active && p.id != me).then(|| form("deactivate", format!("Deactivate {}", p.name), ().into_any()))}
                                        {(!p.active).then(|| form("reactivate", format!("Reactivate {}", p.name), ().into_any()))}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                <div class="grid-two-thirds">
                <h2 class="heading-m">"Invite someone"</h2>
                <p>"They get an email with a link to choose their password. " {crate::domain::notify::set_password_link_terms()}</p>
                // The server checks the address and says what is wrong at the field.
                <ActionForm action=invite attr:novalidate=true>
                    <TextField name="email" label="Email address" input_type="email" autocomplete="off" value=kept_value(invite_errors, "email", String::new) errors=invite_errors/>
                    <TextField name="name" label="Name" value=kept_value(invite_errors, "name", String::new) errors=invite_errors/>
                    {select_field("role", "Role", std::iter::once((String::new(), "Choose a role".to_string())).chain(role_options()).collect(), invite_errors)}
                    {select_field("team", "Team (dev team members need one)", team_options("No team"), invite_errors)}
                    <button type="submit" class="button">"Send invitation"</button>
                </ActionForm>
                <h2 class="heading-m">"Each team's settings"</h2>
                {d.teams.clone().into_iter().map(|(id, name)| {
                    let current = d.settings.iter().find(|t| t.team_id == id).cloned().unwrap_or_default();
                    let field = format!("stakeholders_{id}");
                    let (f1, f2, f3) = (field.clone(), field.clone(), field.clone());
                    let message = move || stake_errors.with(|e| e.as_ref().and_then(|e| e.message_for(&f1).map(str::to_string)));
                    let message2 = message.clone();
                    let kept = stake_errors.with_untracked(|e| e.as_ref().and_then(|e| e.value_of(&f2).map(str::to_string))).unwrap_or(current.stakeholders);
                    let several = format!("field-several_capacities_{id}");
                    // What the admin ticked comes back with an error elsewhere on the form.
                    let several_kept = stake_errors
                        .with_untracked(|e| e.as_ref().and_then(|e| e.value_of(&format!("several_capacities_{id}")).map(|v| v == "yes")))
                        .unwrap_or(current.one_signer_several_capacities);
                    view! {
                        <ActionForm action=stake>
                            <h3 class="heading-s">{name.clone()}</h3>
                            <input type="hidden" name="team" value=id.to_string()/>
                            <div class="form-group" class:form-group--error=move || message().is_some()>
                                <label class="label" for=format!("field-{field}")>{format!("Stakeholders of {name}")}</label>
                                <div class="hint" id=format!("field-{field}-hint")>"Told when a change of the team's completes or is rolled back, besides the stakeholders named in each request. One email address per line."</div>
                                {move || message2().map(|m| view! { <p class="error-message" id=format!("field-{f3}-error")><span class="visually-hidden">"Error: "</span>{m}</p> })}
                                <textarea class="textarea" id=format!("field-{field}") name="stakeholders" rows="3" aria-describedby=format!("field-{field}-hint")>{kept}</textarea>
                            </div>
                            <div class="form-group">
                                <div class="hint" id=format!("{several}-hint")>"Off: QA, testers, dev and product are each signed off by a different person. On: the record says when one person signed several."</div>
                                <div class="checkboxes">
                                    <div class="checkboxes__item">
                                        <input class="checkboxes__input" type="checkbox" id=several.clone() name="several_capacities" value="yes" checked=several_kept aria-describedby=format!("{several}-hint")/>
                                        <label class="checkboxes__label" for=several.clone()>{format!("One person of {name} may sign off staging in several capacities")}</label>
                                    </div>
                                </div>
                            </div>
                            <button type="submit" class="button button--secondary">{format!("Save the settings of {name}")}</button>
                        </ActionForm>
                    }
                }).collect_view()}
                <h2 class="heading-m">"Add a team"</h2>
                <ActionForm action=team>
                    <TextField name="team_name" input_name="name" label="Team name" value=kept_value(team_errors, "team_name", String::new) errors=team_errors/>
                    <button type="submit" class="button button--secondary">"Add team"</button>
                </ActionForm>
                </div>
            }.into_any()
            })}
    }
}

/// `/account`.
#[component]
pub fn AccountPage() -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let Outcome { errors, other, has_errors, .. } =
        [Outcome::of(end), Outcome::of(revoke)].into_iter().fold(Outcome::of(create), Outcome::or);
    let data = Resource::new(|| (), |_| my_account());
    view! {
        <PageTitle title="Your account" has_errors=has_errors/>
        <div class="grid-two-thirds">
        <ErrorSummary errors=errors other=other/>
        <h1 class="heading-l">"Your account"</h1>
        {loaded(data, problem_text, move |a| view! {
            {a.new_token.clone().map(|t| view! {
                <div class="notification notification--success" role="status">
                    <h2 class="heading-s">"Your new API token"</h2>
                    <p>"Copy it now: it is shown only once. Send it as " <code>"Authorization: Bearer …"</code> "."</p>
                    <p><code class="token">{t}</code></p>
                </div>
            })}
            <h2 class="heading-m">"Where you are signed in"</h2>
            <table class="table">
                <caption class="visually-hidden">"Your sessions, newest first"</caption>
                <thead><tr><th scope="col">"Started"</th><th scope="col">"Last used"</th><th scope="col">"From"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {a.sessions.into_iter().map(|s| view! {
                        <tr>
                            <td>{s.started.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                            <td>{s.last_seen.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                            <td>{s.source.clone()}</td>
                            <td>{if s.current {
                                view! { <span>"This session"</span> }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=end attr:class="inline-form">
                                        <input type="hidden" name="id" value=s.id.clone()/>
                                        <button type="submit" class="button button--secondary button--small">"Sign out there"<span class="visually-hidden">{format!(" (session from {})", s.source)}</span></button>
                                    </ActionForm>
                                }.into_any()
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2 class="heading-m">"API tokens"</h2>
            <p>"For automation with the JSON API (" <a href="/api/v1/openapi.json">"its OpenAPI document"</a> "). A token reads what you may read; it expires after 90 days."</p>
            {if a.tokens.is_empty() {
                view! { <p>"You have no API tokens."</p> }.into_any()
            } else {
                view! {
                    <ul class="list">
                        {a.tokens.into_iter().map(|t| view! {
                            <li>
                                {format!("{} ({}), created {}, expires {}{} ", t.name, t.scope, t.created.format("%Y-%m-%d"), t.expires.format("%Y-%m-%d"), t.last_used.map(|u| format!(", last used {}", u.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default())}
                                <ActionForm action=revoke attr:class="inline-form">
                                    <input type="hidden" name="id" value=t.id.to_string()/>
                                    <button type="submit" class="button button--warning button--small">"Revoke"<span class="visually-hidden">{format!(" {}", t.name)}</span></button>
                                </ActionForm>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ActionForm action=create>
                <TextField name="token_name" input_name="name" label="What the new token is for" hint="For example “release pipeline”." value=kept_value(errors, "token_name", String::new) errors=errors/>
                <Radios name="token_scope" input_name="scope" legend="What it may do" options={crate::domain::access::TokenScope::ALL.iter().map(|t| (t.as_str(), t.label())).collect::<Vec<_>>()} value=Signal::derive(|| "read".to_string()) errors=errors/>
                <button type="submit" class="button button--secondary">"Create API token"</button>
            </ActionForm>
            }.into_any())}
        </div>
    }
}

/// `/set-password/:token`.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let token = super::use_param("token");
    let action = ServerAction::<SetPassword>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(action);
    let link = Resource::new(move || token.get(), password_link);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match link.await {
                    Err(_) => view! {
                        <PageTitle title="This link does not work" has_errors=Signal::derive(|| false)/>
                        <h1 class="heading-l">"This link does not work"</h1>
                        <p>"It was already used, has expired, or was replaced by a newer one. Ask an admin to send you a new link."</p>
                    }.into_any(),
                    Ok(email) => view! {
                        <PageTitle title="Choose your password" has_errors=has_errors/>
                        <div class="grid-two-thirds">
                        <ErrorSummary errors=errors other=other/>
                        <h1 class="heading-l">"Choose your password"</h1>
                        <p>{format!("For {email}. Use at least {} characters; a few unrelated words together are easy to remember and hard to guess.", crate::domain::limits::PASSWORD_MIN)}</p>
                        <ActionForm action=action>
                            <input type="hidden" name="token" value=token.get_untracked()/>
                            <input type="text" name="username" value=email.clone() autocomplete="username" class="visually-hidden" tabindex="-1" aria-hidden="true" readonly/>
                            <TextField name="password" label="New password" input_type="password" autocomplete="new-password" value=Signal::derive(String::new) errors=errors/>
                            <TextField name="confirm" label="Type it again" input_type="password" autocomplete="new-password" value=Signal::derive(String::new) errors=errors/>
                            <button type="submit" class="button">"Set password"</button>
                        </ActionForm>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/admin/webhooks`: outgoing webhooks and their delivery history.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    let add = ServerAction::<AddWebhook>::new();
    let remove = ServerAction::<RemoveWebhook>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(add).or(Outcome::of(remove));
    let data = Resource::new(|| (), |_| webhooks());
    view! {
        <PageTitle title="Webhooks" has_errors=has_errors/>
        <ErrorSummary errors=errors other=other/>
        <h1 class="heading-l">"Webhooks"</h1>
        <p>"Each event of a request is posted as JSON (or as a Slack message) to the receivers that asked for it, through the same outbox as mail: retried until delivered. Every body is signed: " <code>"X-Offcycle-Signature: sha256=HMAC-SHA256(secret, body)"</code> "; " <code>"X-Offcycle-Delivery"</code> " names the delivery, so a receiver can ignore a repeat."</p>
        {loaded(data, problem_text, move |d| {
            let team_options: Vec<(String, String)> = std::iter::once((String::new(), "Every request".to_string()))
                .chain(d.teams.iter().map(|(id, n)| (id.to_string(), n.clone())))
                .collect();
            view! {
                {d.new_secret.clone().map(|s| view! {
                    <div class="notification notification--success" role="status">
                        <h2 class="heading-s">"The webhook's signing secret"</h2>
                        <p>"Give it to the receiver now: it is shown only once."</p>
                        <p><code class="token">{s}</code></p>
                    </div>
                })}
                {if d.hooks.is_empty() { view! { <p>"No webhooks yet."</p> }.into_any() } else { view! {
                    <table class="table">
                        <caption class="visually-hidden">"Active webhooks"</caption>
                        <thead><tr><th scope="col">"Receiver"</th><th scope="col">"For"</th><th scope="col">"Events"</th><th scope="col">"Format"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            {d.hooks.into_iter().map(|h| view! {
                                <tr>
                                    <td>{h.url.clone()}</td><td>{h.team.clone().unwrap_or_else(|| "Every request".into())}</td>
                                    <td>{h.events.clone()}</td><td>{if h.slack { "Slack" } else { "JSON" }}</td>
                                    <td><ActionForm action=remove attr:class="inline-form">
                                        <input type="hidden" name="id" value=h.id.to_string()/>
                                        <button type="submit" class="button button--warning button--small">"Remove"<span class="visually-hidden">{format!(" {}", h.url)}</span></button>
                                    </ActionForm></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any() }}
                <div class="grid-two-thirds">
                <h2 class="heading-m">"Add a webhook"</h2>
                <ActionForm action=add attr:novalidate=true>
                    <TextField name="url" label="Receiver address" hint="https://…" input_type="url" value=kept_value(errors, "url", String::new) errors=errors/>
                    {select_field("team", "For requests of", team_options, errors)}
                    <TextField name="events" label="Events" hint="* for every event, or keys separated by commas: submitted_to_cors, approved, rejected, completed, rolled_back, …" value=kept_value(errors, "events", || "*".to_string()) errors=errors/>
                    <div class="form-group">
                        <div class="checkboxes__item">
                            <input class="checkboxes__input" id="field-slack" name="slack" type="checkbox" value="yes"/>
                            <label class="label checkboxes__label" for="field-slack">"Send Slack-compatible messages"</label>
                        </div>
                    </div>
                    <button type="submit" class="button">"Add webhook"</button>
                </ActionForm>
                </div>
                <h2 class="heading-m">"Recent deliveries"</h2>
                {if d.deliveries.is_empty() { view! { <p>"None yet."</p> }.into_any() } else { view! {
                    <table class="table">
                        <caption class="visually-hidden">"Recent deliveries, newest first"</caption>
                        <thead><tr><th scope="col">"Event"</th><th scope="col">"Request"</th><th scope="col">"Receiver"</th><th scope="col">"Status"</th></tr></thead>
                        <tbody>
                            {d.deliveries.into_iter().map(|m| view! {
                                <tr><td>{m.subject.clone()}</td><td>{m.reference.clone().unwrap_or_default()}</td><td>{m.to.join(", ")}</td><td>{crate::pages::dev_mail::delivery(&m)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any() }}
            }.into_any()
            })}
    }
}
