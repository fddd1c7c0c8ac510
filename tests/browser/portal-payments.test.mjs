// Payments inside the portal, in Chromium: declined cards shown inline, 3-D Secure through the
// hosted authentication page (approved and failed), and plan changes that charge now — a
// decline changes nothing until another card pays; authentication keeps the change pending
// until it is done, and a failed one drops it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventCount, eventTypes, fillCard, open, portalSuite, session, shoot, subscribedCustomer } from './portal-lib.mjs';

let browser;
let app;
let biz;
// Plan changes are invoiced and charged at once.
portalSuite({ seed: { proration: 'always_invoice' } }, (e) => ({ browser, app, biz } = e));

/** Attaches a new card (a test token or a number) and makes it the customer's default. */
async function switchDefault(customer, card) {
  const pm = card.startsWith('pm_')
    ? (await biz.api.post(`/v1/payment_methods/${card}/attach`, { customer: customer.id })).json
    : (await biz.api.post('/v1/payment_methods', { type: 'card', card: { number: card, exp_month: 12, exp_year: 2034 } })).json;
  if (!card.startsWith('pm_')) await biz.api.post(`/v1/payment_methods/${pm.id}/attach`, { customer: customer.id });
  const r = await biz.api.post(`/v1/customers/${customer.id}`, { invoice_settings: { default_payment_method: pm.id } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
}

async function cardFlow(customer) {
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account`, flow_data: { type: 'payment_method_update' } });
  const opened = await open(browser, s.url);
  await opened.page.getByRole('heading', { name: 'Update your payment method' }).waitFor();
  return opened;
}

async function defaultCard(customer) {
  const c = (await biz.api.get(`/v1/customers/${customer.id}`, { expand: ['invoice_settings.default_payment_method'] })).json;
  return c.invoice_settings.default_payment_method?.card?.last4;
}

test('declined and invalid cards are shown inline and change nothing', async () => {
  const { customer } = await subscribedCustomer(biz);
  const { context, page } = await cardFlow(customer);
  const cases = [
    ['4000000000000002', 'Your card was declined.', 402],
    ['4000000000009995', 'Your card has insufficient funds.', 402],
    ['4000000000000069', 'Your card has expired.', 402],
    ['4242424242424241', 'Your card number is invalid.', 402],
  ];
  for (const [number, message, status] of cases) {
    await fillCard(page, number);
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Update payment method' }).click()]);
    assert.equal(res.status(), status, number);
    assert.equal((await page.getByRole('alert').textContent()).trim(), message, number);
  }
  await shoot(page, 'portal-card-declined');
  await fillCard(page, '4242424242424242', { expiry: '13/30' });
  await page.getByRole('button', { name: 'Update payment method' }).click();
  assert.equal((await page.getByRole('alert').textContent()).trim(), "Your card's expiration date is invalid.");
  assert.equal(await defaultCard(customer), '4242');
  const pms = (await biz.api.get(`/v1/customers/${customer.id}/payment_methods`)).json.data;
  assert.equal(pms.length, 1, 'no declined card was attached');
  await context.close();
});

test('a card that needs 3-D Secure: approved, it becomes the default', async () => {
  const { customer } = await subscribedCustomer(biz);
  const { context, page } = await cardFlow(customer);
  const before = await eventCount(biz.api);
  await fillCard(page, '4000 0027 6000 3184');
  await page.getByRole('button', { name: 'Update payment method' }).click();
  await page.getByRole('heading', { name: 'Authenticate your card' }).waitFor();
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await page.getByRole('heading', { name: 'Payment method updated' }).waitFor();
  assert.match(await page.textContent('main'), /Visa ending in 3184/);
  assert.equal(await defaultCard(customer), '3184');
  assert.deepEqual(await eventTypes(biz.api, { after: before }), [
    'setup_intent.created', 'setup_intent.requires_action', 'setup_intent.succeeded', 'payment_method.attached', 'customer.updated']);
  await context.close();
});

test('a card that needs 3-D Secure: failed, the form says so and nothing changes', async () => {
  const { customer } = await subscribedCustomer(biz);
  const { context, page } = await cardFlow(customer);
  await fillCard(page, '4000002760003184');
  await page.getByRole('button', { name: 'Update payment method' }).click();
  await page.getByRole('button', { name: 'Fail authentication' }).click();
  await page.getByRole('heading', { name: 'Update your payment method' }).waitFor();
  assert.match(await page.getByRole('alert').textContent(), /could not authenticate/);
  await shoot(page, 'portal-card-authentication-failed');
  assert.equal(await defaultCard(customer), '4242');
  // The flow is still open: another card works.
  await fillCard(page, '4242424242424242');
  await page.getByRole('button', { name: 'Update payment method' }).click();
  await page.getByRole('heading', { name: 'Payment method updated' }).waitFor();
  await context.close();
});

async function upgradeToTeam(page) {
  await page.getByRole('radio', { name: /Team/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Confirm your new plan' }).waitFor();
  // Always invoiced: the difference is due today.
  assert.match(await page.locator('#due-today').textContent(), /^\$2[45]\.\d\d$/);
  await page.getByRole('button', { name: 'Confirm' }).click();
}

test('a plan change that ends a trial on a declined card changes nothing', async () => {
  const { customer, sub } = await subscribedCustomer(biz, { trial: 14 });
  assert.equal(sub.status, 'trialing');
  await switchDefault(customer, 'pm_card_chargeCustomerFail');
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account`,
    flow_data: { type: 'subscription_update', subscription_update: { subscription: sub.id } } });
  const { context, page } = await open(browser, s.url);
  const before = (await biz.api.get('/v1/events', { limit: 1 })).json.data[0].id;
  await page.getByRole('radio', { name: /Team/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /Your card was declined\./);
  const now = (await biz.api.get(`/v1/subscriptions/${sub.id}`)).json;
  assert.equal(now.status, 'trialing');
  assert.equal(now.items.data[0].price.lookup_key, 'pro_month');
  assert.equal((await biz.api.get('/v1/events', { limit: 1 })).json.data[0].id, before, 'nothing was announced');
  await context.close();
});

