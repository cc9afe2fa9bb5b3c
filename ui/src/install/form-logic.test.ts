import { describe, expect, it } from "vitest";
import fixture from "../ipc/mock-catalog.json";
import type { JsonValue, ReconfigureResult } from "../ipc";
import { volumeNotes } from "./Preview";
import { describeQuantity, nearestStop, splitQuantity, toBase } from "./quantity";
import { sectionOf, uiSchemaFor } from "./sections";
import { SchemaValidator, validate } from "./validator";
import { changesAsSet, fitToSchema } from "./values";
import { toYaml, toYamlStream } from "./yaml";

const postgres = (fixture as unknown as { details: Record<string, { parametersSchema: JsonValue }> }).details.postgres!
  .parametersSchema as Record<string, unknown>;

describe("quantities", () => {
  it("splits, converts and describes", () => {
    expect(splitQuantity("cpu", "500m")).toEqual({ amount: "500", unit: "m" });
    expect(splitQuantity("cpu", "2")).toEqual({ amount: "2", unit: "" });
    expect(splitQuantity("memory", "4Gi")).toEqual({ amount: "4", unit: "Gi" });
    expect(toBase("cpu", "1.5")).toBe(1500);
    expect(toBase("storage", "1Ti")).toBe(1024 * 1024);
    expect(toBase("memory", "lots")).toBeNaN();
    expect(describeQuantity("cpu", "500m")).toBe("0.5 cores");
    expect(describeQuantity("memory", "512Mi")).toBe("512 MiB");
    expect(describeQuantity("storage", "2048Gi")).toBe("2 TiB");
  });

  it("puts the slider on the nearest stop", () => {
    expect(nearestStop("memory", "1Gi")).toBe(3);
    expect(nearestStop("memory", "1000Mi")).toBe(3);
    expect(nearestStop("cpu", "3")).toBeGreaterThanOrEqual(4);
    expect(nearestStop("storage", "garbage")).toBe(0);
  });
});

describe("sections and widgets", () => {
  it("groups parameters by name unless the schema says otherwise", () => {
    expect(sectionOf("replicas")).toBe("Redundancy");
    expect(sectionOf("storage")).toBe("Capacity");
    expect(sectionOf("auth")).toBe("Access");
    expect(sectionOf("expose")).toBe("Exposure");
    expect(sectionOf("autoscaling")).toBe("Autoscaling");
    expect(sectionOf("maxConnections")).toBe("Advanced");
    expect(sectionOf("maxConnections", { "x-berth-section": "Capacity" })).toBe("Capacity");
  });

  it("picks the custom widgets for the postgres schema", () => {
    const ui = uiSchemaFor(postgres as never) as Record<string, Record<string, unknown>>;
    expect(ui.replicas).toEqual({ "ui:widget": "replicas" });
    expect(ui.resources!.memory).toEqual({ "ui:widget": "quantity", "ui:options": { kind: "memory" } });
    expect(ui.storage!.className).toEqual({ "ui:widget": "storageClass" });
    expect(ui.auth!.users).toEqual({ "ui:field": "users" });
    expect(ui.version).toEqual({ "ui:widget": "hidden" });
    expect(ui.initSQL).toMatchObject({ "ui:widget": "textarea" });
  });
});

