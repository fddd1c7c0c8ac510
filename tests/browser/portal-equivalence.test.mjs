// Changes made in the portal are the changes the API makes: the same subscription state,
// invoices and events as the equivalent API calls on a twin customer. Plus the portal's own
// paths: a downgrade scheduled for the period's end, a change that ends a trial, and a
// retention offer taken instead of canceling.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventCount, eventTypes, fillCard, open, portalSuite, seedBusiness, session, shape, shoot, subscribedCustomer } from './portal-lib.mjs';

let portico;
let browser;
let app;
let biz;
portalSuite({}, (e) => ({ portico, browser, app, biz } = e));

/** Runs `inPortal` on one customer's flow and `viaApi` on a twin; compares what they left. Both
 * follow one test clock, so their changes happen at the very same time. */
async function twins(b, flow, inPortal, viaApi, { compareInvoices = false } = {}) {
  const clock = (await b.api.post('/v1/test_helpers/test_clocks', { frozen_time: Math.floor(Date.now() / 1000) })).json.id;
  const a = await subscribedCustomer(b, { clock });
  const twin = await subscribedCustomer(b, { email: 'twin@example.com', clock });
  let before = await eventCount(b.api);
  const s = await session(b, { customer: a.customer.id, return_url: `${app.url}/account`, flow_data: flow(a.sub) });
  const { context, page } = await open(browser, s.url);
  await inPortal(page);
  await page.getByRole('heading', { name: /updated|canceled/ }).waitFor();
  const portalEvents = (await eventTypes(b.api, { after: before })).filter((t) => t !== 'billing_portal.session.created');
  before = await eventCount(b.api);
  await viaApi(twin.sub);
  const apiEvents = await eventTypes(b.api, { after: before });
  assert.deepEqual(portalEvents, apiEvents);
  const get = async (id) => (await b.api.get(`/v1/subscriptions/${id}`, { expand: ['latest_invoice'] })).json;
  const [pa, ta] = [await get(a.sub.id), await get(twin.sub.id)];
  assert.deepEqual(shape(pa), shape(ta));
  if (compareInvoices) {
    const inv = (s) => ({ status: s.latest_invoice.status, total: s.latest_invoice.total, paid: s.latest_invoice.amount_paid,
      reason: s.latest_invoice.billing_reason, lines: s.latest_invoice.lines.data.map((l) => [l.amount, l.parent.subscription_item_details.proration]) });
    assert.deepEqual(inv(pa), inv(ta));
  }
  const upcoming = async (id) => {
    const r = await b.api.post('/v1/invoices/create_preview', { subscription: id });
    return r.status === 200 ? { total: r.json.total, lines: r.json.lines.data.map((l) => l.amount) } : r.json.error.code;
  };
  assert.deepEqual(await upcoming(a.sub.id), await upcoming(twin.sub.id));
  const balance = async (c) => (await b.api.get(`/v1/customers/${c}`)).json.balance;
  assert.equal(await balance(a.customer.id), await balance(twin.customer.id));
  await context.close();
  return { portal: pa, api: ta, events: portalEvents };
}

test('canceling at the end of the period, with a reason', async () => {
  const { events } = await twins(biz,
    (sub) => ({ type: 'subscription_cancel', subscription_cancel: { subscription: sub.id } }),
    async (page) => {
      await page.getByRole('button', { name: 'Cancel subscription' }).click();
      // Canceled; the survey comes after, as at Stripe.
      await page.getByRole('radio', { name: 'Some features are missing' }).check();
      await page.getByLabel("Anything else you'd like to share?").fill('No dark mode');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((u) => !u.search.includes('step=reason'));
    },
    async (sub) => {
      await biz.api.post(`/v1/subscriptions/${sub.id}`, { cancel_at_period_end: true });
      await biz.api.post(`/v1/subscriptions/${sub.id}`, { cancellation_details: { feedback: 'missing_features', comment: 'No dark mode' } });
    });
  assert.deepEqual(events, ['customer.subscription.updated', 'customer.subscription.updated']);
});

