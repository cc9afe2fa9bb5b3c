//! HorizontalPodAutoscaler (autoscaling/v2): scales its Deployment, StatefulSet or
//! ReplicaSet on the simulated metrics (`metrics.k8s.io` values: load rules, bound
//! processes' /proc, synthetic load) with the real controller's rule,
//! `desired = ceil(current × usage / target)` (10% tolerance), within
//! `[minReplicas, maxReplicas]`; scale-downs wait for the scale-down stabilization window
//! (`behavior.scaleDown.stabilizationWindowSeconds`, 300 s by default) since the last scale.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::objects::{event, list, set_status, terminating, update};
use crate::handlers::write::now;
use crate::resources::GroupResource;
use crate::selectors::LabelSelector;
use crate::server::State;

/// A resource quantity in milli-units (`100m` → 100, `1` → 1000, `128Mi` → 128·2²⁰·1000).
pub(crate) fn milli(q: &Value) -> Option<f64> {
    let s = match q {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let factor = match unit {
        "" => 1.0,
        "m" => 0.001,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        _ => return None,
    };
    Some(n * factor * 1000.0)
}

/// One resource metric of an HPA and what its pods use of it.
struct Observed {
    name: String,
    /// Desired/current ratio of this metric.
    ratio: f64,
    current: Value,
}

fn observe(state: &State, spec: &Value, pods: &[Value]) -> Result<Option<Observed>, String> {
    if spec["type"] != "Resource" {
        return Ok(None);
    }
    let name = spec["resource"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let target = &spec["resource"]["target"];
    let (mut usage, mut requests, mut counted) = (0.0f64, 0.0f64, 0usize);
    for p in pods {
        let Some((_, cpu, mem)) = crate::metrics::pod_metrics(state, p) else {
            continue;
        };
        counted += 1;
        usage += if name == "cpu" {
            cpu as f64
        } else {
            mem as f64 * 1000.0
        };
        for c in p["spec"]["containers"].as_array().into_iter().flatten() {
            requests += milli(&c["resources"]["requests"][&name]).unwrap_or(0.0);
        }
    }
    if counted == 0 {
        return Err(format!("no metrics returned for resource {name}"));
    }
    match target["type"].as_str() {
        Some("Utilization") => {
            if requests <= 0.0 {
                return Err(format!("missing request for {name}"));
            }
            let util = (usage / requests * 100.0).round();
            let want = target["averageUtilization"].as_f64().unwrap_or(80.0);
            Ok(Some(Observed {
                ratio: util / want,
                current: json!({"type": "Resource", "resource": {"name": name, "current": {
                    "averageUtilization": util as i64,
                    "averageValue": quantity(&name, usage / counted as f64)}}}),
                name,
            }))
        }
        Some("AverageValue") => {
            let want = milli(&target["averageValue"]).unwrap_or(0.0);
            if want <= 0.0 {
                return Err(format!("invalid averageValue for {name}"));
            }
            let avg = usage / counted as f64;
            Ok(Some(Observed {
                ratio: avg / want,
                current: json!({"type": "Resource", "resource": {"name": name, "current": {
                    "averageValue": quantity(&name, avg)}}}),
                name,
            }))
        }
        _ => Ok(None),
    }
}

/// A milli-unit amount as a quantity string (`250m` CPU, `64Mi`-style memory in Ki).
fn quantity(resource: &str, milli: f64) -> String {
    if resource == "cpu" {
        format!("{}m", milli.round() as i64)
    } else {
        format!("{}Ki", (milli / 1000.0 / 1024.0).round() as i64)
    }
}

/// Reconciles every HPA.
pub(crate) fn reconcile(state: &State) {
    for hpa in list(state, "autoscaling", "horizontalpodautoscalers", None) {
        if terminating(&hpa) {
            continue;
        }
        let ns = hpa["metadata"]["namespace"].as_str().unwrap_or_default();
        let target = &hpa["spec"]["scaleTargetRef"];
        let kind = target["kind"].as_str().unwrap_or_default();
        let tname = target["name"].as_str().unwrap_or_default();
        let plural = match kind {
            "Deployment" => "deployments",
            "StatefulSet" => "statefulsets",
            "ReplicaSet" => "replicasets",
            _ => continue,
        };
        let Some(obj) = state
            .store
            .get(&GroupResource::new("apps", plural), ns, tname)
        else {
            continue;
        };
        let current = obj["spec"]["replicas"].as_i64().unwrap_or(1);
        let min = hpa["spec"]["minReplicas"].as_i64().unwrap_or(1);
        let max = hpa["spec"]["maxReplicas"].as_i64().unwrap_or(min).max(min);
        if current == 0 {
            continue; // scaling to zero disables the HPA, as in Kubernetes
        }
        let pods: Vec<Value> = match LabelSelector::from_spec(&obj["spec"]["selector"]) {
            Some(sel) => list(state, "", "pods", Some(ns))
                .into_iter()
                .filter(|p| sel.matches(&p["metadata"]["labels"]) && !terminating(p))
                .map(|o| o.value().clone())
                .collect(),
            None => Vec::new(),
        };
        let metric_specs: Vec<Value> = hpa["spec"]["metrics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut observed = Vec::new();
        let mut failure = None;
        for m in &metric_specs {
            match observe(state, m, &pods) {
                Ok(Some(o)) => observed.push(o),
                Ok(None) => {}
                Err(e) => failure = Some(e),
            }
        }
        // The largest proposal of all metrics wins; within 10% of the target, no change.
        let mut proposal = current;
        let mut reason = String::new();
        for o in &observed {
            if (o.ratio - 1.0).abs() > 0.1 {
                let p = (current as f64 * o.ratio).ceil() as i64;
                if p > proposal || proposal == current {
                    proposal = p;
                    reason = format!("{} resource above target", o.name);
                    if o.ratio < 1.0 {
                        reason = "All metrics below target".into();
                    }
                }
            }
        }
        if observed.is_empty() {
            proposal = current;
        }
        let mut desired = proposal.clamp(min, max);
        let limited = proposal != desired;
        let last_scale = hpa["status"]["lastScaleTime"]
            .as_str()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
        let window = hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"]
            .as_i64()
            .unwrap_or(300);
        if desired < current
            && last_scale
                .is_some_and(|t| OffsetDateTime::now_utc() - t < time::Duration::seconds(window))
        {
            desired = current;
        }
        let mut last_scale_time = hpa["status"]["lastScaleTime"].clone();
        if desired != current {
            update(state, "apps", plural, ns, tname, |o| {
                o["spec"]["replicas"] = json!(desired)
            });
            let why = if reason.is_empty() {
                format!("within [{min}, {max}]")
            } else {
                reason.clone()
            };
            event(
                state,
                &hpa,
                "Normal",
                "SuccessfulRescale",
                &format!("New size: {desired}; reason: {why}"),
                "horizontal-pod-autoscaler",
            );
            last_scale_time = json!(now());
        }
        let cond = |ty: &str, ok: bool, reason: &str, msg: &str| {
            let status = if ok { "True" } else { "False" };
            let lt = hpa["status"]["conditions"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["type"] == ty && c["status"] == status))
                .map(|c| c["lastTransitionTime"].clone())
                .unwrap_or_else(|| json!(now()));
            json!({"type": ty, "status": status, "reason": reason, "message": msg, "lastTransitionTime": lt})
        };
        let active = match &failure {
            Some(e) => cond(
                "ScalingActive",
                false,
                "FailedGetResourceMetric",
                &format!("the HPA was unable to compute the replica count: {e}"),
            ),
            None => cond(
                "ScalingActive",
                true,
                "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count",
            ),
        };
        let limit = if limited {
            let (r, m) = if proposal > max {
                (
                    "TooManyReplicas",
                    "the desired replica count is more than the maximum replica count",
                )
            } else {
                (
                    "TooFewReplicas",
                    "the desired replica count is less than the minimum replica count",
                )
            };
            cond("ScalingLimited", true, r, m)
        } else {
            cond(
                "ScalingLimited",
                false,
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            )
        };
        let mut status = json!({
            "observedGeneration": hpa["metadata"]["generation"],
            "currentReplicas": obj["status"]["replicas"].as_i64().unwrap_or(current),
            "desiredReplicas": desired,
            "currentMetrics": observed.iter().map(|o| o.current.clone()).collect::<Vec<_>>(),
            "conditions": [
                cond("AbleToScale", true, "ReadyForNewScale", "recommended size matches current size"),
                active,
                limit,
            ],
        });
        if !last_scale_time.is_null() {
            status["lastScaleTime"] = last_scale_time;
        }
        set_status(
            state,
            &hpa,
            "autoscaling",
            "horizontalpodautoscalers",
            status,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(milli(&json!("100m")), Some(100.0));
        assert_eq!(milli(&json!("0.5")), Some(500.0));
        assert_eq!(milli(&json!(2)), Some(2000.0));
        assert_eq!(milli(&json!("1Ki")), Some(1_024_000.0));
        assert_eq!(milli(&json!("bogus")), None);
    }
}
