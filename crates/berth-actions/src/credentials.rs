//! Credentials: generated (random, URL-safe, from the OS random number generator) at install, or
//! imported from the instance's Secret when another machine adopts it.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use berth_catalog::{Definition, RenderRequest};
use berth_cluster::ObjectRef;
use berth_secrets::Sensitive;
use serde_json::{Value, json};

use crate::record::Record;
use crate::{ActionError, Config, credential_handle, instance_selector};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// One random string of `length` alphanumerics (URL-safe and shell-safe), without modulo bias.
pub(crate) fn generate(length: usize) -> Result<String, ActionError> {
    let mut out = String::with_capacity(length);
    let mut buf = [0u8; 64];
    while out.len() < length {
        getrandom::fill(&mut buf).map_err(|e| ActionError::Random(e.to_string()))?;
        for b in buf {
            // 248 = 4 * 62: accept only bytes that map uniformly
            if b < 248 && out.len() < length {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

/// Fresh values for every credential the definition needs with these parameters.
pub(crate) fn generate_all(
    def: &Definition,
    values: &Value,
) -> Result<BTreeMap<String, String>, ActionError> {
    def.required_credentials(values)
        .into_iter()
        .map(|key| Ok((key.clone(), generate(length(def, &key))?)))
        .collect()
}

/// The length of a generated credential: the definition's (a per-user key `KEY-user` takes its
/// `KEY`'s), 32 when it says none, never under 16.
pub(crate) fn length(def: &Definition, key: &str) -> usize {
    def.spec
        .credentials
        .iter()
        .find(|c| key == c.key || (c.per_user && key.starts_with(&format!("{}-", c.key))))
        .map(|c| c.length)
        .unwrap_or(32)
        .max(16)
}

/// Where a credential lives in the cluster: a Secret's name and the key in its data.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Location {
    secret: String,
    key: String,
}

/// Reads the credentials of an instance from its Secrets and keeps them in the keyring under the
/// handles install uses; returns the keys imported. The values never leave `Sensitive` or the
/// keyring, and are neither logged nor returned.
///
/// Which Secret and data key hold a credential is learned by rendering the record's parameters
/// with a marker for each credential and finding the markers in the rendered Secrets; when the
/// definition cannot render (a version this catalog lacks), the data key equal to the
/// credential key in any Secret labelled with the instance is used, as every catalog entry does.
pub(crate) async fn import(
    cfg: &Config,
    def: Option<&Definition>,
    rec: &Record,
) -> Result<Vec<String>, ActionError> {
    let mut keys = rec.credentials.clone();
    if keys.is_empty()
        && let Some(def) = def
    {
        keys = def.required_credentials(&rec.parameters);
    }
    if keys.is_empty() {
        return Ok(keys);
    }
    let rendered = def.map(|d| locate(d, rec, &keys)).unwrap_or_default();
    let labelled = cfg
        .cluster
        .list(
            "v1",
            "Secret",
            Some(&rec.namespace),
            &instance_selector(&rec.instance),
        )
        .await?;
    let mut fetched: BTreeMap<String, Option<Value>> = BTreeMap::new();
    for key in &keys {
        let mut value = None;
        if let Some(loc) = rendered.get(key) {
            if !fetched.contains_key(&loc.secret) {
                let target = ObjectRef {
                    api_version: "v1".into(),
                    kind: "Secret".into(),
                    namespace: Some(rec.namespace.clone()),
                    name: loc.secret.clone(),
                };
                fetched.insert(loc.secret.clone(), cfg.cluster.get(&target).await?);
            }
            value = fetched[&loc.secret]
                .as_ref()
                .and_then(|s| secret_value(s, &loc.key));
        }
        if value.is_none() {
            value = labelled.iter().find_map(|s| secret_value(s, key));
        }
        let Some(value) = value else {
            return Err(ActionError::NotFound(format!(
                "cannot import the credential {key:?} of {}: no Secret of the instance in namespace {} holds it; \
                 without it Berth cannot reconfigure the instance from this machine",
                rec.instance, rec.namespace
            )));
        };
        let handle = credential_handle(cfg.context(), &rec.namespace, &rec.instance, key);
        cfg.keyring.write_all(vec![(handle, value)]).await?;
    }
    tracing::info!(count = keys.len(), "credentials imported into the keyring");
    Ok(keys)
}

/// The Secret and data key holding `key` in the cluster: where rendering puts it, else the
/// first Secret labelled with the instance that has a data key of that name.
pub(crate) async fn secret_of(
    cfg: &Config,
    def: &Definition,
    rec: &Record,
    key: &str,
) -> Result<(String, String), ActionError> {
    if let Some(loc) = locate(def, rec, &[key.to_owned()]).remove(key) {
        return Ok((loc.secret, loc.key));
    }
    let labelled = cfg
        .cluster
        .list(
            "v1",
            "Secret",
            Some(&rec.namespace),
            &instance_selector(&rec.instance),
        )
        .await?;
    labelled
        .iter()
        .find(|s| secret_keys(s).any(|(k, _)| k == key))
        .and_then(|s| s["metadata"]["name"].as_str())
        .map(|name| (name.to_owned(), key.to_owned()))
        .ok_or_else(|| {
            ActionError::NotFound(format!(
                "no Secret of {} in namespace {} holds the credential {key:?}",
                rec.instance, rec.namespace
            ))
        })
}

/// Renders the record's parameters with a marker per credential; where each marker lands.
fn locate(def: &Definition, rec: &Record, keys: &[String]) -> BTreeMap<String, Location> {
    let markers: BTreeMap<String, String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), format!("berthImportMarker{i:04}x")))
        .collect();
    let mut values = if rec.parameters.is_object() {
        rec.parameters.clone()
    } else {
        json!({})
    };
    values["version"] = Value::String(rec.version.clone());
    let rendered = match def.render(&RenderRequest {
        instance: rec.instance.clone(),
        namespace: rec.namespace.clone(),
        version: Some(rec.version.clone()),
        values,
        credentials: markers.clone(),
        revision: None,
    }) {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(error = %e, "cannot render to locate the credentials; using the key names");
            return BTreeMap::new();
        }
    };
    let mut out = BTreeMap::new();
    for object in rendered.objects.iter().filter(|o| o["kind"] == "Secret") {
        let Some(name) = object["metadata"]["name"].as_str() else {
            continue;
        };
        for (key, marker) in &markers {
            let found = secret_keys(object).find(|(_, v)| v.as_deref() == Some(marker.as_str()));
            if let Some((data_key, _)) = found {
                out.entry(key.clone()).or_insert(Location {
                    secret: name.to_owned(),
                    key: data_key,
                });
            }
        }
    }
    out
}

