// The hosted invoice page (`hosted_invoice_url`), as a customer meets it in Chromium: an open
// invoice whose card was declined is paid with another card; a card that needs 3-D Secure goes
// through the authentication page and comes back; the page is read at desktop and phone sizes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, launchBrowser, screenshot, startPortico, viewports } from './lib.mjs';

let portico;
let browser;

before(async () => {
  portico = await startPortico();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await portico?.stop();
});

/** A subscription whose first payment was declined (its card may be offered again): its open
 * invoice. */
async function declinedInvoice(api) {
  const product = (await api.post('/v1/products', { name: 'Team', default_price_data: { currency: 'usd', unit_amount: 4900, recurring: { interval: 'month' } } })).json;
  const customer = (await api.post('/v1/customers', { name: 'Ada Lovelace', email: 'ada@example.com', payment_method: 'pm_card_chargeCustomerFail', invoice_settings: { default_payment_method: 'pm_card_chargeCustomerFail' } })).json;
  // The customer allowed their card to be offered again.
  await api.post(`/v1/payment_methods/${customer.invoice_settings.default_payment_method}`, { allow_redisplay: 'always' });
  const sub = (await api.post('/v1/subscriptions', { customer: customer.id, items: [{ price: product.default_price }], expand: ['latest_invoice'] })).json;
  assert.equal(sub.status, 'incomplete');
  return { customer, sub, invoice: sub.latest_invoice };
}

async function fillCard(page, number) {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiration date').fill('12 / 34');
  await page.getByLabel('Security code').fill('123');
}

test('an open invoice is paid on its page with another card', async () => {
  const api = apiClient(portico.base);
  const { sub, invoice } = await declinedInvoice(api);
  const page = await browser.newPage({ viewport: viewports.desktop });
  await page.goto(invoice.hosted_invoice_url);
  await page.getByRole('heading', { name: 'Pay this invoice' }).waitFor();
  assert.match(await page.textContent('.amount-due'), /\$49\.00/);
  await screenshot(page, 'hosted-invoice-open-desktop');

  // The card on file has just been declined: the page asks for another, and says why when one
  // is declined too.
  assert.equal(await page.getByRole('button', { name: /ending in 0341/ }).count(), 0);
  await fillCard(page, '4000 0000 0000 0002');
  await page.getByRole('button', { name: 'Pay $49.00', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Your card was declined.' }).waitFor();

  // A card number that does not check out is pointed at.
  await fillCard(page, '4242 4242 4242 4241');
  await page.getByRole('button', { name: 'Pay $49.00', exact: true }).click();
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByLabel('Card number').getAttribute('aria-invalid'), 'true');

  await fillCard(page, '4242 4242 4242 4242');
  await page.getByRole('button', { name: 'Pay $49.00', exact: true }).click();
  await page.getByText('This invoice is paid. Thank you!').waitFor();
  assert.equal(await page.textContent('.badge'), 'Paid');
  await screenshot(page, 'hosted-invoice-paid-desktop');
  await page.close();

  const paid = (await api.get(`/v1/invoices/${invoice.id}`)).json;
  assert.equal(paid.status, 'paid');
  assert.equal(paid.hosted_invoice_url, invoice.hosted_invoice_url);
  assert.equal((await api.get(`/v1/subscriptions/${sub.id}`)).json.status, 'active');

  const phone = await browser.newPage({ viewport: viewports.phone });
  await phone.goto(invoice.hosted_invoice_url);
  await phone.getByText('This invoice is paid. Thank you!').waitFor();
  await screenshot(phone, 'hosted-invoice-paid-phone');
  await phone.close();
});

test('a card that needs 3-D Secure is authenticated and comes back to the invoice', async () => {
  const api = apiClient(portico.base);
  const { invoice } = await declinedInvoice(api);
  const page = await browser.newPage({ viewport: viewports.phone });
  await page.goto(invoice.hosted_invoice_url);
  await screenshot(page, 'hosted-invoice-open-phone');
  await fillCard(page, '4000 0027 6000 3184');
  await page.getByRole('button', { name: 'Pay $49.00', exact: true }).click();
  await page.getByRole('heading', { name: 'Authenticate your card' }).waitFor();
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await page.getByText('This invoice is paid. Thank you!').waitFor();
  assert.equal(page.url(), invoice.hosted_invoice_url);
  await page.close();
  assert.equal((await api.get(`/v1/invoices/${invoice.id}`)).json.status, 'paid');
});

test('a changed link leads nowhere', async () => {
  const api = apiClient(portico.base);
  const { invoice } = await declinedInvoice(api);
  const page = await browser.newPage({ viewport: viewports.desktop });
  const res = await page.goto(`${invoice.hosted_invoice_url.slice(0, -2)}xx`);
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
  await page.close();
});

test('the portal\'s invoice page leads to the hosted page to pay', async () => {
  const api = apiClient(portico.base);
  const { customer, invoice } = await declinedInvoice(api);
  const session = (await api.post('/v1/billing_portal/sessions', { customer: customer.id, return_url: 'https://app.example.com/account' })).json;
  const page = await browser.newPage({ viewport: viewports.desktop });
  await page.goto(session.url);
  await page.locator(`a[href$="/invoices/${invoice.id}"]`).click();
  await page.getByRole('link', { name: 'Pay this invoice' }).click();
  await page.getByRole('heading', { name: 'Pay this invoice' }).waitFor();
  // The hosted page, with the way back to the portal once paid.
  const url = new URL(page.url());
  assert.equal(url.origin + url.pathname, invoice.hosted_invoice_url);
  assert.equal(url.searchParams.get('back'), new URL(session.url).pathname);
  await page.getByRole('link', { name: 'Back to your account' }).waitFor();
  await page.close();
});

test('an invoice of one-off items reads as what was sold', async () => {
  const api = apiClient(portico.base);
  const customer = (await api.post('/v1/customers', { name: 'Grace Hopper', email: 'grace@example.com' })).json;
  const stickers = (await api.post('/v1/products', { name: 'Stickers', default_price_data: { currency: 'usd', unit_amount: 250 } })).json;
  const draft = (await api.post('/v1/invoices', { customer: customer.id, currency: 'usd' })).json;
  for (const item of [
    { amount: 50000, currency: 'usd', description: 'Workshop day' },
    { pricing: { price: stickers.default_price }, quantity: 3 },
    { amount: -2500, currency: 'usd', description: 'Goodwill credit' },
  ]) {
    const made = await api.post('/v1/invoiceitems', { customer: customer.id, invoice: draft.id, ...item });
    assert.equal(made.status, 200, JSON.stringify(made.json));
  }
  const open = (await api.post(`/v1/invoices/${draft.id}/finalize`, {})).json;
  assert.equal(open.amount_due, 48250);
  const page = await browser.newPage({ viewport: viewports.desktop });
  await page.goto(open.hosted_invoice_url);
  await page.getByRole('heading', { name: 'Pay this invoice' }).waitFor();
  const rows = await page.locator('table.lines tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()).join(' | ')));
  assert.deepEqual(rows, [
    'Workshop day | $500.00',
    '3 × Stickers | $7.50',
    'Goodwill credit | -$25.00',
  ]);
  await screenshot(page, 'hosted-invoice-one-off-items');
  await fillCard(page, '4242 4242 4242 4242');
  await page.getByRole('button', { name: 'Pay $482.50', exact: true }).click();
  await page.getByText('This invoice is paid. Thank you!').waitFor();
  await page.close();
  assert.equal((await api.get(`/v1/invoices/${draft.id}`)).json.status, 'paid');
});
