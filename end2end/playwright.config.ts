import { defineConfig } from "@playwright/test";

// The server under test gets a fresh database (a SQLite file, or with E2E_BACKEND=postgres a new
// PostgreSQL database) and a free port from scripts/e2e.sh (E2E_DATABASE_URL, E2E_PORT).
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The organisation's identity provider: npm oidc-provider on loopback (oidc/provider.mjs).
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? port + 1);
const issuer = `http://127.0.0.1:${oidcPort}`;
const SSO_USERS = [
  // The demo's COR, invited by an admin: her first sign-in here links her account (a third COR
  // from groups would change every quorum the other specs count on; tests/oidc.rs has that case).
  { sub: "sso-cor", email: "cor1@example.gov", name: "Elizabeth COR", groups: ["offcycle-cors"] },
  { sub: "sso-dev", email: "sso.dev@example.gov", name: "Sasha Builder", groups: ["offcycle-devs", "team-grants"] },
  { sub: "sso-nobody", email: "sso.nobody@example.gov", name: "Noel Newcomer", groups: [] },
];

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
  // A hang fails in a minute; the no-JavaScript walks of a shared two-core CI machine have
  // taken 28–30 s where 15 s is usual (a 30 s limit failed one run for no fault of the app).
  timeout: 60_000,
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
  webServer: [
  {
    command: "node oidc/provider.mjs",
    url: `${issuer}/.well-known/openid-configuration`,
    reuseExistingServer: false,
    // A hang fails in a minute; the no-JavaScript walks of a shared two-core CI machine have
  // taken 28–30 s where 15 s is usual (a 30 s limit failed one run for no fault of the app).
  timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      OIDC_PORT: String(oidcPort),
      OIDC_REDIRECT_URIS: `${baseURL}/auth/oidc/callback`,
      OIDC_POST_LOGOUT_URIS: `${baseURL}/sign-in?signed_out=1`,
      OIDC_USERS: JSON.stringify(SSO_USERS),
      OIDC_WORK_DIR: process.env.E2E_OIDC_WORK_DIR ?? "/tmp",
    },
  },
  {
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
      OFFCYCLE_OIDC_ISSUER: issuer,
      OFFCYCLE_OIDC_CLIENT_ID: "offcycle",
      OFFCYCLE_OIDC_CLIENT_SECRET: "offcycle-test-secret",
      OFFCYCLE_OIDC_SCOPES: "openid email profile groups",
      OFFCYCLE_OIDC_ROLE_MAP: "offcycle-cors=cor;offcycle-devs=dev;team-grants=team:Grants Portal",
      OFFCYCLE_OIDC_PROVISIONING: "jit",
      OFFCYCLE_OIDC_LABEL: "the test provider",
    },
  },
  ],
});
