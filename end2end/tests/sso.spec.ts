import { test, expect, expectAccessible, jsOn, ready } from "./fixtures";
import type { Page } from "@playwright/test";

// Sign-in through the organisation's identity provider: a real OpenID Provider (npm
// oidc-provider, end2end/oidc/provider.mjs) that the e2e server is configured with. An invited
// person's first sign-in links their account; anyone else is created at first sign-in
// (just-in-time) with the role and team their groups give.

/** From Offcycle's sign-in page, through the provider's own sign-in form, and back. */
async function signInAtProvider(page: Page, email: string) {
  await page.getByRole("button", { name: "Sign in with the test provider" }).click();
  await expect(page.getByRole("heading", { name: "Test provider sign-in" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in at the test provider" }).click();
}

test("a COR and a dev team member sign in through the identity provider, the dev with role and team from their groups", async ({ browser }, testInfo) => {
  const js = jsOn(testInfo);
  const context = await browser.newContext({ javaScriptEnabled: js });
  const page = await context.newPage();
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/sign-in\?next=\/requests$/);
  await ready(page, js);
  await expectAccessible(page);
  await signInAtProvider(page, "cor1@example.gov");
  // Back where they were going, as the COR an admin invited.
  await expect(page).toHaveURL(/\/requests$/);
  await expect(page.getByText("Elizabeth COR")).toBeVisible();
  await expect(page.getByText("(COR)")).toBeVisible();
  await expect(page.getByRole("link", { name: "Out of office" })).toBeVisible();
  await expectAccessible(page);

  // Signing out ends the session here and at the provider, which sends them back.
  await ready(page, js);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Yes, sign me out" }).click();
  await expect(page).toHaveURL(/\/sign-in\?signed_out=1$/);
  await expect(page.getByText("You have been signed out.")).toBeVisible();
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/sign-in/);
  await context.close();

  // Another person, another fresh browser: a dev team member of the team their group names.
  const devContext = await browser.newContext({ javaScriptEnabled: js });
  const dev = await devContext.newPage();
  await dev.goto("/sign-in");
  await ready(dev, js);
  await signInAtProvider(dev, "sso.dev@example.gov");
  await expect(dev).toHaveURL(/\/$/);
  await expect(dev.getByText("Sasha Builder")).toBeVisible();
  await expect(dev.getByText("(Dev team member)")).toBeVisible();
  await dev.getByRole("button", { name: "Start an emergency change request" }).click();
  await expect(dev).toHaveURL(/\/requests\/new$/);
  await devContext.close();
});

test("someone none of whose groups gives a role is told so, and sees nothing else", async ({ browser }, testInfo) => {
  const js = jsOn(testInfo);
  const context = await browser.newContext({ javaScriptEnabled: js });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await ready(page, js);
  await signInAtProvider(page, "sso.nobody@example.gov");
  await expect(page.getByRole("heading", { name: "You are signed in, but you have no role yet" })).toBeVisible();
  await expect(page.getByRole("link", { name: "My requests" })).toHaveCount(0);
  await expectAccessible(page);
  await page.goto("/archive");
  await expect(page).toHaveURL(/\/$/);
  await context.close();
});

test("a sign-in the provider's answer does not complete says why, at the top of the sign-in page", async ({ page }, testInfo) => {
  // An answer with a state nobody issued (a replay, or a forged link).
  await page.goto("/auth/oidc/callback?code=anything&state=forged");
  await expect(page).toHaveURL(/\/sign-in\?oidc=expired$/);
  await ready(page, jsOn(testInfo));
  await expect(page.getByRole("alert")).toContainText("That sign-in expired or was already used. Start again");
  await expect(page).toHaveTitle(/^Error: Sign in/);
  await expectAccessible(page);
});
