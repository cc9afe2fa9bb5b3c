//! Plan: validate, resolve the credentials, render. Nothing here asks the cluster or writes
//! anything; [`resolve`] reads the keyring.

use std::collections::{BTreeMap, BTreeSet};

use berth_catalog::{Definition, RenderRequest};
use berth_secrets::{SecretsError, Sensitive};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::pipeline::commit::redact;
use crate::record::Record;
use crate::{ActionError, Config, credential_handle, credentials};

/// What to render: a definition at a version with parameters, as one instance.
#[derive(Debug, Clone)]
pub(crate) struct Target<'a> {
    /// The definition.
    pub(crate) definition: &'a Definition,
    /// The instance name.
    pub(crate) instance: &'a str,
    /// The namespace.
    pub(crate) namespace: &'a str,
    /// The version.
    pub(crate) version: &'a str,
    /// The parameter values (validated, see [`validate`]).
    pub(crate) values: &'a Value,
    /// The revision the objects are rendered for.
    pub(crate) revision: u32,
}

/// Where a plan's credentials come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Credentials<'a> {
    /// From the keyring, and fresh ones for what it lacks ([`resolve`]); `known` are keys the
    /// instance already had, whose absence from the keyring is an error, not a reason to
    /// generate.
    Resolve {
        /// Keys the instance is known to have.
        known: &'a [String],
    },
    /// Given by the caller and used as they are (a transfer provisions a target with the
    /// source's credentials): nothing is read from the keyring or generated, and every key
    /// the definition needs must be there.
    Supplied(&'a BTreeMap<String, Sensitive<String>>),
}

/// Credentials for an instance: every value, and which ones were made now.
#[derive(Clone, Default)]
pub(crate) struct Resolved {
    /// Every credential by key.
    pub(crate) values: BTreeMap<String, String>,
    /// The keys not read from the keyring: generated now, or supplied by the caller. They are
    /// this action's, and removed from the keyring again if it stops before it commits.
    pub(crate) generated: BTreeSet<String>,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .field("generated", &self.generated)
            .finish()
    }
}

/// What an action will apply.
#[derive(Clone)]
pub(crate) struct Plan {
    /// The record the instance will have.
    pub(crate) record: Record,
    /// The rendered objects, in apply order, without the record.
    pub(crate) objects: Vec<Value>,
    /// The credentials rendered into them.
    pub(crate) credentials: Resolved,
    /// The `manifest_digest` of the revision ([`digest`]).
    pub(crate) digest: String,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("record", &self.record)
            .field("objects", &self.objects.len())
            .field("credentials", &self.credentials)
            .field("digest", &self.digest)
            .finish()
    }
}

impl Plan {
    /// The rendered objects and then the record, as they are applied.
    pub(crate) fn with_record(&self) -> Vec<Value> {
        let mut objects = self.objects.clone();
        objects.push(self.record.to_object());
        objects
    }
}

/// Parameter values validated against the definition, `version` set: the values to render and
/// the effective ones (defaults filled in).
pub(crate) fn validate(
    def: &Definition,
    values: &Value,
    version: &str,
) -> Result<(Value, Value), ActionError> {
    let mut values = if values.is_null() {
        serde_json::json!({})
    } else {
        values.clone()
    };
    if !values.is_object() {
        return Err(ActionError::InvalidInput(
            "parameter values must be a mapping".into(),
        ));
    }
    values["version"] = Value::String(version.to_owned());
    let effective = def.validate_values(&values)?;
    Ok((values, effective))
}