test('canceling at once, with the unused time credited', async () => {
  const now = await seedBusiness(portico.base, { cancelMode: 'immediately' });
  const { portal, api, events } = await twins(now,
    (sub) => ({ type: 'subscription_cancel', subscription_cancel: { subscription: sub.id } }),
    async (page) => {
      assert.match(await page.textContent('main'), /will end immediately/);
      assert.match(await page.textContent('main'), /credited to your account/);
      await page.getByRole('button', { name: 'Cancel subscription' }).click();
      // The survey, left unanswered: nothing more is recorded.
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((u) => !u.search.includes('step=reason'));
    },
    (sub) => now.api.del(`/v1/subscriptions/${sub.id}?prorate=true`));
  assert.equal(portal.status, 'canceled');
  // The credit is a pending proration item for the customer's next invoice, as `prorate`
  // leaves it; the balance is untouched, so no `customer.updated`.
  assert.deepEqual(events, ['customer.subscription.deleted', 'invoiceitem.created']);
  const pending = async (sub) => (await now.api.get('/v1/invoiceitems', { customer: sub.customer, pending: true })).json.data
    .map((i) => [i.amount, i.proration, i.period.start, i.period.end, i.parent.subscription_details.subscription === sub.id]);
  const credit = await pending(portal);
  assert.equal(credit.length, 1);
  assert.ok(credit[0][0] < 0 && credit[0][1] && credit[0][4], JSON.stringify(credit));
  assert.deepEqual(credit, await pending(api));
});

test('upgrading with prorations on the next invoice', async () => {
  const { portal } = await twins(biz,
    (sub) => ({ type: 'subscription_update', subscription_update: { subscription: sub.id } }),
    async (page) => {
      // Team's quantity is fixed: its field is hidden, and the current quantity (1) is kept.
      await page.getByRole('radio', { name: /Team/ }).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
    },
    (sub) => biz.api.post(`/v1/subscriptions/${sub.id}`, { items: [{ id: sub.items.data[0].id, price: biz.team.prices.month.id, quantity: 1 }], proration_behavior: 'create_prorations' }));
  assert.equal(portal.items.data[0].price.lookup_key, 'team_month');
});

test('confirming a move to yearly with a promotion code', async () => {
  const { portal, events } = await twins(biz,
    (sub) => ({ type: 'subscription_update_confirm', subscription_update_confirm: {
      subscription: sub.id, items: [{ id: sub.items.data[0].id, price: biz.pro.prices.year.id }], discounts: [{ promotion_code: biz.promo.id }] } }),
    async (page) => {
      await page.getByRole('button', { name: 'Confirm' }).click();
    },
    (sub) => biz.api.post(`/v1/subscriptions/${sub.id}`, {
      items: [{ id: sub.items.data[0].id, price: biz.pro.prices.year.id }], discounts: [{ promotion_code: biz.promo.id }], proration_behavior: 'create_prorations' }),
    { compareInvoices: true });
  assert.equal(portal.latest_invoice.status, 'paid');
  assert.ok(events.includes('invoice.paid') && events.includes('customer.subscription.updated'), events.join());
});

test('a card update is the SetupIntent, attach and default the API would make', async () => {
  const a = await subscribedCustomer(biz);
  let before = await eventCount(biz.api);
  const s = await session(biz, { customer: a.customer.id, flow_data: { type: 'payment_method_update' } });
  const { context, page } = await open(browser, s.url);
  await fillCard(page, '5555555555554444');
  await page.getByRole('button', { name: 'Update payment method' }).click();
  await page.getByRole('heading', { name: 'Payment method updated' }).waitFor();
  const portalEvents = (await eventTypes(biz.api, { after: before })).filter((t) => t !== 'billing_portal.session.created');
  const twin = await subscribedCustomer(biz, { email: 'twin@example.com' });
  before = await eventCount(biz.api);
  const pm = (await biz.api.post('/v1/payment_methods', { type: 'card', card: { number: '5555555555554444', exp_month: 12, exp_year: 2034, cvc: '123' } })).json;
  await biz.api.post('/v1/setup_intents', { customer: twin.customer.id, payment_method: pm.id, confirm: true, usage: 'off_session' });
  await biz.api.post(`/v1/customers/${twin.customer.id}`, { invoice_settings: { default_payment_method: pm.id } });
  assert.deepEqual(portalEvents, await eventTypes(biz.api, { after: before }));
  await context.close();
});

