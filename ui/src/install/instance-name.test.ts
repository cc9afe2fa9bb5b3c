import { describe, expect, it } from "vitest";
import { isInstanceName, MAX_INSTANCE_NAME } from "../ipc/bindings/InstanceName";

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
