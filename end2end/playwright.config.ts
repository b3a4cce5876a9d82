import { defineConfig } from "@playwright/test";

// The server under test gets a fresh database (a SQLite file, or with E2E_BACKEND=postgres a new
// PostgreSQL database) and a free port from scripts/e2e.sh (E2E_DATABASE_URL, E2E_PORT).
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  globalSetup: "./global-setup.ts",
  use: { baseURL, trace: "retain-on-failure" },
  // Every spec runs twice: as most people see it, and with JavaScript off.
  projects: [
    { name: "js", use: { ...chromium, javaScriptEnabled: true } },
    { name: "nojs", use: { ...chromium, javaScriptEnabled: false } },
  ],
  webServer: {
    command: process.env.E2E_SERVER_BIN ?? "../target/debug/server",
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? "sqlite:///tmp/offcycle-e2e.db",
      OFFCYCLE_BIND: `127.0.0.1:${port}`,
      OFFCYCLE_DEMO: "1",
      OFFCYCLE_DEMO_PASSWORD: "e2e-demo-password",
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "../target/site",
      RUST_LOG: "warn",
      OFFCYCLE_MAIL_POLL_MS: "200",
    },
  },
});