describe("validation in the schema's words", () => {
  it("accepts the defaults and reports bad fields with their description", () => {
    const defaults = fitToSchema(postgres as never, {});
    expect(validate(postgres, defaults)).toEqual([]);
    const bad = { ...(defaults as object), replicas: 9, resources: { cpu: "500m", memory: "lots" } };
    const errors = validate(postgres, bad);
    expect(errors.map((e) => e.path.join("."))).toEqual(expect.arrayContaining(["replicas", "resources.memory"]));
    expect(errors.find((e) => e.path.join(".") === "replicas")!.message).toBe("Must be at most 5.");
    expect(errors.find((e) => e.path.join(".") === "resources.memory")!.message).toBe("Not valid here. Memory per pod (Mi or Gi).");
  });

  it("gives @rjsf an error schema keyed by field", () => {
    const v = new SchemaValidator();
    const data = { ...(fitToSchema(postgres as never, {}) as object), auth: { username: "postgres", database: "app", users: [{ name: "Bad" }] } };
    const { errors, errorSchema } = v.validateFormData(data, postgres as never);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.property).toBe(".auth.users.0.name");
    const es = errorSchema as unknown as { auth: { users: Record<string, { name: { __errors: string[] } }> } };
    expect(es.auth.users["0"]!.name.__errors[0]).toContain("Lower-case letters");
    expect(v.isValid(postgres as never, data, postgres as never)).toBe(false);
  });
});

describe("values", () => {
  it("fits live parameters to the schema, keeping what matches and defaulting the rest", () => {
    const fitted = fitToSchema(postgres as never, { replicas: 3, storage: "8Gi", cpu: "2", unknown: 1 }) as Record<string, unknown>;
    expect(fitted.replicas).toBe(3);
    expect(fitted.storage).toEqual({ size: "10Gi", className: "" });
    expect(fitted).not.toHaveProperty("unknown");
  });

  it("turns a change into path=value assignments", () => {
    const before = { replicas: 1, resources: { cpu: "500m", memory: "1Gi" }, auth: { users: [] } } as JsonValue;
    const after = { replicas: 2, resources: { cpu: "500m", memory: "2Gi" }, auth: { users: [{ name: "ro" }] } } as JsonValue;
    expect(changesAsSet(before, after)).toEqual(["auth.users=[{\"name\":\"ro\"}]", "replicas=2", "resources.memory=2Gi"]);
    expect(changesAsSet(before, before)).toEqual([]);
    // the form may rebuild list items with their keys in another order: that is no change
    const live = { auth: { users: [{ name: "app_user", database: "app" }] } };
    expect(changesAsSet(live, { auth: { users: [{ database: "app", name: "app_user" }] } })).toEqual([]);
  });
});

describe("YAML", () => {
  it("writes objects, lists, quoting only where YAML needs it", () => {
    const text = toYaml({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "pg", labels: { "app.kubernetes.io/name": "postgres" } },
      spec: { replicas: 2, selector: {}, ports: [{ port: 5432, name: "pg" }], args: ["-c", "true", "17"], script: "a\nb\n" },
    });
    expect(text).toBe(
      [
        "apiVersion: apps/v1",
        "kind: StatefulSet",
        "metadata:",
        "  name: pg",
        "  labels:",
        "    app.kubernetes.io/name: postgres",
        "spec:",
        "  replicas: 2",
        "  selector: {}",
        "  ports:",
        "  - port: 5432",
        "    name: pg",
        "  args:",
        '  - "-c"',
        '  - "true"',
        '  - "17"',
        "  script: |",
        "    a",
        "    b",
        "",
      ].join("\n"),
    );
    expect(toYamlStream([{ a: 1 }, { b: [] }])).toBe("a: 1\n---\nb: []\n");
  });
});

describe("volume notes in the configure preview", () => {
  const result = (fields: string[]) =>
    ({ changes: [{ object: "StatefulSet pg", change: "changed", fields }] }) as unknown as ReconfigureResult;
  it("says volumes grow in place and new replicas get volumes", () => {
    expect(volumeNotes(result(['spec.volumeClaimTemplates[0].spec.resources.requests.storage: "10Gi" → "20Gi"']))[0]).toContain(
      "grow from 10Gi to 20Gi",
    );
    expect(volumeNotes(result(["spec.replicas: 1 → 3"]))).toEqual(["Each new replica of StatefulSet pg gets a new volume of its own."]);
    expect(volumeNotes(result(["spec.replicas: 3 → 1", "spec.template.spec.containers[0].image: a → b"]))).toEqual([]);
  });
});
