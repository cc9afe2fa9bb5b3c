// @vitest-environment node
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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

/** A module's relative imports: the static ones (`import … from`, `import "x.css"`) and the
 * dynamic ones (`import("./x")`, what `lazy` loads later). */
function imports(file: string): { statics: string[]; dynamics: string[] } {
  const text = readFileSync(file, "utf8");
  const resolveModule = (spec: string) => {
    const target = resolve(dirname(file), spec);
    if (target.endsWith(".css") || target.endsWith(".json")) return target;
    return [`${target}.tsx`, `${target}.ts`, join(target, "index.ts"), target].find((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
  };
  const all = (re: RegExp) => [...text.matchAll(re)].map((m) => resolveModule(m[1]!)).filter((f): f is string => !!f);
  return {
    statics: all(/(?:import|from)\s*["'](\.{1,2}\/[^"']+)["']/g),
    dynamics: all(/import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g),
  };
}

/** The modules a module brings in statically, itself included. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file) || file.endsWith(".json")) return seen;
  seen.add(file);
  if (!file.endsWith(".css")) for (const f of imports(file).statics) closure(f, seen);
  return seen;
}

/** The class names a module writes in `className` attributes. */
function classesUsed(file: string): Set<string> {
  const used = new Set<string>();
  if (!file.endsWith(".tsx")) return used;
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/className=(?:"([^"]*)"|\{([^\n]*)\})/g)) {
    const literals = m[1] !== undefined ? [m[1]] : [...(m[2] ?? "").matchAll(/["'`]([^"'`]*)["'`]/g)].map((l) => l[1]!);
    for (const literal of literals) for (const token of literal.split(/[\s$]+/)) if (/^[a-z][\w-]*$/.test(token)) used.add(token);
  }
  return used;
}

describe("stylesheets", () => {
  it("are loaded with every screen and panel that uses their classes, whatever was visited before", () => {
    // a chunk loaded later (a screen, a lazy panel) has the sheets of its own modules and of
    // the chunks that loaded it; a class styled by a sheet it does not have looks unstyled or
    // depends on the screens visited before
    const owners = leadingClasses();
    const missing: string[] = [];
    const visit = (entry: string, inherited: Set<string>) => {
      const modules = closure(entry);
      const loaded = new Set([...inherited, ...[...modules].filter((m) => m.endsWith(".css")).map((m) => relative(SRC, m))]);
      for (const file of modules) {
        for (const cls of classesUsed(file)) {
          const sheets = owners.get(cls);
          if (sheets && ![...sheets].some((sheet) => loaded.has(sheet)))
            missing.push(`${relative(SRC, file)} (in ${relative(SRC, entry)}): .${cls} is styled by ${[...sheets].join(", ")}`);
        }
        for (const lazy of imports(file).dynamics) if (!lazy.includes("/ipc/mock")) visit(lazy, loaded);
      }
    };
    visit(join(SRC, "main.tsx"), new Set());
    expect(missing).toEqual([]);
  });

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
