/** The parameter form of a service, generated from its JSON Schema with @rjsf/core, in sections. */
// The Form alone: the package index also exports a test registry that imports @rjsf/validator-ajv8.
import Form from "@rjsf/core/lib/components/Form.js";
import type { ObjectFieldTemplateProps, RegistryFieldsType, RegistryWidgetsType, RJSFSchema } from "@rjsf/utils";
import { useMemo } from "react";
import type { InstanceRef, JsonValue } from "../ipc";
import { SECTIONS, sectionOf, uiSchemaFor } from "./sections";
import { SchemaValidator } from "./validator";
import { QuantityWidget, ReplicaStepper, StorageClassWidget, UsersField, type FormContext } from "./widgets";

const validator = new SchemaValidator();
const widgets: RegistryWidgetsType = { quantity: QuantityWidget, replicas: ReplicaStepper, storageClass: StorageClassWidget };
const fields: RegistryFieldsType = { users: UsersField };

/** The root object is drawn as titled sections; nested objects as plain groups. */
function SectionedObject(props: ObjectFieldTemplateProps) {
  const { properties, fieldPathId, schema, title } = props;
  if (fieldPathId.path.length > 0) {
    return (
      <div className="form-group">
        {title ? <span className="form-group__title">{title}</span> : null}
        {schema.description ? <span className="field-note">{schema.description}</span> : null}
        <div className="form-group__fields">{properties.map((p) => (p.hidden ? null : <div key={p.name}>{p.content}</div>))}</div>
      </div>
    );
  }
  const schemaProps = (schema.properties ?? {}) as Record<string, { "x-berth-section"?: unknown }>;
  return (
    <div className="form-sections">
      {SECTIONS.map((section) => {
        const inSection = properties.filter((p) => !p.hidden && sectionOf(p.name, schemaProps[p.name]) === section);
        if (inSection.length === 0) return null;
        return (
          <section key={section} className="card form-section" aria-labelledby={`section-${section}`} data-section={section}>
            <h2 id={`section-${section}`} className="form-section__title">
              {section}
            </h2>
            {inSection.map((p) => (
              <div key={p.name} className="form-section__field">
                {p.content}
              </div>
            ))}
          </section>
        );
      })}
    </div>
  );
}

/** The form for `schema`; `onChange` receives every edit, `onErrors` the count of invalid fields. */
export function ServiceForm({
  schema,
  values,
  onChange,
  context,
  instance,
  liveUsers,
  disabled = false,
}: {
  schema: JsonValue;
  values: JsonValue;
  onChange: (values: JsonValue, valid: boolean) => void;
  context: string | null;
  /** Configuring this installed instance (its users' passwords can be revealed). */
  instance?: InstanceRef;
  /** The users the instance has now. */
  liveUsers?: string[];
  disabled?: boolean;
}) {
  const uiSchema = useMemo(() => uiSchemaFor(schema as never), [schema]);
  const formContext: FormContext = { context, instance, liveUsers };
  return (
    <Form
      schema={schema as RJSFSchema}
      uiSchema={uiSchema}
      formData={values}
      validator={validator}
      widgets={widgets}
      fields={fields}
      formContext={formContext}
      templates={{ ObjectFieldTemplate: SectionedObject }}
      liveValidate
      showErrorList={false}
      noHtml5Validate
      disabled={disabled}
      className="service-form"
      onChange={(e) => {
        const data = (e.formData ?? {}) as JsonValue;
        onChange(data, validator.validateFormData(data, schema as RJSFSchema).errors.length === 0);
      }}
    />
  );
}
