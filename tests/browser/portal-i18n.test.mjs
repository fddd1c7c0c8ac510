// The cancel flow in French, German, Japanese, Traditional Chinese and British English, in
// Chromium: translated headings, buttons, reasons and confirmations, with amounts and dates
// written the way each language writes them.
// (Every page in every language is checked by tests/sdk/test_portal_pages.py.)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, portalSuite, shoot } from './portal-lib.mjs';

let browser;
let biz;
portalSuite({}, (e) => ({ browser, biz } = e));

const CASES = [
  {
    locale: 'fr', currency: 'eur', amount: '12,00 € / mois', date: /\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) 20\d\d/,
    summary: 'Annuler votre abonnement', cancel: 'Annuler l’abonnement', offer: 'Avant de partir', decline: 'Non merci, annuler l’abonnement', next: 'Continuer',
    reason: 'C’est trop cher', comment: 'Souhaitez-vous nous dire autre chose ?', done: 'Abonnement annulé', back: 'Retour à 127.0.0.1', offerText: '20 % de réduction',
  },
  {
    locale: 'de', currency: 'eur', amount: '12,00 € / Monat', date: /\d{1,2}\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember) 20\d\d/,
    summary: 'Abonnement kündigen', cancel: 'Abonnement kündigen', offer: 'Bevor Sie gehen', decline: 'Nein danke, Abonnement kündigen', next: 'Weiter',
    reason: 'Es ist zu teuer', comment: 'Möchten Sie uns noch etwas mitteilen?', done: 'Abonnement gekündigt', back: 'Zurück zu 127.0.0.1', offerText: '20 % Rabatt',
  },
  {
    locale: 'ja', currency: 'jpy', amount: '¥1,200 / 月', date: /20\d\d年\d{1,2}月\d{1,2}日/,
    summary: 'サブスクリプションをキャンセル', cancel: 'サブスクリプションをキャンセル', offer: 'キャンセルする前に', decline: 'いいえ、サブスクリプションをキャンセルします', next: '続行',
    reason: '料金が高すぎる', comment: 'その他にお聞かせいただけることはありますか？', done: 'サブスクリプションをキャンセルしました', back: '127.0.0.1に戻る', offerText: '20%',
  },
  {
    locale: 'zh-TW', lang: 'zh-Hant', currency: 'twd', amount: '$12.00 / 月', date: /20\d\d年\d{1,2}月\d{1,2}日/,
    summary: '取消您的訂閱', cancel: '取消訂閱', offer: '在您離開之前', decline: '不用了，取消訂閱', next: '繼續',
    reason: '價格太貴', comment: '還有其他想告訴我們的嗎？', done: '訂閱已取消', back: '返回 127.0.0.1', offerText: '20% 折扣',
  },
  {
    locale: 'en-GB', currency: 'gbp', amount: '£12.00 / month', date: /\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d/,
    summary: 'Cancel your subscription', cancel: 'Cancel subscription', offer: 'Before you go', decline: 'No thanks, cancel subscription', next: 'Continue',
    reason: "It's too expensive", comment: "Anything else you'd like to share?", done: 'Subscription cancelled', back: 'Return to 127.0.0.1', offerText: '20% off',
  },
];

for (const c of CASES) {
  test(`the cancel flow in ${c.locale}`, async () => {
    const product = (await biz.api.post('/v1/products', { name: 'Pro' })).json;
    const price = (await biz.api.post('/v1/prices', { product: product.id, currency: c.currency, unit_amount: 1200, recurring: { interval: 'month' } })).json;
    const customer = (await biz.api.post('/v1/customers', { email: `${c.locale}@example.com`, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } })).json;
    const sub = (await biz.api.post('/v1/subscriptions', { customer: customer.id, items: [{ price: price.id }] })).json;
    const s = (await biz.api.post('/v1/billing_portal/sessions', {
      customer: customer.id, configuration: biz.config.id, locale: c.locale, return_url: 'http://127.0.0.1:9/app',
      flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: sub.id, retention: { type: 'coupon_offer', coupon_offer: { coupon: biz.coupon.id } } } },
    })).json;
    const { context, page } = await open(browser, s.url);
    assert.equal(await page.getAttribute('html', 'lang'), c.lang ?? c.locale);
    await page.getByRole('heading', { name: c.summary }).waitFor();
    await page.getByRole('link', { name: c.back }).waitFor();
    // Amounts keep a no-break space before the symbol; read it as a space.
    const summary = (await page.textContent('main')).replace(/[\u00a0\u202f]/g, ' ');
    assert.ok(summary.includes(c.amount), `${c.amount} in: ${summary}`);
    assert.match(summary, c.date);
    await shoot(page, `portal-cancel-summary-${c.locale}`);
    await page.getByRole('button', { name: c.cancel }).click();
    await page.getByRole('heading', { name: c.offer }).waitFor();
    assert.ok((await page.textContent('main')).replace(/[\u00a0\u202f]/g, ' ').includes(c.offerText));
    await shoot(page, `portal-cancel-offer-${c.locale}`);
    await page.getByRole('button', { name: c.decline }).click();
    // Canceled; the survey follows.
    await page.getByRole('heading', { name: c.done }).waitFor();
    await page.getByRole('radio', { name: c.reason }).check();
    await page.getByLabel(c.comment).fill('…');
    await shoot(page, `portal-cancel-reason-${c.locale}`);
    await page.getByRole('button', { name: c.next }).click();
    await page.waitForURL((u) => !u.search.includes('step=reason'));
    await page.getByRole('heading', { name: c.done }).waitFor();
    assert.match(await page.textContent('main'), c.date);
    await shoot(page, `portal-done-canceled-${c.locale}`);
    const after = (await biz.api.get(`/v1/subscriptions/${sub.id}`)).json;
    assert.equal(after.cancel_at_period_end, true);
    assert.equal(after.cancellation_details.feedback, 'too_expensive');
    await context.close();
  });
}

test('auto: the customer\'s preferred locale, then the browser\'s language', async () => {
  const customer = (await biz.api.post('/v1/customers', { email: 'nl@example.com', preferred_locales: ['nl-BE', 'fr'] })).json;
  const auto = (await biz.api.post('/v1/billing_portal/sessions', { customer: customer.id, configuration: biz.config.id, locale: 'auto' })).json;
  const { context, page } = await open(browser, auto.url);
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  await context.close();
  const plain = (await biz.api.post('/v1/customers', { email: 'es@example.com' })).json;
  const s = (await biz.api.post('/v1/billing_portal/sessions', { customer: plain.id, configuration: biz.config.id })).json;
  const ctx = await browser.newContext({ locale: 'es-MX', extraHTTPHeaders: { 'Accept-Language': 'es-MX,es;q=0.9' } });
  const p = await ctx.newPage();
  await p.goto(s.url);
  assert.equal(await p.getAttribute('html', 'lang'), 'es');
  // A locale Portico has no catalog for falls back to the closest one it has, or English.
  const pt = (await biz.api.post('/v1/billing_portal/sessions', { customer: plain.id, configuration: biz.config.id, locale: 'pt' })).json;
  await p.goto(pt.url);
  assert.equal(await p.getAttribute('html', 'lang'), 'pt-BR');
  const ko = (await biz.api.post('/v1/billing_portal/sessions', { customer: plain.id, configuration: biz.config.id, locale: 'ko' })).json;
  await p.goto(ko.url);
  assert.equal(await p.getAttribute('html', 'lang'), 'en');
  await ctx.close();
});
