//! CronJob → Jobs on their schedule (standard five-field cron expressions on a simulated
//! clock that the config can speed up), and DaemonSet → one pod per node.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::objects::{
    controlled_by, create, delete, event, hash, list, owner_ref, pod_ready, set_status, suffix,
    terminating,
};
use crate::server::State;

/// The simulated wall clock of CronJob schedules: real time at kubesim's start, then
/// running `60000 / cronMinuteMs` times as fast as real time.
fn sim_now(state: &State) -> OffsetDateTime {
    let minute_ms = state.config.cron_minute_ms.max(1) as f64;
    let scaled = state.started.elapsed().as_secs_f64() * 60_000.0 / minute_ms;
    state.started_wall + time::Duration::seconds_f64(scaled)
}

/// Real time until the next minute of the simulated clock starts (when a schedule can
/// next come due).
pub(crate) fn until_next_minute(state: &State) -> std::time::Duration {
    let now = sim_now(state);
    let into = now.second() as f64 + now.nanosecond() as f64 / 1e9;
    let sim_secs = (60.0 - into).max(0.0);
    let minute_ms = state.config.cron_minute_ms.max(1) as f64;
    std::time::Duration::from_secs_f64(sim_secs * minute_ms / 60_000.0)
}

fn format(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .expect("valid")
        .format(&Rfc3339)
        .expect("formats")
}

fn parse(s: &Value) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.as_str()?, &Rfc3339).ok()
}

/// Whether `value` matches one cron field (`*`, `*/N`, `A`, `A-B`, `A-B/N`, lists).
fn field_matches(field: &str, value: u32, min: u32, max: u32) -> bool {
    field.split(',').any(|part| {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().unwrap_or(0)),
            None => (part, 1),
        };
        if step == 0 {
            return false;
        }
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            match (a.parse(), b.parse()) {
                (Ok(a), Ok(b)) => (a, b),
                _ => return false,
            }
        } else {
            match range.parse::<u32>() {
                // `A/N` means from A to the end in steps of N.
                Ok(a) if part.contains('/') => (a, max),
                Ok(a) => (a, a),
                Err(_) => return false,
            }
        };
        value >= lo && value <= hi && (value - lo).is_multiple_of(step)
    })
}

/// Whether the minute starting at `t` matches a five-field cron schedule (or a macro).
pub(crate) fn schedule_matches(schedule: &str, t: OffsetDateTime) -> bool {
    let expanded = match schedule.trim() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        s => s,
    };
    // A leading `TZ=`/`CRON_TZ=` is ignored: the simulated clock is UTC.
    let fields: Vec<&str> = expanded
        .split_whitespace()
        .filter(|f| !f.starts_with("TZ=") && !f.starts_with("CRON_TZ="))
        .collect();
    let [min, hour, dom, month, dow] = fields.as_slice() else {
        return false;
    };
    let weekday = t.weekday().number_days_from_sunday() as u32;
    field_matches(min, t.minute() as u32, 0, 59)
        && field_matches(hour, t.hour() as u32, 0, 23)
        && field_matches(dom, t.day() as u32, 1, 31)
        && field_matches(month, t.month() as u32, 1, 12)
        && (field_matches(dow, weekday, 0, 7) || (weekday == 0 && field_matches(dow, 7, 0, 7)))
}

/// The latest scheduled minute in `(after, now]`, looking back at most a day.
fn latest_due(
    schedule: &str,
    after: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let mut t = now.replace_second(0).ok()?.replace_nanosecond(0).ok()?;
    for _ in 0..1440 {
        if t <= after {
            return None;
        }
        if schedule_matches(schedule, t) {
            return Some(t);
        }
        t -= time::Duration::minutes(1);
    }
    None
}

fn job_finished(job: &Value) -> Option<&'static str> {
    let cs = job["status"]["conditions"].as_array()?;
    cs.iter()
        .find_map(|c| match (c["type"].as_str(), c["status"].as_str()) {
            (Some("Complete"), Some("True")) => Some("Complete"),
            (Some("Failed"), Some("True")) => Some("Failed"),
            _ => None,
        })
}

