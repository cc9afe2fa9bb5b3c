//! Fidelity: protobuf answers against a fresh kubesim (or the cluster named by
//! `BERTH_TEST_KUBECONFIG`). Objects are created as JSON with kube-rs, then read, listed and
//! watched with `Accept: application/vnd.kubernetes.protobuf` and decoded with the `k8s-pb`
//! prost types, as client-go's protobuf serializer reads them; custom resources fall back to
//! JSON or get 406; kubectl, which asks for Tables and JSON, still works.

mod common;

use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_pb::apimachinery::pkg::runtime::Unknown;
use kube::api::{Api, PostParams};
use prost::Message;
use serde_json::json;

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";
const NS: &str = "pb-answers";

/// An answer: status, content type and body.
struct Answer {
    status: StatusCode,
    content_type: String,
    body: Bytes,
}

async fn get(client: &kube::Client, path: &str, accept: &str) -> Answer {
    let req = Request::get(path)
        .header(header::ACCEPT, accept)
        .body(kube::client::Body::empty())
        .expect("request");
    let resp = client.send(req).await.expect("answer");
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        content_type,
        body,
    }
}

/// Strips the `k8s\0` envelope: the `apiVersion`, `kind` and message bytes.
fn unwrap(bytes: &[u8]) -> (String, String, Vec<u8>) {
    let inner = bytes
        .strip_prefix(b"k8s\0")
        .unwrap_or_else(|| panic!("no k8s envelope: {:?}", &bytes[..bytes.len().min(16)]));
    let u = Unknown::decode(inner).expect("runtime.Unknown");
    let tm = u.type_meta.expect("typeMeta");
    (
        tm.api_version.unwrap_or_default(),
        tm.kind.unwrap_or_default(),
        u.raw.unwrap_or_default(),
    )
}

/// Decodes a protobuf answer of `kind` as `T`.
fn decoded<T: Message + Default>(a: &Answer, api_version: &str, kind: &str) -> T {
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    assert_eq!(a.content_type, PROTOBUF);
    let (v, k, raw) = unwrap(&a.body);
    assert_eq!((v.as_str(), k.as_str()), (api_version, kind));
    T::decode(raw.as_slice()).expect("message")
}

