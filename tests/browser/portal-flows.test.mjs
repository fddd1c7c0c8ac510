// Every deep-link flow × every after_completion type, clicked through in Chromium as a customer
// would, each checked through the API afterwards: the subscription, the default card, and the
// events recorded. Screenshots of every page go to the screenshot folder.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventCount, eventTypes, fillCard, open, portalSuite, session, shoot, subscribedCustomer } from './portal-lib.mjs';

let browser;
let app;
let biz;
portalSuite({}, (e) => ({ browser, app, biz } = e));

function flowData(kind, sub) {
  const item = sub.items.data[0].id;
  switch (kind) {
    case 'payment_method_update': return { type: kind };
    case 'subscription_cancel': return { type: kind, subscription_cancel: { subscription: sub.id, retention: { type: 'coupon_offer', coupon_offer: { coupon: biz.coupon.id } } } };
    case 'subscription_update': return { type: kind, subscription_update: { subscription: sub.id } };
    default: return { type: kind, subscription_update_confirm: { subscription: sub.id, items: [{ id: item, price: biz.pro.prices.year.id }], discounts: [{ promotion_code: biz.promo.id }] } };
  }
}

function afterCompletion(kind, label) {
  switch (kind) {
    case 'redirect': return { type: 'redirect', redirect: { return_url: `${app.url}/done/${label}?ok=1` } };
    case 'portal_homepage': return { type: 'portal_homepage' };
    default: return { type: 'hosted_confirmation', hosted_confirmation: { custom_message: `Thanks! <b>${label}</b>` } };
  }
}

/** Clicks through `kind`'s pages; `shots` names the screenshots (only once per flow). */
async function complete(page, kind, shots) {
  switch (kind) {
    case 'payment_method_update': {
      await page.getByRole('heading', { name: 'Update your payment method' }).waitFor();
      if (shots) await shoot(page, 'portal-card-form');
      await fillCard(page, '5555 5555 5555 4444', { name: 'Ada Lovelace' });
      await page.getByRole('button', { name: 'Update payment method' }).click();
      return;
    }
    case 'subscription_cancel': {
      await page.getByRole('heading', { name: 'Cancel your subscription' }).waitFor();
      assert.match(await page.textContent('main'), /stays available until the end of your billing period/);
      if (shots) await shoot(page, 'portal-cancel-summary');
      await page.getByRole('button', { name: 'Cancel subscription' }).click();
      await page.getByRole('heading', { name: 'Before you go' }).waitFor();
      assert.match(await page.textContent('main'), /20% off for 3 months/);
      if (shots) await shoot(page, 'portal-cancel-offer');
      await page.getByRole('button', { name: 'No thanks, cancel subscription' }).click();
      // Canceled; then, as at Stripe, the survey.
      await page.getByRole('heading', { name: 'Subscription canceled' }).waitFor();
      await page.getByRole('radio', { name: "It's too expensive" }).check();
      await page.getByLabel("Anything else you'd like to share?").fill('Found a cheaper plan.');
      if (shots) await shoot(page, 'portal-cancel-reason');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((u) => !u.search.includes('step=reason'));
      return;
    }
    case 'subscription_update': {
      await page.getByRole('heading', { name: 'Update your plan' }).waitFor();
      if (shots) await shoot(page, 'portal-update-choose');
      await page.getByRole('radio', { name: /Team/ }).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Confirm your new plan' }).waitFor();
      // Prorations wait for the next invoice here: the page says so under them.
      assert.equal(await page.locator('#due-today').textContent(), '$0.00');
      assert.equal(await page.locator('#lines-note').textContent(), 'These charges and credits will be added to your next invoice.');
      if (shots) await shoot(page, 'portal-update-preview');
      await page.getByRole('button', { name: 'Confirm' }).click();
      return;
    }
    default: {
      await page.getByRole('heading', { name: 'Confirm your new plan' }).waitFor();
      assert.match(await page.textContent('main'), /\$150\.00 \/ year/);
      // The promotion code's 10% shows as an amount, and the figures add up to what is due.
      const cents = (text) => Math.round(Number(text.trim().replace(/[$,]/g, '')) * 100);
      const lines = (await page.locator('table.lines td.num').allTextContents()).map(cents);
      // Named by what its coupon takes off (the coupon has no name of its own).
      assert.deepEqual(await page.locator('dl.summary .adjustment dt').allTextContents(), ['10% off']);
      const taken = await page.locator('dl.summary .adjustment dd').allTextContents();
      assert.deepEqual(taken, ['-$15.00']);
      const off = taken.map(cents);
      assert.equal(await page.locator('#lines-note').count(), 0);
      const due = cents(await page.locator('#due-today').textContent());
      assert.equal([...lines, ...off].reduce((a, b) => a + b, 0), due);
      if (shots) await shoot(page, 'portal-confirm-preview');
      await page.getByRole('button', { name: 'Confirm' }).click();
    }
  }
}

