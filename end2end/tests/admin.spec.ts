import { test, expect, expectAccessible, signIn, signOut, jsOn, ready } from "./fixtures";

test("an admin invites someone, who chooses a password from the emailed link and signs in", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const js = jsOn(testInfo);
  const email = `new.${testInfo.project.name}.${Date.now()}@example.gov`;
  await signIn(page, "admin@example.gov");
  await page.goto("/admin/people");
  await ready(page, js);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("People and teams");
  await expectAccessible(page);
  // Errors at each field, what was typed kept.
  await page.getByLabel("Email address").fill("not-an-email");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.locator("#field-email-error")).toContainText("Enter an email address like");
  await expect(page.locator("#field-name-error")).toContainText("Enter their name");
  await expect(page.locator("#field-role-error")).toContainText("Choose a role");
  await expect(page.getByLabel("Email address")).toHaveValue("not-an-email");
  await expect(page).toHaveTitle(/^Error: /);
  await expectAccessible(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Name", { exact: true }).fill("Nia New");
  await page.getByLabel("Role", { exact: true }).selectOption({ label: "Archivist" });
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("row", { name: new RegExp(email.replace(/\./g, "\\.")) })).toContainText("Invited");
  await signOut(page);

  // The invitation arrives in the mail viewer; its link works once.
  const message = page.getByRole("article").filter({ hasText: email });
  await expect(async () => {
    await page.goto("/dev/mail");
    await expect(message.getByRole("link", { name: /\/set-password\// })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await message.getByRole("link", { name: /\/set-password\// }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Choose your password");
  await ready(page, js);
  await expectAccessible(page);
  await page.getByLabel("New password").fill("password123");
  await page.getByLabel("Type it again").fill("password123");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.locator("#field-password-error")).toContainText("too common");
  // A password is never sent back: without JavaScript the field comes back empty.
  if (!js) await expect(page.getByLabel("New password")).toHaveValue("");
  await expectAccessible(page);
  await page.getByLabel("New password").fill("glacier umbrella violin");
  await page.getByLabel("Type it again").fill("glacier umbrella violin");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, email, "glacier umbrella violin");

  // Their account: sessions, and an API token shown once.
  await page.goto("/account");
  await ready(page, js);
  await expect(page.getByRole("cell", { name: "This session" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("What the new token is for").fill("reporting");
  await page.getByRole("button", { name: "Create API token" }).click();
  await expect(page.getByRole("status")).toContainText("ofc_");
  await expect(page.getByRole("listitem").filter({ hasText: "reporting (read)" })).toBeVisible();
  await expectAccessible(page);
  // Shown once: the next visit does not show it again.
  await page.goto("/account");
  await expect(page.getByText("ofc_")).toHaveCount(0);
});

test("an admin adds a team and sets who it tells and whether one person may sign off several capacities", async ({ page }, testInfo) => {
  const js = jsOn(testInfo);
  const team = `Payments ${testInfo.project.name} ${Date.now()}`;
  await signIn(page, "admin@example.gov");
  await page.goto("/admin/people");
  await ready(page, js);
  // The role and team selects show their whole choice ("Dev team member", not "Dev team meml").
  const cut = await page.locator("select.select--small").evaluateAll((selects) =>
    selects
      .map((el) => el as HTMLSelectElement)
      .filter((select) => {
        const measure = document.createElement("canvas").getContext("2d")!;
        measure.font = getComputedStyle(select).font;
        const chosen = measure.measureText(select.selectedOptions[0]?.text ?? "").width;
        return chosen > select.clientWidth - 16; // the arrow's room
      })
      .map((select) => select.selectedOptions[0]?.text),
  );
  expect(cut).toEqual([]);
  // A team's name is asked for at its field.
  await page.getByRole("button", { name: "Add team" }).click();
  await expect(page.locator("#field-team_name-error")).toContainText("Enter the team's name");
  await ready(page, js);
  await page.getByLabel("Team name").fill(team);
  await page.getByRole("button", { name: "Add team" }).click();
  await expect(page.getByRole("heading", { level: 3, name: team })).toBeVisible();
  await ready(page, js);
  const several = page.getByLabel(`One person of ${team} may sign off staging in several capacities`);
  await expect(several).not.toBeChecked();
  // A bad address is reported at the field; what was typed and ticked is kept.
  await page.getByLabel(`Stakeholders of ${team}`).fill("owner@example.gov\nthe product owner");
  await several.check();
  await page.getByRole("button", { name: `Save the settings of ${team}` }).click();
  await expect(page.getByText("“the product owner” is not an email address").first()).toBeVisible();
  await expect(page.getByLabel(`Stakeholders of ${team}`)).toHaveValue("owner@example.gov\nthe product owner");
  await expect(several).toBeChecked();
  await expectAccessible(page);
  await page.getByLabel(`Stakeholders of ${team}`).fill("owner@example.gov");
  await page.getByRole("button", { name: `Save the settings of ${team}` }).click();
  await expect(page.getByText("is not an email address")).toHaveCount(0);
  // Saved: a fresh visit shows both.
  await page.goto("/admin/people");
  await ready(page, js);
  await expect(page.getByLabel(`Stakeholders of ${team}`)).toHaveValue("owner@example.gov");
  await expect(several).toBeChecked();
  await expectAccessible(page);
});

test("a release pipeline opens a request with a token from the account page, once per idempotency key", async ({ page }, testInfo) => {
  const js = jsOn(testInfo);
  await signIn(page, "dev@example.gov");
  await page.goto("/account");
  await ready(page, js);
  const tokenName = `release pipeline ${testInfo.project.name}`;
  await page.getByLabel("What the new token is for").fill(tokenName);
  await page.getByLabel("Read the JSON API and open requests as you (for a release pipeline)").check();
  await page.getByRole("button", { name: "Create API token" }).click();
  const shown = page.getByRole("status").filter({ hasText: "ofc_" });
  await expect(shown).toBeVisible();
  const token = (await shown.textContent())!.match(/ofc_[A-Za-z0-9_-]+/)![0];
  await expect(page.getByRole("listitem").filter({ hasText: `${tokenName} (write)` })).toBeVisible();
  await expectAccessible(page);

  // The pipeline's call, then its retry after a timeout: one request.
  const stamp = Date.now();
  const title = `Deploy portal 2.4.2 (${testInfo.project.name} ${stamp})`;
  const call = () =>
    page.request.post("/api/v1/requests", {
      headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": `run-${testInfo.project.name}-${stamp}` },
      data: {
        title,
        system: "Grants portal",
        triage: { active_incident: true },
        artifact: "portal:2.4.2",
        pipeline_url: "https://ci.example.gov/runs/1200",
        plan_steps: [{
          action: "Deploy the patched image", commands: "kubectl set image deploy/portal portal=portal:2.4.2",
          owner: "Hosting", expected_result: "All pods ready", verification: "curl https://portal/healthz",
          rollback: "kubectl rollout undo deploy/portal", estimated_minutes: 15,
        }],
      },
    });
  const first = await call();
  expect(first.status()).toBe(201);
  const { reference } = await first.json();
  const retry = await call();
  expect(retry.status()).toBe(200);
  expect((await retry.json()).reference).toBe(reference);
  expect(retry.headers()["idempotent-replayed"]).toBe("true");

  // The dev team finds it, with its plan, as if they had typed it.
  await page.goto("/requests");
  await ready(page, js);
  await expect(page.getByRole("row").filter({ hasText: title })).toHaveCount(1);
  await expect(page.getByRole("row", { name: new RegExp(reference) })).toContainText("Planning");
  await page.goto(`/requests/${reference}/plan`);
  await ready(page, js);
  await expect(page.getByRole("heading", { name: "Step 1: Deploy the patched image" })).toBeVisible();
  await expectAccessible(page);
});

test("an admin adds a webhook and sees its deliveries; a request shows its audit trail", async ({ page }, testInfo) => {
  const js = jsOn(testInfo);
  await signIn(page, "admin@example.gov");
  await page.goto("/admin/webhooks");
  await ready(page, js);
  await expectAccessible(page);
  // A receiver on this machine's own addresses is refused (no private receivers allowed here).
  await page.getByLabel("Receiver address").fill("http://127.0.0.1:9/hook");
  await page.getByLabel("Events").fill("approved");
  await page.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.locator("#field-url-error")).toContainText("must start with https://");
  await expect(page.getByLabel("Receiver address")).toHaveValue("http://127.0.0.1:9/hook");
  await expectAccessible(page);
  const hook = `https://hooks.example.gov/offcycle-${testInfo.project.name}`;
  await page.getByLabel("Receiver address").fill(hook);
  await page.getByLabel("Events").fill("approved, nonsense");
  await page.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.locator("#field-events-error")).toContainText("“nonsense” is not an event");
  await expect(page.getByLabel("Receiver address")).toHaveValue(hook);
  await expectAccessible(page);
  await page.getByLabel("Events").fill("approved");
  await page.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.getByRole("status")).toContainText("signing secret");
  await page.goto("/admin/webhooks");
  await expect(page.getByRole("status")).toHaveCount(0);
  await expect(page.getByRole("row", { name: new RegExp(`offcycle-${testInfo.project.name}`) }).first()).toContainText("approved");
  await page.getByRole("button", { name: `Remove ${hook}` }).first().click();
  await expect(page.getByRole("row", { name: new RegExp(`offcycle-${testInfo.project.name}`) })).toHaveCount(0);

  await signOut(page);
  await signIn(page, "dev@example.gov");
  await page.goto("/requests/new");
  await ready(page, js);
  await page.getByLabel("Title").fill(`Audit me (${testInfo.project.name})`);
  await page.getByLabel("Affected system").fill("Grants portal");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/triage$/);
  const reference = page.url().split("/").slice(-2)[0];
  await page.goto(`/requests/${reference}/audit`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Audit trail");
  await expect(page.getByRole("row").filter({ hasText: "request.started" })).toContainText("Dana");
  await expectAccessible(page);
});

test("an admin keeps the change calendar, and the hosting team has a problem log", async ({ page }, testInfo) => {
  const js = jsOn(testInfo);
  await signIn(page, "admin@example.gov");
  await page.goto("/calendar");
  await ready(page, js);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Change calendar");
  await expect(page.getByRole("table", { name: "Scheduled changes" })).toBeVisible();
  await expectAccessible(page);
  // Errors at each field, what was typed kept.
  await page.getByRole("radio", { name: "Change freeze" }).check();
  await page.getByLabel("First day").fill("31/12/2030");
  await page.getByRole("button", { name: "Add to the calendar" }).click();
  await expect(page.locator("#field-name-error")).toContainText("Enter a name");
  await expect(page.locator("#field-reason-error")).toContainText("Say why changes are frozen");
  await expect(page.locator("#field-from-error")).toContainText("Enter a real date");
  await expect(page.getByLabel("First day")).toHaveValue("31/12/2030");
  await expect(page).toHaveTitle(/^Error: /);
  await expectAccessible(page);
  const name = `Year-end freeze ${testInfo.project.name}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Why (needed for a freeze)").fill("Fiscal close");
  await page.getByLabel("First day").fill("2030-12-20");
  await page.getByLabel("Last day (optional)").fill("2031-01-02");
  await page.getByRole("button", { name: "Add to the calendar" }).click();
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("Fiscal close");
  await ready(page, js);
  await expectAccessible(page);
  // Removed again, so the other project's run starts from the same calendar.
  await row.getByRole("button", { name: `Remove ${name}` }).click();
  await expect(row).toHaveCount(0);
  await page.goto("/problems");
  await ready(page, js);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Problem log");
  await expectAccessible(page);
});
