// Hand-written until berth-api exports it: the type ts-rs gives serde_json::Value, which the
// generated RenderInput, RenderedManifests and ServiceDetail import from here.
export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;
