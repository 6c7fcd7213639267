// End-to-end: the example app in real Chromium, as people use it.
// Run by scripts/e2e.sh, which builds the app and starts the backend (serving it on :7007)
// and the fake PagerDuty. Screenshots go to e2e-tests/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { submitReadRequest } from './requestDialog.mjs';

const BASE = process.env.E2E_BASE_URL ?? 'http://localhost:7007';
const SHOTS = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'screenshots',
);
mkdirSync(SHOTS, { recursive: true });

const browser = await launchChromium();

const results = [];
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - started });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`  ✕ ${name}\n${e.stack ?? e}`);
    throw e;
  }
}

/** A fresh browser profile signed in as one of the example users. */
async function signIn(displayName) {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  await page.goto(BASE);
  await page.getByRole('button', { name: `Sign in as ${displayName}` }).click();
  // Signed in once the app's sidebar is there.
  await page
    .getByRole('link', { name: /catalog/i })
    .first()
    .waitFor();
  return { page, context, errors };
}

const shot = (page, name) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/**
 * Opens an entity page and asks for read access through the access card; answers what the
 * dialog said and the new request's id (from its Details link).
 */
async function requestFromEntityPage(
  page,
  entityPath,
  justification,
  shotName,
) {
  await page.goto(`${BASE}/catalog/default/resource/${entityPath}`);
  await page.getByRole('button', { name: 'Request access' }).click();
  return submitReadRequest(page, justification, () => shot(page, shotName));
}

/** The Access page header's tabs (the sub-pages the signed-in user may see). */
async function headerTabs(page) {
  const header = page
    .getByRole('tablist')
    .filter({ has: page.getByRole('tab', { name: 'My Access' }) });
  await header.waitFor();
  return (await header.getByRole('tab').allInnerTexts()).map(t => t.trim());
}

/** The id of alice's request from the first step, which the admin looks for. */
let aliceRequestId;

let failed = false;
try {
  console.log('JIT Access end-to-end in Chromium');

  await step(
    'a requester asks for production database access from the entity page',
    async () => {
      const alice = await signIn('Alice Anderson');
      const { text, requestId } = await requestFromEntityPage(
        alice.page,
        'orders-db',
        'E2E: investigate order 42',
        '01-alice-requests-orders-db',
      );
      aliceRequestId = requestId;
      assert.match(
        text,
        /Pending Approval|waiting|approv/i,
        `expected a pending request, got: ${text}`,
      );
      assert.deepEqual(alice.errors, []);
      await alice.context.close();
    },
  );

  await step('the approver approves it on Approvals', async () => {
    const olivia = await signIn('Olivia Ortiz');
    await olivia.page.goto(`${BASE}/access/approvals`);
    const approve = olivia.page
      .getByRole('button', { name: /^Approve: alice/ })
      .first();
    await approve.waitFor();
    await shot(olivia.page, '02-olivia-approvals');
    await approve.click();
    const dialog = olivia.page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await olivia.page.getByText('Nothing is waiting for you').waitFor();
    await shot(olivia.page, '03-olivia-approved');
    assert.deepEqual(olivia.errors, []);
    await olivia.context.close();
  });

  await step(
    "the requester's My Access shows it Active with a countdown",
    async () => {
      const alice = await signIn('Alice Anderson');
      await alice.page.goto(`${BASE}/access`);
      const active = alice.page.getByRole('list', { name: 'Active access' });
      await active.getByText('orders-db').first().waitFor();
      const countdown = active.getByTestId('expiry-countdown').first();
      const before = await countdown.innerText();
      assert.match(
        before,
        /^(59m|1h|0h|[0-9]+m)/,
        `unexpected countdown ${before}`,
      );
      await alice.page.waitForTimeout(2100);
      const after = await countdown.innerText();
      assert.notEqual(after, before, 'the countdown should tick');
      await shot(alice.page, '04-alice-my-access');
      assert.deepEqual(alice.errors, []);
      await alice.context.close();
    },
  );

  await step('an on-call engineer is auto-approved at once', async () => {
    const sam = await signIn('Sam Singh');
    const { text } = await requestFromEntityPage(
      sam.page,
      'orders-db',
      'E2E: paged for INC-1042',
      '05-sam-auto-approved',
    );
    assert.match(text, /Active/, `expected Active at once, got: ${text}`);
    await sam.page.goto(`${BASE}/access`);
    await sam.page
      .getByRole('list', { name: 'Active access' })
      .getByText('orders-db')
      .first()
      .waitFor();
    await shot(sam.page, '06-sam-my-access');
    assert.deepEqual(sam.errors, []);
    await sam.context.close();
  });

  await step(
    'the requester picks from the resources on New Request, and has no Admin tab',
    async () => {
      const alice = await signIn('Alice Anderson');
      await alice.page.goto(`${BASE}/access/new`);
      const resources = alice.page.getByRole('table', { name: 'Resources' });
      const ordersDb = resources.getByRole('row').filter({
        has: alice.page.getByText('resource:default/orders-db', {
          exact: true,
        }),
      });
      await ordersDb.waitFor();
      // Something she can really ask for: a permission through a flow.
      assert.ok(
        (await ordersDb.getByRole('checkbox', { name: /^read via / }).count()) >
          0,
        `expected a read permission on orders-db, got: ${await ordersDb.innerText()}`,
      );
      await shot(alice.page, '07-alice-new-request');
      const tabs = await headerTabs(alice.page);
      assert.ok(tabs.includes('New Request'), `tabs: ${tabs.join(', ')}`);
      assert.ok(
        !tabs.includes('Admin'),
        `a non-admin should not see the Admin tab; tabs: ${tabs.join(', ')}`,
      );
      assert.deepEqual(alice.errors, []);
      await alice.context.close();
    },
  );

  await step(
    "the admin finds the requester's request among all requests on Admin",
    async () => {
      const pat = await signIn('Pat Park');
      await pat.page.goto(`${BASE}/access/admin`);
      const all = pat.page.getByRole('table', { name: 'All access requests' });
      const row = all.getByRole('row').filter({
        has: pat.page.locator(`a[href$="/access/requests/${aliceRequestId}"]`),
      });
      await row.waitFor();
      const text = await row.innerText();
      assert.match(text, /alice/i, `expected alice's request, got: ${text}`);
      assert.match(
        text,
        /orders-db|Orders database \(prod\)/,
        `expected orders-db, got: ${text}`,
      );
      assert.match(text, /Active/, `expected it Active, got: ${text}`);
      await shot(pat.page, '08-pat-admin');
      const tabs = await headerTabs(pat.page);
      assert.ok(
        tabs.includes('Admin'),
        `an admin should see the Admin tab; tabs: ${tabs.join(', ')}`,
      );
      assert.deepEqual(pat.errors, []);
      await pat.context.close();
    },
  );
} catch {
  failed = true;
} finally {
  await browser.close();
}

const passed = results.filter(r => r.ok).length;
const total = 6;
console.log(`browser: ${passed} passed, ${total - passed} failed`);
mkdirSync(path.join(SHOTS, '..', 'logs'), { recursive: true });
writeFileSync(
  path.join(SHOTS, '..', 'logs', 'results.json'),
  JSON.stringify({ passed, failed: total - passed, steps: results }, null, 2),
);
console.log(`screenshots: ${SHOTS}`);
process.exit(failed ? 1 : 0);