async fn create_objects(client: &kube::Client) {
    let pp = PostParams::default();
    let ns: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    ns.create(
        &pp,
        &serde_json::from_value(json!({"metadata": {"name": NS}})).unwrap(),
    )
    .await
    .expect("namespace");
    let pods: Api<Pod> = Api::namespaced(client.clone(), NS);
    let pod = json!({
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{
            "name": "app",
            "image": "nginx:1.27",
            "ports": [{"name": "http", "containerPort": 8080}],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 7}
        }]}
    });
    pods.create(&pp, &serde_json::from_value(pod).unwrap())
        .await
        .expect("pod");
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let deploy = json!({
        "metadata": {"name": "api"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "api", "image": "busybox"}]}
            }
        }
    });
    deploys
        .create(&pp, &serde_json::from_value(deploy).unwrap())
        .await
        .expect("deployment");
    let services: Api<Service> = Api::namespaced(client.clone(), NS);
    let svc = json!({
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}
    });
    services
        .create(&pp, &serde_json::from_value(svc).unwrap())
        .await
        .expect("service");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    let secret = json!({"metadata": {"name": "creds"}, "data": {"key": "AAEC/w=="}});
    secrets
        .create(&pp, &serde_json::from_value(secret).unwrap())
        .await
        .expect("secret");
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    for name in ["one", "two"] {
        let cm = json!({"metadata": {"name": name}, "data": {"name": name}});
        cms.create(&pp, &serde_json::from_value(cm).unwrap())
            .await
            .expect("config map");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_list_watch_and_errors_in_protobuf() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let client = c.client().await.expect("client");
    create_objects(&client).await;
    let base = format!("/api/v1/namespaces/{NS}");

    let pod: k8s_pb::api::core::v1::Pod = decoded(
        &get(&client, &format!("{base}/pods/web"), PROTOBUF).await,
        "v1",
        "Pod",
    );
    let meta_ = pod.metadata.expect("metadata");
    assert_eq!(meta_.name.as_deref(), Some("web"));
    assert_eq!(meta_.labels.get("app").map(String::as_str), Some("web"));
    assert!(
        meta_
            .creation_timestamp
            .and_then(|t| t.seconds)
            .unwrap_or(0)
            > 0
    );
    let container = &pod.spec.expect("spec").containers[0];
    assert_eq!(container.image.as_deref(), Some("nginx:1.27"));
    assert_eq!(container.ports[0].container_port, Some(8080));
    let limits = &container.resources.as_ref().expect("resources").limits;
    assert_eq!(limits["cpu"].string.as_deref(), Some("500m"));
    assert_eq!(limits["memory"].string.as_deref(), Some("128Mi"));
    let probe = container.readiness_probe.as_ref().expect("probe");
    assert_eq!(probe.period_seconds, Some(7));
    let http_get = probe.handler.as_ref().and_then(|h| h.http_get.as_ref());
    let port = http_get.and_then(|g| g.port.as_ref()).expect("probe port");
    assert_eq!(
        (port.r#type, port.str_val.as_deref()),
        (Some(1), Some("http"))
    );

    // client-go's default Accept, protobuf first and JSON as the fallback.
    let d: k8s_pb::api::apps::v1::Deployment = decoded(
        &get(
            &client,
            &format!("/apis/apps/v1/namespaces/{NS}/deployments/api"),
            "application/vnd.kubernetes.protobuf, application/json",
        )
        .await,
        "apps/v1",
        "Deployment",
    );
    let spec = d.spec.expect("spec");
    assert_eq!(spec.replicas, Some(2));
    let labels = spec.selector.expect("selector").match_labels;
    assert_eq!(labels.get("app").map(String::as_str), Some("api"));

    let svc: k8s_pb::api::core::v1::Service = decoded(
        &get(&client, &format!("{base}/services/web"), PROTOBUF).await,
        "v1",
        "Service",
    );
    let port = &svc.spec.expect("spec").ports[0];
    assert_eq!(port.port, Some(80));
    let target = port.target_port.as_ref().expect("targetPort");
    assert_eq!(
        (target.r#type, target.str_val.as_deref()),
        (Some(1), Some("http"))
    );

    let secret: k8s_pb::api::core::v1::Secret = decoded(
        &get(&client, &format!("{base}/secrets/creds"), PROTOBUF).await,
        "v1",
        "Secret",
    );
    assert_eq!(secret.data["key"], vec![0u8, 1, 2, 255]);

    let list: k8s_pb::api::core::v1::ConfigMapList = decoded(
        &get(&client, &format!("{base}/configmaps"), PROTOBUF).await,
        "v1",
        "ConfigMapList",
    );
    let mut names: Vec<String> = list
        .items
        .iter()
        .filter_map(|cm| cm.metadata.as_ref()?.name.clone())
        .filter(|n| n == "one" || n == "two")
        .collect();
    names.sort();
    assert_eq!(names, ["one", "two"]);
    assert!(list.metadata.and_then(|m| m.resource_version).is_some());
    let one = list
        .items
        .iter()
        .find(|cm| cm.metadata.as_ref().and_then(|m| m.name.as_deref()) == Some("one"));
    assert_eq!(one.expect("one").data["name"], "one");

    // Errors are Status messages in the same envelope.
    let missing = get(&client, &format!("{base}/pods/missing"), PROTOBUF).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.content_type, PROTOBUF);
    let (v, k, raw) = unwrap(&missing.body);
    assert_eq!((v.as_str(), k.as_str()), ("v1", "Status"));
    let status = meta::Status::decode(raw.as_slice()).expect("Status");
    assert_eq!(status.code, Some(404));
    assert_eq!(status.reason.as_deref(), Some("NotFound"));
    assert_eq!(
        status.details.and_then(|d| d.name).as_deref(),
        Some("missing")
    );

    watch_in_protobuf(&client, &base).await;
    common::kubectl_ok(&c, &["delete", "namespace", NS, "--timeout=60s"]);
    c.shutdown().await;
}

/// The next length-framed `WatchEvent` of a protobuf watch stream.
async fn next_event(body: &mut kube::client::Body, buf: &mut Vec<u8>) -> (String, String, Vec<u8>) {
    loop {
        if buf.len() >= 4 {
            let n = u32::from_be_bytes(buf[..4].try_into().unwrap()) as usize;
            if buf.len() >= 4 + n {
                let ev = meta::WatchEvent::decode(&buf[4..4 + n]).expect("WatchEvent");
                buf.drain(..4 + n);
                let raw = ev.object.and_then(|o| o.raw).expect("event object");
                let (_, kind, msg) = unwrap(&raw);
                return (ev.r#type.unwrap_or_default(), kind, msg);
            }
        }
        let frame = tokio::time::timeout(Duration::from_secs(20), body.frame())
            .await
            .expect("a watch event within 20s")
            .expect("stream open")
            .expect("frame");
        if let Ok(data) = frame.into_data() {
            buf.extend_from_slice(&data);
        }
    }
}

async fn watch_in_protobuf(client: &kube::Client, base: &str) {
    let req = Request::get(format!("{base}/configmaps?watch=true&timeoutSeconds=60"))
        .header(header::ACCEPT, PROTOBUF)
        .body(kube::client::Body::empty())
        .expect("request");
    let resp = client.send(req).await.expect("watch");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "application/vnd.kubernetes.protobuf;stream=watch"
    );
    let mut body = resp.into_body();
    let mut buf = Vec::new();
    let mut seen = Vec::new();
    while !(seen.contains(&"one".to_string()) && seen.contains(&"two".to_string())) {
        let (ty, kind, msg) = next_event(&mut body, &mut buf).await;
        assert_eq!((ty.as_str(), kind.as_str()), ("ADDED", "ConfigMap"));
        let cm = k8s_pb::api::core::v1::ConfigMap::decode(msg.as_slice()).expect("ConfigMap");
        seen.extend(cm.metadata.and_then(|m| m.name));
    }
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    let cm = json!({"metadata": {"name": "three"}, "data": {"n": "3"}});
    cms.create(&PostParams::default(), &serde_json::from_value(cm).unwrap())
        .await
        .expect("config map");
    loop {
        let (ty, _, msg) = next_event(&mut body, &mut buf).await;
        let cm = k8s_pb::api::core::v1::ConfigMap::decode(msg.as_slice()).expect("ConfigMap");
        if cm.metadata.and_then(|m| m.name).as_deref() == Some("three") {
            assert_eq!(ty, "ADDED");
            assert_eq!(cm.data["n"], "3");
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resources_fall_back_to_json_or_406_and_kubectl_works() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let client = c.client().await.expect("client");
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd = json!({
        "metadata": {"name": "gadgets.pb.berth.test"},
        "spec": {
            "group": "pb.berth.test",
            "scope": "Namespaced",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {
                    "type": "object", "x-kubernetes-preserve-unknown-fields": true
                }}
            }]
        }
    });
    crds.create(
        &PostParams::default(),
        &serde_json::from_value(crd).unwrap(),
    )
    .await
    .expect("crd");
    let path = "/apis/pb.berth.test/v1/namespaces/default/gadgets";
    // A real cluster serves a new CRD once it is established.
    let mut served = get(&client, path, "application/json").await;
    for _ in 0..50 {
        if served.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        served = get(&client, path, "application/json").await;
    }
    assert_eq!(served.status, StatusCode::OK);

    let both = get(
        &client,
        path,
        "application/vnd.kubernetes.protobuf, application/json",
    )
    .await;
    assert_eq!(both.status, StatusCode::OK);
    assert!(both.content_type.starts_with("application/json"));
    let list: serde_json::Value = serde_json::from_slice(&both.body).expect("JSON");
    assert_eq!(list["kind"], "GadgetList");

    let only = get(&client, path, PROTOBUF).await;
    assert_eq!(only.status, StatusCode::NOT_ACCEPTABLE);
    let status: serde_json::Value = serde_json::from_slice(&only.body).expect("JSON Status");
    assert_eq!(status["reason"], "NotAcceptable");

    // kubectl asks for Tables and JSON (and sends protobuf bodies from its generators).
    let ns = "pb-kubectl";
    common::kubectl_ok(&c, &["create", "namespace", ns]);
    // `create deployment` sends a protobuf body and accepts protobuf: Go's own decoder reads
    // kubesim's answer (its logged response headers name the media type).
    let created = common::kubectl(
        &c,
        &[
            "-n",
            ns,
            "create",
            "deployment",
            "web",
            "--image=nginx:1.27",
            "-v=8",
        ],
    );
    let log = String::from_utf8_lossy(&created.stderr);
    assert!(created.status.success(), "{log}");
    assert!(
        String::from_utf8_lossy(&created.stdout).contains("deployment.apps/web created"),
        "{log}"
    );
    assert!(
        log.matches("Content-Type: application/vnd.kubernetes.protobuf")
            .count()
            >= 2,
        "no protobuf answer: {log}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = dir.path().join("cm.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n",
    )
    .expect("manifest");
    common::kubectl_ok(
        &c,
        &["-n", ns, "apply", "-f", manifest.to_str().expect("path")],
    );
    let table = common::kubectl_ok(&c, &["-n", ns, "get", "deployments,configmaps"]);
    assert!(
        table.contains("web") && table.contains("applied"),
        "{table}"
    );
    let value = common::kubectl_ok(
        &c,
        &[
            "-n",
            ns,
            "get",
            "configmap",
            "applied",
            "-o",
            "jsonpath={.data.k}",
        ],
    );
    assert_eq!(value, "v");
    common::kubectl_ok(&c, &["delete", "namespace", ns, "--timeout=60s"]);
    common::kubectl_ok(&c, &["delete", "crd", "gadgets.pb.berth.test"]);
    c.shutdown().await;
}
