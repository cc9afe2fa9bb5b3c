/**
 * Standbys as the screens show them, kept pure so they are tested without a DOM: the data age
 * in words, which pair an instance belongs to and in which role, which actions a pair offers
 * in which state, and where a standby goes on the Services list (right under its active).
 */
import type { InstanceSummary, StandbyInfo } from "../ipc";
import { transferSteps } from "../transfers/wizard";

/** `context/namespace/name` of an instance. */
export function instanceId(i: { context: string; namespace: string; name: string }): string {
  return `${i.context}/${i.namespace}/${i.name}`;
}

/** The three parts of a `context/namespace/name` id (a context may itself hold slashes). */
export function splitId(id: string): { context: string; namespace: string; name: string } {
  const parts = id.split("/");
  const name = parts.pop() ?? "";
  const namespace = parts.pop() ?? "";
  return { context: parts.join("/"), namespace, name };
}

/** An age in plain words: `40 s`, `12 min`, `3 h 20 min`, `2 days 4 h`. */
export function formatAge(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  const days = `${d} ${d === 1 ? "day" : "days"}`;
  return h % 24 === 0 || d >= 7 ? days : `${days} ${h % 24} h`;
}

/** How fresh the standby's data is: `synced 12 min ago`, `synced just now`, `never synced`. */
export function dataAgeWords(secs: number | null): string {
  if (secs === null) return "never synced";
  if (secs < 60) return "synced just now";
  return `synced ${formatAge(secs)} ago`;
}

/** A pair's data age in words; an incomplete standby (a sync cut after its stream began) has none. */
export function pairAgeWords(pair: StandbyInfo): string {
  return pair.state === "incomplete" ? "data incomplete: sync again" : dataAgeWords(pair.dataAgeSecs);
}

/** The pair an instance belongs to, and its role in it; `null` when it has none. */
export function pairOf(
  instance: { context: string; namespace: string; name: string },
  pairs: readonly StandbyInfo[],
): { pair: StandbyInfo; role: "active" | "standby" } | null {
  const id = instanceId(instance);
  for (const pair of pairs) {
    if (pair.active === id) return { pair, role: "active" };
    if (pair.standby === id) return { pair, role: "standby" };
  }
  return null;
}

/** One action of the Standby card: offered or not, and when offered, why it is disabled. */
export interface Offer {
  offered: boolean;
  /** Why it cannot run now (shown next to it), or `null` when it can. */
  disabled: string | null;
}

export interface StandbyOffers {
  sync: Offer;
  /** The planned switch (both clusters answer). */
  promote: Offer;
  /** The disaster switch: only while the active's cluster does not answer. */
  forcePromote: Offer;
  drop: Offer;
}

/** Whether a context's cluster answers: `null` while it is being checked. */
export type Reach = boolean | null;

const HIDDEN: Offer = { offered: false, disabled: null };
const READY: Offer = { offered: true, disabled: null };
const because = (why: string): Offer => ({ offered: true, disabled: why });

/**
 * The actions a pair offers. Sync and a planned promote need both clusters; a forced promote is
 * offered only when the active's does not answer and the standby's does (the core refuses it
 * while the active answers, and while the standby's data is incomplete). Nothing starts while one of the pair's runs is going.
 */
export function standbyOffers(pair: StandbyInfo, reach: { active: Reach; standby: Reach }, busy: boolean): StandbyOffers {
  if (busy) {
    const wait = because("a run of this pair is in progress");
    return { sync: wait, promote: wait, forcePromote: reach.active === false ? wait : HIDDEN, drop: wait };
  }
  if (reach.active === null || reach.standby === null) {
    const checking = because("checking whether both clusters answer…");
    return { sync: checking, promote: checking, forcePromote: HIDDEN, drop: READY };
  }
  const activeDown = `${pair.activeContext} (the active's cluster) does not answer`;
  const standbyDown = `${pair.standbyContext} (the standby's cluster) does not answer`;
  if (!reach.active) {
    return {
      sync: because(activeDown),
      promote: HIDDEN,
      forcePromote: !reach.standby
        ? because(standbyDown)
        : pair.state === "incomplete"
          ? because("the standby's data is incomplete (a sync was cut after its stream began): it cannot be promoted without its active")
          : READY,
      drop: READY,
    };
  }
  if (!reach.standby) return { sync: because(standbyDown), promote: because(standbyDown), forcePromote: HIDDEN, drop: READY };
  return { sync: READY, promote: READY, forcePromote: HIDDEN, drop: READY };
}

/** What the card says of a pair's state. */
export function stateWords(pair: StandbyInfo): { label: string; tone: "ok" | "warning" | "problem"; detail: string | null } {
  switch (pair.state) {
    case "ready":
      return { label: "Ready", tone: "ok", detail: null };
    case "lastSyncFailed":
      return { label: "Last sync failed", tone: "problem", detail: pair.lastError };
    case "incomplete":
      return {
        label: "Data incomplete",
        tone: "problem",
        detail: "A sync stopped after its stream began, so the standby's data is not whole. Sync again: a forced promote is refused until a sync succeeds.",
      };
    case "oldActiveNotFenced":
      return {
        label: "Old active not fenced",
        tone: "warning",
        detail: `${pair.standby} was the active before a forced promote; it is fenced and stopped as soon as ${pair.standbyContext} answers a Berth command again.`,
      };
  }
}

/** The instances of the Services list with each standby taken out to go right under its active. */
export interface PlacedInstances {
  /** Everything but the standbys shown under their active. */
  rows: InstanceSummary[];
  /** The standbys of each active (by its id), shown right under it. */
  under: Map<string, InstanceSummary[]>;
}

/**
 * Puts each standby under its active when the active is among `instances` (wherever the
 * standby's context is); a standby whose active is not listed (its cluster unreachable, or
 * filtered out) stays in its own context's group.
 */
export function placeStandbys(instances: readonly InstanceSummary[]): PlacedInstances {
  const ids = new Set(instances.map(instanceId));
  const under = new Map<string, InstanceSummary[]>();
  const rows: InstanceSummary[] = [];
  for (const i of instances) {
    if (i.standbyOf !== null && ids.has(i.standbyOf) && i.standbyOf !== instanceId(i)) {
      under.set(i.standbyOf, [...(under.get(i.standbyOf) ?? []), i]);
    } else {
      rows.push(i);
    }
  }
  return { rows, under };
}

/** The notice a row shows of its fence: a standby's role, or a fence to lift; `null` when none. */
export function fenceNotice(instance: InstanceSummary): { kind: "standby" | "fenced"; text: string } | null {
  if (instance.standbyOf !== null) {
    return { kind: "standby", text: `Standby of ${instance.standbyOf} — kept stopped and fenced; Promote starts it` };
  }
  if (instance.fenced) return { kind: "fenced", text: "Fenced — clients can't reach it" };
  return null;
}

/** The steps each standby run goes through, as the core runs them (with data operations). */
export const STANDBY_STEPS = {
  create: transferSteps("standby"),
  sync: transferSteps("sync"),
  promote: transferSteps("promote"),
  forcePromote: ["start", "switch"],
} as const;
