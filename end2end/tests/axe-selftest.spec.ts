import { test, expect, expectAccessible } from "./fixtures";

// The accessibility check must be able to fail, with JavaScript on and off alike.
test("the axe check fails on a page with a known violation", async ({ page }) => {
  await page.route("**/axe-selftest", (route) =>
    route.fulfill({
      contentType: "text/html; charset=utf-8",
      body: '<!DOCTYPE html><html lang="en"><head><title>Self-test</title></head><body><main><h1>Self-test</h1><input type="text"></main></body></html>',
    }),
  );
  await page.goto("/axe-selftest");
  await expect(expectAccessible(page)).rejects.toThrow(/label/);
});
