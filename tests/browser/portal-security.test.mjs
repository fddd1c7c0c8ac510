// The portal's boundaries, in Chromium: a link belongs to the first browser that opens it,
// links expire (unopened, and unused), forms need their CSRF token, objects of another customer
// are out of reach, redirects go only where the API said, and every page carries strict headers.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, startPortico, startReturnServer } from './lib.mjs';
import { open, seedBusiness, session, shoot, subscribedCustomer } from './portal-lib.mjs';

let portico;
let short;
let browser;
let app;
let biz;

before(async () => {
  portico = await startPortico();
  // Links that expire in two seconds unopened, sessions that end after eight idle seconds
  // (times are whole seconds, so each check keeps a second of margin).
  short = await startPortico(['--portal-link-ttl', '2s', '--portal-session-idle', '8s']);
  browser = await launchBrowser();
  app = await startReturnServer();
  biz = await seedBusiness(portico.base);
});

after(async () => {
  await browser?.close();
  await app?.close();
  await portico?.stop();
  await short?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('every page carries strict headers, and the browser cookie is HttpOnly and SameSite', async () => {
  const { customer } = await subscribedCustomer(biz);
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account` });
  const { context, response } = await open(browser, s.url);
  const h = response.headers();
  assert.match(h['content-security-policy'], /default-src 'none'/);
  assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
  assert.match(h['content-security-policy'], /form-action 'self'/);
  assert.equal(h['x-frame-options'], 'DENY');
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.equal(h['cache-control'], 'no-store');
  const cookie = (await context.cookies()).find((c) => c.name === 'portico_browser');
  assert.ok(cookie, 'the browser cookie is set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.path, '/p');
  await context.close();
});

test('a link opened in a second browser is turned away', async () => {
  const { customer } = await subscribedCustomer(biz);
  const s = await session(biz, { customer: customer.id });
  const first = await open(browser, s.url);
  assert.equal(first.response.status(), 200);
  const second = await open(browser, s.url);
  assert.equal(second.response.status(), 403);
  await second.page.getByRole('heading', { name: 'This link was already used' }).waitFor();
  // Not a dead end: the way back to the app, where a new link is made.
  const back = second.page.getByRole('link', { name: /^Return to / });
  assert.equal(await back.getAttribute('href'), s.return_url);
  await shoot(second.page, 'portal-link-taken');
  // The first browser keeps using it.
  assert.equal((await first.page.reload()).status(), 200);
  await first.context.close();
  await second.context.close();
});

test('unknown links get a clear page, not an error', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const path of ['/p/session/test_' + 'x'.repeat(43), '/p/session/nope', '/p/session/test_../../etc']) {
    const res = await page.goto(portico.base + path);
    assert.equal(res.status(), 404, path);
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
  }
  await shoot(page, 'portal-link-invalid');
  await context.close();
});

test('an unopened link expires, and an opened session ends when left unused', async () => {
  const sbiz = await seedBusiness(short.base);
  const { customer } = await subscribedCustomer(sbiz);
  const unopened = await session(sbiz, { customer: customer.id, return_url: 'http://127.0.0.1:9/billing' });
  const used = await session(sbiz, { customer: customer.id });
  const opened = await open(browser, used.url);
  assert.equal(opened.response.status(), 200);
  await sleep(2300);
  const late = await open(browser, unopened.url);
  assert.equal(late.response.status(), 410);
  // In use past the link's time to first open, the session goes on...
  assert.equal((await opened.page.reload()).status(), 200);
  await sleep(1300);
  assert.equal((await opened.page.reload()).status(), 200);
  // ...until it sits unused for longer than the idle limit.
  await sleep(8300);
  assert.equal((await opened.page.reload()).status(), 410);
  // Screenshots last: on a slow machine they took long enough to idle the session out.
  await late.page.getByRole('heading', { name: 'This session has expired' }).waitFor();
  // The way back to the app the session was made for.
  assert.equal(await late.page.getByRole('link', { name: 'Return to 127.0.0.1' }).getAttribute('href'), 'http://127.0.0.1:9/billing');
  await shoot(late.page, 'portal-session-expired');
  await late.context.close();
  await opened.context.close();
});

test('forms need the session CSRF token, and another customer is out of reach', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  await biz.api.post(`/v1/subscriptions/${sub.id}`, { cancel_at_period_end: true });
  const other = await subscribedCustomer(biz, { email: 'eve@example.com' });
  await biz.api.post(`/v1/subscriptions/${other.sub.id}`, { cancel_at_period_end: true });
  const s = await session(biz, { customer: customer.id });
  const { context, page } = await open(browser, s.url);
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  assert.match(csrf, /^[0-9a-f]{32}$/);
  const post = (path, form) => page.request.post(`${s.url}${path}`, { form, maxRedirects: 0 });
  // A forged form (no token, a wrong one) changes nothing.
  for (const form of [{}, { csrf: 'f'.repeat(32) }]) {
    const r = await post(`/subscriptions/${sub.id}/renew`, form);
    assert.equal(r.status(), 403);
  }
  assert.equal((await biz.api.get(`/v1/subscriptions/${sub.id}`)).json.cancel_at_period_end, true);
  // With the token, but for another customer's subscription: not found, nothing changes.
  const r = await post(`/subscriptions/${other.sub.id}/renew`, { csrf });
  assert.equal(r.status(), 404);
  assert.equal((await biz.api.get(`/v1/subscriptions/${other.sub.id}`)).json.cancel_at_period_end, true);
  for (const path of [`/subscriptions/${other.sub.id}/cancel`, `/subscriptions/${other.sub.id}/update`]) {
    assert.equal((await page.goto(`${s.url}${path}`)).status(), 404, path);
  }
  const otherCard = (await biz.api.get(`/v1/customers/${other.customer.id}/payment_methods`)).json.data[0].id;
  assert.equal((await post(`/payment-methods/${otherCard}/remove`, { csrf })).status(), 404);
  assert.equal((await post(`/payment-methods/${otherCard}/default`, { csrf })).status(), 404);
  // The token of this session does not work for another session of the same browser.
  const s2 = await session(biz, { customer: customer.id });
  await page.goto(s2.url);
  const r2 = await page.request.post(`${s2.url}/subscriptions/${sub.id}/renew`, { form: { csrf }, maxRedirects: 0 });
  assert.equal(r2.status(), 403);
  // With everything right, it works.
  const good = await post(`/subscriptions/${sub.id}/renew`, { csrf });
  assert.equal(good.status(), 303);
  assert.equal((await biz.api.get(`/v1/subscriptions/${sub.id}`)).json.cancel_at_period_end, false);
  await context.close();
});

test('a flow stays inside itself, and redirects go only where the API said', async () => {
  const { customer, sub } = await subscribedCustomer(biz);
  const s = await session(biz, { customer: customer.id, return_url: `${app.url}/account`,
    flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: sub.id } } });
  const { context, page } = await open(browser, s.url);
  await page.getByRole('heading', { name: 'Cancel your subscription' }).waitFor();
  // The rest of the portal leads back into the flow.
  for (const path of ['', '/billing', '/payment-methods/new?next=/subscriptions/x', `/subscriptions/${sub.id}/update`]) {
    await page.goto(`${s.url}${path}`);
    assert.ok(page.url().endsWith(`/subscriptions/${sub.id}/cancel`) || path.startsWith('/payment-methods'), `${path} → ${page.url()}`);
  }
  // A card page's `next` cannot lead out of the session.
  const home = await session(biz, { customer: customer.id });
  await page.goto(`${home.url}/payment-methods/new?next=https://evil.example/`);
  assert.equal(await page.locator('input[name=next]').count(), 0);
  // The 3-D Secure page sends back only into a portal session.
  const res = await page.request.post(`${portico.base}/p/authenticate/nope?return=https://evil.example/`, { form: { outcome: 'approve' }, maxRedirects: 0 });
  assert.notEqual(res.status(), 303);
  await context.close();
});

test('stored text is shown as text', async () => {
  const { customer } = await subscribedCustomer(biz, { name: '<script>alert(1)</script>', email: 'x@example.com' });
  await biz.api.post(`/v1/customers/${customer.id}`, { address: { line1: '"><img src=x onerror=alert(1)>', city: 'Zürich & Co' } });
  const s = await session(biz, { customer: customer.id });
  const { context, page } = await open(browser, s.url);
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
  const html = await page.content();
  assert.ok(!html.includes('<script>alert(1)</script>'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.match(await page.textContent('main'), /Zürich & Co/);
  assert.equal(dialogs, 0);
  await context.close();
});
