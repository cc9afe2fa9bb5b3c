//! The catalog on real engines: a real server started with the configuration a definition
//! renders (its ConfigMap's config file) answers the definition's readiness probe and a
//! client using the definition's connection URI with the generated password.

use base64::Engine as _;
use berth_catalog::Definition;
use berth_catalog::render::RenderRequest;
use realdb::{Credentials, Etcd, Mariadb, Memcached, Nats, NatsPlace, Postgres, Rabbitmq, Redis};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use support::definition;

mod support;

/// Renders the defaults with generated-looking credentials; returns the objects and them.
fn render(def: &Definition) -> (Vec<Value>, BTreeMap<String, String>) {
    let values = def.validate_values(&json!({})).unwrap();
    let credentials: BTreeMap<String, String> = def
        .required_credentials(&values)
        .into_iter()
        .map(|k| (k.clone(), format!("Gen3r4ted-{k}-x9Q")))
        .collect();
    let req = RenderRequest {
        instance: "cache".into(),
        namespace: "apps".into(),
        values: json!({}),
        credentials: credentials.clone(),
        ..Default::default()
    };
    (def.render(&req).unwrap().objects, credentials)
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// The decoded value of `key` in a rendered Secret.
fn secret_value(secret: &Value, key: &str) -> String {
    let b64 = secret["data"][key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

/// `s` with its `%XX` escapes decoded.
fn percent_decode(s: &str) -> String {
    let mut out = Vec::new();
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex: String = [bytes.next().unwrap(), bytes.next().unwrap()]
                .iter()
                .map(|&c| c as char)
                .collect();
            out.push(u8::from_str_radix(&hex, 16).unwrap());
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).unwrap()
}

/// `scheme://user:password@host:port/...` taken apart: user and password (percent-decoded)
/// and the port.
fn uri_parts(uri: &str) -> (String, String, u16) {
    let rest = uri.split_once("://").unwrap().1;
    let (userinfo, rest) = rest.split_once('@').unwrap();
    let (user, password) = userinfo.split_once(':').unwrap();
    let hostport = rest.split('/').next().unwrap();
    let port = hostport.rsplit_once(':').unwrap().1.parse().unwrap();
    (percent_decode(user), percent_decode(password), port)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn redis_and_valkey_run_their_rendered_config() {
    for service in ["redis", "valkey"] {
        let def = definition(service);
        let (objects, credentials) = render(&def);
        let config = &find(&objects, "ConfigMap", "cache-config")["data"];
        let conf = format!(
            "{}\n{}",
            config["server.conf"].as_str().unwrap(),
            config["extra.conf"].as_str().unwrap_or("")
        );
        let password = &credentials["password"];
        let server = Redis::start_with_config(&conf, password)
            .unwrap_or_else(|e| panic!("{service}: the engine refused the rendered config: {e}"));
        let sts = find(&objects, "StatefulSet", "cache");
        let container = &sts["spec"]["template"]["spec"]["containers"][0];
        let probe = strings(&container["readinessProbe"]["exec"]["command"]);
        let out = realdb::run(&server.env(), &probe, b"").unwrap();
        assert!(
            out.success(),
            "{service}: readiness probe failed: {}",
            out.stderr
        );
        let values = def.validate_values(&json!({})).unwrap();
        let uri = def
            .connection_uri_on("127.0.0.1", server.port(), &values, Some(password))
            .unwrap();
        let cli = |uri: &str, args: &[&str]| {
            let mut argv = vec![
                "redis-cli".to_string(),
                "--no-auth-warning".into(),
                "-u".into(),
                uri.into(),
            ];
            argv.extend(args.iter().map(|s| s.to_string()));
            realdb::run(&BTreeMap::new(), &argv, b"").unwrap().text()
        };
        assert_eq!(
            cli(&uri, &["SET", "k", "ü"]).trim(),
            "OK",
            "{service}: {uri}"
        );
        let without = def
            .connection_uri_on("127.0.0.1", server.port(), &values, None)
            .unwrap();
        assert!(
            cli(&without, &["SET", "k", "v"]).contains("NOAUTH"),
            "{service}: no password needed"
        );
        let maxmemory =
            String::from_utf8_lossy(&server.cli(0, &["CONFIG", "GET", "maxmemory"]).unwrap())
                .into_owned();
        assert!(
            !maxmemory.trim().ends_with("\n0"),
            "{service}: rendered maxmemory not applied: {maxmemory}"
        );
    }
}

#[test]
fn postgres_runs_its_rendered_args() {
    let def = definition("postgres");
    let (objects, credentials) = render(&def);
    let values = def.validate_values(&json!({})).unwrap();
    let sts = find(&objects, "StatefulSet", "cache");
    let container = &sts["spec"]["template"]["spec"]["containers"][0];
    let args = strings(&container["args"]);
    let user = def.connection_user(&values).unwrap().unwrap();
    let password = &credentials["admin-password"];
    let server = Postgres::start_with_args(&Credentials::new(&user, password), &args)
        .unwrap_or_else(|e| panic!("the engine refused the rendered args {args:?}: {e}"));
    // what the image's entrypoint does with POSTGRES_DB
    let database = values["auth"]["database"].as_str().unwrap();
    if database != "postgres" {
        server
            .sql("postgres", &format!("CREATE DATABASE \"{database}\""))
            .unwrap();
    }
    let probe = strings(&container["readinessProbe"]["exec"]["command"]);
    let out = realdb::run(&server.env(), &probe, b"").unwrap();
    assert!(out.success(), "readiness probe failed: {}", out.stderr);
    let uri = def
        .connection_uri_on("127.0.0.1", server.port(), &values, Some(password))
        .unwrap();
    let psql = |uri: &str| {
        let argv: Vec<String> = ["psql", uri, "-Atc", "SHOW max_connections"]
            .map(String::from)
            .to_vec();
        realdb::run(&BTreeMap::new(), &argv, b"").unwrap()
    };
    let out = psql(&uri);
    assert!(out.success(), "{uri}: {}", out.stderr);
    assert_eq!(out.text().trim(), values["maxConnections"].to_string());
    let wrong = uri.replace(password.as_str(), "wrong");
    assert!(!psql(&wrong).success(), "a wrong password was accepted");
}

#[test]
fn mariadb_runs_its_rendered_option_files() {
    let def = definition("mariadb");
    let (objects, credentials) = render(&def);
    let values = def.validate_values(&json!({})).unwrap();
    let data = &find(&objects, "ConfigMap", "cache-config")["data"];
    let config = format!(
        "{}\n{}\n",
        data["berth.cnf"].as_str().unwrap(),
        data["zz-extra.cnf"].as_str().unwrap()
    );
    let password = &credentials["root-password"];
    let server = Mariadb::start_with_config(password, &config)
        .unwrap_or_else(|e| panic!("the engine refused the rendered option files: {e}\n{config}"));
    // the image creates MARIADB_DATABASE
    let database = values["auth"]["database"].as_str().unwrap();
    server
        .sql(&format!("CREATE DATABASE IF NOT EXISTS `{database}`"))
        .unwrap();
    let uri = def
        .connection_uri_on("127.0.0.1", server.port(), &values, Some(password))
        .unwrap();
    // mariadb://user:password@host:port/database, taken apart for the mariadb client
    let rest = uri.strip_prefix("mariadb://").unwrap();
    let (userinfo, rest) = rest.split_once('@').unwrap();
    let (user, pw) = userinfo.split_once(':').unwrap();
    let (hostport, db) = rest.split_once('/').unwrap();
    let (host, port) = hostport.split_once(':').unwrap();
    let client = |pw: &str| {
        let argv: Vec<String> = [
            "mariadb",
            "--no-defaults",
            "-h",
            host,
            "-P",
            port,
            "-u",
            user,
            db,
            "-N",
            "-e",
        ]
        .map(String::from)
        .to_vec()
        .into_iter()
        .chain(["SELECT @@max_connections, @@log_bin".to_string()])
        .collect();
        realdb::run(
            &BTreeMap::from([("MYSQL_PWD".to_string(), pw.to_string())]),
            &argv,
            b"",
        )
        .unwrap()
    };
    let out = client(pw);
    assert!(out.success(), "{}", out.stderr);
    assert_eq!(
        out.text().trim(),
        format!("{}\t1", values["maxConnections"])
    );
    assert!(!client("wrong").success(), "a wrong password was accepted");
}

#[test]
fn etcd_runs_its_rendered_env() {
    let def = definition("etcd");
    let (objects, _) = render(&def);
    let values = def.validate_values(&json!({})).unwrap();
    let sts = find(&objects, "StatefulSet", "cache");
    let container = &sts["spec"]["template"]["spec"]["containers"][0];
    // the container's env as the kubelet gives it to pod cache-0
    let mut env = BTreeMap::new();
    for e in container["env"].as_array().unwrap() {
        let value = match e["value"].as_str() {
            Some(v) => v.replace("$(POD_NAME)", "cache-0"),
            None => "cache-0".to_string(), // POD_NAME, from metadata.name
        };
        env.insert(e["name"].as_str().unwrap().to_string(), value);
    }
    assert_eq!(env["ETCD_AUTO_COMPACTION_MODE"], "periodic");
    let server = Etcd::start_with_env(&env)
        .unwrap_or_else(|e| panic!("the engine refused the rendered env {env:?}: {e}"));
    let uri = def
        .connection_uri_on("127.0.0.1", server.port(), &values, None)
        .unwrap();
    let ctl = |args: &[&str]| {
        let mut argv = vec!["etcdctl".to_string(), format!("--endpoints={uri}")];
        argv.extend(args.iter().map(|s| s.to_string()));
        realdb::run(
            &BTreeMap::from([("ETCDCTL_API".to_string(), "3".to_string())]),
            &argv,
            b"",
        )
        .unwrap()
    };
    assert!(ctl(&["put", "/k", "Grüße"]).success());
    assert_eq!(
        ctl(&["get", "/k", "--print-value-only"]).text().trim(),
        "Grüße"
    );
    let status = ctl(&["endpoint", "status", "-w", "json"]).text();
    assert!(status.contains("\"leader\""), "{status}");
}

#[test]
fn memcached_runs_its_rendered_args() {
    use std::io::{BufRead, BufReader, Write};
    let def = definition("memcached");
    let (objects, _) = render(&def);
    let values = def.validate_values(&json!({})).unwrap();
    let deployment = find(&objects, "Deployment", "cache");
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let args = strings(&container["args"]);
    let server = Memcached::start_with_args(&args)
        .unwrap_or_else(|e| panic!("the engine refused the rendered args {args:?}: {e}"));
    // the readiness probe is a TCP connect to the container port
    assert_eq!(
        container["readinessProbe"]["tcpSocket"]["port"],
        "memcached"
    );
    let uri = def
        .connection_uri_on("127.0.0.1", server.port(), &values, None)
        .unwrap();
    let addr = uri.strip_prefix("memcached://").unwrap();
    let stream = std::net::TcpStream::connect(addr).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    let value = "Grüße";
    write!(
        writer,
        "set k 0 0 {}\r\n{value}\r\nget k\r\nstats settings\r\nquit\r\n",
        value.len()
    )
    .unwrap();
    let mut all = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        all.push_str(&line);
        line.clear();
    }
    assert!(
        all.starts_with("STORED\r\nVALUE k 0 7\r\nGrüße\r\nEND\r\n"),
        "{all}"
    );
    let limit = args
        .iter()
        .find_map(|a| a.strip_prefix("--conn-limit="))
        .unwrap();
    assert!(all.contains(&format!("STAT maxconns {limit}\r\n")), "{all}");
}

/// `text` with each `(from, to)` replaced; every `from` must occur (a definition that
/// stopped naming it would otherwise run with the container's path or port).
fn replace_each(text: &str, pairs: &[(&str, String)]) -> String {
    pairs.iter().fold(text.to_string(), |text, (from, to)| {
        assert!(text.contains(from), "{from} not in:\n{text}");
        text.replace(from, to)
    })
}

/// Waits (up to 5 s) until nothing accepts connections on 127.0.0.1:`port`.
fn assert_stops_accepting(port: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "port {port} still accepts connections"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// One NATS client session over the text protocol: CONNECT with `user`/`password`, then
/// `commands`, then PING; returns everything the server sent up to PONG or an error.
fn nats_session(port: u16, user: &str, password: &str, commands: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let connect = json!({"user": user, "pass": password, "verbose": false, "pedantic": false});
    write!(writer, "CONNECT {connect}\r\n{commands}PING\r\n").unwrap();
    let mut all = String::new();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        all.push_str(&line);
        if line.starts_with("PONG") || line.starts_with("-ERR") {
            break;
        }
        line.clear();
    }
    all
}

#[test]
fn nats_runs_its_rendered_config() {
    let def = definition("nats");
    let (objects, _) = render(&def);
    let values = def.validate_values(&json!({})).unwrap();
    let config = &find(&objects, "ConfigMap", "cache-config")["data"];
    let secret = find(&objects, "Secret", "cache");
    let sts = find(&objects, "StatefulSet", "cache");
    let container = &sts["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        strings(&container["command"]),
        ["sh", "/etc/berth/config/start.sh"]
    );
    let replicas = values["replicas"].as_u64().unwrap() as usize;
    let places: Vec<NatsPlace> = (0..replicas).map(|_| NatsPlace::new().unwrap()).collect();
    // The pod's start script builds the server's configuration from the ConfigMap's
    // base.conf and the Secret; it runs here with the mounts, the ports, the store and the
    // other pods' DNS names pointed at this machine, and without its final exec.
    let start = config["start.sh"].as_str().unwrap();
    let exec = "exec nats-server --config \"$conf\"\n";
    assert!(start.ends_with(exec), "{start}");
    let peer_ports: Vec<u16> = places.iter().map(|p| p.cluster).collect();
    let servers: Vec<Nats> = places
        .into_iter()
        .enumerate()
        .map(|(i, place)| {
            let dir = place.dir().to_path_buf();
            let d = dir.display();
            let base = replace_each(
                config["base.conf"].as_str().unwrap(),
                &[
                    ("0.0.0.0:4222", format!("127.0.0.1:{}", place.client)),
                    ("0.0.0.0:8222", format!("127.0.0.1:{}", place.monitor)),
                    ("/tmp/nats.pid", format!("{d}/nats.pid")),
                    ("/data/jetstream", format!("{d}/jetstream")),
                ],
            );
            for sub in ["config", "secret"] {
                std::fs::create_dir(dir.join(sub)).unwrap();
            }
            std::fs::write(dir.join("config/base.conf"), base).unwrap();
            for key in secret["data"].as_object().unwrap().keys() {
                std::fs::write(dir.join("secret").join(key), secret_value(secret, key)).unwrap();
            }
            let mut script = replace_each(
                start.strip_suffix(exec).unwrap(),
                &[
                    ("/etc/berth/", format!("{d}/")),
                    ("/tmp/nats.conf", format!("{d}/nats.conf")),
                    ("0.0.0.0:6222", format!("127.0.0.1:{}", place.cluster)),
                ],
            );
            for (j, peer_port) in peer_ports.iter().enumerate() {
                script = script.replace(
                    &format!("cache-{j}.cache-headless.apps.svc:6222"),
                    &format!("127.0.0.1:{peer_port}"),
                );
            }
            assert!(!script.contains("svc:6222"), "{script}");
            let env = BTreeMap::from([("HOSTNAME".to_string(), format!("cache-{i}"))]);
            let out = realdb::run(&env, &["sh".into(), "-c".into(), script], b"").unwrap();
            assert!(out.success(), "start script: {}", out.stderr);
            let conf = std::fs::read_to_string(dir.join("nats.conf")).unwrap();
            Nats::start_with_config(place, &conf).unwrap_or_else(|e| {
                panic!("cache-{i}: the engine refused the rendered config: {e}\n{conf}")
            })
        })
        .collect();
    // the probes are HTTP GETs on the monitor port; a JetStream cluster answers /healthz
    // once its servers have routed to each other and elected a meta leader
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
        assert_eq!(container[probe]["httpGet"]["port"], "monitor");
        let path = container[probe]["httpGet"]["path"].as_str().unwrap();
        for (i, server) in servers.iter().enumerate() {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let answer = realdb::http::get(server.monitor_port(), path, None).unwrap();
                if answer.status == 200 {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "cache-{i}: {probe} {path}: {answer:?}"
                );
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    }
    for (i, server) in servers.iter().enumerate() {
        let routez = realdb::http::get(server.monitor_port(), "/routez", None).unwrap();
        let routez: Value = serde_json::from_str(&routez.body).unwrap();
        assert_eq!(routez["num_routes"], replicas - 1, "cache-{i}: {routez}");
        let varz = realdb::http::get(server.monitor_port(), "/varz", None).unwrap();
        let varz: Value = serde_json::from_str(&varz.body).unwrap();
        assert_eq!(varz["server_name"], format!("cache-{i}"));
    }
    let password = secret_value(secret, "admin-password");
    let uri = def
        .connection_uri_on("127.0.0.1", servers[0].port(), &values, Some(&password))
        .unwrap();
    let (user, pass, port) = uri_parts(&uri);
    let payload = "Grüße";
    let all = nats_session(
        port,
        &user,
        &pass,
        &format!(
            "SUB greet 1\r\nPUB greet {}\r\n{payload}\r\n",
            payload.len()
        ),
    );
    assert!(
        all.contains(&format!(
            "MSG greet 1 {}\r\n{payload}\r\nPONG",
            payload.len()
        )),
        "{uri}: {all}"
    );
    let max_payload = values["maxPayload"].as_u64().unwrap() * 1048576;
    assert!(
        all.starts_with("INFO ") && all.contains(&format!("\"max_payload\":{max_payload},")),
        "{all}"
    );
    let refused = nats_session(port, &user, "wrong", "");
    assert!(
        refused.contains("-ERR 'Authorization Violation'"),
        "a wrong password was accepted: {refused}"
    );
    // preStop puts the server into lame duck mode through the rendered pid file: it stops
    // accepting clients at once
    let last = servers.last().unwrap();
    let pre_stop: Vec<String> = strings(&container["lifecycle"]["preStop"]["exec"]["command"])
        .iter()
        .map(|a| {
            a.replace(
                "/tmp/nats.pid",
                &last.dir().join("nats.pid").display().to_string(),
            )
        })
        .collect();
    let path = format!("{}:/usr/sbin", std::env::var("PATH").unwrap_or_default());
    let out = realdb::run(&BTreeMap::from([("PATH".into(), path)]), &pre_stop, b"").unwrap();
    assert!(out.success(), "{pre_stop:?}: {}", out.stderr);
    assert_stops_accepting(last.port());
}

/// An AMQP 0-9-1 login as `user`/`password` opening virtual host `vhost` on 127.0.0.1:`port`
/// (Connection.Start, StartOk with PLAIN, Tune, TuneOk, Open, OpenOk). Err holds the
/// server's Connection.Close reply (`403 ACCESS_REFUSED ...` for a wrong password: the
/// client announces `authentication_failure_close`, so the server says why it refuses).
fn amqp_login(port: u16, user: &str, password: &str, vhost: &str) -> Result<(), String> {
    use std::io::{Read, Write};
    fn shortstr(out: &mut Vec<u8>, s: &str) {
        out.push(s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    }
    fn longstr(out: &mut Vec<u8>, b: &[u8]) {
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
        out.extend_from_slice(b);
    }
    fn method(stream: &mut std::net::TcpStream, class_method: [u16; 2], args: &[u8]) {
        let mut payload = Vec::new();
        for n in class_method {
            payload.extend_from_slice(&n.to_be_bytes());
        }
        payload.extend_from_slice(args);
        let mut frame = vec![1, 0, 0];
        longstr(&mut frame, &payload);
        frame.push(0xCE);
        stream.write_all(&frame).unwrap();
    }
    /// The next method frame: (class, method) and its arguments.
    fn read_method(stream: &mut std::net::TcpStream) -> ([u16; 2], Vec<u8>) {
        let mut header = [0u8; 7];
        stream.read_exact(&mut header).unwrap();
        assert_eq!(header[0], 1, "not a method frame: {header:?}");
        let size = u32::from_be_bytes(header[3..7].try_into().unwrap()) as usize;
        let mut payload = vec![0u8; size + 1];
        stream.read_exact(&mut payload).unwrap();
        assert_eq!(payload.pop(), Some(0xCE));
        let id = |i: usize| u16::from_be_bytes([payload[i], payload[i + 1]]);
        ([id(0), id(2)], payload[4..].to_vec())
    }
    let close_reason = |args: &[u8]| {
        let code = u16::from_be_bytes([args[0], args[1]]);
        let text = String::from_utf8_lossy(&args[3..3 + args[2] as usize]).into_owned();
        format!("{code} {text}")
    };
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(b"AMQP\x00\x00\x09\x01").unwrap();
    let (id, args) = read_method(&mut stream);
    assert_eq!(id, [10, 10], "expected Connection.Start");
    assert_eq!(args[..2], [0, 9], "protocol 0-9");
    // client properties: {capabilities: {authentication_failure_close: true}}
    let mut capabilities = Vec::new();
    shortstr(&mut capabilities, "authentication_failure_close");
    capabilities.extend_from_slice(b"t\x01");
    let mut properties = Vec::new();
    shortstr(&mut properties, "capabilities");
    properties.push(b'F');
    longstr(&mut properties, &capabilities);
    let mut start_ok = Vec::new();
    longstr(&mut start_ok, &properties);
    shortstr(&mut start_ok, "PLAIN");
    longstr(&mut start_ok, format!("\0{user}\0{password}").as_bytes());
    shortstr(&mut start_ok, "en_US");
    method(&mut stream, [10, 11], &start_ok);
    let (id, args) = read_method(&mut stream);
    match id {
        [10, 30] => {}
        [10, 50] => return Err(close_reason(&args)),
        other => panic!("expected Connection.Tune, got {other:?}"),
    }
    // TuneOk: the server's channel-max and frame-max, no heartbeats
    let mut tune_ok = args[..6].to_vec();
    tune_ok.extend_from_slice(&[0, 0]);
    method(&mut stream, [10, 31], &tune_ok);
    let mut open = Vec::new();
    shortstr(&mut open, vhost);
    open.extend_from_slice(&[0, 0]);
    method(&mut stream, [10, 40], &open);
    match read_method(&mut stream) {
        ([10, 41], _) => Ok(()),
        ([10, 50], args) => Err(close_reason(&args)),
        (other, _) => panic!("expected Connection.OpenOk, got {other:?}"),
    }
}

/// rabbitmq.conf settings of the RabbitMQ the definition pins that Debian's 3.10 predates
/// (and refuses as unknown): left out here, so they are not checked.
const NEWER_THAN_DEBIAN_RABBITMQ: [&str; 1] = ["default_queue_type"];

#[test]
fn rabbitmq_runs_its_rendered_config() {
    let def = definition("rabbitmq");
    let (objects, _) = render(&def);
    let values = def.validate_values(&json!({})).unwrap();
    let data = &find(&objects, "ConfigMap", "cache-config")["data"];
    let secret = find(&objects, "Secret", "cache");
    let sts = find(&objects, "StatefulSet", "cache");
    let container = &sts["spec"]["template"]["spec"]["containers"][0];
    // the files the container mounts where the image reads them
    let mounts: BTreeMap<&str, &str> = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| Some((m["mountPath"].as_str()?, m["subPath"].as_str()?)))
        .collect();
    assert_eq!(
        mounts["/etc/rabbitmq/conf.d/10-berth.conf"],
        "10-berth.conf"
    );
    assert_eq!(mounts["/etc/rabbitmq/enabled_plugins"], "enabled_plugins");
    let start = data["start.sh"].as_str().unwrap();
    assert!(
        start.contains("cp /etc/berth/secret/erlang-cookie \"$HOME/.erlang.cookie\""),
        "{start}"
    );
    let mut config = data["10-berth.conf"].as_str().unwrap().to_string();
    for key in NEWER_THAN_DEBIAN_RABBITMQ {
        let kept: Vec<&str> = config
            .lines()
            .filter(|l| !l.starts_with(&format!("{key} =")))
            .collect();
        assert!(
            kept.len() < config.lines().count(),
            "{key} no longer rendered"
        );
        config = kept.join("\n") + "\n";
    }
    // the container's env as the kubelet gives it to pod cache-0
    let mut env = BTreeMap::new();
    for e in container["env"].as_array().unwrap() {
        let value = if let Some(v) = e["value"].as_str() {
            v.replace("$(POD_NAME)", "cache-0")
        } else if let Some(key) = e["valueFrom"]["secretKeyRef"]["key"].as_str() {
            secret_value(secret, key)
        } else {
            "cache-0".to_string() // POD_NAME, from metadata.name
        };
        env.insert(e["name"].as_str().unwrap().to_string(), value);
    }
    // the node gets a long name of its own (at 127.0.0.1), as the container's is long
    assert_eq!(env["RABBITMQ_USE_LONGNAME"], "true");
    let server = Rabbitmq::start_with_config(
        &config,
        data["enabled_plugins"].as_str().unwrap(),
        &secret_value(secret, "erlang-cookie"),
        &env,
    )
    .unwrap_or_else(|e| panic!("the engine refused the rendered config: {e}\n{config}"));
    let mut probes: Vec<Vec<String>> = ["startupProbe", "readinessProbe", "livenessProbe"]
        .iter()
        .map(|p| strings(&container[*p]["exec"]["command"]))
        .collect();
    probes.dedup();
    // the probes and a status report side by side: each command boots an Erlang VM
    let status: Vec<String> = [
        "rabbitmq-diagnostics",
        "-q",
        "status",
        "--formatter",
        "json",
    ]
    .map(String::from)
    .to_vec();
    let env = server.env();
    let mut outputs: Vec<realdb::Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = probes
            .iter()
            .chain([&status])
            .map(|argv| scope.spawn(|| realdb::run(&env, argv, b"").unwrap()))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let status = outputs.pop().unwrap();
    for (probe, out) in probes.iter().zip(outputs) {
        assert!(
            out.success(),
            "{probe:?} failed: {}{}",
            out.text(),
            out.stderr
        );
    }
    let password = secret_value(secret, "admin-password");
    let uri = def
        .connection_uri_on("127.0.0.1", server.port(), &values, Some(&password))
        .unwrap();
    let (user, pass, port) = uri_parts(&uri);
    assert_eq!(port, server.port());
    // an AMQP login over the URI's address into its virtual host, read as the RabbitMQ URI
    // specification says (and the Java client does): no path is the default virtual host
    // "/", a path is the (percent-encoded) name, so ".../" names the empty one
    let authority = uri.split_once('@').unwrap().1;
    let vhost = match authority.split_once('/') {
        None => "/".to_string(),
        Some((_, path)) => percent_decode(path),
    };
    amqp_login(port, &user, &pass, &vhost)
        .unwrap_or_else(|e| panic!("{uri}: virtual host {vhost:?} refused: {e}"));
    let refused = amqp_login(port, &user, "wrong", &vhost);
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.starts_with("403 ACCESS_REFUSED")),
        "a wrong password was accepted: {refused:?}"
    );
    // the management plugin the definition enables answers with the URI's user and password
    let api = |path: &str, pass: &str| {
        realdb::http::get(server.management_port(), path, Some((&user, pass))).unwrap()
    };
    let whoami = api("/api/whoami", &pass);
    assert_eq!(whoami.status, 200, "{uri}: {whoami:?}");
    let whoami: Value = serde_json::from_str(&whoami.body).unwrap();
    assert_eq!(whoami["name"], user.as_str());
    assert_eq!(whoami["tags"], json!(["administrator"]));
    assert_eq!(
        api("/api/whoami", "wrong").status,
        401,
        "a wrong password was accepted"
    );
    // the rendered settings are in effect
    let overview: Value = serde_json::from_str(&api("/api/overview", &pass).body).unwrap();
    assert_eq!(overview["cluster_name"], "cache");
    assert!(status.success(), "{}", status.stderr);
    let status: Value = serde_json::from_str(&status.text()).unwrap();
    let watermark = config
        .lines()
        .find_map(|l| l.strip_prefix("vm_memory_high_watermark.absolute = "))
        .unwrap();
    assert_eq!(
        status["vm_memory_high_watermark_limit"].to_string(),
        watermark,
        "{status}"
    );
    assert!(config.contains("disk_free_limit.absolute = 1GB\n"));
    assert_eq!(status["disk_free_limit"], 1_000_000_000, "{status}");
    // preStop drains the node: it stops accepting AMQP (and HTTP) clients
    let pre_stop = strings(&container["lifecycle"]["preStop"]["exec"]["command"]);
    let out = realdb::run(&server.env(), &pre_stop, b"").unwrap();
    assert!(out.success(), "{pre_stop:?}: {}{}", out.text(), out.stderr);
    assert_stops_accepting(server.port());
}

