/** The install form's own widgets: quantities, replicas, storage class, users. */
import type { FieldProps, RJSFSchema, WidgetProps } from "@rjsf/utils";
import { useQuery } from "@tanstack/react-query";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type InstanceRef, type StorageClassInfo } from "../ipc";
import { failureTitle } from "../components/failure";
import { UserPassword } from "./UserPassword";
import { STOPS, UNITS, describeQuantity, nearestStop, splitQuantity, type QuantityKind } from "./quantity";

/** What the form shares with its widgets. */
export interface FormContext {
  /** The target context (the storage-class picker asks its cluster). */
  context: string | null;
  /** When configuring an installed instance: which one (its users' passwords can be revealed). */
  instance?: InstanceRef;
  /** When configuring: the users the instance has now (their passwords exist). */
  liveUsers?: string[];
}

/** A quantity: a slider over common sizes plus a number and a unit. */
export function QuantityWidget({ id, value, onChange, onBlur, options, disabled, readonly, label, rawErrors }: WidgetProps) {
  const kind = (options.kind as QuantityKind | undefined) ?? "memory";
  const text = typeof value === "string" ? value : "";
  const { amount, unit } = splitQuantity(kind, text);
  const stops = STOPS[kind];
  const invalid = (rawErrors?.length ?? 0) > 0;
  return (
    <div className="quantity" data-kind={kind}>
      <input
        type="range"
        className="quantity__slider"
        aria-label={`${label} slider`}
        min={0}
        max={stops.length - 1}
        step={1}
        value={nearestStop(kind, text)}
        disabled={disabled || readonly}
        onChange={(e) => onChange(stops[Number(e.target.value)])}
      />
      <div className="quantity__text">
        <input
          id={id}
          className="input quantity__amount"
          inputMode="decimal"
          aria-label={label}
          aria-invalid={invalid}
          value={amount}
          disabled={disabled || readonly}
          onChange={(e) => onChange(`${e.target.value.trim()}${unit}`)}
          onBlur={() => onBlur(id, text)}
        />
        <select
          className="input quantity__unit"
          aria-label={`${label} unit`}
          value={unit}
          disabled={disabled || readonly}
          onChange={(e) => onChange(`${amount}${e.target.value}`)}
        >
          {UNITS[kind].map((u) => (
            <option key={u.unit} value={u.unit}>
              {u.label}
            </option>
          ))}
        </select>
        <span className="quantity__hint" aria-hidden="true">
          {describeQuantity(kind, text)}
        </span>
      </div>
    </div>
  );
}

/** The replica count: − n + within the schema's bounds. */
export function ReplicaStepper({ id, value, onChange, schema, disabled, readonly, label }: WidgetProps) {
  const min = typeof schema.minimum === "number" ? schema.minimum : 0;
  const max = typeof schema.maximum === "number" ? schema.maximum : 99;
  const n = typeof value === "number" ? value : min;
  const set = (v: number) => onChange(Math.min(max, Math.max(min, v)));
  return (
    <div className="stepper" role="group" aria-label={label}>
      <button type="button" className="button stepper__button" aria-label={`Fewer ${label.toLowerCase()}`} disabled={disabled || readonly || n <= min} onClick={() => set(n - 1)}>
        −
      </button>
      <input
        id={id}
        className="input stepper__value"
        type="number"
        min={min}
        max={max}
        value={n}
        aria-label={label}
        disabled={disabled || readonly}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isInteger(v)) set(v);
        }}
      />
      <button type="button" className="button stepper__button" aria-label={`More ${label.toLowerCase()}`} disabled={disabled || readonly || n >= max} onClick={() => set(n + 1)}>
        +
      </button>
      <span className="stepper__hint">{n === 1 ? "single pod, no standby" : `${n} pods`}</span>
    </div>
  );
}

/** The StorageClasses of the target cluster. */
export function useStorageClasses(context: string | null) {
  const backend = useBackend();
  return useQuery<StorageClassInfo[], ApiError>({
    queryKey: ["storageClasses", context],
    queryFn: () => backend.storageClasses(context).catch((e: unknown) => Promise.reject(toApiError(e))),
    staleTime: 60_000,
  });
}

