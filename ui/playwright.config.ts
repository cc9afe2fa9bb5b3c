import { defineConfig } from "@playwright/test";

// Runs against the production build (`vite preview`) with the mock Backend, in Debian's Chromium:
// no browser is downloaded. Screenshots land in test-results/screenshots/.
const port = Number(process.env.BERTH_UI_PORT ?? 4173);

export default defineConfig({
  testDir: "e2e",
  timeout: 30_000,
  expect: { timeout: 8_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results/artifacts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1180, height: 800 },
    deviceScaleFactor: 1,
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.BERTH_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
