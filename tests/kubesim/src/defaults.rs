//! Defaulting and admission on create, as the real API server does it: Service cluster
//! IPs, PVC default storage class, workload and pod spec defaults, namespace finalizers.

use serde_json::{Value, json};

use crate::resources::ResourceType;

fn set_default(v: &mut Value, key: &str, default: Value) {
    if let Some(m) = v.as_object_mut()
        && m.get(key).is_none_or(Value::is_null)
    {
        m.insert(key.to_string(), default);
    }
}

/// Fills pod spec defaults.
pub(crate) fn pod_spec(spec: &mut Value) {
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "securityContext", json!({}));
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                let latest = c["image"]
                    .as_str()
                    .map(|i| {
                        !i.rsplit('/').next().unwrap_or(i).contains(':') || i.ends_with(":latest")
                    })
                    .unwrap_or(false);
                set_default(
                    c,
                    "imagePullPolicy",
                    json!(if latest { "Always" } else { "IfNotPresent" }),
                );
                set_default(c, "terminationMessagePath", json!("/dev/termination-log"));
                set_default(c, "terminationMessagePolicy", json!("File"));
                set_default(c, "resources", json!({}));
                if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ports {
                        set_default(p, "protocol", json!("TCP"));
                    }
                }
            }
        }
    }
}

fn template(spec: &mut Value) {
    if let Some(s) = spec
        .get_mut("template")
        .and_then(|t| t.get_mut("spec"))
        .filter(|s| s.is_object())
    {
        pod_spec(s);
    }
}

/// Applies create-time defaults to `obj`. `next_ip` hands out Service cluster IPs.
/// Defaults the API server applies to the result of every update (as it does on create), so that
/// re-applying an object without them does not look like a change of immutable fields.
pub(crate) fn on_update(rt: &ResourceType, obj: &mut Value) {
    if (rt.group.as_str(), rt.plural.as_str()) == ("apps", "statefulsets") {
        claim_templates(&mut obj["spec"]);
    }
}

fn claim_templates(spec: &mut Value) {
    if let Some(ts) = spec
        .get_mut("volumeClaimTemplates")
        .and_then(Value::as_array_mut)
    {
        for t in ts {
            set_default(t, "apiVersion", json!("v1"));
            set_default(t, "kind", json!("PersistentVolumeClaim"));
            set_default(&mut t["spec"], "volumeMode", json!("Filesystem"));
            set_default(t, "status", json!({"phase": "Pending"}));
        }
    }
}

pub(crate) fn on_create(rt: &ResourceType, obj: &mut Value, next_ip: &mut dyn FnMut() -> String) {
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "namespaces") => {
            let name = obj["metadata"]["name"].clone();
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
            obj["spec"]["finalizers"] = json!(["kubernetes"]);
            obj["status"] = json!({"phase": "Active"});
        }
        ("", "pods") => {
            pod_spec(&mut obj["spec"]);
            obj["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
        }
        ("", "services") => {
            let spec = &mut obj["spec"];
            set_default(spec, "type", json!("ClusterIP"));
            set_default(spec, "sessionAffinity", json!("None"));
            if spec["clusterIP"].is_null() || spec["clusterIP"] == "" {
                let ip = next_ip();
                spec["clusterIP"] = json!(ip);
            }
            let ip = spec["clusterIP"].clone();
            set_default(spec, "clusterIPs", json!([ip]));
            set_default(spec, "ipFamilies", json!(["IPv4"]));
            set_default(spec, "ipFamilyPolicy", json!("SingleStack"));
            set_default(spec, "internalTrafficPolicy", json!("Cluster"));
            if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                for p in ports {
                    set_default(p, "protocol", json!("TCP"));
                    let port = p["port"].clone();
                    set_default(p, "targetPort", port);
                }
            }
            obj["status"] = json!({"loadBalancer": {}});
        }
        ("", "persistentvolumeclaims") => {
            set_default(&mut obj["spec"], "volumeMode", json!("Filesystem"));
            obj["status"] = json!({"phase": "Pending"});
        }
        ("", "secrets") => set_default(obj, "type", json!("Opaque")),
        ("", "serviceaccounts") => {}
        ("apps", "deployments") => {
            let spec = &mut obj["spec"];
            set_default(spec, "replicas", json!(1));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(spec, "progressDeadlineSeconds", json!(600));
            set_default(
                spec,
                "strategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
            );
            template(spec);
        }
        ("apps", "statefulsets") => {
            let spec = &mut obj["spec"];
            set_default(spec, "replicas", json!(1));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(spec, "podManagementPolicy", json!("OrderedReady"));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            set_default(
                spec,
                "persistentVolumeClaimRetentionPolicy",
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
            claim_templates(spec);
            template(spec);
        }
        ("apps", "replicasets") => {
            set_default(&mut obj["spec"], "replicas", json!(1));
            template(&mut obj["spec"]);
        }
        ("apps", "daemonsets") => {
            let spec = &mut obj["spec"];
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
            );
            template(spec);
        }
        ("batch", "jobs") => {
            let spec = &mut obj["spec"];
            set_default(spec, "completions", json!(1));
            set_default(spec, "parallelism", json!(1));
            set_default(spec, "backoffLimit", json!(6));
            set_default(spec, "completionMode", json!("NonIndexed"));
            set_default(spec, "suspend", json!(false));
            if spec["template"]["spec"]["restartPolicy"].is_null() {
                spec["template"]["spec"]["restartPolicy"] = json!("Never");
            }
            template(spec);
        }
        ("batch", "cronjobs") => {
            let spec = &mut obj["spec"];
            set_default(spec, "concurrencyPolicy", json!("Allow"));
            set_default(spec, "suspend", json!(false));
            set_default(spec, "successfulJobsHistoryLimit", json!(3));
            set_default(spec, "failedJobsHistoryLimit", json!(1));
        }
        ("autoscaling", "horizontalpodautoscalers") => {
            set_default(&mut obj["spec"], "minReplicas", json!(1));
        }
        _ => {}
    }
}
