// What the portal's browser tests share: a seeded business (plans, a customer with a card and
// an active subscription, a configuration with every feature on), portal sessions made through
// the API, a fresh browser per customer, and reading state and events back through the API.

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiClient, launchBrowser, screenshot, startPortico, startReturnServer, viewports } from './lib.mjs';

/**
 * Registers a test file's setup: a Portico server (with `serve` flags), Chromium, a stand-in
 * app, and a seeded business (`seed` options); `use` receives them once they are up.
 */
export function portalSuite({ seed = {}, serve = [] } = {}, use = () => {}) {
  const env = {};
  before(async () => {
    env.portico = await startPortico(serve);
    env.browser = await launchBrowser();
    env.app = await startReturnServer();
    env.biz = await seedBusiness(env.portico.base, seed);
    use(env);
  });
  after(async () => {
    await env.browser?.close();
    await env.app?.close();
    await env.portico?.stop();
  });
}

/** Creates plans, coupons and a configuration with every feature on in a new account. */
export async function seedBusiness(base, { cancelMode = 'at_period_end', proration = 'create_prorations', conditions = [], extra = {} } = {}) {
  const api = apiClient(base);
  const ok = async (p) => { const r = await p; assert.equal(r.status, 200, JSON.stringify(r.json)); return r.json; };
  const product = async (name, amounts, key) => {
    const prod = await ok(api.post('/v1/products', { name }));
    const prices = {};
    for (const [interval, amount] of Object.entries(amounts)) {
      prices[interval] = await ok(api.post('/v1/prices', { product: prod.id, currency: 'usd', unit_amount: amount, recurring: { interval }, lookup_key: `${key}_${interval}` }));
    }
    return { product: prod, prices };
  };
  const basic = await product('Basic', { month: 500 }, 'basic');
  const pro = await product('Pro', { month: 1500, year: 15000 }, 'pro');
  const team = await product('Team', { month: 4000 }, 'team');
  const coupon = await ok(api.post('/v1/coupons', { percent_off: 20, duration: 'repeating', duration_in_months: 3, name: 'Stay with us' }));
  const welcome = await ok(api.post('/v1/coupons', { percent_off: 10, duration: 'forever' }));
  const promo = await ok(api.post('/v1/promotion_codes', { promotion: { type: 'coupon', coupon: welcome.id }, code: 'WELCOME10' }));
  const config = await ok(api.post('/v1/billing_portal/configurations', {
    business_profile: { headline: 'Acme makes widgets', terms_of_service_url: 'https://acme.test/terms', privacy_policy_url: 'https://acme.test/privacy' },
    // A session needs a way back: its own return_url, or this.
    default_return_url: 'http://127.0.0.1:9/account',
    features: {
      customer_update: { enabled: true, allowed_updates: ['email', 'name', 'phone', 'address', 'shipping'] },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true },
      subscription_cancel: { enabled: true, mode: cancelMode, proration_behavior: cancelMode === 'immediately' ? 'create_prorations' : 'none',
        cancellation_reason: { enabled: true, options: ['too_expensive', 'missing_features', 'other'] } },
      subscription_update: {
        enabled: true, default_allowed_updates: ['price', 'quantity', 'promotion_code'], proration_behavior: proration,
        products: [
          { product: basic.product.id, prices: [basic.prices.month.id] },
          { product: pro.product.id, prices: [pro.prices.month.id, pro.prices.year.id], adjustable_quantity: { enabled: true, minimum: 1, maximum: 10 } },
          { product: team.product.id, prices: [team.prices.month.id] },
        ],
        schedule_at_period_end: { conditions: conditions.map((type) => ({ type })) },
        ...extra.subscription_update,
      },
    },
  }));
  return { api, ok, basic, pro, team, coupon, promo, config };
}

/** A customer with `card` as default and an active subscription to `price` (Pro monthly by default). */
export async function subscribedCustomer(biz, { card = 'pm_card_visa', price, quantity = 1, email = 'ada@example.com', name = 'Ada Lovelace', trial, clock } = {}) {
  const customer = await biz.ok(biz.api.post('/v1/customers', { email, name, payment_method: card, invoice_settings: { default_payment_method: card }, ...(clock ? { test_clock: clock } : {}) }));
  const sub = await biz.ok(biz.api.post('/v1/subscriptions', {
    customer: customer.id, items: [{ price: price ?? biz.pro.prices.month.id, quantity }], ...(trial ? { trial_period_days: trial } : {}),
  }));
  return { customer, sub };
}

/** Creates a portal session; returns its JSON. */
export async function session(biz, params) {
  return biz.ok(biz.api.post('/v1/billing_portal/sessions', { configuration: biz.config.id, ...params }));
}

/** Opens `url` in a new browser context (a new browser, as far as cookies go). */
export async function open(browser, url, viewport = viewports.desktop) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const response = await page.goto(url);
  return { context, page, response };
}

/** Screenshots `page` at desktop width, and again at phone width; at neither may the page be
 * wider than the screen (a wide table scrolls in its own box, not the whole page sideways). */
export async function shoot(page, name) {
  for (const [size, viewport] of Object.entries(viewports)) {
    await page.setViewportSize(viewport);
    await screenshot(page, `${name}-${size}`);
    const { wide, culprits } = await page.evaluate(() => {
      // The outermost elements that reach past the screen's right edge name the cause.
      const past = (el) => el.getBoundingClientRect().right > window.innerWidth + 0.5;
      const clipped = (el) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible') return true;
        }
        return false;
      };
      const culprits = [...document.body.querySelectorAll('*')]
        .filter((el) => past(el) && !past(el.parentElement) && !clipped(el))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().replace(/\s+/g, '.')}` : ''}`);
      return { wide: document.documentElement.scrollWidth, culprits };
    });
    assert.ok(wide <= viewport.width, `${name} at ${size} width is ${wide}px wide, wider than the ${viewport.width}px screen (${culprits.join(', ')})`);
  }
  await page.setViewportSize(viewports.desktop);
}

/** The event types recorded since `sinceId` (oldest first), optionally only those of `prefixes`. */
export async function eventTypes(api, { after = 0, prefixes } = {}) {
  const all = [];
  let starting_after;
  for (;;) {
    const page = (await api.get('/v1/events', { limit: 100, ...(starting_after ? { starting_after } : {}) })).json;
    all.push(...page.data);
    if (!page.has_more) break;
    starting_after = page.data.at(-1).id;
  }
  return all.reverse().slice(after).map((e) => e.type).filter((t) => !prefixes || prefixes.some((p) => t.startsWith(p)));
}

/** How many events the account has (to look at what came after). */
export async function eventCount(api) {
  return (await eventTypes(api)).length;
}

/** Fills the card form and submits it. */
export async function fillCard(page, number, { expiry = '12 / 34', cvc = '123', name } = {}) {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiration date').fill(expiry);
  await page.getByLabel('Security code').fill(cvc);
  if (name) await page.getByLabel('Name on card').fill(name);
}

/** A subscription and the fields that matter when comparing a portal change with an API one. */
export function shape(sub) {
  const item = sub.items.data[0];
  return {
    status: sub.status,
    cancel_at_period_end: sub.cancel_at_period_end,
    has_cancel_at: sub.cancel_at !== null,
    cancellation_reason: sub.cancellation_details?.reason ?? null,
    feedback: sub.cancellation_details?.feedback ?? null,
    price: item.price.lookup_key,
    quantity: item.quantity,
    discounts: sub.discounts.length,
    schedule: sub.schedule !== null,
    pending_update: sub.pending_update !== null,
  };
}
