/** Where each top-level parameter goes in the form, and which widget draws it. */
import type { UiSchema } from "@rjsf/utils";

export const SECTIONS = ["Redundancy", "Capacity", "Access", "Exposure", "Autoscaling", "Advanced"] as const;
export type Section = (typeof SECTIONS)[number];

const BY_KEY: Record<string, Section> = {
  replicas: "Redundancy",
  resources: "Capacity",
  storage: "Capacity",
  persistence: "Capacity",
  auth: "Access",
  expose: "Exposure",
  autoscaling: "Autoscaling",
};

/** The section of a top-level parameter: by the schema's `x-berth-section` when given, else by name. */
export function sectionOf(key: string, schema?: { "x-berth-section"?: unknown }): Section {
  const asked = schema?.["x-berth-section"];
  if (typeof asked === "string" && (SECTIONS as readonly string[]).includes(asked)) return asked as Section;
  return BY_KEY[key] ?? "Advanced";
}

type Props = Record<string, { type?: unknown; properties?: Record<string, unknown>; "x-berth-free-text"?: unknown; maxLength?: number }>;

/** The uiSchema: quantity widgets, the replica stepper, the storage-class picker, the users list. */
export function uiSchemaFor(schema: { properties?: Props }): UiSchema {
  const props = schema.properties ?? {};
  const ui: UiSchema = {
    "ui:submitButtonOptions": { norender: true },
    version: { "ui:widget": "hidden" },
  };
  if (props.replicas) ui.replicas = { "ui:widget": "replicas" };
  if (props.resources?.properties) {
    ui.resources = {
      ...(props.resources.properties.cpu ? { cpu: { "ui:widget": "quantity", "ui:options": { kind: "cpu" } } } : {}),
      ...(props.resources.properties.memory ? { memory: { "ui:widget": "quantity", "ui:options": { kind: "memory" } } } : {}),
    };
  }
  if (props.storage?.properties) {
    ui.storage = {
      ...(props.storage.properties.size ? { size: { "ui:widget": "quantity", "ui:options": { kind: "storage" } } } : {}),
      ...(props.storage.properties.className ? { className: { "ui:widget": "storageClass" } } : {}),
    };
  }
  const auth = props.auth?.properties as Props | undefined;
  if (auth?.users) ui.auth = { users: { "ui:field": "users" } };
  for (const [key, sub] of Object.entries(props)) {
    if (sub["x-berth-free-text"] && (sub.maxLength ?? 0) > 200) ui[key] = { "ui:widget": "textarea", "ui:options": { rows: 4 } };
  }
  return ui;
}
