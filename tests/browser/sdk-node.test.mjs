// The official stripe-node SDK (the release pinned to 2026-07-29.dahlia) against Portico:
// a second client, with its own encoding habits (%20 spaces, DELETE parameters in the query),
// exercising the same resources and error classes as the Python suite.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Stripe from 'stripe';
import { startPortico } from './lib.mjs';

let portico;

before(async () => {
  portico = await startPortico();
});

after(async () => {
  await portico?.stop();
});

function client(key = `sk_test_node_${Math.random().toString(36).slice(2)}`) {
  const url = new URL(portico.base);
  return new Stripe(key, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
}

async function rejects(promise, type, check = () => {}) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.type, type, `${e.type}: ${e.message}`);
    check(e);
    return e;
  }
  assert.fail(`expected ${type}`);
}

test('customers: create, update with unset, list by email, delete', async () => {
  const stripe = client();
  const c = await stripe.customers.create({ email: 'ada@example.com', name: 'Ada Lovelace', metadata: { plan: 'pro', team: 'x' } });
  assert.match(c.id, /^cus_/);
  assert.equal(c.name, 'Ada Lovelace');
  assert.ok(c.lastResponse.requestId.startsWith('req_'));
  const u = await stripe.customers.update(c.id, { metadata: { team: '' }, description: 'VIP' });
  assert.deepEqual(u.metadata, { plan: 'pro' });
  const list = await stripe.customers.list({ email: 'ada@example.com' });
  assert.deepEqual(list.data.map((x) => x.id), [c.id]);
  const d = await stripe.customers.del(c.id);
  assert.equal(d.deleted, true);
  assert.equal((await stripe.customers.retrieve(c.id)).deleted, true);
});

test('products and prices: default_price_data, expand, lookup keys, auto-pagination', async () => {
  const stripe = client();
  const p = await stripe.products.create({
    name: 'Pro plan',
    default_price_data: { currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } },
    expand: ['default_price'],
  });
  assert.equal(p.default_price.unit_amount, 1500);
  for (let i = 0; i < 12; i++) {
    await stripe.prices.create({ product: p.id, currency: 'usd', unit_amount: 100 + i, lookup_key: i === 3 ? 'basic_monthly' : undefined });
  }
  const seen = [];
  for await (const price of stripe.prices.list({ product: p.id, limit: 5 })) seen.push(price.id);
  assert.equal(seen.length, 13);
  assert.equal(new Set(seen).size, 13);
  const byKey = await stripe.prices.list({ lookup_keys: ['basic_monthly'], expand: ['data.product'] });
  assert.equal(byKey.data.length, 1);
  assert.equal(byKey.data[0].product.id, p.id);
});

test('errors arrive as the SDK\'s error classes', async () => {
  const stripe = client();
  await rejects(stripe.customers.retrieve('cus_missing'), 'StripeInvalidRequestError', (e) => {
    assert.equal(e.statusCode, 404);
    assert.equal(e.code, 'resource_missing');
    assert.equal(e.param, 'id');
  });
  await rejects(stripe.products.create({ name: 'x', colour: 'blue' }), 'StripeInvalidRequestError', (e) => {
    assert.equal(e.code, 'parameter_unknown');
    assert.equal(e.param, 'colour');
  });
  const customer = await stripe.customers.create({});
  await rejects(stripe.paymentMethods.attach('pm_card_chargeDeclinedInsufficientFunds', { customer: customer.id }), 'StripeCardError', (e) => {
    assert.equal(e.statusCode, 402);
    assert.equal(e.decline_code, 'insufficient_funds');
  });
  await rejects(new Stripe('sk_live_wrong', { host: '127.0.0.1', port: Number(new URL(portico.base).port), protocol: 'http' }).customers.list(), 'StripeAuthenticationError');
});

test('idempotency keys replay and refuse a different body', async () => {
  const stripe = client();
  const a = await stripe.customers.create({ email: 'one@example.com' }, { idempotencyKey: 'node-key' });
  const b = await stripe.customers.create({ email: 'one@example.com' }, { idempotencyKey: 'node-key' });
  assert.equal(a.id, b.id);
  assert.equal(b.lastResponse.headers['idempotent-replayed'], 'true');
  await rejects(stripe.customers.create({ email: 'two@example.com' }, { idempotencyKey: 'node-key' }), 'StripeIdempotencyError');
});

