import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { refineJobNamed } from '../../lib/refine/jobs/registry';
import { runRefine } from '../../lib/refine/run-refine';
import type { FixtureLake } from '../helpers/fixture-lake';
import { quietLog, writeRefineFixtureLake } from '../helpers/refine-lake';

// The report on the fixture of tests/helpers/refine-lake.ts, opened in Debian's headless Chromium.
jest.setTimeout(120_000);

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let lake: FixtureLake;
let browser: Browser;

async function refine(job: string): Promise<void> {
  await runRefine({
    job: refineJobNamed(job),
    inputUrl: lake.folder,
    outputUrl: lake.folder,
    options: { now: new Date('2026-11-20T06:00:00Z') },
    memoryLimit: '256MB',
    threads: 1,
    log: quietLog,
  });
}

beforeAll(async () => {
  lake = await writeRefineFixtureLake();
  await refine('silver');
  await refine('report');
  await access(CHROMIUM).catch(() => {
    throw new Error(
      `${CHROMIUM} is missing: this test opens the report in Debian's Chromium; install it with \`apt-get install chromium\` (README, Quick start)`,
    );
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await lake.remove();
});

test('gold/report.html renders every chart in Chromium without fetching anything', async () => {
  const file = path.join(lake.folder, 'gold', 'report.html');
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href);

  // 2 teams × 14 days of volume (day 10 of Support ringed) and of response times (none unusual);
  // 2 teams' median response times; top 5 of each.
  const count = (selector: string) => page.locator(selector).count();
  expect(await count('svg[data-chart="daily-volume"] circle.point')).toBe(28);
  expect(await count('svg[data-chart="daily-volume"] circle.anomaly')).toBe(1);
  expect(await count('svg[data-chart="daily-volume"] polyline')).toBe(2);
  expect(await count('svg[data-chart="daily-first-response"] circle.point')).toBe(28);
  expect(await count('svg[data-chart="daily-first-response"] circle.anomaly')).toBe(0);
  expect(await count('svg[data-chart="first-response"] rect.bar')).toBe(2);
  expect(await count('svg[data-chart="top-companies"] rect.bar')).toBe(5);
  expect(await count('svg[data-chart="top-tags"] rect.bar')).toBe(5);
  expect(await page.locator('svg[data-chart="daily-volume"] circle.anomaly title').textContent()).toBe(
    'unusual: Support 2026-11-12',
  );
  expect(await page.locator('[data-section="freshness"]').textContent()).toMatch(
    /^Data extracted \d{4}-.*Report made 2026-11-20T06:00:00.000Z/,
  );
  expect(await page.locator('svg[data-chart="top-tags"] text').allTextContents()).toEqual(
    expect.arrayContaining(['bug', '13', 'vip', '4']),
  );
  // Bars have a real size once laid out.
  const box = await page.locator('svg[data-chart="top-companies"] rect.bar').first().boundingBox();
  expect(box?.width).toBeGreaterThan(100);
  expect(requests).toEqual([pathToFileURL(file).href]);

  // The screenshot is not blank: decode it in the page and count pixels that are not white.
  const png = await page.screenshot({ fullPage: true });
  // A string, because the tests compile without the DOM's types.
  const inked = (await page.evaluate(`(async () => {
    const image = new Image();
    image.src = 'data:image/png;base64,${png.toString('base64')}';
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let n = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200) n++;
    return n / (pixels.length / 4);
  })()`)) as number;
  expect(inked).toBeGreaterThan(0.01);
  await page.close();

  const html = await readFile(file, 'utf8');
  expect(html).not.toMatch(/<script|<link|src="http|href="http/);
});