test('a plan change whose payment is declined changes nothing until another card pays', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  await switchDefault(customer, 'pm_card_chargeCustomerFail');
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account`,
    flow_data: { type: 'subscription_update', subscription_update: { subscription: sub.id } } });
  const { context, page } = await open(browser, s.url);
  const invoicesBefore = (await biz.api.get('/v1/invoices', { customer: customer.id })).json.data.length;
  await upgradeToTeam(page);
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /Your card was declined\./);
  await shoot(page, 'portal-update-declined');
  let now = (await biz.api.get(`/v1/subscriptions/${sub.id}`)).json;
  assert.equal(now.items.data[0].price.lookup_key, 'pro_month');
  assert.equal(now.pending_update, null);
  assert.equal((await biz.api.get('/v1/invoices', { customer: customer.id })).json.data.length, invoicesBefore, 'no invoice was left behind');
  // Another card, added from the error, then the same confirmation.
  await page.getByRole('link', { name: 'Use a different card' }).click();
  await page.getByRole('heading', { name: 'Add a payment method' }).waitFor();
  await fillCard(page, '4242424242424242');
  await page.getByRole('button', { name: 'Add card' }).click();
  await page.getByRole('heading', { name: 'Confirm your new plan' }).waitFor();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Subscription updated' }).waitFor();
  assert.match(await page.textContent('main'), /You were charged \$2[45]\.\d\d\./);
  now = (await biz.api.get(`/v1/subscriptions/${sub.id}`, { expand: ['latest_invoice'] })).json;
  assert.equal(now.items.data[0].price.lookup_key, 'team_month');
  assert.equal(now.latest_invoice.status, 'paid');
  assert.equal(now.latest_invoice.billing_reason, 'subscription_update');
  await context.close();
});

test('a plan change that needs 3-D Secure applies once authenticated', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  // The card on file asks for authentication on every payment from now on.
  await switchDefault(customer, '4000002760003184');
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account`,
    flow_data: { type: 'subscription_update', subscription_update: { subscription: sub.id }, after_completion: { type: 'redirect', redirect: { return_url: `${app.url}/upgraded` } } } });
  const { context, page } = await open(browser, s.url);
  await upgradeToTeam(page);
  await page.getByRole('heading', { name: 'Authenticate your card' }).waitFor();
  // Waiting: the change is held as the subscription's pending update.
  let now = (await biz.api.get(`/v1/subscriptions/${sub.id}`)).json;
  assert.equal(now.items.data[0].price.lookup_key, 'pro_month');
  assert.notEqual(now.pending_update, null);
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await page.waitForURL(`${app.url}/upgraded`);
  now = (await biz.api.get(`/v1/subscriptions/${sub.id}`, { expand: ['latest_invoice'] })).json;
  assert.equal(now.items.data[0].price.lookup_key, 'team_month');
  assert.equal(now.pending_update, null);
  assert.equal(now.latest_invoice.status, 'paid');
  const types = await eventTypes(biz.api, { prefixes: ['customer.subscription.pending_update'] });
  assert.deepEqual(types, ['customer.subscription.pending_update_applied']);
  await context.close();
});

test('a plan change whose authentication fails is dropped', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  await switchDefault(customer, '4000002760003184');
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account`,
    flow_data: { type: 'subscription_update', subscription_update: { subscription: sub.id } } });
  const { context, page } = await open(browser, s.url);
  await upgradeToTeam(page);
  await page.getByRole('button', { name: 'Fail authentication' }).click();
  await page.getByRole('heading', { name: 'Confirm your new plan' }).waitFor();
  assert.match(await page.getByRole('alert').textContent(), /could not authenticate/);
  const now = (await biz.api.get(`/v1/subscriptions/${sub.id}`, { expand: ['latest_invoice'] })).json;
  assert.equal(now.items.data[0].price.lookup_key, 'pro_month');
  assert.equal(now.pending_update, null);
  assert.equal(now.latest_invoice.status, 'void');
  await context.close();
});
