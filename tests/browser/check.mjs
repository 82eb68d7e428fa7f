// Browser checks for tests/render.rs, run with Node. Needs, from `.ci/install-render-tools.sh`:
// playwright-core and mermaid in NPM_DIR/node_modules, and Debian's /usr/bin/chromium.
//
//   node check.mjs NPM_DIR mermaid FILE.mmd…   parse and draw each diagram with the real Mermaid
//   node check.mjs NPM_DIR page FILE.html…     open each page; any console error, page error or
//                                              request that leaves the machine fails it
//   node check.mjs NPM_DIR screenshot FILE.html OUT.png   a full-page screenshot
//
// Prints one line per file ("ok FILE" or "FAIL FILE: why") and exits 1 if any failed.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [npmDir, mode, ...files] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(npmDir), 'package.json'));
const { chromium } = require('playwright-core');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = 0;
const fail = (f, why) => { failed++; console.log(`FAIL ${f}: ${why}`); };
try {
  if (mode === 'mermaid') {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ path: path.join(npmDir, 'node_modules/mermaid/dist/mermaid.min.js') });
    await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false }));
    for (const [i, f] of files.entries()) {
      const text = readFileSync(f, 'utf8');
      const res = await page.evaluate(async ([text, i]) => {
        try {
          const parsed = await window.mermaid.parse(text);
          if (!parsed || parsed.diagramType !== 'stateDiagram') return `parsed as ${parsed && parsed.diagramType}`;
          const { svg } = await window.mermaid.render(`d${i}`, text);
          return svg.includes('<svg') ? 'ok' : 'no svg drawn';
        } catch (e) { return String(e && e.message || e); }
      }, [text, i]);
      if (res === 'ok') console.log(`ok ${f}`); else fail(f, res);
    }
    if (errors.length) fail('mermaid page', errors.join('; '));
  } else if (mode === 'page' || mode === 'screenshot') {
    const list = mode === 'screenshot' ? [files[0]] : files;
    for (const f of list) {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`); });
      await page.goto(pathToFileURL(path.resolve(f)).href, { waitUntil: 'load' });
      const info = await page.evaluate(() => ({ title: document.title, svgs: document.querySelectorAll('svg').length, h1: (document.querySelector('h1') || {}).textContent }));
      if (mode === 'screenshot') await page.screenshot({ path: files[1], fullPage: true });
      if (!info.title || !info.h1) problems.push('no title or heading');
      if (problems.length) fail(f, problems.join('; ')); else console.log(`ok ${f} (${info.svgs} svg)`);
      await page.close();
    }
  } else {
    fail('usage', `unknown mode ${mode}`);
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
