// The operator dashboard in Chromium: signing in (secret key, operators' password), portal
// settings saved through the API, the deep-link builder and its code, the state browser, events
// with their webhook deliveries, and test clocks. The first test is the whole story: change the
// cancel mode, build a cancel link, complete it in the portal, find the event and its delivery.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { apiClient } from './lib.mjs';
import { open, portalSuite, shoot, subscribedCustomer } from './portal-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD = 'operators-only-9f2c';

let browser;
let app;
let biz;
let portico;
portalSuite({ serve: ['--admin-password', PASSWORD] }, (e) => ({ browser, app, biz, portico } = e));

/** A browser signed in to the dashboard with `key` (the seeded business's by default). */
async function signIn(key = biz.api.key) {
  const { context, page } = await open(browser, `${portico.base}/dashboard`);
  await page.getByLabel('Secret key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return { context, page };
}

const go = (page, p) => page.goto(`${portico.base}${p}`);

test('change the cancel mode, build a cancel link, complete it, and find its event and webhook delivery', async () => {
  const { customer, sub } = await subscribedCustomer(biz, { email: 'story@example.com', name: 'Story Customer' });
  await biz.ok(biz.api.post('/v1/webhook_endpoints', { url: `${app.url}/hooks`, enabled_events: ['*'] }));
  const { context, page } = await signIn();
  await shoot(page, 'dashboard-home');

  // 1. The cancel mode, in the configuration the business uses.
  await go(page, `/dashboard/settings/${biz.config.id}`);
  assert.ok(await page.locator('.preview .pv-later').isVisible());
  await page.getByRole('radio', { name: 'Immediately' }).check();
  // The preview follows the form before anything is saved.
  assert.ok(await page.locator('.preview .pv-now').isVisible());
  assert.ok(!(await page.locator('.preview .pv-later').isVisible()));
  await page.getByRole('checkbox', { name: 'Show the invoice history' }).uncheck();
  assert.ok(!(await page.locator('.preview .pv-invoices').isVisible()));
  await page.getByRole('checkbox', { name: 'Show the invoice history' }).check();
  assert.ok(await page.locator('.preview .pv-invoices').isVisible());
  await shoot(page, 'dashboard-settings');
  await page.getByRole('button', { name: 'Save configuration' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const config = (await biz.api.get(`/v1/billing_portal/configurations/${biz.config.id}`)).json;
  assert.equal(config.features.subscription_cancel.mode, 'immediately');
  // Everything else the form showed was saved back unchanged.
  assert.deepEqual(config.features.subscription_cancel.cancellation_reason.options.sort(), biz.config.features.subscription_cancel.cancellation_reason.options.sort());
  assert.deepEqual(config.features.subscription_update.products.map((p) => p.prices.sort()), biz.config.features.subscription_update.products.map((p) => p.prices.sort()));
  assert.equal(config.business_profile.headline, biz.config.business_profile.headline);
  const updated = (await biz.api.get('/v1/events', { type: 'billing_portal.configuration.updated' })).json.data;
  assert.ok(updated.length >= 1, 'billing_portal.configuration.updated was emitted');
  assert.equal(updated[0].data.object.features.subscription_cancel.mode, 'immediately');

  // 2. A cancel deep link from the builder.
  await go(page, '/dashboard/links');
  await page.getByLabel('Customer', { exact: true }).fill(customer.id);
  await page.getByRole('button', { name: 'Load their subscriptions' }).click();
  await page.getByText('story@example.com · 1 subscription').waitFor();
  await page.getByLabel('Configuration').selectOption(biz.config.id);
  await page.getByLabel('Flow type').selectOption('subscription_cancel');
  await page.getByLabel(/^Subscription/).selectOption(sub.id);
  await page.getByLabel('Then').selectOption('hosted_confirmation');
  await page.getByLabel('Message (confirmation page)').fill('Sorry to see you go.');
  await page.getByRole('button', { name: 'Create the link' }).click();
  const url = await page.getByLabel('Session URL').inputValue();
  assert.match(url, /\/p\/session\/test_/);
  const curl = await page.locator('details', { hasText: 'curl' }).locator('pre').textContent();
  assert.match(curl, /-d 'flow_data\[type\]=subscription_cancel'/);
  assert.match(curl, new RegExp(`flow_data\\[subscription_cancel\\]\\[subscription\\]=${sub.id}`));
  await shoot(page, 'dashboard-builder');

  // 3. The customer completes it in the portal (in a browser of their own).
  const portal = await open(browser, url);
  await portal.page.getByRole('heading', { name: 'Cancel your subscription' }).waitFor();
  await portal.page.getByRole('button', { name: 'Cancel subscription' }).click();
  // Canceled; then the survey.
  await portal.page.getByRole('radio', { name: "It's too expensive" }).check();
  await portal.page.getByRole('button', { name: 'Continue' }).click();
  await portal.page.waitForURL((u) => !u.search.includes('step=reason'));
  await portal.page.getByRole('heading', { name: 'Subscription canceled' }).waitFor();
  assert.match(await portal.page.textContent('main'), /Sorry to see you go\./);
  await portal.context.close();
  const after = (await biz.api.get(`/v1/subscriptions/${sub.id}`)).json;
  assert.equal(after.status, 'canceled', 'canceled at once: the mode set in the dashboard applied');

  // 4. The event and its webhook delivery, in the dashboard.
  await go(page, '/dashboard/events?type=customer.subscription.deleted');
  const eventLink = page.getByRole('link', { name: 'customer.subscription.deleted' });
  await eventLink.first().click();
  await page.getByRole('link', { name: sub.id }).waitFor();
  const deadline = Date.now() + 15_000;
  while ((await page.locator('.badge', { hasText: 'succeeded' }).count()) === 0) {
    assert.ok(Date.now() < deadline, 'the delivery succeeded within 15 s');
    await new Promise((r) => setTimeout(r, 300));
    await page.reload();
  }
  await shoot(page, 'dashboard-event');
  // The event log says it was delivered (and says so apart from an event no endpoint took).
  await go(page, '/dashboard/events?type=customer.subscription.deleted');
  const row = page.locator('tr', { has: page.getByRole('link', { name: 'customer.subscription.deleted' }) }).first();
  assert.equal(await row.locator('.badge').textContent(), 'delivered');
  await go(page, '/dashboard/events?type=billing_portal.configuration.updated');
  const quiet = page.locator('tr', { has: page.getByRole('link', { name: 'billing_portal.configuration.updated' }) }).first();
  assert.match(await quiet.locator('.badge').textContent(), /^(delivered|no endpoint)$/);
  await go(page, '/dashboard/events?type=customer.subscription.deleted');
  await eventLink.first().click();
  await page.getByRole('link', { name: sub.id }).waitFor();
  await page.locator('table a[href*="/deliveries/"]').first().click();
  await page.getByRole('heading', { name: /Attempt 1 · HTTP 200/ }).waitFor();
  await shoot(page, 'dashboard-delivery');
  assert.ok(app.hits.includes('/hooks'), 'the endpoint was called');

  // Resending queues a new delivery of the same event to the endpoint.
  await page.getByRole('link', { name: /^evt_/ }).first().click();
  const before = await page.locator('table a[href*="/deliveries/"]').count();
  await page.getByRole('button', { name: 'Resend' }).click();
  await page.getByRole('status').filter({ hasText: 'Queued' }).waitFor();
  assert.equal(await page.locator('table a[href*="/deliveries/"]').count(), before + 1);
  await context.close();
});

test('signing in: a secret key opens its own account only; forms need their token; signing out ends it', async () => {
  // Not signed in: every page leads to the sign-in page.
  const anon = await fetch(`${portico.base}/dashboard/objects/customers`, { redirect: 'manual' });
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.get('location'), '/dashboard/login');

  const { context, page } = await open(browser, `${portico.base}/dashboard/login`);
  await page.getByLabel('Secret key').fill('pk_test_publishable');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Sign in with a secret key' }).waitFor();
  await shoot(page, 'dashboard-login');
  await context.close();

  // Another account's objects are not found from this one.
  const other = apiClient(portico.base);
  const theirs = (await other.post('/v1/customers', { email: 'someone-else@example.com' })).json;
  const { context: c2, page: p2 } = await signIn();
  const r = await go(p2, `/dashboard/objects/customers/${theirs.id}`);
  assert.equal(r.status(), 404);
  assert.doesNotMatch(await p2.textContent('body'), /someone-else/);
  await go(p2, '/dashboard/objects/customers?q=someone-else@example.com');
  assert.match(await p2.textContent('main'), /Nothing to show/);
  // The pages carry the portal's security headers.
  const h = r.headers();
  assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(h['x-frame-options'], 'DENY');
  assert.match(h['server-timing'], /total;dur=/);

  // A form posted without this sign-in's token changes nothing.
  const cookies = await c2.cookies();
  const session = cookies.find((c) => c.name === 'portico_dashboard');
  assert.ok(session?.httpOnly && session.sameSite === 'Strict', JSON.stringify(session));
  const forged = await fetch(`${portico.base}/dashboard/settings/${biz.config.id}`, {
    method: 'POST',
    headers: { cookie: `portico_dashboard=${session.value}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'csrf=wrong&name=Hijacked',
  });
  assert.equal(forged.status, 403);
  const cfg = (await biz.api.get(`/v1/billing_portal/configurations/${biz.config.id}`)).json;
  assert.notEqual(cfg.name, 'Hijacked');

  await p2.getByRole('button', { name: 'Sign out' }).click();
  await p2.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
  const reused = await fetch(`${portico.base}/dashboard/home`, { headers: { cookie: `portico_dashboard=${session.value}` }, redirect: 'manual' });
  assert.equal(reused.status, 303, 'the signed-out session no longer opens the dashboard');
  await c2.close();
});

test('operators sign in with the password and switch between accounts', async () => {
  const { context, page } = await open(browser, `${portico.base}/dashboard/login`);
  await page.getByLabel("Operators' password").fill('not it');
  await page.getByRole('button', { name: 'Sign in as an operator' }).click();
  await page.getByRole('alert').filter({ hasText: 'That password is not right.' }).waitFor();
  await page.getByLabel("Operators' password").fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in as an operator' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  // Two accounts with a customer each; the operator reaches both by switching.
  const other = apiClient(portico.base);
  const theirs = (await other.post('/v1/customers', { email: 'operator-view@example.com' })).json;
  const ours = (await biz.api.get('/v1/customers', { limit: 1 })).json.data[0];
  await go(page, '/dashboard/accounts');
  const n = await page.locator('table tbody tr').count();
  assert.ok(n >= 2, `several accounts listed (${n})`);
  const reached = new Set();
  // The list is newest first, and on a database other suites share it holds hundreds: start
  // from the top (this test's) and stop once both customers were reached.
  for (let i = 0; i < n && !(reached.has(ours.id) && reached.has(theirs.id)); i++) {
    await go(page, '/dashboard/accounts');
    const button = page.locator('table tbody tr').nth(i).getByRole('button', { name: 'Open' });
    if ((await button.count()) === 1) {
      await button.click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
    }
    for (const c of [ours, theirs]) {
      const r = await go(page, `/dashboard/objects/customers/${c.id}`);
      if (r.status() === 200) reached.add(c.id);
    }
  }
  const found = reached.has(ours.id) && reached.has(theirs.id);
  assert.ok(found, 'switching accounts reached the business');
  // The screenshot is of the list itself, not of the last page the search above opened.
  await go(page, '/dashboard/accounts');
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  await shoot(page, 'dashboard-accounts');
  await context.close();
});

test('the state browser lists, searches by id and email, and shows each kind with its JSON', async () => {
  const { customer, sub } = await subscribedCustomer(biz, { email: 'browse@example.com', name: 'Browse Me' });
  const { context, page } = await signIn();
  await go(page, '/dashboard/objects/customers?q=browse@example.com');
  await page.getByRole('link', { name: /Browse Me/ }).click();
  await page.getByRole('heading', { name: 'Browse Me' }).waitFor();
  assert.match(await page.locator('pre.json').textContent(), new RegExp(`"id": "${customer.id}"`));
  await shoot(page, 'dashboard-customer');
  // A customer's portal sessions, found among everyone's: on their page and in the list
  // filtered by them, and not another customer's.
  const session = async (c) => {
    const r = await biz.api.post('/v1/billing_portal/sessions', { customer: c, configuration: biz.config.id });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json;
  };
  const mine = await session(customer.id);
  const theirs = await session((await biz.api.post('/v1/customers', { email: 'someone-else@example.com' })).json.id);
  await go(page, `/dashboard/objects/customers/${customer.id}`);
  await page.getByRole('heading', { name: 'Portal sessions' }).waitFor();
  assert.equal(await page.getByRole('link', { name: mine.id, exact: true }).count(), 1, 'their session is on their page');
  assert.equal(await page.getByRole('link', { name: theirs.id, exact: true }).count(), 0);
  await shoot(page, 'dashboard-customer-sessions');
  await go(page, `/dashboard/objects/portal_sessions?customer=${customer.id}`);
  const listed = await page.locator('table tbody').textContent();
  assert.ok(listed.includes(mine.id) && !listed.includes(theirs.id), listed);
  // An id typed into any list's search leads to that object's page.
  await go(page, `/dashboard/objects/invoices?q=${sub.id}`);
  await page.getByRole('heading', { name: `Subscription ${sub.id}` }).waitFor();
  await page.getByRole('heading', { name: 'Items' }).waitFor();
  assert.match(await page.textContent('body'), /Collection\s*collecting/);
  await shoot(page, 'dashboard-subscription');
  await biz.ok(biz.api.post(`/v1/subscriptions/${sub.id}`, { pause_collection: { behavior: 'void' } }));
  await page.reload();
  assert.match(await page.textContent('body'), /Collection\s*paused \(void\)/);
  // By email, the invoices of that customer.
  await go(page, '/dashboard/objects/invoices?q=browse@example.com');
  const invoices = page.locator('table tbody tr');
  assert.equal(await invoices.count(), 1);
  await invoices.first().getByRole('link').first().click();
  await page.getByRole('heading', { name: 'Lines' }).waitFor();
  await shoot(page, 'dashboard-invoice');
  // The customer's page of it, as the API gives it.
  const hosted = page.getByRole('link', { name: "Open the customer's page" });
  const shown = (await biz.api.get(`/v1/invoices/${sub.latest_invoice.id ?? sub.latest_invoice}`)).json;
  assert.equal(await hosted.getAttribute('href'), shown.hosted_invoice_url);
  for (const kind of ['customers', 'subscriptions', 'invoices', 'invoice_items', 'payment_methods', 'coupons', 'promotion_codes', 'portal_sessions', 'subscription_schedules']) {
    const r = await go(page, `/dashboard/objects/${kind}`);
    assert.equal(r.status(), 200, kind);
  }
  // A pending invoice item: on its customer's page, in the list, and on a page of its own.
  const fee = await biz.ok(biz.api.post('/v1/invoiceitems', { customer: customer.id, amount: 4500, currency: 'usd', description: 'Onboarding call' }));
  await go(page, `/dashboard/objects/customers/${customer.id}`);
  await page.getByRole('heading', { name: 'Invoice items' }).waitFor();
  await go(page, `/dashboard/objects/invoice_items?customer=${customer.id}`);
  assert.match(await page.locator('table tbody').textContent(), /Onboarding call.*USD 45\.00.*pending/s);
  await page.getByRole('link', { name: new RegExp(fee.id) }).click();
  await page.getByRole('heading', { name: 'Invoice item Onboarding call' }).waitFor();
  assert.match(await page.textContent('body'), /pending: the customer's next invoice takes it/);
  await shoot(page, 'dashboard-invoice-item');
  // The customer's balance ledger, on their page.
  await biz.ok(biz.api.post(`/v1/customers/${customer.id}/balance_transactions`, { amount: -1500, currency: 'usd', description: 'Goodwill' }));
  await go(page, `/dashboard/objects/customers/${customer.id}`);
  await page.getByRole('heading', { name: 'Balance transactions' }).waitFor();
  const ledger = page.locator('table').filter({ hasText: 'Balance after' });
  assert.match(await ledger.textContent(), /adjustment.*-USD 15\.00.*Goodwill/s);
  await shoot(page, 'dashboard-customer-ledger');
  await go(page, '/dashboard/objects/promotion_codes');
  await page.getByRole('link', { name: /WELCOME10/ }).click();
  await page.getByRole('heading', { name: 'Promotion code WELCOME10' }).waitFor();
  const missing = await go(page, '/dashboard/objects/customers/cus_doesnotexist');
  assert.equal(missing.status(), 404);
  assert.match(await page.textContent('body'), /No such customer/);
  await context.close();
});

test('settings the API refuses are not saved, and the page says which parameter', async () => {
  const { context, page } = await signIn();
  await go(page, `/dashboard/settings/${biz.config.id}`);
  const before = (await biz.api.get(`/v1/billing_portal/configurations/${biz.config.id}`)).json;
  // A quantity range that cannot be: at least 5, at most 2.
  const product = page.locator('.product').first();
  await product.getByRole('checkbox', { name: 'Adjustable quantity' }).check();
  await product.getByLabel('min').fill('5');
  await product.getByLabel('max').fill('2');
  await page.getByLabel('Name', { exact: true }).fill('Should not stick');
  await page.getByRole('button', { name: 'Save configuration' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Not saved\..*The maximum quantity \(2\) must be at least the minimum \(5\).*features\[subscription_update\]\[products\]\[0\]\[adjustable_quantity\]\[maximum\]/);
  await shoot(page, 'dashboard-settings-error');
  const afterwards = (await biz.api.get(`/v1/billing_portal/configurations/${biz.config.id}`)).json;
  assert.equal(afterwards.name, before.name);
  assert.deepEqual(afterwards.features, before.features);
  await context.close();
});

test('branding saved in the dashboard shows in the portal', async () => {
  const { context, page } = await signIn();
  await go(page, '/dashboard/settings');
  await page.getByLabel('Business name').fill('Widget Works');
  await page.getByLabel('Logo (PNG, JPEG, GIF, WebP or SVG, at most 256 KiB)').setInputFiles({
    name: 'logo.svg', mimeType: 'image/svg+xml',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32"><rect width="120" height="32" fill="#0a7"/></svg>'),
  });
  await page.getByRole('button', { name: 'Save branding' }).click();
  await page.getByRole('status').filter({ hasText: 'Branding saved' }).waitFor();
  const { customer } = await subscribedCustomer(biz, { email: 'brand@example.com' });
  const s = (await biz.api.post('/v1/billing_portal/sessions', { customer: customer.id, configuration: biz.config.id })).json;
  const portal = await open(browser, s.url);
  await portal.page.getByRole('img', { name: 'Widget Works' }).waitFor();
  await portal.context.close();
  await context.close();
});

test('the builder’s stripe-node code makes the same kind of session', async () => {
  const { customer, sub } = await subscribedCustomer(biz, { email: 'snippet@example.com' });
  const { context, page } = await signIn();
  await go(page, `/dashboard/links?customer=${customer.id}`);
  await page.getByLabel('Configuration').selectOption(biz.config.id);
  await page.getByLabel('Flow type').selectOption('subscription_update_confirm');
  await page.getByLabel(/^Subscription/).selectOption(sub.id);
  // Each price is named with its product.
  const option = await page.getByLabel('New price').locator(`option[value="${biz.pro.prices.year.id}"]`).textContent();
  assert.match(option, /^Pro · /, option);
  await page.getByLabel('New price').selectOption(biz.pro.prices.year.id);
  await page.getByLabel('Quantity').fill('2');
  await page.getByLabel('Then').selectOption('redirect');
  await page.getByLabel('Redirect URL (redirect)').fill(`${app.url}/done?x=1`);
  await page.getByRole('button', { name: 'Create the link' }).click();
  await page.getByLabel('Session URL').waitFor();
  await page.locator('summary', { hasText: 'stripe-node' }).click();
  const code = await page.locator('details', { hasText: 'stripe-node' }).locator('pre').textContent();
  const dir = mkdtempSync(path.join(here, '.snippet-'));
  try {
    writeFileSync(path.join(dir, 'make.mjs'), code);
    const out = execFileSync(process.execPath, [path.join(dir, 'make.mjs')], {
      env: { ...process.env, STRIPE_SECRET_KEY: biz.api.key }, encoding: 'utf8', cwd: here,
    }).trim();
    assert.match(out, /^http:\/\/127\.0\.0\.1:\d+\/p\/session\/test_/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sessions = (await biz.api.get('/v1/events', { type: 'billing_portal.session.created', limit: 2 })).json.data.map((e) => e.data.object);
  assert.equal(sessions.length, 2);
  assert.deepEqual(sessions[0].flow, sessions[1].flow, 'the code made the same flow the builder did');
  assert.equal(sessions[0].flow.subscription_update_confirm.items[0].quantity, 2);
  await context.close();
});

test('test clocks: create one, advance it with one click, and see what changed', async () => {
  const { context, page } = await signIn();
  await go(page, '/dashboard/clocks');
  await page.getByLabel('Name', { exact: true }).fill('Renewals');
  await page.getByLabel('Starts at (UTC)').fill('2027-03-01T09:00');
  await page.getByRole('button', { name: 'Create clock' }).click();
  await page.getByRole('heading', { name: 'Renewals' }).waitFor();
  const clockId = page.url().split('/').pop();
  await subscribedCustomer(biz, { email: 'clock@example.com', clock: clockId });
  await page.reload();
  await page.getByRole('link', { name: /^cus_/ }).waitFor();
  await page.getByRole('button', { name: '+1 month' }).click();
  await page.getByRole('heading', { name: 'What the advance changed' }).waitFor();
  let changed = await page.locator('.panel').textContent();
  assert.match(changed, /2027-03-01 09:00:00 UTC → 2027-04-01 09:00:00 UTC/);
  assert.match(changed, /invoice\.created/);
  assert.match(changed, /customer\.subscription\.updated/);
  assert.doesNotMatch(changed, /invoice\.paid/, 'the renewal waits an hour as a draft');
  await shoot(page, 'dashboard-clock');
  await page.getByRole('button', { name: '+1 hour' }).click();
  await page.getByText('2027-04-01 09:00:00 UTC → 2027-04-01 10:00:00 UTC').waitFor();
  changed = await page.locator('.panel').textContent();
  assert.match(changed, /invoice\.finalized/);
  assert.match(changed, /invoice\.paid/);
  await context.close();
});

test('every dashboard page answers within 50 ms of server time here, and fits the screen', async () => {
  const { context, page } = await signIn();
  const slow = [];
  for (const p of ['/dashboard/home', '/dashboard/settings', `/dashboard/settings/${biz.config.id}`, '/dashboard/links', '/dashboard/objects/customers',
    '/dashboard/objects/subscriptions', '/dashboard/objects/invoices', '/dashboard/events', '/dashboard/webhooks', '/dashboard/clocks']) {
    const r = await go(page, p);
    assert.equal(r.status(), 200, p);
    const ms = Number(/dur=([\d.]+)/.exec(r.headers()['server-timing'])[1]);
    if (ms > 50) slow.push(`${p}: ${ms} ms`);
    await shoot(page, `dashboard-page${p.replace(/^\/dashboard/, '').replace(biz.config.id, 'configuration').replaceAll('/', '-')}`);
  }
  // A debug build on a shared machine: report, and fail only on something far off.
  assert.ok(slow.length <= 2, slow.join(', '));
  await context.close();
});
