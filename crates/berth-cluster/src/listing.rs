//! Listing many objects cheaply: only the fields a caller judges are kept.
//!
//! A LIST of 50 pods is over half a megabyte of JSON, most of it `managedFields`, the pod spec
//! and annotations that a health check never reads. [`Cluster::list_fields`] reads the answer
//! once, straight into [`serde_json::Value`]s holding only the paths named in a [`Fields`]:
//! everything else is skipped by the parser (serde's `IgnoredAny`) without being allocated.
//! Going through `k8s-openapi`'s types instead would build every field of every object and then
//! turn them back into JSON values: several times the CPU for the same answer. The selection is
//! a `serde::de::DeserializeSeed`, so no JSON library beyond `serde_json` is needed.
//!
//! The request asks for `resourceVersion=0` (`NotOlderThan`): any recent state does for a
//! listing, so a real API server may answer from its watch cache instead of a quorum read.

use std::collections::BTreeMap;
use std::fmt;

use kube::api::{DynamicObject, ListParams};
use kube::discovery::Scope;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::{Cluster, ClusterError, ObjectRef};

/// The fields of an object to keep, as dotted paths (`status.conditions`,
/// `metadata.labels`). A path keeps its whole value; arrays are looked through, so
/// `status.containerStatuses.state` keeps `state` of every element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// The whole value is kept.
    whole: bool,
    /// Else only these fields of an object (of each object of an array).
    children: BTreeMap<String, Fields>,
}

impl Fields {
    /// The fields named by `paths`. No path at all keeps nothing but empty objects.
    pub fn new(paths: &[&str]) -> Self {
        let mut root = Fields::default();
        for path in paths {
            let mut node = &mut root;
            let mut parts = path.split('.').peekable();
            while let Some(part) = parts.next() {
                let leaf = parts.peek().is_none();
                let child = node.children.entry(part.to_owned()).or_default();
                if leaf {
                    // the whole value: a shorter path wins over longer ones below it
                    child.whole = true;
                    child.children.clear();
                }
                if child.whole {
                    break;
                }
                node = child;
            }
        }
        root
    }

    /// Keeps only the selected fields of an already parsed object.
    pub fn select(&self, value: &Value) -> Value {
        if self.whole {
            return value.clone();
        }
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter_map(|(k, v)| self.children.get(k).map(|f| (k.clone(), f.select(v))))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.select(v)).collect()),
            other => other.clone(),
        }
    }

    /// The `items` of a JSON list answer (`PodList`...), each with only the selected fields.
    pub fn parse_list(&self, json: &[u8]) -> Result<Vec<Value>, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let items = ListItems(self).deserialize(&mut de)?;
        de.end()?;
        Ok(items)
    }
}

/// Deserializes one value, keeping the selected fields.
struct Select<'a>(&'a Fields);

impl<'de> DeserializeSeed<'de> for Select<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.0.whole {
            return serde::Deserialize::deserialize(deserializer);
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Select<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Select(self.0))? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            match key {
                Some((name, fields)) => {
                    let v = map.next_value_seed(Select(fields))?;
                    out.insert(name.to_owned(), v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Reads a key and finds its selection without allocating for keys that are skipped.
struct Key<'a>(&'a Fields);

impl<'de, 'a> DeserializeSeed<'de> for Key<'a> {
    type Value = Option<(&'a str, &'a Fields)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'a> Visitor<'de> for Key<'a> {
    type Value = Option<(&'a str, &'a Fields)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self
            .0
            .children
            .get_key_value(v)
            .map(|(k, f)| (k.as_str(), f)))
    }
}

/// The `items` of a list, selected.
struct ListItems<'a>(&'a Fields);

impl<'de> DeserializeSeed<'de> for ListItems<'_> {
    type Value = Vec<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Value>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ListItems<'_> {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Value>, A::Error> {
        let items_only = Fields::new(&["items"]);
        let mut items = Vec::new();
        while let Some(key) = map.next_key_seed(Key(&items_only))? {
            if key.is_some() {
                items = map.next_value_seed(Items(self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(items)
    }
}

/// A list's `items` array (`null` when empty, as some servers send it).
struct Items<'a>(&'a Fields);

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = Vec<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Value>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_unit<E>(self) -> Result<Vec<Value>, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(Select(self.0))? {
            items.push(v);
        }
        Ok(items)
    }
}