/// Every `data` (decoded) and `stringData` entry of a Secret object.
fn secret_keys(secret: &Value) -> impl Iterator<Item = (String, Option<String>)> + '_ {
    let data = secret["data"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let decoded = v
                .as_str()
                .and_then(|b| BASE64.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok());
            (k.clone(), decoded)
        });
    let string_data = secret["stringData"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned)));
    data.chain(string_data)
}

/// The value under `key` of a live Secret.
fn secret_value(secret: &Value, key: &str) -> Option<Sensitive<String>> {
    secret_keys(secret)
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v)
        .map(Sensitive::new)
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_credentials_are_long_alphanumeric_and_distinct() {
        let a = super::generate(32).unwrap();
        let b = super::generate(32).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn secret_values_are_read_from_data_and_string_data() {
        let secret = serde_json::json!({
            "kind": "Secret",
            "data": {"admin-password": "czNjcmV0"},
            "stringData": {"plain": "text"},
        });
        assert_eq!(
            super::secret_value(&secret, "admin-password").map(|v| v.expose().clone()),
            Some("s3cret".to_owned())
        );
        assert_eq!(
            super::secret_value(&secret, "plain").map(|v| v.expose().clone()),
            Some("text".to_owned())
        );
        assert!(super::secret_value(&secret, "missing").is_none());
    }
}
