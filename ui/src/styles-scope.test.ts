// @vitest-environment node
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import postcss from "postcss";
import { describe, expect, it } from "vitest";

/**
 * Screens' stylesheets load lazily, each when its screen first shows, and stay loaded: a class
 * styled by two sheets looks different depending on which screens were visited before. So the
 * class a rule starts with (`.facts` in `.facts dt`) belongs to one sheet: shared components
 * (`.button`, `.input`, `.muted`...) to `styles.css`, everything else to its screen, whose
 * classes carry the screen's prefix (`.service-facts`, `.history-toolbar`). A screen that needs
 * a shared component to look different scopes it under its own class.
 */
const SRC = join(__dirname);

function sheets(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sheets(path);
    return name.endsWith(".css") ? [path] : [];
  });
}

/** The class each selector of a rule starts with, by sheet. */
function leadingClasses(): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const path of sheets(SRC)) {
    const sheet = relative(SRC, path);
    postcss.parse(readFileSync(path, "utf8")).walkRules((rule) => {
      // keyframe steps are not selectors
      if (rule.parent?.type === "atrule" && /keyframes$/.test((rule.parent as postcss.AtRule).name)) return;
      for (const selector of rule.selectors) {
        const lead = /^(?:(?::root|html)(?:\[[^\]]*\])*\s+)?\.([A-Za-z][\w-]*)/.exec(selector.trim());
        if (!lead) continue;
        const owner = owners.get(lead[1]!) ?? new Set<string>();
        owner.add(sheet);
        owners.set(lead[1]!, owner);
      }
    });
  }
  return owners;
}

describe("stylesheets", () => {
  it("style each class from one sheet only, so the order screens load in changes nothing", () => {
    const shared = [...leadingClasses()]
      .filter(([, owners]) => owners.size > 1)
      .map(([cls, owners]) => `.${cls}: ${[...owners].sort().join(", ")}`);
    expect(shared).toEqual([]);
  });

  it("find the classes they are checked for", () => {
    const owners = leadingClasses();
    expect(owners.get("button")).toEqual(new Set(["styles.css"]));
    expect(owners.get("service-facts")).toEqual(new Set(["catalog/catalog.css"]));
  });
});
