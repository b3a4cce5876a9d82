import { Page, Locator } from "@playwright/test";
import { test, expect, expectAccessible, signIn, signOut, jsOn, ready } from "./fixtures";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** How the person moves: with a mouse, or with the keyboard alone. */
type Hands = "mouse" | "keyboard";

/** Moves focus with Tab until `target` has it (fails if it never does: unreachable by keyboard). */
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 150; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`could not reach ${target} with the keyboard`);
}

async function fill(page: Page, hands: Hands, target: Locator, text: string) {
  if (hands === "mouse") return target.fill(text);
  await tabTo(page, target);
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

async function choose(page: Page, hands: Hands, target: Locator) {
  if (hands === "mouse") return target.check();
  const isRadio = (await target.getAttribute("type")) === "radio";
  if (!isRadio) {
    await tabTo(page, target);
    await page.keyboard.press("Space");
    return expect(target).toBeChecked();
  }
  // A radio group is one Tab stop; the arrow keys move (and select) within it.
  const name = await target.getAttribute("name");
  const group = page.locator(`input[type=radio][name="${name}"]`);
  for (let i = 0; i < 150; i++) {
    const inGroup = await page.evaluate((n) => (document.activeElement as HTMLInputElement | null)?.name === n, name);
    if (inGroup) break;
    await page.keyboard.press("Tab");
  }
  for (let i = 0; i < (await group.count()) + 1; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) break;
    await page.keyboard.press("ArrowDown");
  }
  await page.keyboard.press("Space");
  await expect(target).toBeChecked();
}

async function press(page: Page, hands: Hands, target: Locator) {
  if (hands === "mouse") return target.click();
  await tabTo(page, target);
  await page.keyboard.press("Enter");
}

/** Answers one yes/no question by its legend. */
function answer(page: Page, question: string, yes: boolean) {
  return page.getByRole("group", { name: question }).getByLabel(yes ? "Yes" : "No", { exact: true });
}

async function startRequest(page: Page, hands: Hands, title: string, js: boolean) {
  await page.goto("/requests/new");
  await ready(page, js);
  await fill(page, hands, page.getByLabel("Title"), title);
  await fill(page, hands, page.getByLabel("Affected system"), "Grants portal");
  await press(page, hands, page.getByRole("button", { name: "Save and continue" }));
  await expect(page).toHaveURL(/\/requests\/ECR-\d{4}-\d{4,}\/triage$/);
  await ready(page, js);
  await expectAccessible(page);
  return page.url().split("/").slice(-2)[0];
}

async function triage(page: Page, hands: Hands, answers: [boolean, boolean, boolean, boolean]) {
  const questions = [
    "Is there an active, ongoing incident?",
    "Are users unable to reach the service?",
    "Is performance significantly degraded?",
    "Does the change address an immediate security or quality need?",
  ];
  for (let i = 0; i < 4; i++) await choose(page, hands, answer(page, questions[i], answers[i]));
  await press(page, hands, page.getByRole("button", { name: "Continue" }));
}

