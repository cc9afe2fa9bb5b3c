import { describe, expect, it } from "vitest";
import type { InstanceSummary, StandbyInfo } from "../ipc";
import { dataAgeWords, fenceNotice, formatAge, pairAgeWords, pairOf, placeStandbys, splitId, standbyOffers, stateWords } from "./model";

function inst(context: string, name: string, fields: Partial<InstanceSummary> = {}): InstanceSummary {
  return {
    context,
    namespace: "ns",
    name,
    service: "postgres",
    version: "17",
    health: "ready",
    reason: null,
    podsReady: 1,
    podsTotal: 1,
    endpoint: null,
    created: null,
    revision: 1,
    parameters: {},
    inLocalHistory: true,
    fenced: false,
    standbyOf: null,
    ...fields,
  };
}

const PAIR: StandbyInfo = {
  id: 3,
  definition: "postgres",
  active: "prod/ns/db",
  standby: "lab/ns/db",
  activeContext: "prod",
  standbyContext: "lab",
  dataAsOf: "2026-12-05T10:00:00Z",
  dataAgeSecs: 720,
  state: "ready",
  lastError: null,
};

describe("data age", () => {
  it("says how long ago the standby was synced, in words", () => {
    expect(dataAgeWords(null)).toBe("never synced");
    expect(dataAgeWords(12)).toBe("synced just now");
    expect(dataAgeWords(12 * 60 + 29)).toBe("synced 12 min ago");
    expect(dataAgeWords(3 * 3600)).toBe("synced 3 h ago");
    expect(dataAgeWords(3 * 3600 + 20 * 60)).toBe("synced 3 h 20 min ago");
    expect(dataAgeWords(26 * 3600)).toBe("synced 1 day 2 h ago");
    expect(dataAgeWords(9 * 86400 + 3600)).toBe("synced 9 days ago");
  });

  it("gives an incomplete standby no data age", () => {
    expect(pairAgeWords(PAIR)).toBe("synced 12 min ago");
    expect(pairAgeWords({ ...PAIR, state: "incomplete", dataAsOf: null, dataAgeSecs: null })).toBe("data incomplete: sync again");
  });

  it("formats short ages in seconds", () => {
    expect(formatAge(40)).toBe("40 s");
    expect(formatAge(-3)).toBe("0 s");
    expect(formatAge(2 * 86400)).toBe("2 days");
  });
});

describe("pairs", () => {
  it("finds an instance's pair and its role", () => {
    expect(pairOf({ context: "prod", namespace: "ns", name: "db" }, [PAIR])).toEqual({ pair: PAIR, role: "active" });
    expect(pairOf({ context: "lab", namespace: "ns", name: "db" }, [PAIR])).toEqual({ pair: PAIR, role: "standby" });
    expect(pairOf({ context: "lab", namespace: "other", name: "db" }, [PAIR])).toBeNull();
  });

  it("splits ids whose context holds slashes", () => {
    expect(splitId("arn:aws:eks:eu-west-1:1:cluster/staging/shop/db")).toEqual({
      context: "arn:aws:eks:eu-west-1:1:cluster/staging",
      namespace: "shop",
      name: "db",
    });
  });

  it("words each state, with the last sync's error", () => {
    expect(stateWords(PAIR).label).toBe("Ready");
    const failed = stateWords({ ...PAIR, state: "lastSyncFailed", lastError: "connection refused" });
    expect(failed).toMatchObject({ label: "Last sync failed", tone: "problem", detail: "connection refused" });
    expect(stateWords({ ...PAIR, state: "oldActiveNotFenced" }).tone).toBe("warning");
  });
});

describe("which actions a pair offers", () => {
  it("offers sync and a planned promote when both clusters answer, never force", () => {
    const o = standbyOffers(PAIR, { active: true, standby: true }, false);
    expect(o.sync).toEqual({ offered: true, disabled: null });
    expect(o.promote).toEqual({ offered: true, disabled: null });
    expect(o.forcePromote.offered).toBe(false);
    expect(o.drop.disabled).toBeNull();
  });

  it("offers only a forced promote when the active's cluster does not answer", () => {
    const o = standbyOffers(PAIR, { active: false, standby: true }, false);
    expect(o.forcePromote).toEqual({ offered: true, disabled: null });
    expect(o.promote.offered).toBe(false);
    expect(o.sync.disabled).toMatch(/prod \(the active's cluster\) does not answer/);
  });

  it("refuses a forced promote of an incomplete standby, saying why", () => {
    const o = standbyOffers({ ...PAIR, state: "incomplete", dataAgeSecs: null }, { active: false, standby: true }, false);
    expect(o.forcePromote.offered).toBe(true);
    expect(o.forcePromote.disabled).toMatch(/incomplete/);
    expect(stateWords({ ...PAIR, state: "incomplete" })).toMatchObject({ label: "Data incomplete", tone: "problem" });
  });

  it("cannot force a promote onto a standby whose cluster does not answer either", () => {
    const o = standbyOffers(PAIR, { active: false, standby: false }, false);
    expect(o.forcePromote.disabled).toMatch(/lab/);
  });

  it("waits for both probes before offering a switch", () => {
    const o = standbyOffers(PAIR, { active: null, standby: true }, false);
    expect(o.promote.disabled).toMatch(/checking/);
    expect(o.forcePromote.offered).toBe(false);
    expect(o.drop.disabled).toBeNull();
  });

  it("starts nothing while a run of the pair is going", () => {
    const o = standbyOffers(PAIR, { active: true, standby: true }, true);
    expect([o.sync, o.promote, o.drop].every((x) => x.disabled !== null)).toBe(true);
  });
});

describe("the Services list", () => {
  it("puts a standby right under its active, whatever its context", () => {
    const active = inst("prod", "db");
    const standby = inst("lab", "db", { standbyOf: "prod/ns/db", health: "stopped", fenced: true });
    const other = inst("lab", "cache");
    const placed = placeStandbys([standby, active, other]);
    expect(placed.rows).toEqual([active, other]);
    expect(placed.under.get("prod/ns/db")).toEqual([standby]);
  });

  it("keeps a standby in its own group when its active is not listed", () => {
    const orphan = inst("lab", "billing", { standbyOf: "minikube/default/billing", health: "stopped", fenced: true });
    const placed = placeStandbys([orphan]);
    expect(placed.rows).toEqual([orphan]);
    expect(placed.under.size).toBe(0);
  });

  it("says a fence is up, and that a standby's fence is its role", () => {
    expect(fenceNotice(inst("lab", "db"))).toBeNull();
    expect(fenceNotice(inst("lab", "db", { fenced: true }))).toEqual({ kind: "fenced", text: "Fenced — clients can't reach it" });
    expect(fenceNotice(inst("lab", "db", { fenced: true, standbyOf: "prod/ns/db" }))?.kind).toBe("standby");
  });
});