test('a downgrade that matches schedule_at_period_end waits for the end of the period', async () => {
  const later = await seedBusiness(portico.base, { conditions: ['decreasing_item_amount'] });
  const clock = (await later.api.post('/v1/test_helpers/test_clocks', { frozen_time: Math.floor(Date.now() / 1000) })).json;
  const customer = (await later.api.post('/v1/customers', { email: 'ada@example.com', test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } })).json;
  const sub = (await later.api.post('/v1/subscriptions', { customer: customer.id, items: [{ price: later.pro.prices.month.id }] })).json;
  const end = sub.items.data[0].current_period_end;
  const s = await session(later, { customer: customer.id, flow_data: { type: 'subscription_update', subscription_update: { subscription: sub.id }, after_completion: { type: 'portal_homepage' } } });
  const { context, page } = await open(browser, s.url);
  await page.getByRole('radio', { name: /Basic/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Confirm your new plan' }).waitFor();
  assert.match(await page.textContent('main'), /at the end of your current billing period/);
  assert.equal(await page.locator('#due-today').textContent(), '$0.00');
  assert.equal(await page.locator('#next-invoice').textContent(), '$5.00');
  await shoot(page, 'portal-update-scheduled-preview');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Your plan change has been scheduled.').waitFor();
  assert.match(await page.textContent('main'), /Changes to Basic \(\$5\.00 \/ month\) on /);
  await shoot(page, 'portal-home-scheduled');
  let now = (await later.api.get(`/v1/subscriptions/${sub.id}`)).json;
  assert.equal(now.items.data[0].price.lookup_key, 'pro_month', 'nothing changes before the end of the period');
  assert.ok(now.schedule);
  const schedule = (await later.api.get(`/v1/subscription_schedules/${now.schedule}`)).json;
  assert.equal(schedule.phases.length, 2);
  assert.equal(schedule.phases[1].start_date, end);
  assert.equal(schedule.phases[1].items[0].price, later.basic.prices.month.id);
  // The clock passes the end of the period: the subscription moves to Basic.
  await later.api.post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: end + 3600 });
  for (let i = 0; i < 50; i += 1) {
    if ((await later.api.get(`/v1/test_helpers/test_clocks/${clock.id}`)).json.status === 'ready') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  now = (await later.api.get(`/v1/subscriptions/${sub.id}`, { expand: ['latest_invoice'] })).json;
  assert.equal(now.items.data[0].price.lookup_key, 'basic_month');
  assert.equal(now.latest_invoice.total, 500);
  await context.close();
});

test('a plan change during a trial ends the trial and bills the new plan', async () => {
  const { customer, sub } = await subscribedCustomer(biz, { trial: 14 });
  assert.equal(sub.status, 'trialing');
  const s = await session(biz, { customer: customer.id, flow_data: { type: 'subscription_update', subscription_update: { subscription: sub.id } } });
  const { context, page } = await open(browser, s.url);
  await page.getByRole('radio', { name: /Team/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.textContent('main'), /Your trial ends as soon as you confirm/);
  assert.equal(await page.locator('#due-today').textContent(), '$40.00');
  const before = await eventCount(biz.api);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Subscription updated' }).waitFor();
  const now = (await biz.api.get(`/v1/subscriptions/${sub.id}`, { expand: ['latest_invoice'] })).json;
  assert.equal(now.status, 'active');
  assert.equal(now.items.data[0].price.lookup_key, 'team_month');
  assert.equal(now.latest_invoice.amount_paid, 4000);
  // One change, one update announced: the new plan, its trial over, in one event.
  assert.deepEqual(await eventTypes(biz.api, { after: before }), [
    'customer.subscription.updated', 'customer.subscription.trial_will_end', 'invoice.created',
    'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']);
  const [updated] = (await biz.api.get('/v1/events', { type: 'customer.subscription.updated', limit: 1 })).json.data;
  assert.equal(updated.data.object.status, 'active');
  assert.equal(updated.data.previous_attributes.status, 'trialing');
  assert.ok('items' in updated.data.previous_attributes);
  await context.close();
});

test('taking the retention offer keeps the subscription, with the coupon', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account`, flow_data: {
    type: 'subscription_cancel', subscription_cancel: { subscription: sub.id, retention: { type: 'coupon_offer', coupon_offer: { coupon: biz.coupon.id } } } } });
  const { context, page } = await open(browser, s.url);
  const before = await eventCount(biz.api);
  await page.getByRole('button', { name: 'Cancel subscription' }).click();
  await page.getByRole('button', { name: 'Accept offer' }).click();
  await page.getByRole('heading', { name: 'Offer accepted' }).waitFor();
  await shoot(page, 'portal-done-retained');
  const now = (await biz.api.get(`/v1/subscriptions/${sub.id}`, { expand: ['discounts'] })).json;
  assert.equal(now.cancel_at_period_end, false);
  assert.equal(now.discounts.length, 1);
  assert.equal(now.discounts[0].source.coupon, biz.coupon.id);
  assert.equal((await biz.api.get(`/v1/coupons/${biz.coupon.id}`)).json.times_redeemed, 1);
  assert.deepEqual(await eventTypes(biz.api, { after: before }), ['customer.subscription.updated', 'customer.discount.created']);
  await context.close();
});
