import { test, expect, expectAccessible, signIn, jsOn, ready } from "./fixtures";

test("the start page is server-rendered and accessible, and loads no script", async ({ page }, testInfo) => {
  const assets: string[] = [];
  page.on("request", (r) => assets.push(new URL(r.url()).pathname));
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  expect(await response?.text()).toContain("Request an emergency change");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request an emergency change");
  await ready(page, jsOn(testInfo));
  // Islands: only a page with one (the production page's live progress) loads the module.
  await expect(page.locator("script[type=module]")).toHaveCount(0);
  expect(assets.filter((a) => a.startsWith("/pkg/") && !a.endsWith(".css"))).toEqual([]);
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  await expectAccessible(page);
});

test("a wrong password gets one generic message and keeps the email", async ({ page }, testInfo) => {
  await page.goto("/sign-in");
  await ready(page, jsOn(testInfo));
  await page.getByLabel("Email address").fill("dev@example.gov");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const summary = page.getByRole("alert");
  await expect(summary).toContainText("Enter a correct email address and password");
  await expect(page).toHaveTitle(/^Error: Sign in/);
  await expectAccessible(page);

  // An unknown address gets exactly the same words: no account enumeration.
  await page.getByLabel("Email address").fill("nobody@example.gov");
  await page.getByLabel("Password").fill("whatever-it-is");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText(/There is a problem\s*Enter a correct email address and password/);
});

test("pages need sign-in and return to where you were going", async ({ page }, testInfo) => {
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/sign-in\?next=\/requests$/);
  await ready(page, jsOn(testInfo));
  await page.getByLabel("Email address").fill("dev@example.gov");
  await page.getByLabel("Password").fill("e2e-demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/requests$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your requests");
  await expect(page.getByText("Dana Developer")).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have been signed out.")).toBeVisible();
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("starting a request: errors are summarised, typed input is kept, the draft gets a reference", async ({ page }, testInfo) => {
  const js = jsOn(testInfo);
  await signIn(page, "dev@example.gov");
  await page.goto("/requests/new");
  await ready(page, js);
  await expectAccessible(page);

  const system = `Grants portal ${testInfo.project.name}`;
  await page.getByLabel("Affected system").fill(system);
  await page.getByRole("button", { name: "Save and continue" }).click();

  const summary = page.getByRole("alert");
  await expect(summary).toContainText("Enter a title for the change");
  await expect(page).toHaveTitle(/^Error: What needs to change\?/);
  await expect(page.getByLabel("Affected system")).toHaveValue(system);
  await expect(page.locator("#field-title-error")).toContainText("Enter a title for the change");
  if (js) await expect(summary).toBeFocused();
  await expectAccessible(page);

  // The summary links to the field.
  await summary.getByRole("link", { name: "Enter a title for the change" }).click();
  await expect(page).toHaveURL(/#field-title$/);

  const title = `Patch OpenSSL (${testInfo.project.name})`;
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/requests\/ECR-\d{4}-\d{4,}\/triage$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Is this an emergency?");
  const reference = page.url().split("/").slice(-2)[0];
  await expectAccessible(page);

  await page.goto("/requests");
  const row = page.getByRole("row", { name: new RegExp(reference) });
  await expect(row).toContainText(title);
  await expect(row).toContainText("Triage");
  await row.getByRole("link", { name: reference }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByText(system)).toBeVisible();
  await expect(page.getByRole("link", { name: "Check it is an emergency" })).toBeVisible();
});

test("an unknown address gets an accessible 404 page", async ({ page }) => {
  await signIn(page, "dev@example.gov");
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expectAccessible(page);
  const missing = await page.goto("/requests/ECR-1999-9999");
  expect(missing?.status()).toBe(404);
  await expectAccessible(page);
});

test("someone who may not start a request is told so on the form's page, before typing anything", async ({ page }) => {
  await signIn(page, "cor1@example.gov");
  const res = await page.goto("/requests/new");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You cannot start a request");
  await expect(page.getByLabel("Title")).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("link", { name: "See your requests" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your requests");
});

test("a form page loads no WebAssembly, so nothing overwrites what someone types as it loads", async ({ page }, testInfo) => {
  test.skip(!jsOn(testInfo), "without JavaScript no script could");
  await signIn(page, "dev@example.gov");
  const modules: string[] = [];
  page.on("request", (r) => {
    if (/\.(js|wasm)$/.test(new URL(r.url()).pathname)) modules.push(r.url());
  });
  await page.goto("/requests/new", { waitUntil: "domcontentloaded" });
  await page.getByLabel("Title").fill("Typed as the page loads");
  await page.getByLabel("Affected system").fill("Portal");
  await page.waitForLoadState("networkidle");
  expect(modules).toEqual([]);
  await expect(page.getByLabel("Title")).toHaveValue("Typed as the page loads");
  await expect(page.getByLabel("Affected system")).toHaveValue("Portal");
});