impl Cluster {
    /// The objects of one kind matching a label selector, in a namespace or in all of them
    /// (`None`; cluster-scoped kinds ignore it), each holding only `fields`. Transient
    /// failures are retried within the retry budget.
    #[tracing::instrument(level = "debug", skip(self, fields), fields(context = %self.context()))]
    pub async fn list_fields(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        label_selector: &str,
        fields: &Fields,
    ) -> Result<Vec<Value>, ClusterError> {
        let target = ObjectRef::kind_in(api_version, kind, namespace);
        let (resource, scope) = self.resource(&target).await?;
        let ns = match scope {
            Scope::Namespaced => namespace,
            Scope::Cluster => None,
        };
        let url = <DynamicObject as kube::Resource>::url_path(&resource, ns);
        let params = ListParams::default().labels(label_selector).match_any();
        let client = self.client();
        let text = self
            .retry("list", || {
                let request = kube::core::Request::new(url.as_str()).list(&params);
                let client = client.clone();
                async move {
                    client
                        .request_text(request.map_err(kube::Error::BuildRequest)?)
                        .await
                }
            })
            .await
            .map_err(|e| self.api_error("list", &target, e))?;
        fields
            .parse_list(text.as_bytes())
            .map_err(|e| ClusterError::InvalidObject(format!("{target}: list answer: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "metadata": {"name": "a", "namespace": "ns", "labels": {"x": "1"},
                         "managedFields": [{"manager": "m", "fieldsV1": {"f:spec": {}}}]},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null}],
                       "containerStatuses": [{"name": "c", "image": "i",
                           "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "m"}}}]}
        })
    }

    #[test]
    fn keeps_only_the_named_paths() {
        let fields = Fields::new(&[
            "metadata.name",
            "metadata.labels",
            "status.conditions",
            "status.containerStatuses.state",
        ]);
        let want = json!({
            "metadata": {"name": "a", "labels": {"x": "1"}},
            "status": {"conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null}],
                       "containerStatuses": [{"state": {"waiting": {"reason": "CrashLoopBackOff", "message": "m"}}}]}
        });
        assert_eq!(fields.select(&pod()), want);
        let list = json!({"kind": "PodList", "metadata": {"resourceVersion": "7"},
                          "items": [pod(), pod()]});
        let parsed = fields
            .parse_list(list.to_string().as_bytes())
            .expect("parses");
        assert_eq!(parsed, vec![want.clone(), want]);
    }

    #[test]
    fn a_shorter_path_keeps_everything_below_it() {
        let fields = Fields::new(&["status.conditions.type", "status"]);
        assert_eq!(fields.select(&pod())["status"], pod()["status"]);
        let fields = Fields::new(&["status", "status.conditions.type"]);
        assert_eq!(fields.select(&pod())["status"], pod()["status"]);
    }

    #[test]
    fn empty_and_broken_lists() {
        let fields = Fields::new(&["metadata.name"]);
        assert!(
            fields
                .parse_list(br#"{"kind":"PodList","items":null}"#)
                .unwrap()
                .is_empty()
        );
        assert!(
            fields
                .parse_list(br#"{"kind":"PodList"}"#)
                .unwrap()
                .is_empty()
        );
        assert!(fields.parse_list(br#"{"items":[{"metadata":"#).is_err());
        assert!(fields.parse_list(br#"{"items":[]} trailing"#).is_err());
    }

    #[tokio::test]
    async fn lists_from_a_server_with_the_selected_fields() {
        let sim = kubesim::testing::cluster().await.unwrap();
        let kubeconfig = crate::LoadedKubeconfig::load(&[sim.kubeconfig().to_owned()]);
        let cluster = Cluster::connect(&kubeconfig, sim.context()).await.unwrap();
        let ns = "list-fields";
        let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        cluster
            .apply(&namespace, crate::ApplyOptions::default())
            .await
            .unwrap();
        for (name, tier) in [("a", "db"), ("b", "db"), ("c", "web")] {
            let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": ns, "labels": {"tier": tier}},
                "data": {"k": name}});
            cluster
                .apply(&cm, crate::ApplyOptions::default())
                .await
                .unwrap();
        }
        let fields = Fields::new(&["metadata.name", "data"]);
        let found = cluster
            .list_fields("v1", "ConfigMap", Some(ns), "tier=db", &fields)
            .await
            .unwrap();
        assert_eq!(
            found,
            vec![
                json!({"metadata": {"name": "a"}, "data": {"k": "a"}}),
                json!({"metadata": {"name": "b"}, "data": {"k": "b"}}),
            ]
        );
        // all namespaces
        let everywhere = cluster
            .list_fields("v1", "ConfigMap", None, "tier", &fields)
            .await
            .unwrap();
        assert_eq!(everywhere.len(), 3);
        // a bad selector is the server's answer, not a transport failure
        let err = cluster
            .list_fields("v1", "ConfigMap", Some(ns), "tier in (", &fields)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ClusterError::Api { code: 400, .. }),
            "{err:?}"
        );
    }
}
