import { test as base, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export const DEMO_PASSWORD = "e2e-demo-password";

/**
 * Fails the test if axe finds any WCAG 2.1 A/AA violation on the page as it is now.
 *
 * axe is JavaScript, so in the no-JavaScript project it cannot run inside the page. There we
 * take the page's DOM as the person sees it, serve it at the same address to a scratch page that
 * may run scripts (our own scripts removed, so nothing hydrates), and let axe check that copy
 * with the real stylesheet.
 */
export async function expectAccessible(page: Page) {
  const jsEnabled = base.info().project.use.javaScriptEnabled !== false;
  let target = page;
  let close = async () => {};
  if (!jsEnabled) {
    const browser = page.context().browser();
    if (!browser) throw new Error("no browser to run axe in");
    const scratch = await browser.newContext({ javaScriptEnabled: true });
    target = await scratch.newPage();
    close = () => scratch.close();
    const url = new URL(page.url());
    url.hash = "";
    const html = (await page.content())
      .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "")
      .replace(/<link[^>]*rel="(modulepreload|preload)"[^>]*>/gi, "");
    await target.route(
      (u) => u.href === url.href,
      (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
    );
    await target.goto(url.href);
  }
  const results = await new AxeBuilder({ page: target })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze()
    .finally(close);
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
  );
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/** Signs in through the real form. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/sign-in");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  // The header of a page still signed in as someone else also has "Sign out": wait until the
  // sign-in has finished and left the sign-in page, or a navigation right after it cancels it.
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Signs out and waits until it has happened (a navigation straight after would cancel it). */
export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" })).toBeVisible();
}

/** True in the project that runs with JavaScript on. */
export function jsOn(testInfo: { project: { name: string } }) {
  return testInfo.project.name === "js";
}

/**
 * Waits until the page is interactive: loaded, and with JavaScript on its islands hydrated (pages
 * are server-rendered; only a page with an island loads the browser's module).
 */
export async function ready(page: Page, js: boolean) {
  if (js && (await page.locator("leptos-island").count()) > 0) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
}

/** Every page reports its script errors into the test output, so a failure shows its cause. */
export const test = base.extend({
  page: async ({ page }, use) => {
    page.on("pageerror", (e) => console.log(`[pageerror] ${page.url()}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) console.log(`[console.error] ${page.url()}: ${m.text().slice(0, 2000)}`);
    });
    await use(page);
  },
});
export { expect };
