import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

// Real Chromium for the console's browser tests: Debian's `chromium` package (or the browser named by
// WXCOUPON_CHROMIUM), driven by playwright-core. Without one the tests skip and say why.

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export function findChromium(): string | undefined {
  const given = process.env.WXCOUPON_CHROMIUM;
  if (given) return existsSync(given) ? given : undefined;
  for (const name of CANDIDATES) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not installed under this name
    }
  }
  return undefined;
}

export const NO_BROWSER =
  "no Chromium found (install Debian's chromium package, or set WXCOUPON_CHROMIUM): the console browser tests are skipped";

export async function launch(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // As root (CI, containers) Chromium refuses to start with its sandbox on.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath, args, timeout: 60_000 });
}

/**
 * With WXCOUPON_SCREENSHOTS=1 (`npm run screenshots`) screenshots land in bench/results/console/, committed so a
 * reviewer can look without running anything; otherwise in a temporary directory, so that a test run leaves
 * the working tree as it found it.
 */
export const SCREENSHOT_DIR =
  process.env.WXCOUPON_SCREENSHOTS === '1'
    ? join(import.meta.dirname, '..', '..', '..', '..', 'bench', 'results', 'console')
    : join(tmpdir(), 'wxcoupon-console-screenshots');

export const WIDTHS = { laptop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/** The current page at laptop and phone width, as `<name>-laptop.png` and `<name>-phone.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const [width, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    // Two frames: the page's resize handlers (the chart redraws to its new width) have run.
    await page.evaluate('new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))');
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
