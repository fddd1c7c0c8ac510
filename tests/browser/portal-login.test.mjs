// The login page of a configuration with `login_page.enabled`, in Chromium: a customer types
// their email, the one-time link arrives in the outbox (read on /p/dev/mail), and it opens the
// portal once. The page answers the same for an address nobody has, and limits attempts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, portalSuite, shoot, subscribedCustomer } from './portal-lib.mjs';

let portico;
let browser;
let biz;
portalSuite({}, (e) => ({ portico, browser, biz } = e));

async function loginUrl() {
  const cfg = (await biz.api.post(`/v1/billing_portal/configurations/${biz.config.id}`, { login_page: { enabled: true } })).json;
  assert.match(cfg.login_page.url, /\/p\/login\/[A-Za-z0-9]{43}$/);
  return cfg.login_page.url;
}

/** The newest email to `to` in the outbox, waiting for it to be written. */
async function latestEmail(page, to, after = 0) {
  for (let i = 0; i < 100; i += 1) {
    await page.goto(`${portico.base}/p/dev/mail`);
    const rows = await page.locator('ul.list li').evaluateAll((lis) => lis.map((li) => ({
      href: li.querySelector('a').getAttribute('href'), text: li.textContent,
    })));
    const mine = rows.filter((r) => r.text.includes(to));
    if (mine.length > after) return mine[0].href;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no email to ${to}`);
}

async function ask(page, url, email) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Email me a link' }).click()]);
  return res;
}

test('a customer asks for a link, gets it by email, and it opens the portal once', async () => {
  const { customer } = await subscribedCustomer(biz, { email: 'grace@example.com', name: 'Grace Hopper' });
  const url = await loginUrl();
  const { context, page, response } = await open(browser, url);
  assert.equal(response.status(), 200);
  await page.getByRole('heading', { name: 'Sign in to your billing portal' }).waitFor();
  await shoot(page, 'portal-login');
  const res = await ask(page, url, 'grace@example.com');
  assert.equal(res.status(), 200);
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  assert.match(await page.textContent('main'), /If grace@example\.com belongs to an account/);
  await shoot(page, 'portal-login-sent');

  const mail = await latestEmail(page, 'grace@example.com');
  await page.goto(portico.base + mail);
  const text = await page.locator('pre.mail-text').textContent();
  assert.match(text, /Hello Grace Hopper,/);
  assert.match(text, /works once and expires in 15 minutes/);
  const link = text.match(/https?:\/\/\S+\/open\/[A-Za-z0-9]{43}/)[0];
  await shoot(page, 'dev-mail');
  await page.goto(`${portico.base}${mail}/html`);
  await page.getByRole('link', { name: 'Manage billing' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Manage billing' }).getAttribute('href'), link);
  await shoot(page, 'email-login-html');

  // The link asks to go on (fetching it uses nothing up), then opens a new portal session for
  // Grace, in this browser.
  const before = (await biz.api.get('/v1/events', { type: 'billing_portal.session.created' })).json.data.length;
  await page.goto(link);
  await page.getByRole('heading', { name: 'Open your billing portal' }).waitFor();
  await shoot(page, 'portal-login-continue');
  assert.equal((await biz.api.get('/v1/events', { type: 'billing_portal.session.created' })).json.data.length, before);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Your billing' }).waitFor();
  assert.match(page.url(), /\/p\/session\/test_/);
  assert.match(await page.textContent('main'), /grace@example\.com/);
  const created = (await biz.api.get('/v1/events', { type: 'billing_portal.session.created' })).json.data;
  assert.equal(created.length, before + 1);
  assert.equal(created[0].data.object.customer, customer.id);
  assert.equal(created[0].data.object.configuration, biz.config.id);
  // Once.
  const again = await page.goto(link);
  assert.equal(again.status(), 410);
  await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
  // It leads back to the sign-in page, for a new link.
  await page.getByRole('link', { name: 'Get a new link' }).click();
  await page.getByRole('heading', { name: 'Sign in to your billing portal' }).waitFor();
  await context.close();
});

test('the address is found in any case, and of two customers with it, the newer one', async () => {
  await subscribedCustomer(biz, { email: 'John.Smith@Company.example', name: 'Older John' });
  const { customer: newer } = await subscribedCustomer(biz, { email: 'JOHN.smith@company.EXAMPLE', name: 'Newer John' });
  const url = await loginUrl();
  const { context, page } = await open(browser, url);
  await ask(page, url, 'john.smith@company.example');
  // The email goes to the newer customer, at the address as their record has it.
  const mail = await latestEmail(page, 'JOHN.smith@company.EXAMPLE');
  await page.goto(portico.base + mail);
  const text = await page.locator('pre.mail-text').textContent();
  assert.match(text, /Hello Newer John,/);
  const link = text.match(/https?:\/\/\S+\/open\/[A-Za-z0-9]{43}/)[0];
  await page.goto(link);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Your billing' }).waitFor();
  const created = (await biz.api.get('/v1/events', { type: 'billing_portal.session.created' })).json.data;
  assert.equal(created[0].data.object.customer, newer.id);
  await context.close();
});

test('the answer is the same whether or not the address has an account', async () => {
  await subscribedCustomer(biz, { email: 'known@example.com' });
  const url = await loginUrl();
  const { context, page } = await open(browser, url);
  const answer = async (email) => {
    const res = await ask(page, url, email);
    return { status: res.status(), text: (await page.textContent('main')).replaceAll(email, 'EMAIL') };
  };
  const known = await answer('known@example.com');
  const unknown = await answer('stranger@example.com');
  assert.deepEqual(unknown, known);
  // Only the known address was written to.
  await latestEmail(page, 'known@example.com');
  await page.goto(`${portico.base}/p/dev/mail`);
  assert.doesNotMatch(await page.textContent('main'), /stranger@example\.com/);
  await context.close();
});

test('attempts are limited per address and per client', async () => {
  await subscribedCustomer(biz, { email: 'busy@example.com' });
  const url = await loginUrl();
  const { context, page } = await open(browser, url);
  for (let i = 0; i < 3; i += 1) assert.equal((await ask(page, url, 'busy@example.com')).status(), 200);
  const limited = await ask(page, url, 'busy@example.com');
  assert.equal(limited.status(), 429);
  assert.ok(Number(limited.headers()['retry-after']) > 0);
  await page.getByRole('heading', { name: 'Too many attempts' }).waitFor();
  await shoot(page, 'portal-login-limited');
  // It leads back to the sign-in page.
  assert.equal(await page.getByRole('link', { name: 'Back' }).getAttribute('href'), new URL(url).pathname);
  // The same client, other addresses: the client's own limit (10 in ten minutes) ends it too.
  const statuses = [];
  for (let i = 0; i < 11; i += 1) statuses.push((await ask(page, url, `other${i}@example.com`)).status());
  const first = statuses.indexOf(429);
  assert.ok(first > 0, statuses.join());
  assert.ok(statuses.slice(first).every((s) => s === 429), statuses.join());
  await context.close();
});

test('a disabled login page is gone, and forged forms are refused', async () => {
  const url = await loginUrl();
  const { context, page } = await open(browser, url);
  const res = await page.request.post(url, { form: { csrf: 'x'.repeat(43), email: 'a@example.com' } });
  assert.equal(res.status(), 403);
  await biz.api.post(`/v1/billing_portal/configurations/${biz.config.id}`, { login_page: { enabled: false } });
  assert.equal((await page.goto(url)).status(), 404);
  await context.close();
});
