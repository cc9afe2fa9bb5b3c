/**
 * A @rjsf/core validator over @cfworker/json-schema. Why not @rjsf/validator-ajv8: Ajv compiles
 * every schema into JavaScript with `new Function`, which the desktop app's CSP (`script-src
 * 'self'`, no 'unsafe-eval') forbids, and the catalog's schemas arrive at run time, so they cannot
 * be precompiled. @cfworker/json-schema interprets the schema (no eval), speaks draft 2020-12 (what
 * the catalog uses) and is small. Messages come from the schema: the failing field's title and
 * description, in words a user reads, not the validator's.
 */
import { Validator, type OutputUnit } from "@cfworker/json-schema";
import {
  ErrorSchemaBuilder,
  type CustomValidator,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
} from "@rjsf/utils";

/** The keywords that only report that something inside failed. */
const WRAPPERS = new Set(["properties", "items", "prefixItems", "allOf", "anyOf", "oneOf", "$ref", "additionalItems", "unevaluatedProperties", "unevaluatedItems", "if", "then", "else", "dependentSchemas", "contains"]);

type Schema = Record<string, unknown>;

/** The schema node a JSON pointer (`#/properties/a`) names, or undefined. */
function at(root: unknown, pointer: string): Schema | undefined {
  const parts = pointer.replace(/^#\/?/, "").split("/").filter(Boolean);
  let node: unknown = root;
  for (const raw of parts) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === "object" && node !== null ? (node as Schema) : undefined;
}

/** The instance path (`#/auth/users/0/name`) as property names. */
function pathOf(instanceLocation: string): string[] {
  return instanceLocation
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((p) => decodeURIComponent(p).replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** A message in the schema's words for one failed keyword. */
export function messageFor(unit: OutputUnit, root: unknown): string {
  const parentPointer = unit.keywordLocation.slice(0, unit.keywordLocation.lastIndexOf("/"));
  const field = at(root, parentPointer) ?? {};
  const value = field[unit.keyword];
  const described = typeof field.description === "string" ? field.description.replace(/\.$/, "") : undefined;
  switch (unit.keyword) {
    case "pattern":
    case "format":
      return described ? `Not valid here. ${described}.` : "Not valid here.";
    case "minimum":
      return `Must be at least ${String(value)}.`;
    case "maximum":
      return `Must be at most ${String(value)}.`;
    case "exclusiveMinimum":
      return `Must be more than ${String(value)}.`;
    case "exclusiveMaximum":
      return `Must be less than ${String(value)}.`;
    case "minLength":
      return value === 1 ? "Required." : `Must be at least ${String(value)} characters.`;
    case "maxLength":
      return `Must be at most ${String(value)} characters.`;
    case "maxItems":
      return `At most ${String(value)} entries.`;
    case "minItems":
      return `At least ${String(value)} entries.`;
    case "required": {
      const missing = /"([^"]+)"/.exec(unit.error)?.[1];
      return missing ? `${missing} is required.` : "Required.";
    }
    case "enum":
      return Array.isArray(value) ? `Pick one of: ${value.map(String).join(", ")}.` : "Pick one of the choices.";
    case "type":
      return `Must be ${String(value)}.`;
    case "additionalProperties":
      return "Has a field this service does not know.";
    case "uniqueItems":
      return "Entries must differ.";
    default:
      return described ?? unit.error;
  }
}

/** The leaf errors of validating `data` against `schema`, each with its path and message. */
export function validate(schema: unknown, data: unknown): { path: string[]; keyword: string; message: string; schemaPath: string }[] {
  const { $schema: _ignored, ...rest } = (schema ?? {}) as Schema;
  const result = new Validator(rest as never, "2020-12", false).validate(data);
  if (result.valid) return [];
  const seen = new Set<string>();
  const out = [];
  for (const unit of result.errors) {
    if (WRAPPERS.has(unit.keyword)) continue;
    let path = pathOf(unit.instanceLocation);
    if (unit.keyword === "required") {
      const missing = /"([^"]+)"/.exec(unit.error)?.[1];
      if (missing) path = [...path, missing];
    }
    const key = `${path.join("/")}|${unit.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, keyword: unit.keyword, message: messageFor(unit, rest), schemaPath: unit.keywordLocation });
  }
  return out;
}

/** The validator the install and configure forms give @rjsf/core. */
export class SchemaValidator implements ValidatorType<unknown, RJSFSchema> {
  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator<unknown, RJSFSchema>,
    transformErrors?: ErrorTransformer<unknown, RJSFSchema>,
    uiSchema?: UiSchema<unknown, RJSFSchema>,
  ): ValidationData<unknown> {
    let errors: RJSFValidationError[] = validate(schema, formData ?? {}).map((e) => ({
      name: e.keyword,
      property: e.path.length ? `.${e.path.join(".")}` : ".",
      message: e.message,
      stack: `${e.path.join(".") || "form"}: ${e.message}`,
      schemaPath: e.schemaPath,
    }));
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const builder = new ErrorSchemaBuilder();
    for (const e of errors) {
      const path = (e.property ?? ".").replace(/^\./, "");
      builder.addErrors(e.message ?? "Not valid.", path ? path.split(".") : undefined);
    }
    let errorSchema = builder.ErrorSchema;
    if (customValidate) {
      const custom = customValidate(formData, new ErrorSchemaBuilder().ErrorSchema as never, uiSchema) as unknown;
      if (custom) errorSchema = { ...errorSchema, ...(custom as object) };
    }
    return { errors, errorSchema };
  }

  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema): boolean {
    const withDefs = { ...rootSchema, ...schema } as Schema;
    try {
      return validate(withDefs, formData).length === 0;
    } catch {
      return false;
    }
  }

  rawValidation<Result = unknown>(schema: RJSFSchema, formData?: unknown): { errors?: Result[]; validationError?: Error } {
    try {
      return { errors: validate(schema, formData) as Result[] };
    } catch (error) {
      return { validationError: error instanceof Error ? error : new Error(String(error)) };
    }
  }
}
