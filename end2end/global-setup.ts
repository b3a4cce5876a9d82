// Waits until the server answers /healthz (the database is up), so no spec races the start.
export default async function globalSetup() {
  const port = Number(process.env.E2E_PORT ?? 3100);
  const url = `http://127.0.0.1:${port}/healthz`;
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${url} did not become healthy: ${last}`);
}
