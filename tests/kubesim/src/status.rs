//! `Status` errors as the Kubernetes API returns them (`metav1.Status` with reason and code).

use serde_json::{Value, json};

use crate::resources::ResourceType;

/// One field cause of an `Invalid` or conflict error.
#[derive(Debug, Clone)]
pub(crate) struct Cause {
    /// Cause type (`FieldValueInvalid`, `FieldValueRequired`, `FieldManagerConflict`...).
    pub(crate) reason: String,
    /// Human message.
    pub(crate) message: String,
    /// Field path.
    pub(crate) field: String,
}

/// An API error that becomes a `Status` response.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    /// HTTP code.
    pub(crate) code: u16,
    /// `StatusReason`.
    pub(crate) reason: &'static str,
    /// Message.
    pub(crate) message: String,
    /// `details` object, if any.
    pub(crate) details: Option<Value>,
    /// Seconds for a `Retry-After` header.
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: String) -> Self {
        Self {
            code,
            reason,
            message,
            details: None,
            retry_after: None,
        }
    }

    fn with_details(mut self, rt: Option<&ResourceType>, name: &str) -> Self {
        let mut d = json!({ "name": name });
        if let Some(rt) = rt {
            if !rt.group.is_empty() {
                d["group"] = json!(rt.group);
            }
            d["kind"] = json!(rt.plural);
        }
        self.details = Some(d);
        self
    }

    /// 404 NotFound for an object.
    pub(crate) fn not_found(rt: &ResourceType, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{}\" not found", rt.qualified(), name),
        )
        .with_details(Some(rt), name)
    }

    /// 404 for an unknown path.
    pub(crate) fn no_route() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource".into(),
        )
        .with_details(None, "")
    }

    /// 409 AlreadyExists.
    pub(crate) fn already_exists(rt: &ResourceType, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{}\" already exists", rt.qualified(), name),
        )
        .with_details(Some(rt), name)
    }

    /// 409 Conflict on a stale resourceVersion.
    pub(crate) fn conflict(rt: &ResourceType, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                rt.qualified(),
                name
            ),
        )
        .with_details(Some(rt), name)
    }

    /// 409 Conflict from server-side apply, naming managers and fields.
    pub(crate) fn apply_conflict(
        rt: &ResourceType,
        name: &str,
        conflicts: &[(String, String)],
    ) -> Self {
        let n = conflicts.len();
        let mut msg = format!(
            "Apply failed with {n} conflict{}: ",
            if n == 1 { "" } else { "s" }
        );
        let parts: Vec<String> = conflicts
            .iter()
            .map(|(manager, field)| {
                format!(
                    "conflict with \"{manager}\" using {}: {field}",
                    rt.api_version()
                )
            })
            .collect();
        msg.push_str(&parts.join("\n"));
        let causes: Vec<Value> = conflicts
            .iter()
            .map(|(manager, field)| {
                json!({
                    "reason": "FieldManagerConflict",
                    "message": format!("conflict with \"{manager}\" using {}", rt.api_version()),
                    "field": field,
                })
            })
            .collect();
        let mut e = Self::new(409, "Conflict", msg).with_details(Some(rt), name);
        if let Some(d) = e.details.as_mut() {
            d["causes"] = json!(causes);
        }
        e
    }

    /// 422 Invalid with field causes.
    pub(crate) fn invalid(rt: &ResourceType, name: &str, causes: Vec<Cause>) -> Self {
        let list: Vec<String> = causes
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        let msg = if list.len() == 1 {
            list[0].clone()
        } else {
            format!("[{}]", list.join(", "))
        };
        let kind_name = if rt.group.is_empty() {
            rt.kind.clone()
        } else {
            format!("{}.{}", rt.kind, rt.group)
        };
        let mut e = Self::new(
            422,
            "Invalid",
            format!("{kind_name} \"{name}\" is invalid: {msg}"),
        );
        let mut d = json!({ "name": name, "kind": rt.kind });
        if !rt.group.is_empty() {
            d["group"] = json!(rt.group);
        }
        d["causes"] = Value::Array(
            causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect(),
        );
        e.details = Some(d);
        e
    }

    /// 400 BadRequest.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message.into())
    }

    /// 403 Forbidden.
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message.into())
    }

    /// 403 Forbidden for `verb` on the target, worded as the RBAC authorizer does (or with
    /// `message`, e.g. a quota admission refusal), with the resource in the details.
    pub(crate) fn denied(
        verb: &str,
        target: &crate::handlers::Target,
        message: Option<&str>,
    ) -> Self {
        let rt = &target.rt;
        let name = target.name.clone().unwrap_or_default();
        let object = if name.is_empty() {
            rt.qualified()
        } else {
            format!("{} \"{name}\"", rt.qualified())
        };
        let reason = match message {
            Some(m) => m.to_owned(),
            None => format!(
                "User \"system:serviceaccount:default:limited\" cannot {verb} resource \"{}\" in API group \"{}\"{}",
                rt.plural,
                rt.group,
                target
                    .ns
                    .as_deref()
                    .map(|ns| format!(" in the namespace \"{ns}\""))
                    .unwrap_or_else(|| " at the cluster scope".into())
            ),
        };
        Self::new(403, "Forbidden", format!("{object} is forbidden: {reason}"))
            .with_details(Some(rt), &name)
    }

    /// 401 Unauthorized.
    pub(crate) fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized".into())
    }

    /// 405 MethodNotAllowed.
    pub(crate) fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message.into())
    }

    /// 415 UnsupportedMediaType.
    pub(crate) fn unsupported_media(ct: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json (got {ct})"
            ),
        )
    }

    /// 410 Gone (expired resourceVersion or continue token).
    pub(crate) fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message.into())
    }

    /// 429 TooManyRequests with Retry-After.
    pub(crate) fn too_many_requests(retry_after: u64) -> Self {
        let mut e = Self::new(
            429,
            "TooManyRequests",
            "the server has received too many requests and has asked us to try again later".into(),
        );
        e.retry_after = Some(retry_after);
        e.details = Some(json!({ "retryAfterSeconds": retry_after }));
        e
    }

    /// 500 InternalError.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message.into())
    }

    /// 503 ServiceUnavailable.
    pub(crate) fn unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "ServiceUnavailable", message.into())
    }

    /// The `Status` object.
    pub(crate) fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason, self.message)
    }
}

/// A `Status` of success, as deletecollection and some deletes return.
pub(crate) fn success(details: Option<Value>) -> Value {
    let mut s = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
    });
    if let Some(d) = details {
        s["details"] = d;
    }
    s
}