async function addStep(page: Page, hands: Hands, js: boolean, reference: string) {
  await page.goto(`/requests/${reference}/plan/step/new`);
  await ready(page, js);
  await fill(page, hands, page.getByLabel("What this step does"), "Deploy the patched image");
  await fill(page, hands, page.getByLabel("Commands or instructions"), "kubectl set image deploy/portal portal=portal:2.4.1");
  await fill(page, hands, page.getByLabel("Who does it"), "Hosting");
  await fill(page, hands, page.getByLabel("Expected result"), "All pods ready");
  await fill(page, hands, page.getByLabel("How to verify it worked"), "curl https://portal/healthz");
  await fill(page, hands, page.getByLabel("How to roll back this step"), "kubectl rollout undo deploy/portal");
  await fill(page, hands, page.getByLabel("Estimated time in minutes"), "15");
  await press(page, hands, page.getByRole("button", { name: "Save step" }));
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/plan$`));
  await expect(page.getByRole("heading", { name: "Step 1: Deploy the patched image" })).toBeVisible();
}

async function section(page: Page, hands: Hands, js: boolean, heading: string, work: () => Promise<void>) {
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
  await ready(page, js);
  await expectAccessible(page);
  await work();
  await press(page, hands, page.getByRole("button", { name: "Save and continue" }));
}

/** Walks a whole emergency request from the start page to the confirmation page; with
 * `askForACall`, the dev team asks hosting for a call in staging and hosting's queue shows its clock. */
async function wholeRequest(page: Page, hands: Hands, js: boolean, title: string, askForACall = false) {
  await signIn(page, "dev@example.gov");
  const reference = await startRequest(page, hands, title, js);
  await triage(page, hands, [true, false, false, true]);
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}$`));
  await expect(page.getByRole("link", { name: "Write the operation plan" })).toBeVisible();
  await expectAccessible(page);

  await addStep(page, hands, js, reference);
  await ready(page, js);
  await expectAccessible(page);
  await press(page, hands, page.getByRole("button", { name: "The plan is complete: continue to staging" }));
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/staging$`));
  await ready(page, js);
  await expectAccessible(page);

  if (hands === "mouse") {
    // Evidence files: a file whose content contradicts its name is refused at the field…
    await page.getByLabel("Attach a file (optional)").setInputFiles({ name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html>not a pdf</html>") });
    await page.getByRole("button", { name: "Upload file" }).click();
    await expect(page.locator("#field-file-error")).toContainText("content does not match its name");
    await expect(page.getByRole("alert")).toContainText("content does not match its name");
    await expect(page).toHaveTitle(/^Error: /);
    await expectAccessible(page);
    // …and a real one is listed with its checksum.
    await page.getByLabel("Attach a file (optional)").setInputFiles({ name: "staging-run.log", mimeType: "text/plain", buffer: Buffer.from("all 212 checks passed\n") });
    await page.getByRole("button", { name: "Upload file" }).click();
    await expect(page.getByRole("link", { name: "staging-run.log" })).toBeVisible();
    await ready(page, js);
  }
  if (askForACall) {
    // Help from hosting within two hours: the page says by when, and hosting's queue counts it down.
    await page.getByRole("button", { name: "Ask the hosting team for a call" }).click();
    await expect(page.getByText("You asked for a call. The hosting team will call you by")).toContainText("On track");
    // Asked once is enough: a second ask would restart the two-hour clock, so it is not offered.
    await expect(page.getByRole("button", { name: "Ask the hosting team for a call" })).toHaveCount(0);
    await expectAccessible(page);
    await signOut(page);
    await signIn(page, "hosting@example.gov");
    await page.goto("/hosting");
    await expect(page.getByRole("row", { name: new RegExp(reference) })).toContainText(/On track\s*Call the dev team by/);
    await expectAccessible(page);
    // Once called, hosting says so from the row: nothing is owed, and the request leaves the queue.
    // A second tab opened before that still shows the button; there, it is refused in words.
    const stale = await page.context().newPage();
    await stale.goto("/hosting");
    await ready(stale, js);
    await page.getByRole("button", { name: `Call held with the dev team of ${reference}` }).click();
    await expect(page.getByRole("heading", { name: "Requests for the hosting team" })).toBeVisible();
    await expect(page.getByRole("row", { name: new RegExp(reference) })).toHaveCount(0);
    await expectAccessible(page);
    await stale.getByRole("button", { name: `Call held with the dev team of ${reference}` }).click();
    await expect(stale.getByRole("alert")).toContainText("No call is waiting");
    await expectAccessible(stale);
    await stale.close();
    await signOut(page);
    await signIn(page, "dev@example.gov");
    await page.goto(`/requests/${reference}/staging`);
    await ready(page, js);
    await expect(page.getByText("You asked for a call")).toHaveCount(0);
    await expect(page.getByText("The hosting team recorded the call you asked for as held at")).toContainText("Eastern on");
    await expect(page.getByRole("button", { name: "Ask the hosting team for a call" })).toBeVisible();
  }
  // Each capacity is signed off by a different person of the team: Dana signs as Dev, and is
  // then told who else must sign, not offered the other capacities.
  const signOff = async (who: string, name: string) => {
    await choose(page, hands, page.getByRole("group", { name: "Sign off as" }).getByLabel(who, { exact: true }));
    await fill(page, hands, page.getByLabel("Evidence"), `https://ci.example.gov/runs/982 (${who})`);
    await press(page, hands, page.getByRole("button", { name: "Sign off", exact: true }));
    await expect(page.getByRole("row", { name: new RegExp(`^${who} ${name}`) })).toBeVisible();
    await ready(page, js);
  };
  await signOff("Dev", "Dana Developer");
  await expect(page.getByText("You have signed off as Dev. Each capacity is signed off by a different person: ask whoever checked QA, Testers and Product to sign in and sign off here, or send them a link below.")).toBeVisible();
  await expect(page.getByRole("group", { name: "Sign off as" })).toHaveCount(0);
  await expectAccessible(page);
  for (const [who, email, name] of [
    ["QA", "qa@example.gov", "Quinn Quality"],
    ["Testers", "tester@example.gov", "Tess Tester"],
    ["Product", "product@example.gov", "Pat Product"],
  ]) {
    await signOut(page);
    await signIn(page, email);
    await page.goto(`/requests/${reference}/staging`);
    await ready(page, js);
    await signOff(who, name);
  }
  await signOut(page);
  await signIn(page, "dev@example.gov");
  await page.goto(`/requests/${reference}/staging`);
  await ready(page, js);
  await press(page, hands, page.getByRole("button", { name: "Staging is validated: continue to the form" }));
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/form/details$`));

  await section(page, hands, js, "Change details", async () => {
    await fill(page, hands, page.getByLabel("Systems and services"), "Grants portal web and API");
    await fill(page, hands, page.getByLabel("Environment"), "Production");
    await fill(page, hands, page.getByLabel("Artifact and version to deploy"), "portal:2.4.1");
    await fill(page, hands, page.getByLabel("Link to the pipeline run"), "https://ci.example.gov/runs/981");
    await fill(page, hands, page.getByLabel("What the change does"), "Patch OpenSSL — Ünïcode kept");
  });
  await section(page, hands, js, "Justification, impact and risk", async () => {
    await fill(page, hands, page.getByLabel("Why it cannot wait for the regular window"), "Exploited in the wild");
    await choose(page, hands, page.getByRole("group", { name: "Is the change related to a security fix or incident?" }).getByLabel("Yes", { exact: true }));
    await fill(page, hands, page.getByLabel("How it relates to security"), "CVE-2026-0001");
    await fill(page, hands, page.getByLabel("Impact"), "Rolling restart");
    await choose(page, hands, page.getByRole("group", { name: "Risk" }).getByLabel("Medium"));
  });
  await section(page, hands, js, "Deployment strategy and rollback", async () => {
    await choose(page, hands, page.getByLabel("Blue/green: switch traffic to a new copy"));
    await fill(page, hands, page.getByLabel("Rollback plan"), "Switch traffic back to blue");
  });
  await section(page, hands, js, "Requested window", async () => {
    await fill(page, hands, page.getByLabel("Date to start"), "2030-01-08");
    await fill(page, hands, page.getByLabel("Time to start (Eastern)"), "10:00");
    await fill(page, hands, page.getByLabel("Expected duration in minutes"), "30");
  });
  await section(page, hands, js, "Pre-deployment checklist and contacts", async () => {
    for (const box of await page.getByRole("group", { name: "Pre-deployment checklist" }).getByRole("checkbox").all()) {
      await choose(page, hands, box);
    }
    await fill(page, hands, page.getByLabel("Who is on call during the change"), "Dana 555-0100");
    await fill(page, hands, page.getByLabel("Affected teams"), "Grants Portal team");
    await fill(page, hands, page.getByLabel("Stakeholders to notify (optional)"), "owner@example.gov");
  });

  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/check$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check your answers before submitting");
  await expect(page.getByText("Patch OpenSSL — Ünïcode kept")).toBeVisible();
  await ready(page, js);
  await expectAccessible(page);
  await press(page, hands, page.getByRole("button", { name: "Submit emergency change request" }));
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/submitted$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Emergency change request submitted");
  await expect(page.getByText(reference)).toBeVisible();
  await expect(page.getByRole("row", { name: /The ISSO/ })).toBeVisible();
  await expectAccessible(page);

  // Back does not submit twice: the check page now shows the submitted request.
  await page.goBack();
  await expect(page.getByRole("button", { name: "Submit emergency change request" })).toHaveCount(0);
  return reference;
}

test("a dev team member asks hosting for a call and completes an emergency request; the hosting queue shows each clock", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const js = jsOn(testInfo);
  const reference = await wholeRequest(page, "mouse", js, `Patch OpenSSL (${testInfo.project.name})`, true);
  await signOut(page);
  await signIn(page, "hosting@example.gov");
  await page.goto("/hosting");
  // Submitted, it waits for an engineer: the call asked for in staging is no longer what it is owed.
  const row = page.getByRole("row", { name: new RegExp(reference) });
  await expect(row).toContainText("Hosting review");
  await expect(row).toContainText(/On track\s*Assign by/);
  await expect(row).not.toContainText("Call the dev team");
  await expectAccessible(page);
  await page.goto("/dev/mail");
  await expect(page.getByRole("heading", { name: /Grants portal - Production - Emergency Change Request/ }).first()).toBeVisible();
  await expectAccessible(page);
});

test("the whole request can be completed with the keyboard alone", async ({ page }, testInfo) => {
  test.skip(!jsOn(testInfo), "once is enough: the no-JavaScript walk above uses the same forms");
  test.setTimeout(180_000);
  await wholeRequest(page, "keyboard", true, "Keyboard-only request");
});

test("nothing urgent: triage makes it a regular change and says what happens next", async ({ page }, testInfo) => {
  const js = jsOn(testInfo);
  await signIn(page, "dev@example.gov");
  await startRequest(page, "mouse", "Upgrade a library", js);
  await triage(page, "mouse", [false, false, false, false]);
  await expect(page).toHaveURL(/\/regular$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Planned as a regular change");
  await expect(page.getByText("We have told the hosting team.")).toBeVisible();
  await expectAccessible(page);
});

test("production down: the outage fast path goes straight to hosting and says so", async ({ page }, testInfo) => {
  const js = jsOn(testInfo);
  await signIn(page, "dev@example.gov");
  await startRequest(page, "mouse", "Portal is down", js);
  await triage(page, "mouse", [true, true, false, false]);
  await expect(page.getByRole("region", { name: "Outage fast path" })).toBeVisible();
  await expect(page.getByText("Hosting review")).toBeVisible();
  await expect(page.getByRole("link", { name: /Record staging sign-off \(afterwards/ })).toBeVisible();
  await expectAccessible(page);
});

test("every step reports bad input at the field and keeps what was typed", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const js = jsOn(testInfo);
  await signIn(page, "dev@example.gov");
  const reference = await startRequest(page, "mouse", "Errors everywhere", js);

  // Triage: one answer given, three missing.
  await answer(page, "Is there an active, ongoing incident?", true).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("Select yes if users cannot reach the service");
  await expect(page).toHaveTitle(/^Error: /);
  await expect(answer(page, "Is there an active, ongoing incident?", true)).toBeChecked();
  await expectAccessible(page);
  await triage(page, "mouse", [true, false, false, false]);
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}$`));

  // Plan step: minutes in words.
  await page.goto(`/requests/${reference}/plan/step/new`);
  await ready(page, js);
  await page.getByLabel("What this step does").fill("Restart");
  await page.getByLabel("Estimated time in minutes").fill("a while");
  await page.getByRole("button", { name: "Save step" }).click();
  await expect(page.getByRole("alert")).toContainText("Estimated time must be a whole number of minutes from 1 to 1440");
  await expect(page.getByLabel("What this step does")).toHaveValue("Restart");
  await expect(page.getByLabel("Estimated time in minutes")).toHaveValue("a while");
  if (js) await expect(page.getByRole("alert")).toBeFocused();
  await expectAccessible(page);

  // A form section: saved anyway, problems reported at their fields.
  await page.goto(`/requests/${reference}/form/deployment`);
  await ready(page, js);
  await page.getByLabel("Canary: a small share of traffic first").check();
  await page.getByLabel("Canary traffic steps (for a canary)").fill("50, 5");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByRole("alert")).toContainText("Enter the canary traffic steps as increasing percentages ending at 100");
  await expect(page.locator("#field-rollback_plan-error")).toContainText("only a feature flag with a tested kill switch");
  await expect(page.getByLabel("Canary traffic steps (for a canary)")).toHaveValue("50, 5");
  await expect(page.getByLabel("Canary: a small share of traffic first")).toBeChecked();
  await expectAccessible(page);

  // The requested window: a Friday needs a reason.
  await page.goto(`/requests/${reference}/form/schedule`);
  await ready(page, js);
  await page.getByLabel("Date to start").fill("2030-01-11");
  await page.getByLabel("Time to start (Eastern)").fill("10:00");
  await page.getByLabel("Expected duration in minutes").fill("30");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.locator("#field-override_reason-error")).toContainText("Friday");
  await expect(page.getByLabel("Date to start")).toHaveValue("2030-01-11");
  await expectAccessible(page);

  // "Save and come back later" keeps a half-finished section without complaint.
  await page.goto(`/requests/${reference}/form/details`);
  await ready(page, js);
  await page.getByLabel("Environment").fill("Production");
  await page.getByRole("button", { name: "Save and come back later" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}$`));
  await expect(page.getByRole("listitem").filter({ hasText: "Change details" })).toContainText("In progress");
  await page.goto(`/requests/${reference}/form/details`);
  await expect(page.getByLabel("Environment")).toHaveValue("Production");
});

/** The free-text fields of each CR form section, and what the first walk types into them. */
const SECTION_TEXT: [string, [string, string][]][] = [
  ["Change details", [
    ["Systems and services", "Portal web"],
    ["Environment", "Production"],
    ["Artifact and version to deploy", "portal:9.9.9"],
    ["Link to the pipeline run", "https://ci.example.gov/runs/7"],
    ["What the change does", "Rotate the signing keys"],
  ]],
  ["Justification, impact and risk", [
    ["Why it cannot wait for the regular window", "The keys leaked"],
    ["Incident reference (optional)", "INC-77"],
    ["How it relates to security", "Leaked keys sign sessions"],
    ["Impact", "One rolling restart"],
  ]],
  ["Deployment strategy and rollback", [
    ["Canary traffic steps (for a canary)", ""],
    ["Feature flag name (for a feature flag)", ""],
    ["Rollback plan", "Restore the old keys"],
  ]],
  ["Requested window", [
    ["Date to start", "2030-01-08"],
    ["Time to start (Eastern)", "10:00"],
    ["Expected duration in minutes", "30"],
    ["Why it cannot wait for the production window (if it is outside it)", ""],
  ]],
  ["Pre-deployment checklist and contacts", [
    ["Who is on call during the change", "Dana 555-0100"],
    ["Affected teams", "Grants Portal team"],
    ["Stakeholders to notify (optional)", ""],
  ]],
];

/** The choices each section's first walk makes (group name, option label). */
const SECTION_CHOICES: Record<string, [string, string][]> = {
  "Justification, impact and risk": [["Is the change related to a security fix or incident?", "Yes"], ["Risk", "Medium"]],
  "Deployment strategy and rollback": [["How will the change be deployed?", "Blue/green: switch traffic to a new copy"]],
};

test("every form section, plan step and review opens with its own stored values, however it was reached", async ({ page }, testInfo) => {
  test.skip(!jsOn(testInfo), "once is enough: pages are server-rendered either way; the bleed came from inputs a client-side router kept between pages");
  test.setTimeout(180_000);
  // Pages made anew while a reload is on its way must not trip the browser's code.
  const crashes: string[] = [];
  page.on("pageerror", (e) => crashes.push(e.message));
  await signIn(page, "dev@example.gov");
  const title = "Values stay on their own page";
  const reference = await startRequest(page, "mouse", title, true);
  await triage(page, "mouse", [true, false, false, true]);
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}$`));

  // Each section, as it opens, shows what is stored for it: nothing yet on the first walk
  // (the title comes from the start page), what was typed on the second. Sections are reached
  // the way people reach them: "Save and continue", and the browser's Back button.
  const expectStored = async (heading: string, walk: 1 | 2) => {
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
    await ready(page, true);
    if (heading === "Change details") await expect(page.getByLabel("Title", { exact: true })).toHaveValue(title);
    for (const [label, text] of SECTION_TEXT.find(([h]) => h === heading)![1]) {
      await expect(page.getByLabel(label, { exact: true }), `${heading}: ${label}`).toHaveValue(walk === 1 ? "" : text);
    }
    for (const [group, option] of SECTION_CHOICES[heading] ?? []) {
      const radio = page.getByRole("group", { name: group }).getByLabel(option, { exact: true });
      if (walk === 1) await expect(radio).not.toBeChecked();
      else await expect(radio).toBeChecked();
    }
    if (heading === "Pre-deployment checklist and contacts") {
      for (const box of await page.getByRole("group", { name: "Pre-deployment checklist" }).getByRole("checkbox").all()) {
        if (walk === 1) await expect(box).not.toBeChecked();
        else await expect(box).toBeChecked();
      }
    }
  };

  await page.goto(`/requests/${reference}/form/details`);
  for (const [heading, fields] of SECTION_TEXT) {
    await expectStored(heading, 1);
    for (const [label, text] of fields) if (text) await page.getByLabel(label, { exact: true }).fill(text);
    for (const [group, option] of SECTION_CHOICES[heading] ?? []) {
      await page.getByRole("group", { name: group }).getByLabel(option, { exact: true }).check();
    }
    if (heading === "Pre-deployment checklist and contacts") {
      for (const box of await page.getByRole("group", { name: "Pre-deployment checklist" }).getByRole("checkbox").all()) await box.check();
    }
    await page.getByRole("button", { name: "Save and continue" }).click();
  }
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/check$`));

  // Back through the sections with the browser, then forward again with "Save and continue"
  // and nothing typed: every section keeps its own answers, so nothing changes on the way.
  for (const [heading] of [...SECTION_TEXT].reverse()) {
    await page.goBack();
    await expectStored(heading, 2);
  }
  for (const [heading] of SECTION_TEXT) {
    await expectStored(heading, 2);
    await page.getByRole("button", { name: "Save and continue" }).click();
  }
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/check$`));
  await expect(page.getByText("Restore the old keys")).toBeVisible();

  // The plan step editor: a new step opens empty, an existing one with its own values.
  const step = (n: number): Record<string, string> => ({
    "What this step does": `Rotate keys ${n}`, "Commands or instructions": `vault rotate ${n}`, "Who does it": `Hosting ${n}`,
    "Expected result": `New key id ${n}`, "How to verify it worked": `curl /jwks/${n}`,
    "How to roll back this step": `vault rollback ${n}`, "Estimated time in minutes": String(5 * n),
  });
  for (const n of [1, 2]) {
    await page.goto(`/requests/${reference}/plan`);
    await ready(page, true);
    await page.getByRole("link", { name: "Add a step" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Add step ${n}`);
    await ready(page, true);
    for (const [label, text] of Object.entries(step(n))) {
      await expect(page.getByLabel(label, { exact: true })).toHaveValue("");
      await page.getByLabel(label, { exact: true }).fill(text);
    }
    await page.getByRole("button", { name: "Save step" }).click();
    await expect(page.getByRole("heading", { name: `Step ${n}: Rotate keys ${n}` })).toBeVisible();
  }
  for (const n of [1, 2]) {
    await ready(page, true);
    await page.getByRole("link", { name: `Change step ${n}` }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Change step ${n}`);
    await ready(page, true);
    for (const [label, text] of Object.entries(step(n))) {
      await expect(page.getByLabel(label, { exact: true })).toHaveValue(text);
    }
    await page.getByRole("link", { name: "Back to the plan" }).click();
  }

  // The hosting review: two outage requests (straight to hosting). The first one's review,
  // once recorded, shows what was recorded; the second opens empty; Back shows the first's again.
  const outage = async (title: string) => {
    const r = await startRequest(page, "mouse", title, true);
    await triage(page, "mouse", [true, true, false, false]);
    await expect(page.getByRole("region", { name: "Outage fast path" })).toBeVisible();
    return r;
  };
  const [first, second] = [await outage("Review values one"), await outage("Review values two")];
  await signOut(page);
  await signIn(page, "hosting@example.gov");
  const review = {
    risk: () => page.getByLabel("Authentication or authorisation changes"),
    notes: () => page.getByLabel("How the risks are handled"),
    no: () => page.getByRole("group", { name: "Is the change security-related?" }).getByLabel("No", { exact: true }),
    reason: () => page.getByLabel("Reason for your conclusion"),
  };
  const expectReview = async (reference: string, recorded: boolean) => {
    await expect(page.getByText(`${reference} · `)).toBeVisible();
    await ready(page, true);
    if (recorded) await expect(review.risk()).toBeChecked();
    else await expect(review.risk()).not.toBeChecked();
    await expect(review.notes()).toHaveValue(recorded ? "Restart behind the load balancer" : "");
    if (recorded) await expect(review.no()).toBeChecked();
    else await expect(review.no()).not.toBeChecked();
    await expect(review.reason()).toHaveValue(recorded ? "No secrets or sessions touched" : "");
  };
  await page.goto(`/requests/${first}/review`);
  await expectReview(first, false);
  await review.risk().check();
  await review.notes().fill("Restart behind the load balancer");
  await review.no().check();
  await review.reason().fill("No secrets or sessions touched");
  await page.getByRole("button", { name: "Record the risk review" }).click();
  await expectReview(first, true);
  await page.getByRole("link", { name: "Back to the hosting queue" }).click();
  await page.getByRole("link", { name: second }).click();
  await expectReview(second, false);
  await page.goBack();
  await page.goBack();
  await expectReview(first, true);
  expect(crashes).toEqual([]);
});

