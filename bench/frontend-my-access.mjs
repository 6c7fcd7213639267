// Measures My Access with thousands of closed requests in real Chromium.
// Needs a running example backend serving the built app (see scripts/e2e.sh) at
// BENCH_BASE_URL (default http://localhost:7007), in development (dev sign-in on), with
// bench/app-config.frontend-my-access.yaml added (it turns the per-user limits off).
// Seeds N ended requests for alice (through the demo ITSM static token and alice's own
// revoke), then prints how long My Access takes to show them and how big the page is.
import { launchChromium } from './lib/frontend.mjs';

const BASE = process.env.BENCH_BASE_URL ?? 'http://localhost:7007';
const N = Number(process.env.BENCH_CLOSED ?? 5000);
// The demo ITSM token of app-config.development.yaml (scripts/e2e.sh loads it).
const ITSM =
  process.env.ACCESS_ITSM_TOKEN ?? 'dev-only-itsm-token-change-me-0001';
const CONCURRENCY = 8;

async function json(res) {
  if (res.status === 429)
    throw new Error(
      `429 ${await res.text()}\nStart the backend with --config ../../bench/app-config.frontend-my-access.yaml (per-user limits off) to seed this many.`,
    );
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

const alice = (
  await json(
    await fetch(`${BASE}/api/auth/dev/refresh`, {
      headers: { 'x-dev-user': 'user:default/alice' },
    }),
  )
).backstageIdentity.token;

async function seedOne() {
  const { items } = await json(
    await fetch(`${BASE}/api/access/requests`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${ITSM}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        resources: [
          {
            entityRef: 'resource:default/orders-db-staging',
            permissions: ['read'],
          },
        ],
        requester: 'alice@acme.example',
      }),
    }),
  );
  await json(
    await fetch(`${BASE}/api/access/requests/${items[0].id}/revoke`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${alice}`,
        'Content-Type': 'application/json',
      },
      body: '{}',
    }),
  );
}

const seedStart = Date.now();
let done = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (done < N) {
      done++;
      await seedOne();
    }
  }),
);
const seedMs = Date.now() - seedStart;

const browser = await launchChromium();
const page = await (
  await browser.newContext({ viewport: { width: 1400, height: 1000 } })
).newPage();
await page.goto(BASE);
await page.getByRole('button', { name: 'Sign in as Alice Anderson' }).click();
await page
  .getByRole('link', { name: /catalog/i })
  .first()
  .waitFor();

const runs = [];
for (let i = 0; i < 5; i++) {
  const started = Date.now();
  await page.goto(`${BASE}/access`);
  await page
    .getByText('Revoked by the holder')
    .first()
    .waitFor({ timeout: 60_000 });
  runs.push(Date.now() - started);
}
const nodes = await page.evaluate(
  () => document.getElementsByTagName('*').length,
);
const heapMb = await page.evaluate(() =>
  performance.memory ? performance.memory.usedJSHeapSize / 1e6 : NaN,
);
// Next page of closed requests, as a user pages through 5,000.
const nextStarted = Date.now();
const next = page.getByRole('button', { name: /next/i }).last();
let nextMs = NaN;
if (await next.isVisible()) {
  await next.click();
  await page.waitForTimeout(50);
  await page.getByText('Revoked by the holder').first().waitFor();
  nextMs = Date.now() - nextStarted;
}
await browser.close();

runs.sort((a, b) => a - b);
const result = {
  closedRequests: N,
  seedSeconds: Math.round(seedMs / 100) / 10,
  myAccessLoadMs: { median: runs[2], min: runs[0], max: runs[4] },
  nextPageMs: nextMs,
  domNodes: nodes,
  jsHeapMb: Math.round(heapMb),
};
console.log(JSON.stringify(result, null, 2));
