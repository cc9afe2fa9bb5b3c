//! What an API server's refusal means for the user and what to do about it. For the refusals
//! people meet most (RBAC denial naming the verb and resource, quota exceeded, a field-manager
//! conflict) a [`Remedy`], worded for each surface: plain words for the app, where buttons do
//! the rest, and commands and flags for the CLI. Refused credentials are not about the request:
//! they become a [`crate::failure`] of the context.

use kube::core::Status;

use crate::ObjectRef;

/// What to do about a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// A ResourceQuota of the namespace is full.
    Quota {
        /// The namespace.
        namespace: String,
    },
    /// RBAC denies the user of the context a verb on a resource.
    Rbac {
        /// The context.
        context: String,
        /// The Kubernetes verb (`patch`, `get`, `list`, `delete`...).
        verb: String,
        /// The resource, with its group (`statefulsets.apps`).
        resource: String,
        /// The namespace, for a namespaced resource.
        namespace: Option<String>,
    },
    /// Another tool manages the fields Berth applies.
    Conflict,
}

impl Remedy {
    /// In words, for the app.
    pub fn advice(&self) -> String {
        match self {
            Remedy::Quota { namespace } => format!(
                "A ResourceQuota in namespace {namespace:?} is full: ask the cluster's administrator for a larger quota, or give the service less CPU, memory or storage."
            ),
            Remedy::Rbac {
                context,
                verb,
                resource,
                namespace,
            } => format!(
                "The user of context {context:?} may not {verb} {resource}{}: ask the cluster's administrator for a Role that allows it.",
                in_namespace(namespace.as_deref())
            ),
            Remedy::Conflict => {
                "Another tool manages these fields: apply again taking them over, or change them with that tool.".to_owned()
            }
        }
    }

    /// With the commands and flags, for the CLI.
    pub fn cli_advice(&self) -> String {
        match self {
            Remedy::Quota { namespace } => format!(
                "A ResourceQuota in namespace {namespace:?} is full: ask for a larger quota (`kubectl describe resourcequota -n {namespace}` shows it) or install with smaller resources (--set resources...)."
            ),
            Remedy::Rbac {
                context,
                verb,
                resource,
                namespace,
            } => format!(
                "RBAC denies {verb} on {resource}{} to the user of context {context:?}: ask a cluster admin for a Role that allows it (check with `kubectl auth can-i {verb} {resource}{}`).",
                in_namespace(namespace.as_deref()),
                namespace
                    .as_deref()
                    .map(|ns| format!(" -n {ns}"))
                    .unwrap_or_default()
            ),
            Remedy::Conflict => {
                "Another tool manages these fields: retry with --force-conflicts to take them over."
                    .to_owned()
            }
        }
    }
}

fn in_namespace(namespace: Option<&str>) -> String {
    namespace
        .map(|ns| format!(" in namespace {ns:?}"))
        .unwrap_or_default()
}

/// The remedy for a refusal of `verb` (Berth's: apply, get, list, delete, discover) on
/// `target`, when it is one people meet often.
pub(crate) fn remedy(
    context: &str,
    verb: &str,
    target: &ObjectRef,
    status: &Status,
) -> Option<Remedy> {
    match status.code {
        403 if status.message.contains("exceeded quota") => Some(Remedy::Quota {
            namespace: target.namespace.clone().unwrap_or_else(|| "default".into()),
        }),
        403 => {
            let details = status.details.as_ref();
            let resource = details
                .map(|d| d.kind.clone())
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| format!("{}s", target.kind.to_ascii_lowercase()));
            let group = details.map(|d| d.group.clone()).unwrap_or_default();
            let resource = if group.is_empty() {
                resource
            } else {
                format!("{resource}.{group}")
            };
            let verb = match verb {
                "apply" => "patch",
                "discover" => "get",
                other => other,
            };
            Some(Remedy::Rbac {
                context: context.to_owned(),
                verb: verb.to_owned(),
                resource,
                namespace: target.namespace.clone(),
            })
        }
        409 if status.reason == "Conflict" && verb == "apply" => Some(Remedy::Conflict),
        _ => None,
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
        let remedy = super::remedy("prod", "apply", &sts(), &status).expect("a remedy");
        let cli = remedy.cli_advice();
        assert!(
            cli.contains("RBAC denies patch on statefulsets.apps in namespace \"db\""),
            "{cli}"
        );
        assert!(
            cli.contains("kubectl auth can-i patch statefulsets.apps -n db"),
            "{cli}"
        );
        // the app's words name the same denial, without commands
        let app = remedy.advice();
        assert!(
            app.contains("may not patch statefulsets.apps in namespace \"db\""),
            "{app}"
        );
        assert!(!app.contains("kubectl") && !app.contains('`'), "{app}");
    }

    #[test]
    fn a_full_quota_gets_its_own_hint() {
        let quota = Status::failure(
            "services \"pg\" is forbidden: exceeded quota: objects, requested: services=1, used: services=2, limited: services=2",
            "Forbidden",
        )
        .with_code(403);
        let remedy = super::remedy("prod", "apply", &sts(), &quota).expect("a remedy");
        for text in [remedy.advice(), remedy.cli_advice()] {
            assert!(text.contains("ResourceQuota in namespace \"db\""), "{text}");
        }
        assert!(!remedy.advice().contains("--set"));
        assert!(remedy.cli_advice().contains("--set resources"));
        // a conflict: a flag for the CLI, words for the app
        let conflict = Status::failure("Apply failed with 1 conflict", "Conflict").with_code(409);
        let remedy = super::remedy("prod", "apply", &sts(), &conflict).expect("a remedy");
        assert!(remedy.cli_advice().contains("--force-conflicts"));
        assert!(!remedy.advice().contains("--"));
    }
}