test("hosting takes the request from the queue, reviews it, returns it once and submits it to the CORs", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const js = jsOn(testInfo);
  const reference = await wholeRequest(page, "mouse", js, `Review me (${testInfo.project.name})`);
  await signOut(page);

  await signIn(page, "hosting@example.gov");
  await page.goto("/hosting");
  await ready(page, js);
  // The queue narrows by reference (a GET form: the same with and without JavaScript).
  await page.getByLabel("Reference or title").fill(reference.toLowerCase());
  await page.getByRole("button", { name: "Show requests" }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(page.getByRole("table").getByRole("row")).toHaveCount(2);
  await expect(page.getByRole("row", { name: new RegExp(reference) })).toContainText(/Assign by/);
  await expectAccessible(page);
  await page.getByRole("link", { name: reference }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Hosting review");
  await ready(page, js);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Assign to me" }).click();
  await expect(page.getByRole("definition").filter({ hasText: "Hal Hosting" })).toBeVisible();
  await ready(page, js);

  // The review needs its conclusion and reason; what was ticked is kept.
  await page.getByLabel("Authentication or authorisation changes").check();
  await page.getByRole("button", { name: "Record the risk review" }).click();
  await expect(page.getByRole("alert")).toContainText("Give the reason for your conclusion");
  await expect(page.getByLabel("Authentication or authorisation changes")).toBeChecked();
  await expectAccessible(page);
  await page.getByLabel("How the risks are handled").fill("Login flow retested in staging");
  await page.getByRole("group", { name: "Is the change security-related?" }).getByLabel("Yes", { exact: true }).check();
  await page.getByLabel("Reason for your conclusion").fill("Patches an exploited CVE");
  await page.getByRole("button", { name: "Record the risk review" }).click();
  await expect(page.getByText("Yes: the ISSO is copied on every message")).toBeVisible();
  await ready(page, js);

  // Hosting edits the plan with the dev team's editor; the history shows the change.
  await page.getByRole("link", { name: "Edit the plan" }).click();
  await ready(page, js);
  await page.getByRole("link", { name: "Change step 1" }).click();
  await ready(page, js);
  await page.getByLabel("Expected result").fill("All pods ready; error rate below 0.1%");
  await page.getByRole("button", { name: "Save step" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/plan$`));
  await expect(page.getByText("All pods ready; error rate below 0.1%")).toBeVisible();
  await page.getByRole("link", { name: "History of changes" }).click();
  await expect(page.getByRole("heading", { name: /From plan version 1 to version 2/ })).toBeVisible();
  await expect(page.getByRole("main")).toContainText("Step 1 “Deploy the patched image”: expected result changed");
  await expectAccessible(page);
  await page.goto(`/requests/${reference}/review`);
  await ready(page, js);

  await page.getByLabel("What the dev team needs to change").fill("Add the CVE number to the description");
  await page.getByRole("button", { name: "Return to the dev team" }).click();
  await expect(page.getByText("Returned to dev")).toBeVisible();
  await signOut(page);

  await signIn(page, "dev@example.gov");
  await page.goto(`/requests/${reference}`);
  await expect(page.getByRole("region", { name: "Comments from the hosting team" })).toContainText("Add the CVE number");
  // The requester sees who took it (and was mailed: tests/approvals.rs reads that message).
  await expect(page.getByRole("definition").filter({ hasText: "Hal Hosting" })).toBeVisible();
  await expectAccessible(page);
  await page.goto(`/requests/${reference}/check`);
  await ready(page, js);
  await page.getByRole("button", { name: "Submit emergency change request" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/submitted$`));
  await signOut(page);

  await signIn(page, "hosting@example.gov");
  await page.goto(`/requests/${reference}/review`);
  await ready(page, js);
  await expect(page.getByRole("table", { name: "Approval request for Elizabeth COR" })).toContainText("Elizabeth COR");
  await expect(page.getByRole("table", { name: "Copy of the submission" })).toContainText("The ISSO");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Submit to the CORs" }).click();
  await expect(page.getByText("Submitted to the CORs. Waiting for their decisions.")).toBeVisible();
  // While the CORs decide, the queue still lets hosting hand it to a teammate, as the rules do.
  await page.goto(`/hosting?q=${reference}`);
  await expect(page.getByRole("row", { name: new RegExp(reference) })).toContainText("Awaiting approval");
  await expect(page.getByRole("button", { name: `Reassign ${reference}` })).toBeVisible();
  // Hosting finds it under their requests too: the ones assigned to them.
  await page.getByRole("link", { name: "My requests" }).click();
  const taken = page.getByRole("table", { name: "Requests assigned to you or started by you, newest first" });
  await expect(taken.getByRole("row", { name: new RegExp(reference) })).toContainText("Awaiting approval");
  await page.goto("/dev/mail");
  await expect(page.getByRole("article").filter({ hasText: "cor1@example.gov" }).first()).toContainText("Your approval is requested");
  // Each COR's link reaches that COR alone; the ISSO (security-related) gets the copy without it.
  const approval = page.getByRole("article").filter({ hasText: "cor2@example.gov" }).filter({ hasText: "Your approval is requested" }).first();
  await expect(approval).toBeVisible();
  await expect(approval).not.toContainText("isso@example.gov");
  await expectNoDecisionLinkBut(page, reference);
  // The ISSO finds it under their requests: the security-related ones they are copied on.
  await signOut(page);
  await signIn(page, "isso@example.gov");
  await page.getByRole("link", { name: "My requests" }).click();
  const security = page.getByRole("table", { name: "Security-related requests, newest first" });
  await expect(security.getByRole("row", { name: new RegExp(reference) })).toContainText("Awaiting approval");
  await expectAccessible(page);
});

/** Every message about `reference` that carries a decision link has one COR as its only addressee. */
async function expectNoDecisionLinkBut(page: Page, reference: string) {
  const about = page.getByRole("article").filter({ hasText: reference });
  await expect(async () => {
    await page.goto("/dev/mail");
    await expect(about.filter({ hasText: "isso@example.gov" }).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const withLinks = about.filter({ has: page.getByRole("link", { name: /\/decide\// }) });
  expect(await withLinks.count()).toBeGreaterThan(0);
  for (const m of await withLinks.all()) {
    const to = (await m.locator("dt", { hasText: /^To$/ }).locator("xpath=following-sibling::dd").innerText()).trim();
    const cc = (await m.locator("dt", { hasText: /^CC$/ }).locator("xpath=following-sibling::dd").innerText()).trim();
    expect(to).toMatch(/^cor\d@example\.gov$/);
    expect(cc).toBe("");
  }
  await expect(about.filter({ hasText: "isso@example.gov" }).getByRole("link", { name: /\/decide\// })).toHaveCount(0);
}

test("two hosting engineers edit one plan: the second sees what changed, keeps their text, and history has both", async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  const js = jsOn(testInfo);
  const reference = await wholeRequest(page, "mouse", js, `Two editors (${testInfo.project.name})`);
  await signOut(page);

  // Two browsers: Hal here, Lee in a second context, both on step 1 of the same version.
  await signIn(page, "hosting@example.gov");
  const leeContext = await browser.newContext({ javaScriptEnabled: js, baseURL: testInfo.project.use.baseURL });
  const lee = await leeContext.newPage();
  await signIn(lee, "lead@example.gov");
  for (const p of [page, lee]) {
    await p.goto(`/requests/${reference}/plan`);
    await ready(p, js);
    await p.getByRole("link", { name: "Change step 1" }).click();
    await ready(p, js);
  }
  await lee.getByLabel("How to verify it worked").fill("curl https://portal/healthz and check the version header");
  await lee.getByRole("button", { name: "Save step" }).click();
  await expect(lee).toHaveURL(new RegExp(`/requests/${reference}/plan$`));

  await page.getByLabel("How to verify it worked").fill("Open the portal and sign in as a test user");
  await page.getByRole("button", { name: "Save step" }).click();
  await expect(page.getByRole("alert")).toContainText("Lee Lead saved the plan");
  await expect(page.getByRole("region", { name: "Changes made while you were editing" })).toContainText("how to verify it changed");
  await expect(page.locator("#field-verification-error")).toContainText("curl https://portal/healthz and check the version header");
  await expect(page.getByLabel("How to verify it worked")).toHaveValue("Open the portal and sign in as a test user");
  await expect(page).toHaveTitle(/^Error: /);
  await expectAccessible(page);

  // Hal merges: both checks, saved on top of Lee's version.
  await page.getByLabel("How to verify it worked").fill("curl https://portal/healthz and check the version header; sign in as a test user");
  await page.getByRole("button", { name: "Save step" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/plan$`));
  await expect(page.getByText("check the version header; sign in as a test user")).toBeVisible();

  await page.goto(`/requests/${reference}/history`);
  await expect(page.getByRole("listitem").filter({ hasText: /Version 3 saved by Hal Hosting/ })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: /Version 2 saved by Lee Lead/ })).toBeVisible();
  await page.getByLabel("Compare plan version").selectOption("1");
  await page.getByLabel("with plan version").selectOption("3");
  await page.getByRole("button", { name: "Compare plan versions" }).click();
  await expect(page.getByRole("heading", { name: "From plan version 1 to version 3" })).toBeVisible();
  await expect(page.getByRole("main").locator("ins").first()).toContainText("sign in as a test user");
  await expectAccessible(page);

  // The comment thread: plain text, for everyone involved.
  await page.goto(`/requests/${reference}/comments`);
  await ready(page, js);
  await page.getByRole("button", { name: "Add comment" }).click();
  await expect(page.locator("#field-body-error")).toContainText("Enter a comment");
  await expectAccessible(page);
  await page.getByLabel("Add a comment").fill("Merged Lee's check into step 1 <b>really</b>");
  await page.getByRole("button", { name: "Add comment" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "Hal Hosting" })).toContainText("Merged Lee's check into step 1 <b>really</b>");
  await expectAccessible(page);
  await leeContext.close();
});

/** A request the hosting team has reviewed and submitted to the CORs (security-related). */
async function submittedToCors(page: Page, js: boolean, title: string, beforeSubmit?: () => Promise<void>) {
  const reference = await wholeRequest(page, "mouse", js, title);
  await signOut(page);
  await signIn(page, "hosting@example.gov");
  if (beforeSubmit) await beforeSubmit();
  await page.goto(`/requests/${reference}/review`);
  await ready(page, js);
  await page.getByRole("button", { name: "Assign to me" }).click();
  await expect(page.getByRole("definition").filter({ hasText: "Hal Hosting" })).toBeVisible();
  await ready(page, js);
  await page.getByRole("group", { name: "Is the change security-related?" }).getByLabel("Yes", { exact: true }).check();
  await page.getByLabel("Reason for your conclusion").fill("Patches an exploited CVE");
  await page.getByRole("button", { name: "Record the risk review" }).click();
  await expect(page.getByText("Yes: the ISSO is copied on every message")).toBeVisible();
  await ready(page, js);
  await page.getByRole("button", { name: "Submit to the CORs" }).click();
  await expect(page.getByText("Submitted to the CORs. Waiting for their decisions.")).toBeVisible();
  await signOut(page);
  return reference;
}

/** Opens the decision link a COR received for `reference`, from the built-in mail viewer. */
async function openDecisionLink(page: Page, js: boolean, reference: string, cor: string) {
  const message = page.getByRole("article").filter({ hasText: cor }).filter({ hasText: reference }).filter({ hasText: "Your approval is requested" });
  // The mail worker delivers within a moment; the viewer shows the message once it has.
  await expect(async () => {
    await page.goto("/dev/mail");
    await expect(message.getByRole("link", { name: /\/decide\// })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(message).not.toContainText("isso@example.gov");
  await message.getByRole("link", { name: /\/decide\// }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Decide:");
  await ready(page, js);
}

test("both CORs approve from the links in their mail, without signing in", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const js = jsOn(testInfo);
  const reference = await submittedToCors(page, js, `Two CORs (${testInfo.project.name})`);

  await openDecisionLink(page, js, reference, "cor1@example.gov");
  await expect(page.getByRole("region", { name: "Where approval stands" })).toContainText("waiting for");
  await expectAccessible(page);
  // Rejecting needs a reason, at the field.
  await page.getByRole("radio", { name: "Reject" }).check();
  await page.getByRole("button", { name: "Record my decision" }).click();
  await expect(page.locator("#field-reason-error")).toContainText("Give the reason for rejecting");
  await expect(page).toHaveTitle(/^Error: /);
  await expectAccessible(page);
  await page.getByRole("radio", { name: "Approve" }).check();
  await page.getByRole("button", { name: "Record my decision" }).click();
  await expect(page.getByRole("status")).toContainText("This link was used");
  await expect(page.getByRole("region", { name: "Where approval stands" })).toContainText("Elizabeth COR approved");
  await expect(page.getByRole("button", { name: "Record my decision" })).toHaveCount(0);
  await expectAccessible(page);

  await openDecisionLink(page, js, reference, "cor2@example.gov");
  await page.getByRole("radio", { name: "Approve" }).check();
  await page.getByRole("button", { name: "Record my decision" }).click();
  await expect(page.getByRole("region", { name: "Where approval stands" })).toContainText(/approved by .*Elizabeth COR.*Alana COR|approved by .*Alana COR.*Elizabeth COR/);

  await signIn(page, "dev@example.gov");
  await page.goto(`/requests/${reference}`);
  await expect(page.getByText("Approved. The hosting team will apply it in production.")).toBeVisible();
  await signOut(page);

  // An archivist finds it and downloads the record and both archived copies.
  await signIn(page, "archivist@example.gov");
  await page.goto("/archive");
  await ready(page, js);
  await expectAccessible(page);
  await page.getByLabel("Changed from").fill("21/11/2026");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.locator("#field-from-error")).toContainText("Enter a real date");
  await expect(page.getByLabel("Changed from")).toHaveValue("21/11/2026");
  await expectAccessible(page);
  // An edited address naming a state the list does not offer is named at the field, not ignored.
  await page.goto("/archive?state=on_fire");
  await ready(page, js);
  await expect(page.locator("#field-state-error")).toContainText("Choose a state from the list");
  await expect(page).toHaveTitle(/^Error: /);
  await expectAccessible(page);
  await page.getByLabel("Reference or title").fill(reference);
  await page.getByRole("button", { name: "Search" }).click();
  const item = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: new RegExp(reference) }) });
  const copies = item.getByRole("table", { name: `Archive copies of ${reference}` });
  await expect(async () => {
    await page.reload();
    await expect(copies.getByRole("link", { name: /_v02\.pdf/ })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(copies.getByRole("row")).toHaveCount(3);
  await expect(copies).toContainText("Submitted to the CORs");
  await expect(copies).toContainText("Approved");
  await ready(page, js);
  await expectAccessible(page);
  const current = await download(page, item.getByRole("link", { name: `Current record of ${reference} (PDF)` }));
  expect(current.subarray(0, 8).toString()).toBe("%PDF-1.7");
  const approved = copies.getByRole("row").filter({ hasText: "Approved" });
  const copy = await download(page, approved.getByRole("link", { name: /_v02\.pdf/ }));
  expect(createHash("sha256").update(copy).digest("hex")).toBe((await approved.locator(".checksum").textContent())?.trim());
});

/** Clicks a link that downloads a file and returns the file's bytes. */
async function download(page: Page, link: Locator): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const path = await file.path();
  return readFileSync(path);
}

test("with one COR out of office, one approval suffices; production completes it (JS) or rolls it back (no JS)", async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  const js = jsOn(testInfo);
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date());
  const reference = await submittedToCors(page, js, `One COR away (${testInfo.project.name})`, async () => {
    await page.goto("/out-of-office");
    await ready(page, js);
    await page.getByLabel("COR").selectOption({ label: "Alana COR" });
    await page.getByLabel("First day away").fill(today);
    await page.getByLabel("Last day away").fill("tomorrow");
    await page.getByRole("button", { name: "Record absence" }).click();
    await expect(page.locator("#field-to-error")).toContainText("must be a real date");
    await expect(page.getByLabel("First day away")).toHaveValue(today);
    await expect(page.getByLabel("COR")).toHaveValue(/\d+/);
    await expect(page.getByLabel("COR").locator("option:checked")).toHaveText("Alana COR");
    await expectAccessible(page);
    await page.getByLabel("Last day away").fill(today);
    await page.getByLabel("Note (optional)").fill("annual leave");
    await page.getByRole("button", { name: "Record absence" }).click();
    await expect(page.getByRole("row", { name: /Alana COR/ }).first()).toContainText("annual leave");
    await expectAccessible(page);
  });

  await openDecisionLink(page, js, reference, "cor1@example.gov");
  await expect(page.getByRole("region", { name: "Where approval stands" })).toContainText("out of office");
  await page.getByRole("radio", { name: "Approve" }).check();
  await page.getByRole("button", { name: "Record my decision" }).click();
  await expect(page.getByRole("status")).toContainText("This link was used");

  await signIn(page, "hosting@example.gov");
  await page.goto(`/requests/${reference}/review`);
  await expect(page.getByRole("definition").filter({ hasText: "Approved" })).toBeVisible();
  // Clean up for the other project's run: the absence would make every later request one-COR.
  await page.goto("/out-of-office");
  await ready(page, js);
  const removals = page.getByRole("button", { name: /Remove the absence of Alana COR/ });
  // One at a time, each awaited: with JavaScript the list re-renders in place after each.
  for (let n = await removals.count(); n > 0; n--) {
    await removals.first().click();
    await expect(removals).toHaveCount(n - 1);
    await ready(page, js);
  }

  // Step 5, production. The run with JavaScript completes it; the run without rolls it back.
  await page.goto(`/requests/${reference}/production`);
  await ready(page, js);
  await expectAccessible(page);
  const override = page.getByLabel("Why it cannot wait for the production window");
  if (await override.count()) {
    await page.getByRole("button", { name: "Start production work" }).click();
    await expect(page.locator("#field-override_reason-error")).toContainText("say why it cannot wait");
    await expectAccessible(page);
    await override.fill("Exploited CVE, patch now");
  }
  await page.getByRole("button", { name: "Start production work" }).click();
  await expect(page.getByRole("button", { name: /^Start step 1:/ })).toBeVisible();
  await ready(page, js);
  await page.getByRole("button", { name: /^Start step 1:/ }).click();
  await expect(page.getByRole("heading", { name: /Step 1 in progress/ })).toBeVisible();
  await ready(page, js);
  // Partway through, a change ends as rolled back only by way of a failed step's checklist.
  await expect(page.getByRole("button", { name: "Confirm the rollback" })).toHaveCount(0);
  await expectAccessible(page);
  if (js) {
    // The dev team follows the work from their own browser: the page shows what the hosting
    // engineer records by itself (the FollowProgress island), and once someone has typed in one
    // of its forms it says there is news instead of throwing their text away.
    const watcher = await (await browser.newContext({ baseURL: testInfo.project.use.baseURL })).newPage();
    await signIn(watcher, "dev@example.gov");
    await watcher.goto(`/requests/${reference}/production`);
    await ready(watcher, js);
    await expect(watcher.getByRole("row", { name: /In progress/ })).toBeVisible();
    await page.getByLabel("What you saw (optional)").fill("All pods ready");
    await page.getByRole("button", { name: "Step 1 done" }).click();
    await expect(watcher.getByRole("row", { name: /All pods ready/ })).toBeVisible({ timeout: 15_000 });
    await ready(watcher, js);
    await watcher.getByText("Log a problem").click();
    await watcher.getByLabel("What happened, and its effect").fill("Half-typed problem");
    await page.getByRole("button", { name: "Hand over to the dev team to validate" }).click();
    await expect(watcher.getByRole("status").filter({ hasText: "Progress was recorded since this page opened" })).toBeVisible({ timeout: 15_000 });
    await expect(watcher.getByLabel("What happened, and its effect")).toHaveValue("Half-typed problem");
    await expectAccessible(watcher);
    await watcher.getByRole("link", { name: "Show the latest progress" }).click();
    await expect(watcher.getByRole("definition").filter({ hasText: "Validating in production" })).toBeVisible();
    await watcher.context().close();
    await expect(page.getByRole("definition").filter({ hasText: "Validating in production" })).toBeVisible();
    await signOut(page);
    await signIn(page, "dev@example.gov");
    await page.goto(`/requests/${reference}/production`);
    await ready(page, js);
    await expect(page.getByRole("row", { name: /All pods ready/ })).toBeVisible();
    await page.getByRole("button", { name: "Confirm it works in production" }).click();
    await expect(page.locator("#field-note-error")).toContainText("Say what you checked");
    await expectAccessible(page);
    await page.getByLabel("What you checked in production").fill("Login and grant search work");
    await page.getByRole("button", { name: "Confirm it works in production" }).click();
    await expect(page.getByText("Completed: validated in production")).toBeVisible();
    await expectAccessible(page);
    // The post-deployment review: lessons are required; the checklist is kept on an error.
    await ready(page, js);
    await page.getByLabel("Error rates are at or below their level before the change").check();
    await page.getByRole("button", { name: "Record the review" }).click();
    await expect(page.locator("#field-lessons-error")).toContainText("Say what to keep or change");
    await expect(page.getByLabel("Error rates are at or below their level before the change")).toBeChecked();
    await expectAccessible(page);
    await page.getByLabel("Lessons learned").fill("Pre-pull the image before the window");
    await page.getByRole("button", { name: "Record the review" }).click();
    await expect(page.getByRole("button", { name: "Update the review" })).toBeVisible();
    // The calendar shows it, completed, at its planned start.
    await page.goto("/calendar");
    await ready(page, js);
    // The row whose own link is this request (other rows may name it as an overlap).
    const scheduled = page.getByRole("table", { name: "Scheduled changes" }).getByRole("row").filter({ has: page.getByRole("link", { name: reference, exact: true }) });
    await expect(scheduled).toContainText("Completed");
    // The stakeholders get the notice, with what was checked.
    const notice = page.getByRole("article").filter({ hasText: reference }).filter({ hasText: "Login and grant search work" });
    await expect(async () => {
      await page.goto("/dev/mail");
      await expect(notice.first()).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });
  } else {
    await page.getByRole("button", { name: "Step 1 failed" }).click();
    await expect(page.locator("#field-failed_note-error")).toContainText("Say what went wrong");
    await expectAccessible(page);
    await page.getByLabel("What went wrong").fill("Pods crash-looping");
    await page.getByRole("button", { name: "Step 1 failed" }).click();
    await expect(page.getByRole("table", { name: /Rollback checklist/ })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Step 1 rolled back" }).click();
    await expect(page.getByRole("table", { name: /Rollback checklist/ })).toContainText("Rolled back");
    await page.getByLabel("Why the change was rolled back").fill("Crash loop after the patch");
    await page.getByRole("button", { name: "Confirm the rollback" }).click();
    await expect(page.getByText("Rolled back: stakeholders told")).toBeVisible();
    // The page heads the reason as the archival record does.
    await expect(page.locator(".summary-list__row").filter({ hasText: "Why it was rolled back" })).toContainText("Crash loop after the patch");
    await expectAccessible(page);
    // The stakeholders get the notice; the calendar shows it rolled back.
    const notice = page.getByRole("article").filter({ hasText: reference }).filter({ hasText: "Crash loop after the patch" });
    await expect(async () => {
      await page.goto("/dev/mail");
      await expect(notice.first()).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    await page.goto("/calendar");
    const scheduled = page.getByRole("table", { name: "Scheduled changes" }).getByRole("row").filter({ has: page.getByRole("link", { name: reference, exact: true }) });
    await expect(scheduled).toContainText("Rolled back");
  }
});

test("a requested window that overlaps another change on the same system warns on the form and the calendar", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const js = jsOn(testInfo);
  const system = `Payments API (${testInfo.project.name})`;
  await signIn(page, "dev@example.gov");
  // Two requests for the same system, their requested windows overlapping by half an hour.
  const planned = async (title: string, time: string) => {
    await page.goto("/requests/new");
    await ready(page, js);
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Affected system").fill(system);
    await page.getByRole("button", { name: "Save and continue" }).click();
    await expect(page).toHaveURL(/\/triage$/);
    const reference = page.url().split("/").slice(-2)[0];
    await ready(page, js);
    await triage(page, "mouse", [true, false, false, false]);
    await expect(page).toHaveURL(new RegExp(`/requests/${reference}$`));
    await page.goto(`/requests/${reference}/form/schedule`);
    await ready(page, js);
    await page.getByLabel("Date to start").fill("2030-02-05");
    await page.getByLabel("Time to start (Eastern)").fill(time);
    await page.getByLabel("Expected duration in minutes").fill("60");
    await page.getByRole("button", { name: "Save and come back later" }).click();
    await expect(page).toHaveURL(new RegExp(`/requests/${reference}$`));
    return reference;
  };
  const a = await planned("Rotate the payments keys", "10:00");
  const b = await planned("Raise the payments pool size", "10:30");

  const conflicts = page.getByRole("region", { name: "Schedule conflicts" });
  await page.goto(`/requests/${b}/form/schedule`);
  await ready(page, js);
  await expect(conflicts).toContainText(`Overlaps ${a} “Rotate the payments keys” on ${system}, planned 10:00 AM Eastern on Tuesday 5 February for 60 minutes`);
  await expectAccessible(page);
  await page.goto(`/requests/${a}/form/schedule`);
  await ready(page, js);
  await expect(conflicts).toContainText(`Overlaps ${b} “Raise the payments pool size”`);

  // The calendar marks both.
  await page.goto("/calendar");
  await ready(page, js);
  const row = (r: string) => page.getByRole("row").filter({ has: page.getByRole("link", { name: r, exact: true }) });
  await expect(row(a)).toContainText(`Overlaps ${b} on the same system`);
  await expect(row(b)).toContainText(`Overlaps ${a} on the same system`);
  await expectAccessible(page);
});

test("someone outside the dev team signs off QA from the link in their email, without an account", async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  const js = jsOn(testInfo);
  const email = `olive.${testInfo.project.name}@qa.example`;
  await signIn(page, "dev@example.gov");
  const reference = await startRequest(page, "mouse", `Signed from a link (${testInfo.project.name})`, js);
  await triage(page, "mouse", [true, false, false, true]);
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}$`));
  await addStep(page, "mouse", js, reference);
  await ready(page, js);
  await page.getByRole("button", { name: "The plan is complete: continue to staging" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/staging$`));
  await ready(page, js);

  // The fields as the page shows them: a bad address is refused at its field, the rest kept.
  const capacity = page.getByRole("group", { name: "Capacity to sign off in" });
  await capacity.getByLabel("QA", { exact: true }).check();
  await page.getByLabel("Their full name").fill("Olive Outside");
  await page.getByLabel("Their email address").fill("olive");
  await page.getByRole("button", { name: "Send the sign-off link" }).click();
  await expect(page.locator("#field-email-error")).toContainText("Enter an email address like name@agency.gov");
  await expect(page.getByLabel("Their full name")).toHaveValue("Olive Outside");
  await expect(capacity.getByLabel("QA", { exact: true })).toBeChecked();
  await expectAccessible(page);
  await ready(page, js);
  await page.getByLabel("Their email address").fill(email);
  await page.getByRole("button", { name: "Send the sign-off link" }).click();
  await expect(page.getByText(`Olive Outside (${email}) as QA: asked at`)).toBeVisible();
  await expectAccessible(page);

  // Olive reads her mail and opens the link in her own browser, never signed in here.
  const message = page.getByRole("article").filter({ hasText: email }).filter({ hasText: reference });
  await expect(async () => {
    await page.goto("/dev/mail");
    await expect(message.getByRole("link", { name: /\/sign-off\// })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(message).toContainText("Sign off as QA");
  const link = (await message.getByRole("link", { name: /\/sign-off\// }).textContent())!;
  const olive = await (await browser.newContext({ javaScriptEnabled: js, baseURL: testInfo.project.use.baseURL })).newPage();
  await olive.goto(link);
  await expect(olive.getByRole("heading", { level: 1 })).toHaveText(`Sign off as QA: Signed from a link (${testInfo.project.name})`);
  await expect(olive.getByText("Deploy the patched image")).toBeVisible();
  await ready(olive, js);
  await expectAccessible(olive);
  // Evidence typed, name forgotten: the error is at the name, the evidence kept.
  await olive.getByLabel("Evidence").fill("Regression run 77: all green");
  await olive.getByRole("button", { name: "Sign off as QA" }).click();
  await expect(olive.locator("#field-name-error")).toContainText("Enter your full name to sign");
  await expect(olive.getByLabel("Evidence")).toHaveValue("Regression run 77: all green");
  await expectAccessible(olive);
  await ready(olive, js);
  await olive.getByLabel("Your full name").fill("Olive Outside");
  await olive.getByRole("button", { name: "Sign off as QA" }).click();
  await expect(olive.getByRole("status")).toContainText("This link was used at");
  await expect(olive.getByText("QA: Olive Outside. From an emailed link, signed “Olive Outside”.")).toBeVisible();
  await expect(olive.getByRole("button", { name: "Sign off as QA" })).toHaveCount(0);
  await expectAccessible(olive);

  // The dev team sees who signed and how.
  await page.goto(`/requests/${reference}/staging`);
  await ready(page, js);
  await expect(page.getByRole("row", { name: /^QA Olive Outside From an emailed link, signed “Olive Outside”/ })).toBeVisible();
  await expect(page.getByText(`Olive Outside (${email}) as QA`)).toHaveCount(0);
});

test("a plan is built from a documented operation and pasted steps, each previewed first, and keeps where each step came from", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const js = jsOn(testInfo);
  const name = `Recycle the app pool (${testInfo.project.name})`;
  // The hosting team documents the operation.
  await signIn(page, "hosting@example.gov");
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Operations" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Documented operations");
  await ready(page, js);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Steps", { exact: true }).fill("| Action | Minutes |\n| Drain the pool | soon |");
  await page.getByRole("button", { name: "Save the operation" }).click();
  await expect(page.locator("#field-steps-error")).toContainText("Row 1: the minutes “soon” must be a whole number");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
  await expectAccessible(page);
  await ready(page, js);
  await page.getByLabel("Steps", { exact: true }).fill(
    "| Action | Commands | Owner | Expected result | Verification | Rollback | Minutes |\n|---|---|---|---|---|---|---|\n" +
      "| Drain the pool | appcmd stop apppool portal | Hosting | pool stopped | appcmd list apppool | appcmd start apppool portal | 2 |\n" +
      "| Start the pool | appcmd start apppool portal | Hosting | pool started | curl -f /healthz | appcmd stop apppool portal | 2 |",
  );
  await page.getByRole("button", { name: "Save the operation" }).click();
  const saved = page.getByRole("region", { name });
  await expect(saved).toContainText("Version 1 · 2 steps");
  await expectAccessible(page);
  await signOut(page);

  // A dev inserts it into a plan, and pastes two more steps.
  await signIn(page, "dev@example.gov");
  const reference = await startRequest(page, "mouse", `Built from an operation (${testInfo.project.name})`, js);
  await triage(page, "mouse", [true, false, false, true]);
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}$`));
  await page.goto(`/requests/${reference}/plan`);
  await ready(page, js);
  await page.getByRole("link", { name: "Add steps from an operation, an earlier request or pasted" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Add steps to the plan");
  await ready(page, js);
  await expectAccessible(page);
  await page.getByLabel("Documented operation").selectOption({ label: `${name} (version 1, 2 steps)` });
  await page.getByRole("button", { name: "Preview the operation's steps" }).click();
  const preview = page.getByRole("region", { name: "Steps to add" });
  await expect(preview.getByRole("row", { name: /Drain the pool/ })).toContainText(`Documented operation “${name}” version 1`);
  await expectAccessible(page);
  await ready(page, js);
  await preview.getByRole("button", { name: "Add these 2 steps to the plan" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${reference}/plan$`));
  await expect(page.getByRole("heading", { name: "Step 2: Start the pool" })).toBeVisible();

  await ready(page, js);
  await page.getByRole("link", { name: "Add steps from an operation, an earlier request or pasted" }).click();
  await ready(page, js);
  await page.getByLabel("Steps", { exact: true }).fill("| Action | Colour |\n| Tell the desk | blue |");
  await page.getByRole("button", { name: "Preview the pasted steps" }).click();
  await expect(page.locator("#field-text-error")).toContainText("The column “Colour” is not one we know");
  await expect(page.getByLabel("Steps", { exact: true })).toHaveValue("| Action | Colour |\n| Tell the desk | blue |");
  await expectAccessible(page);
  await ready(page, js);
  await page.getByLabel("Steps", { exact: true }).fill("- Tell the service desk\n- Watch the error budget");
  await page.getByRole("button", { name: "Preview the pasted steps" }).click();
  await expect(preview.getByRole("row", { name: /Tell the service desk/ })).toContainText("Pasted into the plan");
  await ready(page, js);
  await preview.getByRole("button", { name: "Add these 2 steps to the plan" }).click();
  await expect(page.getByRole("heading", { name: "Step 4: Watch the error budget" })).toBeVisible();
  const first = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Step 1: Drain the pool" }) });
  await expect(first).toContainText(`Documented operation “${name}” version 1`);
  const fourth = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Step 4: Watch the error budget" }) });
  await expect(fourth).toContainText("Pasted into the plan");
  await expectAccessible(page);
});
