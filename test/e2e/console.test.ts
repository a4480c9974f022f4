/**
 * The console in a real browser (playwright-core driving Debian's Chromium) against startConsoleServer over a
 * store filled by the real engine and responder. Screenshots of every view go to docs/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServer, startConsoleServer } from '../../infra/console/server.js';
import { createResponseActions } from '../../shared/console/response-actions.js';
import { buildFixture, type Fixture, MALICIOUS_PATH, MALICIOUS_UA, SCANNER_IP, SHADOW_PATH } from './fixture.js';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const CHROMIUM = process.env.LANTERN_CHROMIUM ?? '/usr/bin/chromium';

let fixture: Fixture;
let server: ConsoleServer;
let bare: ConsoleServer;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

async function open(hash: string): Promise<void> {
  await page.goto(`${server.origin}/${hash}`);
  await page.waitForSelector('main[aria-busy="false"]');
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  // Prepare
  await mkdir(SHOTS, { recursive: true });
  fixture = await buildFixture();
  const actions = createResponseActions({
    store: fixture.store,
    clock: fixture.clock,
    config: fixture.responseConfig,
    enforcer: fixture.enforcer,
  });
  server = await startConsoleServer({ store: fixture.store, clock: fixture.clock, actions, maxAgeMs: 0 });
  bare = await startConsoleServer({ store: fixture.store, clock: fixture.clock });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // Sign in with the link the server prints.
  await page.goto(server.url);
  await page.waitForSelector('main[aria-busy="false"]');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await bare?.close();
});

describe('console in the browser', () => {
  it('opens on the overview with the token link, and removes the token from the address bar', async () => {
    // Assess
    expect(page.url()).not.toContain('token=');
    await expect(page.locator('h1').first().textContent()).resolves.toBe('Overview');
    await expect(
      page
        .locator('.stat-label', { hasText: 'active blocks & throttles' })
        .locator('..')
        .locator('.stat-value')
        .textContent(),
    ).resolves.toBe('1');
    await expect(page.locator('figure.chart svg').count()).resolves.toBeGreaterThan(0);
    await shot('overview');
  });

  it('shows the shadow endpoint in the inventory, standing out, and filters on it', async () => {
    // Act
    await open('#/inventory');
    // Assess
    const row = page.locator('tr[data-endpoint$="/internal/debug/export"]');
    await expect(row.locator('.badge').textContent()).resolves.toBe('shadow');
    await expect(row.getAttribute('class')).resolves.toContain('standout');
    await shot('inventory');
    await open('#/inventory?classification=shadow');
    const paths = await page.locator('tbody td.path').allTextContents();
    expect(paths).toEqual([SHADOW_PATH]);
    await open('#/inventory?classification=unused');
    await expect(page.locator('tbody td.path').allTextContents()).resolves.toEqual(['/v1/legacy/export']);
    await open('#/inventory?flag=sensitive');
    await expect(page.locator('tbody td.flags').first().textContent()).resolves.toContain('email');
  });

  it('renders a path and a user agent carrying HTML as text: no dialog, no injected element', async () => {
    // Act
    await open('#/inventory?q=items');
    const pathCell = page.locator('tbody td.path').first();
    // Assess
    await expect(pathCell.textContent()).resolves.toBe(MALICIOUS_PATH);
    await open(`#/entity?id=${encodeURIComponent('ip:45.133.1.99')}`);
    await expect(page.locator('li.ua').first().textContent()).resolves.toBe(MALICIOUS_UA);
    await open('#/entities?q=onerror');
    await expect(page.locator('td.ua').first().textContent()).resolves.toBe(MALICIOUS_UA);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('shows an endpoint with its traffic against its baseline, status mix and top callers', async () => {
    // Act
    await open(`#/endpoint?id=${encodeURIComponent('api.example.com GET /v1/orders')}`);
    // Assess
    await expect(page.locator('h1.path').textContent()).resolves.toBe('/v1/orders');
    await expect(page.locator('.card h2', { hasText: 'Traffic against its baseline' }).count()).resolves.toBe(1);
    await expect(page.locator('.stack svg rect').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('ul.bars li').count()).resolves.toBeGreaterThan(0);
    await shot('endpoint');
  });

  it('ranks callers by risk and shows one against its own baseline, with findings and actions', async () => {
    // Act
    await open('#/entities');
    // Assess
    const risks = (await page.locator('tbody tr td:first-child').allTextContents()).map(Number);
    expect(risks[0]).toBeGreaterThan(0);
    expect([...risks].sort((a, b) => b - a)).toEqual(risks);
    await shot('entities');
    await open(`#/entity?id=${encodeURIComponent(`ip:${SCANNER_IP}`)}`);
    await expect(page.locator('article.finding').count()).resolves.toBe(1);
    await expect(page.locator('table.actions tbody tr').count()).resolves.toBe(1);
    await shot('entity');
  });

  it('explains a finding in plain words', async () => {
    // Act
    await open('#/findings');
    await shot('findings');
    await page.locator('tr[data-finding^="scanning"] a').first().click();
    await page.waitForSelector('article.finding ul.evidence');
    // Assess
    const evidence = await page.locator('ul.evidence li').allTextContents();
    expect(evidence.some((line) => line.startsWith('Paths that do not exist probed in 10 minutes: 40'))).toBe(true);
    await shot('finding');
  });

  it('unblocks from the UI through the response module, and the audit trail shows it', async () => {
    // Act
    await open('#/actions');
    await shot('actions');
    await page.locator(`tr[data-action="target:ip:${SCANNER_IP}"] button`, { hasText: 'Unblock' }).click();
    await page.waitForSelector('.toast-ok');
    await page.waitForSelector('table.audit td strong:text-is("unblock")');
    // Assess
    expect(fixture.enforced).toContainEqual({ op: 'unblock-ip', address: SCANNER_IP });
    const audit = await page.locator('table.audit tbody tr').allTextContents();
    expect(audit.some((row) => row.includes('console:local') && row.includes('unblock'))).toBe(true);
    await expect(page.locator(`tr[data-action="target:ip:${SCANNER_IP}"] .badge.st-unblocked`).count()).resolves.toBe(
      1,
    );
    await shot('actions-after-unblock');
  });

  it('acknowledges a finding from its page', async () => {
    // Act
    await open('#/findings?status=open');
    await page.locator('tr[data-finding^="shadow-api-traffic"] button', { hasText: 'Acknowledge' }).click();
    await page.waitForSelector('.toast-ok');
    // Assess
    await open('#/findings?status=acknowledged');
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
  });

  it('says so when the console runs without the response module (501), and changes nothing', async () => {
    // Prepare
    const other = await browser.newPage();
    await other.goto(bare.url);
    await other.waitForSelector('main[aria-busy="false"]');
    await other.goto(`${bare.origin}/#/actions`);
    await other.waitForSelector('main[aria-busy="false"]');
    // Assess
    await expect(other.locator('.notice').textContent()).resolves.toContain('without the response module');
    const response = await other.evaluate(async (token) => {
      const r = await fetch('/api/actions/unblock', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"id":"target:ip:1.2.3.4"}',
      });
      return r.status;
    }, bare.token);
    expect(response).toBe(501);
    await other.close();
  });
});

describe('HTML report in the browser', () => {
  it('is self-contained, runs only its own pinned script, and shows HTML from logs as text', async () => {
    // Prepare
    const { buildReport } = await import('../../shared/engine/report.js');
    const { renderHtmlReport } = await import('../../shared/console/html-report.js');
    const { writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const report = await buildReport(fixture.store);
    const html = renderHtmlReport(report);
    const file = path.join(tmpdir(), `lantern-report-${process.pid}.html`);
    await writeFile(file, html);
    const reportPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const violations: string[] = [];
    const requests: string[] = [];
    reportPage.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    reportPage.on('request', (request) => requests.push(request.url()));
    reportPage.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // Act
    await reportPage.goto(`file://${file}`);
    await reportPage.locator('input[data-filter="inventory-table"]').fill('internal');
    // Assess
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(violations).toEqual([]);
    const visible = await reportPage.locator('#inventory-table tbody tr:not([hidden]) td.path').allTextContents();
    expect(visible).toEqual([SHADOW_PATH]);
    await reportPage.locator('input[data-filter="inventory-table"]').fill('');
    await expect(reportPage.locator('#inventory-table td.path', { hasText: 'onerror' }).textContent()).resolves.toBe(
      MALICIOUS_PATH,
    );
    expect(await reportPage.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await reportPage.evaluate(() => window.scrollTo(0, 0));
    await reportPage.screenshot({ path: path.join(SHOTS, 'html-report.png'), fullPage: false });
    await reportPage.close();
  });
});
