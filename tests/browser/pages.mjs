// The walk of tests/pages_browser.rs: four people of the 销售发货 SOP and an external
// implementer use the real pages of a `sopctl serve` at phone width (360x740), with
// JavaScript on, in headless Chromium. axe-core runs on every page; serious or critical
// violations fail. Screenshots go to OUT_DIR/*.png.
//
//   node pages.mjs NPM_DIR BASE_URL FEISHU_URL LINKS_JSON OUT_DIR
//
// LINKS_JSON: {"zhangsan":[url,url],"lisi":[url,url],"zhaoliu":[url],"lisa":[url]} from
// `sopctl login-link`; the warehouse clerk signs in from the card the fake Feishu received.
import { createRequire } from 'node:module';
import path from 'node:path';
import { mkdirSync } from 'node:fs';

const [npmDir, base, feishu, linksJson, outDir] = process.argv.slice(2);
const links = JSON.parse(linksJson);
const require = createRequire(path.join(path.resolve(npmDir), 'package.json'));
const { chromium } = require('playwright-core');
const axePath = path.join(npmDir, 'node_modules/axe-core/axe.min.js');
mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const step = (s) => console.log(`step: ${s}`);
function expect(cond, why) { if (!cond) throw new Error(why); }

/// A person's browser: their own cookies, a phone's viewport, nothing from outside.
async function person() {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith('data:')) throw new Error(`a request left the server: ${u}`);
  });
  return page;
}

/// axe-core on the page, and a screenshot.
async function check(page, name) {
  await page.addScriptTag({ path: axePath });
  const res = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.length === 0, `${name}: axe: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(' ')}`).join('; ')}`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide <= 360, `${name}: the page is ${wide}px wide at a 360px viewport`);
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
  console.log(`page: ${name} ok`);
}

async function signIn(page, link, name) {
  await page.goto(link);
  if (name) await check(page, name);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForLoadState();
}

try {
  step('zhangsan signs in from the admin\'s link and starts a delivery');
  const zhang = await person();
  await signIn(zhang, links.zhangsan[0], 'login');
  await zhang.getByRole('link', { name: '新建 · 销售发货' }).click();
  await zhang.getByLabel('归属人', { exact: true }).fill('zhangsan');
  await zhang.getByLabel('销售订单号', { exact: true }).fill('SO-2026-001');
  await zhang.getByLabel('客户名称', { exact: true }).fill('华东电子');
  await zhang.getByLabel('收货地址及联系人', { exact: true }).fill('上海市浦东新区张江路 88 号 张经理 13800000000');
  await zhang.getByLabel('发货金额', { exact: true }).fill('12800');
  await check(zhang, 'new-record');
  await zhang.getByRole('button', { name: '提交' }).click();
  await zhang.getByText('已创建。').waitFor();
  const record = new URL(zhang.url()).pathname;
  const id = record.split('/').pop();
  await check(zhang, 'record');
  await zhang.getByRole('link', { name: '核对发货信息并提交审批' }).click();
  await check(zhang, 'task-submit');
  await zhang.getByRole('button', { name: '完成任务' }).click();
  await zhang.getByText('任务已完成。').waitFor();

  step('lisi (销售主管) rejects with a reason');
  const li = await person();
  await signIn(li, links.lisi[0]);
  await li.locator('ul.work').getByRole('link', { name: /提交发货审批/ }).click();
  await check(li, 'approval');
  await li.getByLabel('驳回原因', { exact: true }).fill('金额与合同不符，请核对');
  await li.getByRole('button', { name: '驳回' }).click();
  await li.getByText('已驳回').waitFor();
  await check(li, 'my-work-approver');

  step('zhangsan sees the reason and asks again');
  await zhang.goto(`${base}/`);
  await zhang.getByRole('link', { name: /被lisi驳回/ }).click();
  expect(new URL(zhang.url()).pathname === record, 'the message leads to the record');
  await zhang.getByText('金额与合同不符，请核对').waitFor();
  await zhang.getByRole('button', { name: '提交发货审批' }).click();
  await zhang.getByText('已提交。').waitFor();

  step('lisi and zhaoliu (财务) approve');
  await li.goto(`${base}/a/${id}`);
  await li.getByRole('button', { name: '同意' }).click();
  await li.getByText('已同意。').waitFor();
  const zhao = await person();
  await signIn(zhao, links.zhaoliu[0]);
  await zhao.locator('ul.work').getByRole('link', { name: /提交发货审批/ }).click();
  await zhao.getByRole('button', { name: '同意' }).click();
  await zhao.getByText('已同意。').waitFor();

  step('wangwu (库管) opens the Feishu card the fake received');
  let card = null;
  for (let i = 0; i < 50 && !card; i++) {
    const msgs = await (await fetch(`${feishu}/_messages`)).json();
    card = msgs.find((m) => m.receive_id === 'ou_wang');
    if (!card) await new Promise((r) => setTimeout(r, 200));
  }
  expect(card, 'the warehouse clerk got no Feishu card');
  const content = JSON.parse(card.content);
  const button = content.elements.flatMap((e) => e.actions || [])[0];
  expect(button.text.content === '去处理', 'the card has a 去处理 button');
  const wang = await person();
  await signIn(wang, button.url);
  expect(new URL(wang.url()).pathname === record, `the card leads to the record: ${wang.url()}`);
  await wang.goto(`${base}/`);
  await check(wang, 'my-work');
  await wang.locator('ul.work').getByRole('link', { name: /完成发货并反馈发货信息/ }).click();
  await check(wang, 'task');
  await wang.getByLabel('实际发货时间', { exact: true }).fill('2026-01-05T14:30');
  await wang.getByLabel('物流单号', { exact: true }).fill('SF1234567890');
  await wang.getByRole('button', { name: '完成任务' }).click();
  await wang.getByRole('alert').waitFor();
  expect(await wang.getByLabel('物流单号', { exact: true }).inputValue() === 'SF1234567890', 'what was typed is kept');
  await check(wang, 'task-refused');
  await wang.getByLabel('物流凭证', { exact: true }).setInputFiles(path.join(outDir, 'task.png'));
  await wang.getByRole('button', { name: '完成任务' }).click();
  await wang.getByText('任务已完成。').waitFor();
  await check(wang, 'my-work-done');

  step('lisi looks at the board');
  await li.goto(`${base}/board/sales-delivery`);
  await li.getByRole('heading', { name: /已发货/ }).waitFor();
  const charts = await li.locator('figure.kpi svg').count();
  expect(charts > 0, `the owner's board draws the KPI charts: ${charts}`);
  await check(li, 'board');

  step('lisa, an external implementer, sees only her task');
  const lisa = await person();
  await signIn(lisa, links.lisa[0]);
  await lisa.locator('ul.work').getByRole('link', { name: /接受任务/ }).waitFor();
  expect(!(await lisa.content()).includes('华东电子'), 'lisa sees no delivery');
  await check(lisa, 'my-work-external');
  const r = await lisa.goto(`${base}${record}`);
  expect(r.status() === 403, `lisa opens another record: ${r.status()}`);
  console.log('walk: ok');
} catch (e) {
  console.log(`FAIL ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
