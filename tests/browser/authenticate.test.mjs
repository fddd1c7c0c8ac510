// The hosted 3-D Secure page, as a customer meets it: a SetupIntent for a card that needs
// authentication is confirmed through the API, the next_action link is opened in Chromium,
// and the customer approves or fails. The outcome is checked through the API.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, launchBrowser, screenshot, startPortico, startReturnServer, viewports } from './lib.mjs';

let portico;
let browser;
let app;

before(async () => {
  portico = await startPortico();
  browser = await launchBrowser();
  app = await startReturnServer();
});

after(async () => {
  await browser?.close();
  await app?.close();
  await portico?.stop();
});

async function intentNeedingAuthentication(api, card, extra = {}) {
  const customer = (await api.post('/v1/customers', { email: 'ada@example.com' })).json;
  const si = await api.post('/v1/setup_intents', { customer: customer.id, payment_method: card, confirm: true, ...extra });
  assert.equal(si.status, 200, JSON.stringify(si.json));
  assert.equal(si.json.status, 'requires_action');
  assert.equal(si.json.next_action.type, 'redirect_to_url');
  return { customer, si: si.json };
}

test('approving authentication completes the SetupIntent and returns to the app', async () => {
  const api = apiClient(portico.base);
  const { customer, si } = await intentNeedingAuthentication(api, 'pm_card_authenticationRequired', { return_url: `${app.url}/billing/done` });
  const link = si.next_action.redirect_to_url.url;
  assert.ok(link.startsWith(`${portico.base}/p/authenticate/`), link);

  for (const [name, viewport] of Object.entries(viewports)) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const res = await page.goto(link);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-security-policy'], /frame-ancestors 'none'/);
    await page.getByRole('heading', { name: 'Authenticate your card' }).waitFor();
    assert.match(await page.textContent('body'), /Visa ending in 3184/);
    await screenshot(page, `authenticate-challenge-${name}`);
    await context.close();
  }

  const context = await browser.newContext({ viewport: viewports.desktop });
  const page = await context.newPage();
  await page.goto(link);
  // Keyboard only: the first button takes focus with Tab and submits with Enter.
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  assert.equal(focused, 'Complete authentication');
  await Promise.all([page.waitForURL(`${app.url}/**`), page.keyboard.press('Enter')]);
  const landed = new URL(page.url());
  assert.equal(landed.pathname, '/billing/done');
  assert.equal(landed.searchParams.get('setup_intent'), si.id);
  assert.equal(landed.searchParams.get('setup_intent_client_secret'), si.client_secret);
  assert.equal(landed.searchParams.get('redirect_status'), 'succeeded');
  await context.close();

  const after = (await api.get(`/v1/setup_intents/${si.id}`)).json;
  assert.equal(after.status, 'succeeded');
  assert.equal(after.next_action, null);
  const pm = (await api.get(`/v1/payment_methods/${after.payment_method}`)).json;
  assert.equal(pm.customer, customer.id, 'the card is saved to the customer');

  // The link is spent.
  const again = await browser.newPage();
  const res = await again.goto(link);
  assert.equal(res.status(), 404);
  await again.getByRole('heading', { name: 'This link is no longer valid' }).waitFor();
  await screenshot(again, 'authenticate-link-spent-desktop');
  await again.close();
});

test('failing authentication sends the SetupIntent back to requires_payment_method', async () => {
  const api = apiClient(portico.base);
  const { si } = await intentNeedingAuthentication(api, 'pm_card_authenticationRequiredOnSetup');
  const page = await browser.newPage({ viewport: viewports.phone });
  await page.goto(si.next_action.redirect_to_url.url);
  await page.getByRole('button', { name: 'Fail authentication' }).click();
  await page.getByRole('heading', { name: 'Authentication failed' }).waitFor();
  await screenshot(page, 'authenticate-failed-phone');
  await page.close();

  const after = (await api.get(`/v1/setup_intents/${si.id}`)).json;
  assert.equal(after.status, 'requires_payment_method');
  assert.equal(after.payment_method, null);
  assert.equal(after.last_setup_error.code, 'setup_intent_authentication_failure');
});

test('approving without a return_url shows the outcome on Portico', async () => {
  const api = apiClient(portico.base);
  const { si } = await intentNeedingAuthentication(api, 'pm_card_authenticationRequiredOnSetup');
  const page = await browser.newPage({ viewport: viewports.desktop });
  await page.goto(si.next_action.redirect_to_url.url);
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await page.getByRole('heading', { name: 'Authentication complete' }).waitFor();
  await screenshot(page, 'authenticate-complete-desktop');
  await page.close();
  assert.equal((await api.get(`/v1/setup_intents/${si.id}`)).json.status, 'succeeded');
});

test('a form posted without the browser\'s CSRF cookie is refused', async () => {
  const api = apiClient(portico.base);
  const { si } = await intentNeedingAuthentication(api, 'pm_card_authenticationRequired');
  const res = await fetch(si.next_action.redirect_to_url.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'outcome=approve&csrf=forged',
    redirect: 'manual',
  });
  assert.equal(res.status, 403);
  assert.equal((await api.get(`/v1/setup_intents/${si.id}`)).json.status, 'requires_action', 'nothing changed');
});

test('unknown and foreign links get a clear page, never the API', async () => {
  const page = await browser.newPage();
  const res = await page.goto(`${portico.base}/p/authenticate/not-a-real-token`);
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: 'This link is no longer valid' }).waitFor();
  const other = await page.goto(`${portico.base}/p/nothing-here`);
  assert.equal(other.status(), 404);
  assert.match(other.headers()['content-type'], /text\/html/);
  await page.close();
});

test('a subscription\'s first payment that needs 3-D Secure is completed on the hosted page', async () => {
  const api = apiClient(portico.base);
  const product = (await api.post('/v1/products', { name: 'Team', default_price_data: { currency: 'usd', unit_amount: 2500, recurring: { interval: 'month' } } })).json;
  const customer = (await api.post('/v1/customers', { payment_method: 'pm_card_authenticationRequired', invoice_settings: { default_payment_method: 'pm_card_authenticationRequired' } })).json;
  const created = await api.post('/v1/subscriptions', { customer: customer.id, items: [{ price: product.default_price }], expand: ['latest_invoice'] });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  const sub = created.json;
  assert.equal(sub.status, 'incomplete');
  const link = sub.latest_invoice.hosted_invoice_url;
  assert.ok(link.startsWith(`${portico.base}/p/invoice/`), link);

  // The invoice's hosted page leads on to the authentication page, and back.
  const page = await browser.newPage({ viewport: viewports.desktop });
  await page.goto(link);
  await page.getByRole('link', { name: 'Complete payment' }).click();
  await page.getByRole('heading', { name: 'Authenticate your card' }).waitFor();
  assert.match(await page.textContent('body'), /\$25\.00/);
  assert.match(await page.textContent('body'), /Invoice [A-Z0-9]+-0001/);
  await screenshot(page, 'authenticate-invoice-desktop');
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await page.getByText('This invoice is paid. Thank you!').waitFor();
  assert.equal(page.url(), link);
  await page.close();

  const invoice = (await api.get(`/v1/invoices/${sub.latest_invoice.id}`)).json;
  assert.equal(invoice.status, 'paid');
  assert.equal(invoice.hosted_invoice_url, link);
  assert.equal((await api.get(`/v1/subscriptions/${sub.id}`)).json.status, 'active');
  const types = (await api.get('/v1/events', { limit: 100 })).json.data.map((e) => e.type);
  assert.ok(types.includes('invoice.payment_action_required'));
  assert.equal(types[0], 'customer.subscription.updated');
});
