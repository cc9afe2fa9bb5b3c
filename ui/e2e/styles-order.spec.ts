import { expect, test, type Page } from "@playwright/test";

// Each screen's stylesheet loads when the screen first shows and stays: a class styled by two
// sheets used to look different depending on the screens visited before (History lost its
// bullets after Catalog, header buttons shrank after Logs). Each screen must look the same on a
// fresh load and after every other screen was visited, in either order. Compared by the computed
// styles of each class on the screen (content-independent properties), not by pixels, so the
// comparison holds on any machine.
const PG = "instances/kind-berth-dev/default/pg-dev";
const SCREENS = [
  "services",
  "catalog",
  "catalog/postgres",
  "catalog/postgres/install",
  PG,
  `${PG}/logs`,
  `${PG}/metrics`,
  `${PG}/history`,
  `${PG}/settings`,
  `${PG}/configure`,
  `${PG}/transfer/move`,
  "history",
  "contexts",
  "settings",
];

const PROPS = [
  "display",
  "list-style-type",
  "font-size",
  "font-weight",
  "padding-top",
  "padding-left",
  "margin-top",
  "margin-bottom",
  "row-gap",
  "column-gap",
  "border-bottom-width",
  "border-top-left-radius",
  "justify-items",
  "text-transform",
  "grid-template-columns",
  "overflow-x",
];

/** Each class on the screen (first element wearing it) with its computed style. */
async function signature(page: Page): Promise<Record<string, string>> {
  await page.waitForTimeout(600);
  return page.evaluate((props) => {
    const out: Record<string, string> = {};
    for (const el of Array.from(document.querySelectorAll("main [class]"))) {
      const key = `${el.tagName.toLowerCase()}.${Array.from(el.classList).sort().join(".")}`;
      if (key in out) continue;
      const css = getComputedStyle(el);
      const explicit = el.classList.contains("button") || el.classList.contains("input") ? ` height:${css.height}` : "";
      out[key] = props.map((p) => `${p}:${css.getPropertyValue(p)}`).join(" ") + explicit;
    }
    return out;
  }, PROPS);
}

async function fresh(page: Page, screen: string) {
  await page.goto("about:blank");
  await page.goto(`/?backend=mock&delay=0#/${screen}`);
  await expect(page.locator("main")).toBeVisible();
}

async function visit(page: Page, screen: string) {
  await page.evaluate((s) => (window.location.hash = `#/${s}`), screen);
  await expect(page.locator("main")).toBeVisible();
}

for (const [order, screens] of [
  ["in order", SCREENS],
  ["in reverse", [...SCREENS].reverse()],
] as const) {
  test(`every screen looks the same after visiting the others ${order}`, async ({ page }) => {
    test.setTimeout(120_000);
    const alone: Record<string, Record<string, string>> = {};
    for (const s of screens) {
      await fresh(page, s);
      alone[s] = await signature(page);
    }
    // one page: every screen's sheet gets loaded, then each screen is looked at again
    await fresh(page, screens[0]!);
    for (const s of screens) await visit(page, s);
    for (const s of screens) {
      await visit(page, s);
      const after = await signature(page);
      const differs = Object.keys(alone[s]!)
        .filter((k) => k in after && after[k] !== alone[s]![k])
        .map((k) => `${s} ${k}\n  alone: ${alone[s]![k]}\n  after: ${after[k]}`);
      expect(differs, differs.join("\n")).toEqual([]);
    }
  });
}