/// Reconciles every CronJob: creates the Job of the latest due minute (unless suspended,
/// or `concurrencyPolicy: Forbid` with a Job still running), prunes finished Jobs beyond
/// the history limits, writes status (active, lastScheduleTime, lastSuccessfulTime).
pub(crate) fn reconcile_cronjobs(state: &State) {
    let cronjobs = list(state, "batch", "cronjobs", None);
    if cronjobs.is_empty() {
        return;
    }
    let jobs = list(state, "batch", "jobs", None);
    let now = sim_now(state);
    for cj in cronjobs {
        if terminating(&cj) {
            continue;
        }
        let ns = cj["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = cj["metadata"]["name"].as_str().unwrap_or_default();
        let uid = &cj["metadata"]["uid"];
        let mut mine: Vec<&Value> = jobs
            .iter()
            .filter(|j| j["metadata"]["namespace"] == ns && controlled_by(j, uid))
            .map(|o| o.value())
            .collect();
        mine.sort_by_key(|j| {
            j["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
        let active: Vec<&&Value> = mine
            .iter()
            .filter(|j| job_finished(j).is_none() && !terminating(j))
            .collect();
        let mut status = cj["status"].clone();
        if !status.is_object() {
            status = json!({});
        }
        let after = parse(&status["lastScheduleTime"])
            .or_else(|| parse(&cj["metadata"]["creationTimestamp"]))
            .unwrap_or(now);
        let schedule = cj["spec"]["schedule"].as_str().unwrap_or_default();
        let suspended = cj["spec"]["suspend"] == json!(true);
        let forbid = cj["spec"]["concurrencyPolicy"] == "Forbid" && !active.is_empty();
        let mut created = None;
        if !suspended && let Some(due) = latest_due(schedule, after, now) {
            status["lastScheduleTime"] = json!(format(due));
            if !forbid {
                let job_name = format!("{name}-{}", due.unix_timestamp() / 60);
                let tpl = &cj["spec"]["jobTemplate"];
                let mut meta = tpl["metadata"].clone();
                if !meta.is_object() {
                    meta = json!({});
                }
                meta["name"] = json!(job_name);
                meta["ownerReferences"] = json!([owner_ref(&cj)]);
                meta["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] =
                    json!(format(due));
                let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": tpl["spec"]});
                if let Some(j) = create(state, "batch", "jobs", ns, job) {
                    event(
                        state,
                        &cj,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created job {job_name}"),
                        "cronjob-controller",
                    );
                    created = Some(j);
                }
            }
        }
        // History limits.
        for (kind, default) in [("Complete", 3usize), ("Failed", 1usize)] {
            let key = if kind == "Complete" {
                "successfulJobsHistoryLimit"
            } else {
                "failedJobsHistoryLimit"
            };
            let limit = cj["spec"][key]
                .as_u64()
                .map(|n| n as usize)
                .unwrap_or(default);
            let finished: Vec<&&Value> = mine
                .iter()
                .filter(|j| job_finished(j) == Some(kind) && !terminating(j))
                .collect();
            for old in finished.iter().take(finished.len().saturating_sub(limit)) {
                let jname = old["metadata"]["name"].as_str().unwrap_or_default();
                delete(state, "batch", "jobs", ns, jname, "Background");
                event(
                    state,
                    &cj,
                    "Normal",
                    "SuccessfulDelete",
                    &format!("Deleted job {jname}"),
                    "cronjob-controller",
                );
            }
        }
        if let Some(t) = mine
            .iter()
            .filter(|j| job_finished(j) == Some("Complete"))
            .filter_map(|j| j["status"]["completionTime"].as_str())
            .max()
        {
            status["lastSuccessfulTime"] = json!(t);
        }
        let job_ref = |j: &Value| {
            json!({"apiVersion": "batch/v1", "kind": "Job", "namespace": ns,
            "name": j["metadata"]["name"], "uid": j["metadata"]["uid"], "resourceVersion": j["metadata"]["resourceVersion"]})
        };
        let mut refs: Vec<Value> = active.iter().map(|j| job_ref(j)).collect();
        if let Some(j) = &created {
            refs.push(job_ref(j));
        }
        if refs.is_empty() {
            status.as_object_mut().expect("object").remove("active");
        } else {
            status["active"] = json!(refs);
        }
        set_status(state, &cj, "batch", "cronjobs", status);
    }
}

/// Reconciles every DaemonSet: one pod per node (bound to it by `nodeName` and the node
/// affinity a real DaemonSet controller sets), outdated pods replaced one at a time.
pub(crate) fn reconcile_daemonsets(state: &State) {
    let daemonsets = list(state, "apps", "daemonsets", None);
    if daemonsets.is_empty() {
        return;
    }
    let nodes: Vec<String> = list(state, "", "nodes", None)
        .iter()
        .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    let pods = list(state, "", "pods", None);
    for ds in daemonsets {
        if terminating(&ds) {
            continue;
        }
        let ns = ds["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = ds["metadata"]["name"].as_str().unwrap_or_default();
        let uid = &ds["metadata"]["uid"];
        let tpl = &ds["spec"]["template"];
        let revision = hash(tpl);
        let mine: Vec<&Value> = pods
            .iter()
            .filter(|p| {
                p["metadata"]["namespace"] == ns && controlled_by(p, uid) && !terminating(p)
            })
            .map(|o| o.value())
            .collect();
        let on = |node: &str| -> Vec<&&Value> {
            mine.iter()
                .filter(|p| p["spec"]["nodeName"] == node)
                .collect()
        };
        for node in &nodes {
            let here = on(node);
            if here.is_empty() {
                let mut meta = tpl["metadata"].clone();
                if !meta.is_object() {
                    meta = json!({});
                }
                let pod_name = format!("{name}-{}", suffix());
                meta["name"] = json!(pod_name);
                meta["labels"]["controller-revision-hash"] = json!(revision);
                meta["labels"]["pod-template-generation"] = json!(
                    ds["metadata"]["generation"]
                        .as_i64()
                        .unwrap_or(1)
                        .to_string()
                );
                meta["ownerReferences"] = json!([owner_ref(&ds)]);
                let mut spec = tpl["spec"].clone();
                spec["nodeName"] = json!(node);
                spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = json!({
                    "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]});
                let pod =
                    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec});
                if create(state, "", "pods", ns, pod).is_some() {
                    event(
                        state,
                        &ds,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {pod_name}"),
                        "daemonset-controller",
                    );
                }
            } else {
                for extra in here.iter().skip(1) {
                    delete(
                        state,
                        "",
                        "pods",
                        ns,
                        extra["metadata"]["name"].as_str().unwrap_or_default(),
                        "Background",
                    );
                }
                let p = here[0];
                if p["metadata"]["labels"]["controller-revision-hash"] != json!(revision)
                    || !pod_ready(p)
                {}
            }
        }
        // Rolling update: replace one outdated pod at a time, once the others are ready.
        if ds["spec"]["updateStrategy"]["type"] != "OnDelete" {
            let outdated: Vec<&&Value> = mine
                .iter()
                .filter(|p| p["metadata"]["labels"]["controller-revision-hash"] != json!(revision))
                .collect();
            let unready = mine.iter().filter(|p| !pod_ready(p)).count();
            if let Some(p) = outdated.first()
                && unready == 0
            {
                let pname = p["metadata"]["name"].as_str().unwrap_or_default();
                delete(state, "", "pods", ns, pname, "Background");
                event(
                    state,
                    &ds,
                    "Normal",
                    "SuccessfulDelete",
                    &format!("Deleted pod: {pname}"),
                    "daemonset-controller",
                );
            }
        }
        // Pods on nodes that are gone.
        for p in mine
            .iter()
            .filter(|p| !nodes.iter().any(|n| p["spec"]["nodeName"] == *n))
        {
            delete(
                state,
                "",
                "pods",
                ns,
                p["metadata"]["name"].as_str().unwrap_or_default(),
                "Background",
            );
        }
        let scheduled = nodes.iter().filter(|n| !on(n).is_empty()).count();
        let ready = nodes
            .iter()
            .filter(|n| on(n).iter().any(|p| pod_ready(p)))
            .count();
        let updated = nodes
            .iter()
            .filter(|n| {
                on(n)
                    .iter()
                    .any(|p| p["metadata"]["labels"]["controller-revision-hash"] == json!(revision))
            })
            .count();
        let status = json!({
            "observedGeneration": ds["metadata"]["generation"],
            "currentNumberScheduled": scheduled,
            "desiredNumberScheduled": nodes.len(),
            "numberMisscheduled": 0,
            "numberReady": ready,
            "numberAvailable": ready,
            "numberUnavailable": nodes.len() - ready,
            "updatedNumberScheduled": updated,
        });
        let mut status = status;
        if nodes.len() == ready {
            status
                .as_object_mut()
                .expect("object")
                .remove("numberUnavailable");
        }
        set_status(state, &ds, "apps", "daemonsets", status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &Rfc3339).unwrap()
    }

    #[test]
    fn cron_fields() {
        let t = at("2026-11-25T18:45:00Z"); // a Wednesday
        assert!(schedule_matches("*/5 * * * *", t));
        assert!(schedule_matches("*/15 * * * *", t));
        assert!(!schedule_matches("*/2 * * * *", t));
        assert!(schedule_matches("45 18 * * 3", t));
        assert!(schedule_matches("40-50/5 18 25 11 1-5", t));
        assert!(!schedule_matches("0 * * * *", t));
        assert!(schedule_matches("0,45 * * * *", t));
        assert!(!schedule_matches("@hourly", t));
        assert!(schedule_matches("@hourly", at("2026-11-25T19:00:00Z")));
        assert!(!schedule_matches("not a schedule", t));
        assert_eq!(
            latest_due(
                "*/5 * * * *",
                at("2026-11-25T18:31:00Z"),
                at("2026-11-25T18:47:30Z")
            ),
            Some(t)
        );
        assert_eq!(
            latest_due("*/5 * * * *", t, at("2026-11-25T18:47:30Z")),
            None
        );
    }
}
