//! What an API server's refusal means for the user and what to do about it: the server's
//! message, plus a hint for the refusals people meet most (RBAC denial naming the verb and
//! resource, quota exceeded, a field-manager conflict). Refused credentials are not about the
//! request: they become a [`crate::failure`] of the context.

use kube::core::Status;

use crate::ObjectRef;

/// The message Berth shows for a refusal of `verb` (Berth's: apply, get, list, delete,
/// discover) on `target`.
pub(crate) fn explain(context: &str, verb: &str, target: &ObjectRef, status: &Status) -> String {
    let message = status.message.clone();
    match status.code {
        403 if message.contains("exceeded quota") => format!(
            "{message}: a ResourceQuota in namespace {ns:?} is full; ask for a larger quota (`kubectl describe resourcequota -n {ns}`) or install with smaller resources (--set resources...)",
            ns = target.namespace.as_deref().unwrap_or("default")
        ),
        403 => {
            let details = status.details.as_ref();
            let resource = details
                .map(|d| d.kind.clone())
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| format!("{}s", target.kind.to_ascii_lowercase()));
            let group = details.map(|d| d.group.clone()).unwrap_or_default();
            let qualified = if group.is_empty() {
                resource
            } else {
                format!("{resource}.{group}")
            };
            let k8s_verb = match verb {
                "apply" => "patch",
                "discover" => "get",
                other => other,
            };
            let scope = target
                .namespace
                .as_deref()
                .map(|ns| format!(" -n {ns}"))
                .unwrap_or_default();
            format!(
                "{message}: RBAC denies {k8s_verb} on {qualified}{in_ns} to the user of context {context:?}; ask a cluster admin for a Role that allows it (check with `kubectl auth can-i {k8s_verb} {qualified}{scope}`)",
                in_ns = target
                    .namespace
                    .as_deref()
                    .map(|ns| format!(" in namespace {ns:?}"))
                    .unwrap_or_default(),
            )
        }
        409 if status.reason == "Conflict" && verb == "apply" => format!(
            "{message} (another tool manages these fields; retry with --force-conflicts to take them over)"
        ),
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use kube::core::{Status, response::StatusDetails};

    use crate::ObjectRef;

    fn sts() -> ObjectRef {
        ObjectRef {
            api_version: "apps/v1".into(),
            kind: "StatefulSet".into(),
            namespace: Some("db".into()),
            name: "pg".into(),
        }
    }

    #[test]
    fn a_denial_names_the_verb_the_resource_and_the_check() {
        let mut status = Status::failure(
            "statefulsets.apps \"pg\" is forbidden: User \"u\" cannot patch resource \"statefulsets\"",
            "Forbidden",
        )
        .with_code(403);
        status.details = Some(StatusDetails {
            name: "pg".into(),
            group: "apps".into(),
            kind: "statefulsets".into(),
            uid: String::new(),
            causes: Vec::new(),
            retry_after_seconds: 0,
        });
        let text = super::explain("prod", "apply", &sts(), &status);
        assert!(
            text.contains("RBAC denies patch on statefulsets.apps in namespace \"db\""),
            "{text}"
        );
        assert!(
            text.contains("kubectl auth can-i patch statefulsets.apps -n db"),
            "{text}"
        );
    }

    #[test]
    fn a_full_quota_gets_its_own_hint() {
        let quota = Status::failure(
            "services \"pg\" is forbidden: exceeded quota: objects, requested: services=1, used: services=2, limited: services=2",
            "Forbidden",
        )
        .with_code(403);
        let text = super::explain("prod", "apply", &sts(), &quota);
        assert!(text.contains("ResourceQuota in namespace \"db\""), "{text}");
    }
}
