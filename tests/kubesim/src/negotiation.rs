//! Content negotiation of responses, as the API server does it: the `Accept` header's media
//! ranges in order of their `q` values (more specific ranges first at equal `q`), each
//! matched against the media types the resource is served in (`application/json`,
//! `application/yaml`, and `application/vnd.kubernetes.protobuf` for kinds with a protobuf
//! message); the first match whose parameters the server allows wins, and an `Accept`
//! nothing matches gets 406 NotAcceptable. kubesim writes YAML requests' answers as JSON,
//! as it always has.

use crate::status::ApiError;

/// The protobuf media type.
pub(crate) const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

/// The media type of a protobuf watch stream.
pub(crate) const PROTOBUF_WATCH: &str = "application/vnd.kubernetes.protobuf;stream=watch";

/// The encoding a response is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// JSON (also for clients asking for YAML).
    Json,
    /// Protobuf; `json_fallback` when the client also accepts JSON, for answers whose kind
    /// has no message.
    Protobuf {
        /// Whether the client accepts JSON too.
        json_fallback: bool,
    },
}

/// One media range of an `Accept` header.
#[derive(Debug)]
struct Range<'a> {
    ty: &'a str,
    sub: &'a str,
    q: f32,
    params: Vec<(&'a str, &'a str)>,
}

impl Range<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    fn matches(&self, ty: &str, sub: &str) -> bool {
        (self.ty == "*" && self.sub == "*")
            || (self.ty == ty && (self.sub == "*" || self.sub == sub))
    }

    /// Whether the server allows this range's parameters: conversions only to the
    /// `meta.k8s.io` Table and PartialObjectMetadata kinds, streams only `watch`.
    fn allowed(&self) -> bool {
        let conversion = self.param("as").is_none_or(|kind| {
            matches!(
                kind,
                "Table" | "PartialObjectMetadata" | "PartialObjectMetadataList"
            ) && self.param("g") == Some("meta.k8s.io")
                && matches!(self.param("v"), Some("v1" | "v1beta1"))
        });
        conversion && self.param("stream").is_none_or(|s| s == "watch")
    }
}

/// The media ranges of an `Accept` header, most preferred first.
fn ranges(accept: &str) -> Vec<Range<'_>> {
    let mut out: Vec<Range<'_>> = accept
        .split(',')
        .filter_map(|clause| {
            let mut parts = clause.split(';').map(str::trim);
            let (ty, sub) = parts.next()?.split_once('/')?;
            let mut q = 1.0;
            let mut params = Vec::new();
            for p in parts {
                let Some((k, v)) = p.split_once('=') else {
                    continue;
                };
                let (k, v) = (k.trim(), v.trim().trim_matches('"'));
                if k == "q" {
                    q = v.parse().unwrap_or(1.0);
                } else {
                    params.push((k, v));
                }
            }
            Some(Range {
                ty: ty.trim(),
                sub: sub.trim(),
                q,
                params,
            })
        })
        .filter(|r| r.q > 0.0)
        .collect();
    out.sort_by(|a, b| {
        b.q.total_cmp(&a.q)
            .then((a.ty == "*").cmp(&(b.ty == "*")))
            .then((a.sub == "*").cmp(&(b.sub == "*")))
    });
    out
}

/// Whether some range of `accept` takes JSON.
fn accepts_json(ranges: &[Range<'_>]) -> bool {
    ranges
        .iter()
        .any(|r| r.matches("application", "json") && r.allowed())
}

/// Chooses the encoding of a resource's answers; `protobuf` tells whether its kind has a
/// protobuf message.
pub(crate) fn negotiate(accept: &str, protobuf: bool) -> Result<Output, ApiError> {
    if accept.trim().is_empty() {
        return Ok(Output::Json);
    }
    let ranges = ranges(accept);
    let mut served = vec!["json", "yaml"];
    if protobuf {
        served.push("vnd.kubernetes.protobuf");
    }
    for r in &ranges {
        for sub in &served {
            if !r.matches("application", sub) || !r.allowed() {
                continue;
            }
            // No Table or PartialObjectMetadata is written as protobuf by kubesim: such a
            // range is skipped for the next one.
            if *sub == "vnd.kubernetes.protobuf" && r.param("as").is_some() {
                continue;
            }
            return Ok(if *sub == "vnd.kubernetes.protobuf" {
                Output::Protobuf {
                    json_fallback: accepts_json(&ranges),
                }
            } else {
                Output::Json
            });
        }
    }
    let served: Vec<String> = served.iter().map(|s| format!("application/{s}")).collect();
    Err(not_acceptable(&served.join(", ")))
}

/// 406 NotAcceptable naming the media types served.
pub(crate) fn not_acceptable(served: &str) -> ApiError {
    ApiError {
        code: 406,
        reason: "NotAcceptable",
        message: format!("only the following media types are accepted: {served}"),
        details: None,
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PB: Output = Output::Protobuf {
        json_fallback: false,
    };
    const PB_OR_JSON: Output = Output::Protobuf {
        json_fallback: true,
    };

    #[test]
    fn protobuf_when_preferred_and_served() {
        assert_eq!(negotiate(PROTOBUF, true).unwrap(), PB);
        assert_eq!(
            negotiate(
                "application/vnd.kubernetes.protobuf, application/json",
                true
            )
            .unwrap(),
            PB_OR_JSON
        );
        // client-go's default.
        assert_eq!(
            negotiate("application/vnd.kubernetes.protobuf, */*", true).unwrap(),
            PB_OR_JSON
        );
        assert_eq!(
            negotiate(
                "application/json;q=0.5, application/vnd.kubernetes.protobuf",
                true
            )
            .unwrap(),
            PB_OR_JSON
        );
        assert_eq!(
            negotiate("application/vnd.kubernetes.protobuf;stream=watch", true).unwrap(),
            PB
        );
    }

    #[test]
    fn json_when_preferred_or_protobuf_not_served() {
        for accept in [
            "",
            "*/*",
            "application/*",
            "application/json",
            "application/json, application/vnd.kubernetes.protobuf",
            "application/vnd.kubernetes.protobuf;q=0.2, application/json",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
            "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json",
        ] {
            assert_eq!(negotiate(accept, true).unwrap(), Output::Json, "{accept}");
        }
        assert_eq!(
            negotiate(
                "application/vnd.kubernetes.protobuf, application/json",
                false
            )
            .unwrap(),
            Output::Json
        );
    }

    #[test]
    fn not_acceptable_when_nothing_matches() {
        for (accept, protobuf) in [
            (PROTOBUF, false),
            ("text/html", true),
            ("application/json;q=0", true),
            ("application/json;as=Widget;v=v1;g=example.com", true),
            (
                "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io",
                true,
            ),
        ] {
            let e = negotiate(accept, protobuf).unwrap_err();
            assert_eq!((e.code, e.reason), (406, "NotAcceptable"), "{accept}");
        }
    }
}
