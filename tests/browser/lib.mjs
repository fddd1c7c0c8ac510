// Shared helpers for the browser tests: a Portico server per test file, the API over fetch,
// headless Chromium (Debian's, driven by playwright-core), and screenshots.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const screenshotDir = process.env.PORTICO_SCREENSHOTS || path.join(repo, 'test-output', 'screenshots');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitForPort(port, proc, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`portico exited early:\n${log()}`);
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`portico did not listen on ${port}:\n${log()}`);
}

/** Starts `portico serve --dev` on a free port with its own database (plus `extra` flags). */
export async function startPortico(extra = []) {
  const bin = process.env.PORTICO_BIN || path.join(repo, 'target', 'debug', 'portico');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-browser-'));
  const db = process.env.PORTICO_TEST_DATABASE_URL || `sqlite://${dir}/portico.db`;
  const port = await freePort();
  let output = '';
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTICO_')));
  const proc = spawn(bin, ['serve', '--dev', '--listen', `127.0.0.1:${port}`, '--database-url', db, ...extra], { env });
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  await waitForPort(port, proc, () => output);
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    log: () => output,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Form-encodes nested params the way the SDKs do (`a[b][0]=…`). */
export function formEncode(params, prefix = '', out = new URLSearchParams()) {
  for (const [k, v] of Object.entries(params)) {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) v.forEach((item, i) => (typeof item === 'object' ? formEncode(item, `${key}[${i}]`, out) : out.append(`${key}[${i}]`, String(item))));
    else if (typeof v === 'object') formEncode(v, key, out);
    else out.append(key, String(v));
  }
  return out;
}

/** A Stripe API client for one account (`sk_test_…` key) of a running Portico. */
export function apiClient(base, key = `sk_test_browser_${Math.random().toString(36).slice(2)}`) {
  async function call(method, urlPath, params = {}) {
    const headers = { Authorization: `Bearer ${key}` };
    let url = base + urlPath;
    let body;
    if (method === 'GET') {
      const q = formEncode(params).toString();
      if (q) url += `?${q}`;
    } else {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = formEncode(params).toString();
    }
    const res = await fetch(url, { method, headers, body });
    const json = await res.json();
    return { status: res.status, json };
  }
  return {
    key,
    get: (p, params) => call('GET', p, params),
    post: (p, params) => call('POST', p, params),
    del: (p) => call('DELETE', p),
  };
}

/** Headless Chromium from Debian's package. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

/** Saves a full-page screenshot as `<name>.png` in the screenshot folder. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** A local page standing in for the merchant's app: records where browsers land. */
export async function startReturnServer() {
  const hits = [];
  const server = createServer((req, res) => {
    hits.push(req.url);
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>Back in the app</title><h1>Back in the app</h1>');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => server.close(r)) };
}