/// The one get-or-generate of credentials: each key the keyring holds for the instance is
/// used, a key it lacks is generated (as long as the definition asks for it), except a key in
/// `known` (the instance had it: a missing one is an error, since the data was made with it).
/// The keyring is read on a blocking thread, all keys in one go.
pub(crate) async fn resolve(
    cfg: &Config,
    def: &Definition,
    namespace: &str,
    instance: &str,
    keys: Vec<String>,
    known: &[String],
) -> Result<Resolved, ActionError> {
    let handles = keys
        .iter()
        .map(|key| credential_handle(cfg.context(), namespace, instance, key))
        .collect();
    let found = cfg.keyring.read_each(handles).await?;
    let mut out = Resolved::default();
    for (key, (_, value)) in keys.into_iter().zip(found) {
        match value {
            Ok(value) => {
                out.values.insert(key, value.expose().clone());
            }
            Err(SecretsError::NotFound { .. }) if !known.contains(&key) => {
                let fresh = credentials::generate(credentials::length(def, &key))?;
                out.values.insert(key.clone(), fresh);
                out.generated.insert(key);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// Credentials from `source` for the keys the definition needs with `effective` parameters.
pub(crate) async fn credentials(
    cfg: &Config,
    def: &Definition,
    namespace: &str,
    instance: &str,
    effective: &Value,
    source: Credentials<'_>,
) -> Result<Resolved, ActionError> {
    let keys = def.required_credentials(effective);
    match source {
        Credentials::Resolve { known } => resolve(cfg, def, namespace, instance, keys, known).await,
        Credentials::Supplied(given) => supplied(keys, given),
    }
}

/// The supplied credentials the keys need; an error naming the first one missing.
pub(crate) fn supplied(
    keys: Vec<String>,
    given: &BTreeMap<String, Sensitive<String>>,
) -> Result<Resolved, ActionError> {
    let mut out = Resolved::default();
    for key in keys {
        let value = given.get(&key).ok_or_else(|| {
            ActionError::InvalidInput(format!("the credential {key:?} was not supplied"))
        })?;
        out.values.insert(key.clone(), value.expose().clone());
        out.generated.insert(key);
    }
    Ok(out)
}

/// Renders `target` with `credentials` into a plan.
pub(crate) fn render(target: &Target<'_>, credentials: Resolved) -> Result<Plan, ActionError> {
    let def = target.definition;
    let rendered = def.render(&RenderRequest {
        instance: target.instance.to_owned(),
        namespace: target.namespace.to_owned(),
        version: Some(target.version.to_owned()),
        values: target.values.clone(),
        credentials: credentials.values.clone(),
        revision: Some(u64::from(target.revision)),
    })?;
    let record = Record {
        instance: target.instance.to_owned(),
        namespace: target.namespace.to_owned(),
        definition: def.id().to_owned(),
        version: target.version.to_owned(),
        parameters: rendered.values.clone(),
        revision: target.revision,
        credentials: credentials.values.keys().cloned().collect(),
        stopped: None,
        created: None,
        fenced: false,
    };
    Ok(Plan {
        digest: digest(&rendered.objects),
        record,
        objects: rendered.objects,
        credentials,
    })
}

/// The `manifest_digest` of a revision: `sha256:` and the hex SHA-256 of the rendered objects,
/// Secrets' values redacted (no digest of a secret is kept), ordered by API version, kind,
/// namespace and name, each serialised as JSON and ended by a newline. The same parameters,
/// version and credential keys give the same digest, whatever the revision number: the
/// `berth.dev/revision` annotation is left out.
pub(crate) fn digest(objects: &[Value]) -> String {
    let key = |o: &Value| {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        (
            text(&o["apiVersion"]),
            text(&o["kind"]),
            text(&o["metadata"]["namespace"]),
            text(&o["metadata"]["name"]),
        )
    };
    let mut shown: Vec<Value> = objects.iter().map(redact).collect();
    for object in &mut shown {
        strip_revision(object);
    }
    shown.sort_by_cached_key(key);
    let mut hasher = Sha256::new();
    for object in &shown {
        hasher.update(object.to_string().as_bytes());
        hasher.update(b"\n");
    }
    let hash = hasher.finalize();
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Removes the revision annotation wherever it is (the object's and its pod template's).
fn strip_revision(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("berth.dev/revision");
            for v in map.values_mut() {
                strip_revision(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_revision),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_digest_ignores_order_secret_values_and_the_revision() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a",
            "annotations": {"berth.dev/revision": "1"}}, "data": {"x": "1"}});
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "stringData": {"password": "one"}});
        let mut later = cm.clone();
        later["metadata"]["annotations"]["berth.dev/revision"] = json!("2");
        let mut other_secret = secret.clone();
        other_secret["stringData"]["password"] = json!("two");
        let a = super::digest(&[cm.clone(), secret.clone()]);
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64, "{a}");
        assert_eq!(a, super::digest(&[other_secret, later]));
        let mut changed = cm;
        changed["data"]["x"] = json!("2");
        assert_ne!(a, super::digest(&[changed, secret]));
    }
}