test('cards, setup intents and 3-D Secure', async () => {
  const stripe = client();
  const customer = await stripe.customers.create({ payment_method: 'pm_card_visa' });
  const pms = await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
  assert.equal(pms.data.length, 1);
  const updated = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pms.data[0].id } });
  assert.equal(updated.invoice_settings.default_payment_method, pms.data[0].id);
  const si = await stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://app.example/done' });
  assert.equal(si.status, 'requires_action');
  assert.match(si.next_action.redirect_to_url.url, /\/p\/authenticate\//);
  const canceled = await stripe.setupIntents.cancel(si.id);
  assert.equal(canceled.status, 'canceled');
});

test('coupons and promotion codes', async () => {
  const stripe = client();
  const coupon = await stripe.coupons.create({ percent_off: 20, duration: 'repeating', duration_in_months: 3 });
  const promo = await stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id }, code: 'NODE20' });
  assert.equal(promo.promotion.coupon, coupon.id);
  const found = await stripe.promotionCodes.list({ code: 'node20' });
  assert.deepEqual(found.data.map((p) => p.id), [promo.id]);
  const deleted = await stripe.coupons.del(coupon.id);
  assert.equal(deleted.deleted, true);
});

test('card-less trials: trial settings, pause at the trial end, resume; paused collection and invoices', async () => {
  const stripe = client();
  const t0 = 1767225600; // 2026-01-01
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: t0 });
  const customer = await stripe.customers.create({ test_clock: clock.id });
  const product = await stripe.products.create({ name: 'Team', default_price_data: { currency: 'usd', unit_amount: 3100, recurring: { interval: 'month' } } });
  const sub = await stripe.subscriptions.create({
    customer: customer.id, items: [{ price: product.default_price }], trial_period_days: 7,
    trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
  });
  assert.equal(sub.trial_settings.end_behavior.missing_payment_method, 'pause');
  const advance = async (to) => {
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
    assert.equal((await stripe.testHelpers.testClocks.retrieve(clock.id)).status, 'ready');
  };
  await advance(t0 + 8 * 86400);
  assert.equal((await stripe.subscriptions.retrieve(sub.id)).status, 'paused');
  const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
  for (const t of ['customer.subscription.trial_will_end', 'customer.subscription.paused']) assert.ok(types.includes(t), t);

  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const resumed = await stripe.subscriptions.resume(sub.id, { billing_cycle_anchor: 'now', expand: ['latest_invoice'] });
  assert.equal(resumed.status, 'active');
  assert.equal(resumed.latest_invoice.amount_paid, 3100);
  await rejects(stripe.subscriptions.resume(sub.id), 'StripeInvalidRequestError');

  // Collection paused: the renewal is kept as a draft; a one-off draft is made, then deleted.
  const paused = await stripe.subscriptions.update(sub.id, { pause_collection: { behavior: 'keep_as_draft' } });
  assert.equal(paused.pause_collection.behavior, 'keep_as_draft');
  await advance(t0 + 40 * 86400);
  const [draft] = (await stripe.invoices.list({ subscription: sub.id, status: 'draft' })).data;
  assert.equal(draft.auto_advance, false);
  const memo = await stripe.invoices.update(draft.id, { description: 'Billed later' });
  assert.equal(memo.description, 'Billed later');
  const open = await stripe.invoices.finalizeInvoice(draft.id);
  assert.equal(open.status, 'open');
  assert.equal((await stripe.invoices.pay(draft.id)).status, 'paid');
  const oneOff = await stripe.invoices.create({ customer: customer.id, metadata: { kind: 'one-off' } });
  assert.equal(oneOff.billing_reason, 'manual');
  const gone = await stripe.invoices.del(oneOff.id);
  assert.deepEqual([gone.id, gone.deleted], [oneOff.id, true]);
  await rejects(stripe.invoices.retrieve(oneOff.id), 'StripeInvalidRequestError', (e) => assert.equal(e.statusCode, 404));
});