/// Runs a definition's `operations.rotate` locally with `env` (the container's, pointing at the
/// real server), feeding it key, user and new value as Berth does.
fn rotate(
    def: &Definition,
    env: &BTreeMap<String, String>,
    key: &str,
    user: &str,
    value: &str,
) -> realdb::Output {
    let op = def
        .spec
        .operations
        .rotate
        .as_ref()
        .expect("a rotate operation");
    realdb::run(
        env,
        &op.command,
        format!("{key}\n{user}\n{value}\n").as_bytes(),
    )
    .unwrap()
}

#[test]
fn redis_and_valkey_rotate_passwords_on_the_real_engine() {
    for service in ["redis", "valkey"] {
        let def = definition(service);
        let server = Redis::start_with("Old0password").unwrap();
        let env = server.env();
        let ping = |user: Option<&str>, password: &str| {
            let mut argv = vec![
                "redis-cli".to_string(),
                "--no-auth-warning".into(),
                "-p".into(),
                server.port().to_string(),
            ];
            if let Some(user) = user {
                argv.extend(["--user".into(), user.into()]);
            }
            argv.extend(["--pass".into(), password.into(), "PING".into()]);
            realdb::run(&BTreeMap::new(), &argv, b"")
                .unwrap()
                .text()
                .trim()
                == "PONG"
        };
        server
            .cli(
                0,
                &[
                    "ACL", "SETUSER", "app", "on", ">OldApp1", "~*", "&*", "+@all",
                ],
            )
            .unwrap();

        let out = rotate(&def, &env, "password", "", "New1password");
        assert!(out.success(), "{service}: {}", out.stderr);
        assert!(
            ping(None, "New1password"),
            "{service}: the new password is refused"
        );
        assert!(
            !ping(None, "Old0password"),
            "{service}: the old password still works"
        );

        let env = BTreeMap::from([
            ("REDISCLI_AUTH".to_string(), "New1password".to_string()),
            ("PATH".to_string(), env["PATH"].clone()),
        ]);
        let out = rotate(&def, &env, "user-password", "app", "NewApp2");
        assert!(out.success(), "{service}: {}", out.stderr);
        assert!(
            ping(Some("app"), "NewApp2"),
            "{service}: app's new password is refused"
        );
        assert!(
            !ping(Some("app"), "OldApp1"),
            "{service}: app's old password still works"
        );

        // refused, nothing changed: a user that does not exist, a key it cannot rotate, a value
        // that is not alphanumeric
        for (key, user, value) in [
            ("user-password", "ghost", "Other3"),
            ("keyfile", "", "Other3"),
            ("password", "", "a b"),
        ] {
            let out = rotate(&def, &env, key, user, value);
            assert!(
                !out.success(),
                "{service}: {key} {user} {value:?} was accepted"
            );
        }
        assert!(
            ping(None, "New1password"),
            "{service}: a refused rotation changed the password"
        );
    }
}