/** A StorageClass picker filled from the target cluster; empty means the cluster default. */
export function StorageClassWidget({ id, value, onChange, disabled, readonly, label, registry }: WidgetProps) {
  const ctx = (registry.formContext ?? { context: null }) as FormContext;
  const classes = useStorageClasses(ctx.context);
  const current = typeof value === "string" ? value : "";
  const fallback = classes.data?.find((c) => c.isDefault);
  return (
    <div className="storage-class">
      <select
        id={id}
        className="input"
        aria-label={label}
        value={current}
        disabled={disabled || readonly || classes.isPending}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{fallback ? `Cluster default (${fallback.name})` : "Cluster default"}</option>
        {classes.data?.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name} — {c.provisioner}
          </option>
        ))}
        {current && classes.data && !classes.data.some((c) => c.name === current) ? <option value={current}>{current} (not in this cluster)</option> : null}
      </select>
      {classes.isPending ? <span className="field-note">Asking the cluster for its storage classes…</span> : null}
      {/* a context that cannot be used is told in full where the install fails: here, only its kind */}
      {classes.isError ? (
        <span className="field-note field-note--warn" role="status">
          Could not list the cluster’s storage classes:{" "}
          {classes.error.failure ? `${failureTitle(classes.error.failure)}.` : classes.error.message}
        </span>
      ) : null}
    </div>
  );
}

type User = { name?: string; database?: string } & Record<string, unknown>;

/** The extra users: name (and database when the schema has one); each password is generated at install. */
export function UsersField({ formData, onChange, schema, errorSchema, disabled, readonly, fieldPathId, registry }: FieldProps) {
  const ctx = (registry.formContext ?? { context: null }) as FormContext;
  const users = (Array.isArray(formData) ? formData : []) as User[];
  const items = (schema.items ?? {}) as RJSFSchema;
  const hasDatabase = Boolean(items.properties && "database" in items.properties);
  const max = typeof schema.maxItems === "number" ? schema.maxItems : 16;
  const path = fieldPathId.path;
  const update = (next: User[]) => onChange(next, path);
  const errorsOf = (i: number, key: string): string[] => {
    const e = (errorSchema as Record<string, Record<string, { __errors?: string[] }> | undefined> | undefined)?.[String(i)]?.[key];
    return e?.__errors ?? [];
  };
  return (
    <div className="users" data-testid="users-field">
      <div className="users__head">
        <span className="field-label">{schema.title ?? "Users"}</span>
        <span className="field-note">{schema.description}</span>
      </div>
      {users.length === 0 ? <p className="users__empty">No extra users: only the admin user is created.</p> : null}
      <ul className="users__list">
        {users.map((u, i) => (
          <li key={i} className="users__row" data-user={u.name ?? ""}>
            <label className="users__cell">
              <span>User name</span>
              <input
                className="input mono"
                aria-label="User name"
                value={u.name ?? ""}
                aria-invalid={errorsOf(i, "name").length > 0}
                disabled={disabled || readonly}
                onChange={(e) => update(users.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
              />
              {errorsOf(i, "name").map((m) => (
                <span key={m} className="field-error">
                  {m}
                </span>
              ))}
            </label>
            {hasDatabase ? (
              <label className="users__cell">
                <span>Database</span>
                <input
                  className="input mono"
                  aria-label="User database"
                  value={u.database ?? ""}
                  placeholder="none"
                  disabled={disabled || readonly}
                  onChange={(e) => update(users.map((x, j) => (j === i ? { ...x, database: e.target.value } : x)))}
                />
                {errorsOf(i, "database").map((m) => (
                  <span key={m} className="field-error">
                    {m}
                  </span>
                ))}
              </label>
            ) : null}
            <div className="users__cell users__password">
              <span>Password</span>
              {ctx.instance && u.name && ctx.liveUsers?.includes(u.name) ? (
                <UserPassword instance={ctx.instance} user={u.name} />
              ) : (
                <span
                  className="users__generated"
                  data-testid="password-generated"
                  title="Berth generates a strong password and keeps it in your system keyring; once it exists, Reveal and Copy show it here."
                >
                  {ctx.instance ? "Generated when you apply · kept in your keyring" : "Generated at install · kept in your keyring"}
                </span>
              )}
            </div>
            <button type="button" className="button button--ghost" aria-label={`Remove user ${u.name || i + 1}`} disabled={disabled || readonly} onClick={() => update(users.filter((_, j) => j !== i))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="button" disabled={disabled || readonly || users.length >= max} onClick={() => update([...users, hasDatabase ? { name: "", database: "" } : { name: "" }])}>
        Add user
      </button>
    </div>
  );
}