/** What each flow changed, read back through the API. */
async function checkState(kind, customer, sub) {
  const s = (await biz.api.get(`/v1/subscriptions/${sub.id}`, { expand: ['discounts'] })).json;
  switch (kind) {
    case 'payment_method_update': {
      const c = (await biz.api.get(`/v1/customers/${customer.id}`, { expand: ['invoice_settings.default_payment_method'] })).json;
      assert.equal(c.invoice_settings.default_payment_method.card.last4, '4444');
      assert.equal(c.invoice_settings.default_payment_method.customer, customer.id);
      return ['setup_intent.created', 'setup_intent.succeeded', 'payment_method.attached', 'customer.updated'];
    }
    case 'subscription_cancel':
      assert.equal(s.cancel_at_period_end, true);
      assert.equal(s.status, 'active');
      assert.deepEqual(s.cancellation_details, { comment: 'Found a cheaper plan.', feedback: 'too_expensive', reason: 'cancellation_requested' });
      // The cancellation, then the survey's answer.
      return ['customer.subscription.updated', 'customer.subscription.updated'];
    case 'subscription_update':
      assert.equal(s.items.data[0].price.lookup_key, 'team_month');
      // The change, and its two prorations: invoice items, waiting for the next invoice.
      return ['customer.subscription.updated', 'invoiceitem.created', 'invoiceitem.created'];
    default:
      assert.equal(s.items.data[0].price.lookup_key, 'pro_year');
      assert.equal(s.discounts.length, 1);
      assert.equal(s.discounts[0].promotion_code, biz.promo.id);
      return null;
  }
}

for (const kind of ['payment_method_update', 'subscription_cancel', 'subscription_update', 'subscription_update_confirm']) {
  for (const ac of ['hosted_confirmation', 'portal_homepage', 'redirect']) {
    test(`${kind} → ${ac}`, async () => {
      const { customer, sub } = await subscribedCustomer(biz);
      const before = await eventCount(biz.api);
      const s = await session(biz, {
        customer: customer.id, return_url: `${app.url}/account`,
        flow_data: { ...flowData(kind, sub), after_completion: afterCompletion(ac, kind) },
      });
      const { context, page, response } = await open(browser, s.url);
      assert.equal(response.status(), 200);
      // A flow hides the rest of the portal but keeps the way back to the app.
      assert.equal(await page.getByRole('link', { name: `Return to 127.0.0.1` }).getAttribute('href'), `${app.url}/account`);
      assert.equal(await page.getByRole('heading', { name: 'Invoice history' }).count(), 0);
      await complete(page, kind, ac === 'hosted_confirmation');
      if (ac === 'redirect') {
        await page.waitForURL(`${app.url}/done/${kind}?ok=1`);
        assert.ok(app.hits.includes(`/done/${kind}?ok=1`));
      } else if (ac === 'hosted_confirmation') {
        const heading = { payment_method_update: 'Payment method updated', subscription_cancel: 'Subscription canceled' }[kind] ?? 'Subscription updated';
        await page.getByRole('heading', { name: heading }).waitFor();
        // The custom message is shown as text, never as markup.
        assert.match(await page.textContent('main'), /Thanks! <b>/);
        assert.equal(await page.getByRole('link', { name: 'Return to 127.0.0.1' }).count(), 2);
        await shoot(page, `portal-done-${kind}`);
        // Reloading shows the confirmation again; the flow cannot be run twice.
        await page.goto(s.url);
        await page.getByRole('heading', { name: heading }).waitFor();
      } else {
        await page.getByRole('heading', { name: 'Your billing' }).waitFor();
        await page.getByRole('status').waitFor();
        assert.equal(await page.getByRole('heading', { name: 'Invoice history' }).count(), 1);
        if (kind === 'subscription_update') await shoot(page, 'portal-home-after-update');
      }
      const expected = await checkState(kind, customer, sub);
      const types = await eventTypes(biz.api, { after: before });
      assert.equal(types[0], 'billing_portal.session.created');
      if (expected) assert.deepEqual(types.slice(1), expected, JSON.stringify(types));
      await context.close();
    });
  }
}

test('the plan page: Enter continues, and a plan chosen stays chosen across the interval tabs', async () => {
  const { customer, sub } = await subscribedCustomer(biz, { price: biz.basic.prices.month.id });
  const s = await session(biz, { customer: customer.id, flow_data: flowData('subscription_update', sub) });
  const { context, page } = await open(browser, s.url);
  await page.getByRole('heading', { name: 'Update your plan' }).waitFor();
  // The products keep the configuration's order under either interval.
  const names = async () => (await page.locator('.choice-title').allTextContents());
  assert.deepEqual(await names(), ['Basic', 'Pro', 'Team']);
  // Pro chosen under Monthly is Pro's yearly price under Yearly.
  await page.getByRole('radio', { name: /Pro/ }).check();
  await page.getByRole('button', { name: 'Yearly' }).click();
  await page.getByRole('heading', { name: 'Update your plan' }).waitFor();
  assert.equal(await page.getByRole('radio', { name: /Pro/ }).isChecked(), true);
  assert.match(await page.getByRole('radio', { name: /Pro/ }).getAttribute('value'), new RegExp(biz.pro.prices.year.id));
  // Enter in the code field submits the form (its default button is Continue, not a tab).
  await page.getByLabel('Promotion code').fill('NOPE');
  await page.getByLabel('Promotion code').press('Enter');
  await page.waitForURL(/\/update\/preview/);
  // A code that cannot be used: the field says so and has the focus.
  const code = page.getByLabel('Promotion code');
  assert.equal(await code.getAttribute('aria-invalid'), 'true');
  assert.equal(await code.getAttribute('aria-describedby'), 'form-error');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'promotion_code');
  await code.fill('WELCOME10');
  await code.press('Enter');
  await page.getByRole('heading', { name: 'Confirm your new plan' }).waitFor();
  assert.match(await page.textContent('main'), /\$150\.00 \/ year/);
  await context.close();
});
