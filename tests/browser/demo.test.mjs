// `portico demo`, as a newcomer meets it: run it, open each printed link in a browser and
// complete its flow; then the stand-in app's buttons open fresh portal sessions. Ctrl-C stops it.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, repo } from './lib.mjs';
import { fillCard, shoot } from './portal-lib.mjs';

let demo;
let output = '';
let browser;
let links;
let invoiceLink;
let appUrl;

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

before(async () => {
  const bin = process.env.PORTICO_BIN || path.join(repo, 'target', 'debug', 'portico');
  const [api, app] = [await freePort(), await freePort()];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTICO_')));
  demo = spawn(bin, ['demo', '--listen', `127.0.0.1:${api}`, '--app-listen', `127.0.0.1:${app}`], { env });
  demo.stdout.on('data', (d) => { output += d; });
  demo.stderr.on('data', (d) => { output += d; });
  const deadline = Date.now() + 60_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (demo.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  links = Object.fromEntries([...output.matchAll(/^ {2}(.+?)\s{2,}(http:\/\/\S+\/p\/session\/\S+)/gm)].map((m) => [m[1].trim(), m[2]]));
  invoiceLink = output.match(/^ {2}Pay an open invoice\s{2,}(http:\/\/\S+\/p\/invoice\/\S+)/m)?.[1];
  appUrl = output.match(/Your app:\s+(\S+)/)[1];
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
});

async function page(url) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const res = await p.goto(url);
  assert.equal(res.status(), 200, url);
  return p;
}

test('it prints a link for the homepage and every flow, and no request logs', () => {
  assert.deepEqual(Object.keys(links), ['Portal homepage', 'Update payment method', 'Cancel subscription', 'Change plan', 'Confirm upgrade to Pro yearly']);
  assert.ok(!output.includes(' INFO '), output);
  assert.match(output, /sk_test_portico_demo/);
});

test('it prints an open invoice to pay on its hosted page', async () => {
  assert.ok(invoiceLink, output);
  const p = await page(invoiceLink);
  await p.getByRole('heading', { name: 'Pay this invoice' }).waitFor();
  assert.match(await p.textContent('body'), /Acme Cloud/);
  await p.getByLabel('Card number').fill('4242 4242 4242 4242');
  await p.getByLabel('Expiration date').fill('12 / 34');
  await p.getByLabel('Security code').fill('123');
  await p.getByRole('button', { name: /^Pay / }).click();
  await p.getByText('This invoice is paid. Thank you!').waitFor();
  await p.context().close();
});

test('each printed link opens a working portal with the business branding', async () => {
  const home = await page(links['Portal homepage']);
  await home.getByRole('heading', { name: 'Your billing' }).waitFor();
  assert.match(await home.textContent('body'), /Acme Cloud/);
  assert.match(await home.textContent('main'), /Pro/);
  await shoot(home, 'demo-home');

  const card = await page(links['Update payment method']);
  await fillCard(card, '4242424242424242');
  await card.getByRole('button', { name: 'Update payment method' }).click();
  await card.getByRole('heading', { name: 'Payment method updated' }).waitFor();

  const cancel = await page(links['Cancel subscription']);
  await cancel.getByRole('button', { name: 'Cancel subscription' }).click();
  await cancel.getByRole('button', { name: 'No thanks, cancel subscription' }).click();
  // Canceled; the survey follows, and may be left unanswered.
  await cancel.getByRole('button', { name: 'Continue' }).click();
  await cancel.waitForURL((u) => !u.search.includes('step=reason'));
  await cancel.getByRole('heading', { name: 'Subscription canceled' }).waitFor();

  const update = await page(links['Change plan']);
  await update.getByRole('button', { name: 'Yearly' }).click();
  await update.getByRole('radio', { name: /Team/ }).check();
  await update.getByRole('button', { name: 'Continue' }).click();
  await update.getByRole('button', { name: 'Confirm' }).click();
  await update.getByRole('heading', { name: 'Subscription updated' }).waitFor();

  const confirm = await page(links['Confirm upgrade to Pro yearly']);
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await confirm.waitForURL(`${appUrl}/?upgraded=1`);
  assert.match(await confirm.textContent('body'), /the upgrade was confirmed/);
});

test('the stand-in app opens fresh portal sessions', async () => {
  const app = await page(appUrl);
  await shoot(app, 'demo-app');
  // The app reads the customer's plan through the API (an earlier test may have changed it).
  const plan = await app.locator('p', { hasText: 'Your plan:' }).textContent();
  assert.match(plan, /^Your plan: (Starter|Pro|Team) \((month|year)ly\), \w+/, plan);
  await app.getByRole('button', { name: 'Manage billing' }).click();
  await app.getByRole('heading', { name: 'Your billing' }).waitFor();
  await app.getByRole('link', { name: 'Return to Acme Cloud' }).click();
  await app.getByRole('button', { name: 'Update card' }).click();
  await app.getByRole('heading', { name: 'Update your payment method' }).waitFor();
});

test('Ctrl-C stops it cleanly', async () => {
  demo.kill('SIGINT');
  const code = await new Promise((r) => (demo.exitCode !== null ? r(demo.exitCode) : demo.on('exit', r)));
  assert.equal(code, 0, output);
});
