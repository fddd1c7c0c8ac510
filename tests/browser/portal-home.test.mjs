// The portal homepage and its actions, in Chromium: cards (add, make default, remove — never
// the default one while subscribed), billing information, the invoice page, canceling and
// renewing, changing the quantity; keyboard use and labels. Every action is checked through
// the API and its events.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventCount, eventTypes, fillCard, open, portalSuite, session, shoot, subscribedCustomer } from './portal-lib.mjs';

let browser;
let app;
let biz;
portalSuite({}, (e) => ({ browser, app, biz } = e));

async function homepage(customer) {
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account` });
  const opened = await open(browser, s.url);
  // Nothing the page asks for fails (a favicon fetched from the API answered 401 once).
  opened.failures = [];
  opened.page.on('response', (r) => { if (r.status() >= 400) opened.failures.push(`${r.status()} ${r.url()}`); });
  opened.page.on('console', (m) => { if (m.type() === 'error') opened.failures.push(m.text()); });
  await opened.page.reload();
  await opened.page.getByRole('heading', { name: 'Your billing' }).waitFor();
  return opened;
}

test('the homepage shows the plan, cards, billing information and invoices', async () => {
  const { customer } = await subscribedCustomer(biz);
  const { context, page, response, failures } = await homepage(customer);
  assert.equal(response.status(), 200);
  const main = await page.textContent('main');
  assert.match(main, /Pro/);
  assert.match(main, /\$15\.00 \/ month/);
  assert.match(main, /Renews on /);
  assert.match(main, /Visa •••• 4242/);
  assert.match(main, /ada@example\.com/);
  assert.match(main, /\$15\.00\s*Paid/);
  for (const name of ['Current plan', 'Payment methods', 'Billing information', 'Invoice history']) {
    await page.getByRole('heading', { name }).waitFor();
  }
  for (const name of ['Update subscription', 'Cancel subscription', 'Add payment method', 'Update information']) {
    assert.equal(await page.getByRole('link', { name }).count(), 1, name);
  }
  assert.equal(await page.getByRole('link', { name: 'Terms' }).getAttribute('href'), 'https://acme.test/terms');
  await shoot(page, 'portal-home');
  assert.deepEqual(failures, []);
  // Keyboard: the first stop is the skip link, and it moves focus to the page.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  // The footer's links follow the page's own controls in tab order (wide screens still show
  // them under the side column), and appear once.
  assert.equal(await page.getByRole('link', { name: 'Terms' }).count(), 1);
  await page.reload();
  await page.getByRole('heading', { name: 'Your billing' }).waitFor();
  const order = [];
  for (let i = 0; i < 40 && !order.includes('Terms'); i += 1) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.textContent.trim()));
  }
  assert.equal(order[0], 'Skip to content');
  assert.ok(order.indexOf('Update subscription') >= 0 && order.indexOf('Update subscription') < order.indexOf('Terms'), order.join(' | '));
  assert.ok(order.indexOf('Update information') >= 0 && order.indexOf('Update information') < order.indexOf('Terms'), order.join(' | '));
  const box = await page.getByRole('link', { name: 'Terms' }).boundingBox();
  const mainBox = await page.locator('main').boundingBox();
  assert.ok(box.x + box.width <= mainBox.x, 'the footer sits in the side column on a wide screen');
  // Every form control has an accessible name.
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, input:not([type=hidden]), a[href], textarea, select')]
    .filter((el) => !(el.getAttribute('aria-label') || el.labels?.length || el.textContent.trim())).length);
  assert.equal(unnamed, 0);
  await context.close();
});

test('cards: add one, make another the default, remove one; the default cannot go', async () => {
  const { customer } = await subscribedCustomer(biz);
  const { context, page } = await homepage(customer);
  let before = await eventCount(biz.api);
  await page.getByRole('link', { name: 'Add payment method' }).click();
  await page.getByRole('heading', { name: 'Add a payment method' }).waitFor();
  await fillCard(page, '5555555555554444');
  await page.getByRole('button', { name: 'Add card' }).click();
  await page.getByText('Your payment method has been added.').waitFor();
  let c = (await biz.api.get(`/v1/customers/${customer.id}`, { expand: ['invoice_settings.default_payment_method'] })).json;
  assert.equal(c.invoice_settings.default_payment_method.card.last4, '4444');
  assert.deepEqual(await eventTypes(biz.api, { after: before }), ['setup_intent.created', 'setup_intent.succeeded', 'payment_method.attached', 'customer.updated']);

  // The Visa is no longer the default: it can be made default again, or removed.
  before = await eventCount(biz.api);
  await page.getByRole('button', { name: 'Make default: Visa ending in 4242' }).click();
  await page.getByText('Your default payment method has been updated.').waitFor();
  c = (await biz.api.get(`/v1/customers/${customer.id}`, { expand: ['invoice_settings.default_payment_method'] })).json;
  assert.equal(c.invoice_settings.default_payment_method.card.last4, '4242');
  assert.deepEqual(await eventTypes(biz.api, { after: before }), ['customer.updated']);
  // While subscribed, the default card has no Remove link.
  assert.equal(await page.getByRole('link', { name: 'Remove: Visa ending in 4242' }).count(), 0);
  before = await eventCount(biz.api);
  await page.getByRole('link', { name: 'Remove: Mastercard ending in 4444' }).click();
  // Asked first: keeping the card changes nothing.
  await page.getByRole('heading', { name: 'Remove this card?' }).waitFor();
  assert.match(await page.textContent('main'), /Mastercard •••• 4444 \(\d\d\/\d{4}\) will be removed/);
  await shoot(page, 'portal-remove-card');
  await page.getByRole('link', { name: 'Keep card' }).click();
  await page.getByRole('heading', { name: 'Your billing' }).waitFor();
  assert.equal(await eventCount(biz.api), before);
  await page.getByRole('link', { name: 'Remove: Mastercard ending in 4444' }).click();
  await page.getByRole('button', { name: 'Remove card' }).click();
  await page.getByText('Your payment method has been removed.').waitFor();
  const pms = (await biz.api.get(`/v1/customers/${customer.id}/payment_methods`)).json;
  assert.deepEqual(pms.data.map((p) => p.card.last4), ['4242']);
  assert.deepEqual(await eventTypes(biz.api, { after: before }), ['payment_method.detached']);
  await shoot(page, 'portal-home-cards');
  // Posting a removal of the last card anyway is refused, and nothing changes.
  const home = page.url().split('?')[0];
  await page.goto(`${home}/billing`);
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const pm = pms.data[0].id;
  assert.equal((await page.goto(`${home}/payment-methods/${pm}/remove`)).status(), 409);
  const res = await page.request.post(`${home}/payment-methods/${pm}/remove`, { form: { csrf } });
  assert.equal(res.status(), 409);
  assert.match(await res.text(), /can&#39;t be removed|can't be removed/);
  assert.equal((await biz.api.get(`/v1/customers/${customer.id}/payment_methods`)).json.data.length, 1);
  await context.close();
});

test('billing information: errors inline, then saved through the API rules', async () => {
  const { customer } = await subscribedCustomer(biz);
  const { context, page } = await homepage(customer);
  await page.getByRole('link', { name: 'Update information' }).click();
  await page.getByRole('heading', { name: 'Billing information' }).waitFor();
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Enter a valid email address.').waitFor();
  assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  await shoot(page, 'portal-billing-error');
  const before = await eventCount(biz.api);
  await page.getByLabel('Email').fill('ada@lovelace.example');
  await page.getByLabel('Phone').fill('+44 20 7946 0000');
  await page.locator('#address_line1').fill('12 St James’s Square');
  await page.locator('#address_city').fill('London');
  await page.locator('#address_postal_code').fill('SW1Y 4JH');
  await page.locator('#address_country').fill('gb');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Your billing information has been saved.').waitFor();
  const c = (await biz.api.get(`/v1/customers/${customer.id}`)).json;
  assert.equal(c.email, 'ada@lovelace.example');
  assert.equal(c.phone, '+44 20 7946 0000');
  assert.deepEqual(c.address, { city: 'London', country: 'GB', line1: '12 St James’s Square', line2: null, postal_code: 'SW1Y 4JH', state: null });
  assert.deepEqual(await eventTypes(biz.api, { after: before }), ['customer.updated']);
  assert.match(await page.textContent('main'), /London SW1Y 4JH/);
  await context.close();
});

test('the invoice page', async () => {
  const { customer } = await subscribedCustomer(biz, { quantity: 2 });
  const { context, page } = await homepage(customer);
  await page.locator('section[aria-labelledby=invoices-heading] a').first().click();
  await page.getByRole('heading', { name: 'Invoice', exact: true }).waitFor();
  const main = await page.textContent('main');
  assert.match(main, /2 × Pro/);
  assert.match(main, /Total\s*\$30\.00/);
  assert.match(main, /Amount paid\s*\$30\.00/);
  assert.match(main, /Amount due\s*\$0\.00/);
  await shoot(page, 'portal-invoice');
  // Another customer's invoice is not shown.
  const other = await subscribedCustomer(biz, { email: 'eve@example.com' });
  const theirs = (await biz.api.get('/v1/invoices', { customer: other.customer.id })).json.data[0].id;
  const res = await page.goto(page.url().replace(/invoices\/.*/, `invoices/${theirs}`));
  assert.equal(res.status(), 404);
  await context.close();
});

test('a discount in force is shown on its plan', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  await biz.ok(biz.api.post(`/v1/subscriptions/${sub.id}`, { discounts: [{ coupon: biz.coupon.id }] }));
  const { context, page } = await homepage(customer);
  const plan = await page.locator('article.card').first().textContent();
  assert.match(plan, /Discount\s+Stay with us: 20% off until /);
  await shoot(page, 'portal-home-discount');
  await context.close();
});

test('long emails, names and address lines wrap inside their cards at every size', async () => {
  const email = 'alexandra.konstantinopoulou@globalenterprises.com';
  const { customer } = await subscribedCustomer(biz, { email, name: 'Alexandra Konstantinopoulou-Papadimitriou' });
  await biz.ok(biz.api.post(`/v1/customers/${customer.id}`, {
    address: { line1: 'Unit 4, Kaiser-Friedrich-Strasse-Gewerbehofgebaeude-Hinterhaus', city: 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch', country: 'GB', postal_code: 'LL61 5UJ' },
  }));
  const { context, page } = await homepage(customer);
  assert.match(await page.textContent('main'), new RegExp(email.replace(/\./g, '\\.')));
  // `shoot` fails when the page is wider than the screen, at desktop and at phone width.
  await shoot(page, 'portal-home-long-values');
  await page.locator('section[aria-labelledby=invoices-heading] a').first().click();
  await page.getByRole('heading', { name: 'Invoice', exact: true }).waitFor();
  await shoot(page, 'portal-invoice-long-values');
  await context.close();
});

test('cancel from the homepage, then renew', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  const { context, page } = await homepage(customer);
  await page.getByRole('link', { name: 'Cancel subscription' }).click();
  await page.getByRole('heading', { name: 'Cancel your subscription' }).waitFor();
  // No retention offer outside a flow made with one: canceled at once, then the survey.
  await page.getByRole('button', { name: 'Cancel subscription' }).click();
  await page.getByRole('heading', { name: 'Subscription canceled' }).waitFor();
  await page.getByRole('radio', { name: 'Other reason' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Your subscription will be canceled at the end of the billing period.').waitFor();
  assert.match(await page.textContent('main'), /Cancels on /);
  let s = (await biz.api.get(`/v1/subscriptions/${sub.id}`)).json;
  assert.equal(s.cancel_at_period_end, true);
  assert.equal(s.cancellation_details.feedback, 'other');
  await shoot(page, 'portal-home-canceling');
  const before = await eventCount(biz.api);
  await page.getByRole('button', { name: 'Renew subscription' }).click();
  await page.getByText('Your subscription has been renewed.').waitFor();
  s = (await biz.api.get(`/v1/subscriptions/${sub.id}`)).json;
  assert.equal(s.cancel_at_period_end, false);
  assert.equal(s.cancel_at, null);
  assert.deepEqual(await eventTypes(biz.api, { after: before }), ['customer.subscription.updated']);
  await context.close();
});

test('change the quantity, with bounds and a promotion code', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  const { context, page } = await homepage(customer);
  await page.getByRole('link', { name: 'Update subscription' }).click();
  // The quantity field is there for Pro, whose quantity may change, and not for Basic.
  await page.getByRole('radio', { name: /Basic/ }).check();
  assert.equal(await page.getByLabel('Quantity').isVisible(), false);
  await page.getByRole('radio', { name: /Pro/ }).first().check();
  assert.equal(await page.getByLabel('Quantity').isVisible(), true);
  // The browser holds back a quantity out of bounds (the server refuses it too).
  assert.match(await page.textContent('main'), /Between 1 and 10\./);
  await page.getByLabel('Quantity').fill('11');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getByLabel('Quantity').evaluate((el) => el.validity.rangeOverflow), true);
  await page.getByRole('heading', { name: 'Update your plan' }).waitFor();
  await page.getByLabel('Quantity').fill('3');
  await page.getByLabel('Promotion code').fill('nope');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('This promotion code is invalid').waitFor();
  await page.getByLabel('Quantity').fill('3');
  await page.getByLabel('Promotion code').fill('welcome10');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Confirm your new plan' }).waitFor();
  assert.match(await page.textContent('main'), /3 × \$15\.00 \/ month/);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Your subscription has been updated.').waitFor();
  const s = (await biz.api.get(`/v1/subscriptions/${sub.id}`, { expand: ['discounts'] })).json;
  assert.equal(s.items.data[0].quantity, 3);
  assert.equal(s.discounts[0].promotion_code, biz.promo.id);
  await context.close();
});

test('a subscription paused at the end of a card-less trial: shown as paused, a card added, resumed by the business', async () => {
  const T0 = 1767225600; // 2026-01-01
  const clock = await biz.ok(biz.api.post('/v1/test_helpers/test_clocks', { frozen_time: T0 }));
  const customer = await biz.ok(biz.api.post('/v1/customers', { email: 'grace@example.com', name: 'Grace Hopper', test_clock: clock.id }));
  const sub = await biz.ok(biz.api.post('/v1/subscriptions', {
    customer: customer.id, items: [{ price: biz.pro.prices.month.id }], trial_period_days: 7,
    trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
  }));
  await biz.ok(biz.api.post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: T0 + 8 * 86400 }));
  assert.equal((await biz.api.get(`/v1/subscriptions/${sub.id}`)).json.status, 'paused');

  const { context, page } = await homepage(customer);
  const main = await page.textContent('main');
  assert.match(main, /Paused/);
  assert.match(main, /Paused since January 8, 2026/);
  // Its period is over and the business decides whether it resumes: nothing to change or cancel.
  for (const name of ['Update subscription', 'Cancel subscription']) {
    assert.equal(await page.getByRole('link', { name }).count(), 0, name);
  }
  await shoot(page, 'portal-home-paused');
  await page.getByRole('link', { name: 'Add payment method' }).click();
  await fillCard(page, '4242424242424242');
  await page.getByRole('button', { name: 'Add card' }).click();
  await page.getByText('Your payment method has been added.').waitFor();

  // With a card on file the business resumes it: a new month starts now (January 9), paid with that card.
  const resumed = await biz.ok(biz.api.post(`/v1/subscriptions/${sub.id}/resume`, { expand: ['latest_invoice'] }));
  assert.equal(resumed.status, 'active');
  assert.equal(resumed.latest_invoice.amount_paid, 1500);
  await page.reload();
  const after = await page.textContent('main');
  assert.doesNotMatch(after, /Paused/);
  assert.match(after, /Renews on February 9, 2026/);
  assert.equal(await page.getByRole('link', { name: 'Cancel subscription' }).count(), 1);
  await context.close();
});
