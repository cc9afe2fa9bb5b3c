import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useLocation } from "wouter";
import { useBackend } from "../app/backend-context";
import { SearchIcon } from "../components/icons";
import type { Backend } from "../ipc";
import { lifecycleRequest, useStartOperation } from "../operations";
import { useInstances } from "../services/queries";
import { buildCommands, matchCommands, type Command } from "./commands";
import "./palette.css";

/** The catalog's services, when this backend can list them (the Catalog feature adds `catalogList`). */
function useCatalogServices(open: boolean): { id: string; title: string }[] {
  const backend = useBackend() as Backend & { catalogList?: () => Promise<{ services: { id: string; title: string }[] }> };
  const query = useQuery({
    queryKey: ["catalog", "list"],
    queryFn: () => backend.catalogList!(),
    enabled: open && typeof backend.catalogList === "function",
    staleTime: 5 * 60_000,
  });
  return query.data?.services ?? [];
}

function Palette({ onClose }: { onClose: () => void }) {
  const [, navigate] = useLocation();
  const instances = useInstances();
  const services = useCatalogServices(true);
  const start = useStartOperation();
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const listId = useId();
  const list = useRef<HTMLUListElement>(null);
  const commands = useMemo(() => buildCommands(instances.instances, services), [instances.instances, services]);
  const matches = matchCommands(commands, query);
  const current = matches[Math.min(active, matches.length - 1)];

  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: "nearest" });
  }, [active]);

  const run = (c: Command | undefined) => {
    if (!c) return;
    onClose();
    if (c.href) navigate(c.href);
    else if (c.lifecycle) start.mutate(lifecycleRequest(c.lifecycle.kind, c.lifecycle.instance));
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, matches.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Home") {
      e.preventDefault();
      setActive(0);
    } else if (e.key === "End") {
      e.preventDefault();
      setActive(matches.length - 1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      run(current);
    } else if (e.key === "Escape") {
      e.preventDefault();
      onClose();
    } else if (e.key === "Tab") {
      e.preventDefault();
    }
  };

  let lastGroup = "";
  return (
    <div className="palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Command palette">
        <label className="palette__search">
          <SearchIcon aria-hidden="true" />
          <span className="visually-hidden">Command</span>
          <input
            autoFocus
            role="combobox"
            aria-expanded="true"
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={current ? `${listId}-${current.id}` : undefined}
            placeholder="Go to a screen or service, start, stop, restart, install…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onKeyDown}
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        <ul className="palette__list" role="listbox" id={listId} ref={list} aria-label="Commands">
          {matches.length === 0 ? (
            <li className="palette__empty" role="presentation">
              {instances.isPending || instances.pending.length > 0 ? "Loading services…" : "Nothing matches."}
            </li>
          ) : (
            matches.map((c) => {
              const heading = c.group !== lastGroup ? c.group : null;
              lastGroup = c.group;
              const selected = c === current;
              return [
                heading ? (
                  <li key={`h:${heading}`} className="palette__group" role="presentation">
                    {heading}
                  </li>
                ) : null,
                <li
                  key={c.id}
                  id={`${listId}-${c.id}`}
                  role="option"
                  aria-selected={selected}
                  className={`palette__item${selected ? " palette__item--active" : ""}`}
                  onMouseMove={() => setActive(matches.indexOf(c))}
                  onClick={() => run(c)}
                  data-command={c.id}
                >
                  <span>{c.title}</span>
                  {c.hint ? <span className="palette__hint">{c.hint}</span> : null}
                </li>,
              ];
            })
          )}
        </ul>
        <p className="palette__keys" aria-hidden="true">
          <kbd>↑</kbd> <kbd>↓</kbd> to move · <kbd>Enter</kbd> to run · <kbd>Esc</kbd> to close
        </p>
      </div>
    </div>
  );
}

/** True for Ctrl-K, or Cmd-K on macOS. */
export function isPaletteShortcut(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">): boolean {
  return e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
}

const OPEN_EVENT = "berth:open-palette";

/** Opens the command palette (for buttons; the keyboard uses Ctrl/Cmd-K). */
export function openPalette() {
  window.dispatchEvent(new Event(OPEN_EVENT));
}

/** A sidebar button that opens the palette and shows its shortcut. */
export function PaletteButton() {
  const mac = typeof navigator !== "undefined" && /Mac/i.test(navigator.platform);
  return (
    <button type="button" className="palette-button" onClick={openPalette} aria-keyshortcuts={mac ? "Meta+K" : "Control+K"}>
      <SearchIcon aria-hidden="true" />
      <span className="palette-button__label">Go to…</span>
      <kbd>{mac ? "⌘K" : "Ctrl K"}</kbd>
    </button>
  );
}

/** The command palette: Ctrl/Cmd-K anywhere opens it; it returns focus where it was when it closes. */
export function CommandPalette() {
  const [open, setOpen] = useState(false);
  const before = useRef<HTMLElement | null>(null);
  // A layout effect: the shortcut listener is in place before the first paint, so a Ctrl-K pressed as
  // soon as the screen shows is not lost (a passive effect may run after paint).
  useLayoutEffect(() => {
    const toggle = (force?: boolean) =>
      setOpen((o) => {
        const next = force ?? !o;
        if (next && !o) before.current = document.activeElement as HTMLElement | null;
        return next;
      });
    const onKey = (e: KeyboardEvent) => {
      if (isPaletteShortcut(e)) {
        e.preventDefault();
        toggle();
      }
    };
    const onOpen = () => toggle(true);
    window.addEventListener("keydown", onKey);
    window.addEventListener(OPEN_EVENT, onOpen);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener(OPEN_EVENT, onOpen);
    };
  }, []);
  if (!open) return null;
  return (
    <Palette
      onClose={() => {
        setOpen(false);
        before.current?.focus?.();
      }}
    />
  );
}
