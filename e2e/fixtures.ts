// Shared set-up for in-page tests: open the harness page and fail on any page error.
import { test as base, expect, type Page } from '@playwright/test';

export const test = base.extend<{ harness: Page; pageErrors: string[] }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument.
  pageErrors: async ({}, use) => {
    await use([]);
  },
  harness: async ({ page, pageErrors }, use) => {
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto('/e2e/pages/peers.html');
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    await use(page);
    expect(pageErrors, 'no exception or console error in the page').toEqual([]);
  },
});
export { expect };
