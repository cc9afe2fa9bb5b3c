import { describe, expect, it } from "vitest";
import { isInstanceName, MAX_INSTANCE_NAME } from "../ipc/bindings/InstanceName";
import type { InstanceSummary } from "../ipc";
import { nameTaken, namespaceMissing } from "./target-checks";

// The same cases as berth-catalog's `instance_name_rule` test: the form accepts what the core does.
describe("instance name rule (generated from the core)", () => {
  it("accepts DNS-1123 labels up to the core's length", () => {
    for (const name of ["pg", "a", "0", "2fa", "orders-db", "a".repeat(MAX_INSTANCE_NAME)]) expect(isInstanceName(name), name).toBe(true);
  });
  it("refuses what the core refuses", () => {
    for (const name of ["", "-pg", "pg-", "Pg", "p_g", "p.g", "é", "a".repeat(MAX_INSTANCE_NAME + 1)]) expect(isInstanceName(name), name).toBe(false);
  });
  it("is 40 characters long at most, digits allowed first", () => {
    expect(MAX_INSTANCE_NAME).toBe(40);
    expect(isInstanceName("1db")).toBe(true);
  });
});

describe("install target checks", () => {
  const inst = (namespace: string, name: string) => ({ namespace, name }) as InstanceSummary;
  it("finds a name taken in the namespace only", () => {
    const list = [inst("default", "pg-dev"), inst("shop", "orders")];
    expect(nameTaken(list, "default", "pg-dev")).toBe(true);
    expect(nameTaken(list, "shop", "pg-dev")).toBe(false);
    expect(nameTaken(undefined, "default", "pg-dev")).toBe(false);
  });
  it("calls a namespace missing only when the list is known and lacks it", () => {
    expect(namespaceMissing(["default", "shop"], "shpo")).toBe(true);
    expect(namespaceMissing(["default", "shop"], "shop")).toBe(false);
    expect(namespaceMissing(undefined, "shpo")).toBe(false);
  });
});