#[test]
fn mariadb_and_mysql_rotate_passwords_on_the_real_engine() {
    // MySQL's operation runs on MariaDB here: the statements and the client options are the same
    for (service, var) in [
        ("mariadb", "MARIADB_ROOT_PASSWORD"),
        ("mysql", "MYSQL_ROOT_PASSWORD"),
    ] {
        let def = definition(service);
        let server = Mariadb::start_with("Old0root").unwrap();
        server
            .sql("CREATE USER 'app'@'%' IDENTIFIED BY 'OldApp1'")
            .unwrap();
        let login = |user: &str, password: &str| {
            let argv: Vec<String> = [
                "mariadb",
                "--no-defaults",
                "-h",
                "127.0.0.1",
                "-P",
                &server.port().to_string(),
                "-u",
                user,
                "-N",
                "-e",
                "SELECT 1",
            ]
            .map(String::from)
            .to_vec();
            realdb::run(
                &BTreeMap::from([("MYSQL_PWD".to_string(), password.to_string())]),
                &argv,
                b"",
            )
            .unwrap()
            .success()
        };
        let mut env = server.env();

        let out = rotate(&def, &env, "root-password", "", "New1root");
        assert!(out.success(), "{service}: {}", out.stderr);
        assert!(
            login("root", "New1root"),
            "{service}: the new root password is refused"
        );
        assert!(
            !login("root", "Old0root"),
            "{service}: the old root password still works"
        );
        let accounts = server.sql("SELECT COUNT(*) FROM mysql.user WHERE User = 'root'");
        assert!(
            accounts.is_err(),
            "{service}: the handle still logs in with the old password"
        );

        env.insert(var.into(), "New1root".into());
        let out = rotate(&def, &env, "user-password", "app", "NewApp2");
        assert!(out.success(), "{service}: {}", out.stderr);
        assert!(
            login("app", "NewApp2"),
            "{service}: app's new password is refused"
        );
        assert!(
            !login("app", "OldApp1"),
            "{service}: app's old password still works"
        );

        for (key, user, value) in [
            ("user-password", "ghost", "Other3"),
            ("replication-password", "", "Other3"),
            ("root-password", "", "x'; DROP USER app; --"),
        ] {
            let out = rotate(&def, &env, key, user, value);
            assert!(
                !out.success(),
                "{service}: {key} {user} {value:?} was accepted"
            );
        }
        assert!(
            login("root", "New1root") && login("app", "NewApp2"),
            "{service}: a refused rotation changed a password"
        );
    }
}

#[test]
fn credentials_that_cannot_rotate_in_place_say_why() {
    for (service, key) in [
        ("mariadb", "replication-password"),
        ("mysql", "replication-password"),
        ("mongodb", "keyfile"),
    ] {
        let def = definition(service);
        let spec = def.spec.credentials.iter().find(|c| c.key == key).unwrap();
        assert!(
            spec.fixed.as_ref().is_some_and(|why| why.len() > 20),
            "{service} {key}"
        );
        assert!(
            def.spec.operations.rotate.is_some(),
            "{service} rotates its other credentials"
        );
    }
    for service in ["postgres", "redis", "valkey", "mariadb", "mysql", "mongodb"] {
        let def = definition(service);
        assert!(
            def.spec.operations.rotate.is_some(),
            "{service} has no rotate operation"
        );
    }
}
