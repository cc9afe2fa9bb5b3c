// @vitest-environment node
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postcss from "postcss";
import { describe, expect, it } from "vitest";

/**
 * WCAG AA for every text colour the theme pairs with a background, in both themes: 4.5:1 for
 * normal text (badges and hints are small text). The dark theme comes twice (following the OS,
 * and picked in Settings): both must be the same palette.
 */
const PAIRS: [string, string][] = [
  ["--text", "--bg"],
  ["--text", "--surface"],
  ["--text", "--sidebar"],
  ["--text", "--accent-soft"],
  ["--text", "--down-soft"],
  ["--text-muted", "--bg"],
  ["--text-muted", "--surface"],
  ["--text-muted", "--sidebar"],
  ["--accent-text", "--accent"],
  ["--accent", "--surface"],
  ["--up", "--surface"],
  ["--up", "--bg"],
  ["--down", "--surface"],
  ["--down", "--bg"],
  ["--down", "--down-soft"],
  ["--warn-text", "--warn-bg"],
  ["--laptop-fg", "--laptop-bg"],
  ["--cloud-fg", "--cloud-bg"],
  ["--private-fg", "--private-bg"],
  ["--danger-text", "--down"],
  ["--progress", "--surface"],
  ["--stopped", "--surface"],
  ["--current-text", "--accent-soft"],
  ["--tok-key", "--surface"],
  ["--tok-string", "--surface"],
  ["--tok-number", "--surface"],
];

function palettes(): { light: Map<string, string>; osDark: Map<string, string>; pickedDark: Map<string, string> } {
  const root = postcss.parse(readFileSync(join(__dirname, "styles.css"), "utf8"));
  const light = new Map<string, string>();
  const osDark = new Map<string, string>();
  const pickedDark = new Map<string, string>();
  root.walkRules((rule) => {
    const inDarkMedia = rule.parent?.type === "atrule" && (rule.parent as postcss.AtRule).params.includes("dark");
    const target =
      rule.selector === ":root" && !inDarkMedia
        ? light
        : inDarkMedia && rule.selector.startsWith(":root")
          ? osDark
          : rule.selector === ':root[data-theme="dark"]'
            ? pickedDark
            : null;
    if (!target) return;
    rule.walkDecls(/^--/, (d) => {
      if (/^#[0-9a-f]{6}$/i.test(d.value.trim())) target.set(d.prop, d.value.trim());
    });
  });
  return { light, osDark, pickedDark };
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe("theme contrast", () => {
  const { light, osDark, pickedDark } = palettes();
  for (const [name, palette] of [
    ["light", light],
    ["dark", pickedDark],
  ] as const) {
    it(`meets WCAG AA for every text/background pair in the ${name} theme`, () => {
      const failing = PAIRS.filter(([fg, bg]) => contrast(palette.get(fg)!, palette.get(bg)!) < 4.5).map(
        ([fg, bg]) => `${fg} on ${bg}: ${contrast(palette.get(fg)!, palette.get(bg)!).toFixed(2)}`,
      );
      expect(failing).toEqual([]);
    });
  }

  it("has one dark palette, whether the OS or Settings picks it", () => {
    expect(Object.fromEntries(osDark)).toEqual(Object.fromEntries(pickedDark));
    expect(light.size).toBeGreaterThan(15);
  });

  it("keys every theme colour on the palette, never on the OS alone", () => {
    // a rule under prefers-color-scheme outside the palettes ignores the theme picked in
    // Settings (a dark OS with the light theme picked, or the other way round)
    const sheets = readdirSync(__dirname, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".css"));
    expect(sheets.length).toBeGreaterThan(5);
    const keyedOnOs = sheets.flatMap((f) => {
      const found: string[] = [];
      postcss.parse(readFileSync(join(__dirname, f), "utf8")).walkAtRules("media", (m) => {
        if (!m.params.includes("prefers-color-scheme")) return;
        m.walkRules((r) => {
          if (f !== "styles.css" || !r.selector.startsWith(":root:not([data-theme")) found.push(`${f}: ${r.selector}`);
        });
      });
      return found;
    });
    expect(keyedOnOs).toEqual([]);
  });

  it("measures contrast as WCAG does", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });
});
