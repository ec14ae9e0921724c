//! The packaging says what docs/deploy.md promises: the Kubernetes manifests parse as YAML and
//! wire the probes, the Secret, the Service and the resources together; the example token file
//! in the Secret is one the server accepts; the Dockerfile is multi-stage, static, non-root and
//! health-checked.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{BIN, Http};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every document of `deploy/kubernetes/NAME`, as JSON values.
fn manifest(name: &str) -> Vec<Value> {
    let path = repo().join("deploy/kubernetes").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| {
            let value = <serde_norway::Value as serde::Deserialize>::deserialize(doc)
                .unwrap_or_else(|e| panic!("{name} is not YAML: {e}"));
            serde_json::to_value(value).unwrap()
        })
        .collect()
}

fn one(name: &str, kind: &str) -> Value {
    let docs = manifest(name);
    assert_eq!(docs.len(), 1, "{name}");
    assert_eq!(docs[0]["kind"], kind, "{name}");
    docs[0].clone()
}

#[test]
fn the_kubernetes_manifests_parse_and_fit_together() {
    let kustomization = one("kustomization.yaml", "Kustomization");
    let listed: Vec<&str> = kustomization["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(listed, ["secret.yaml", "deployment.yaml", "service.yaml"]);

    let deployment = one("deployment.yaml", "Deployment");
    let secret = one("secret.yaml", "Secret");
    let service = one("service.yaml", "Service");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert_eq!(deployment["spec"]["selector"]["matchLabels"], *labels);
    assert_eq!(service["spec"]["selector"], *labels);
    assert!(deployment["spec"]["replicas"].as_u64().unwrap() >= 2);

    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args[..3], ["serve", "--http", "0.0.0.0:8080"]);
    assert!(
        args.contains(&"--stateless"),
        "replicas behind a Service need --stateless: {args:?}"
    );
    let tokens = args[args.iter().position(|a| *a == "--tokens").unwrap() + 1];

    // Probes on the named port: readiness drops while draining, liveness stays.
    assert_eq!(container["ports"][0]["name"], "http");
    assert_eq!(container["ports"][0]["containerPort"], 8080);
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["port"], "http");
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");

    // Resources from the measured RSS: requests above idle, a limit above the loaded peak.
    let mib = |v: &Value| v.as_str().unwrap().strip_suffix("Mi").unwrap().parse::<u64>().unwrap();
    assert!(mib(&container["resources"]["requests"]["memory"]) >= 16);
    assert!(mib(&container["resources"]["limits"]["memory"]) >= 128);
    assert!(container["resources"]["requests"]["cpu"].is_string());

    // Non-root, read-only, and enough grace for the drain.
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(container["securityContext"]["allowPrivilegeEscalation"], false);
    let drain: f64 = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "COROOT_MCP_SHUTDOWN_TIMEOUT")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(pod["terminationGracePeriodSeconds"].as_f64().unwrap() > drain);

    // Every Secret key the pod reads exists, and the token file lands where --tokens looks.
    let keys = secret["stringData"].as_object().unwrap();
    for env in container["env"].as_array().unwrap() {
        if let Some(key) = env["valueFrom"]["secretKeyRef"]["key"].as_str() {
            assert_eq!(env["valueFrom"]["secretKeyRef"]["name"], secret["metadata"]["name"]);
            assert!(keys.contains_key(key), "the Secret has no {key}");
        }
    }
    let volume = &pod["volumes"][0];
    assert_eq!(volume["secret"]["secretName"], secret["metadata"]["name"]);
    let item = &volume["secret"]["items"][0];
    assert!(keys.contains_key(item["key"].as_str().unwrap()));
    let mount = &container["volumeMounts"][0];
    assert_eq!(mount["name"], volume["name"]);
    assert!(
        mount.get("subPath").is_none(),
        "a subPath mount never sees the Secret's updates"
    );
    assert_eq!(
        format!(
            "{}/{}",
            mount["mountPath"].as_str().unwrap(),
            item["path"].as_str().unwrap()
        ),
        tokens
    );
}

#[tokio::test]
async fn the_example_token_file_in_the_secret_is_one_the_server_accepts() {
    let secret = one("secret.yaml", "Secret");
    let tokens = secret["stringData"]["tokens.toml"].as_str().unwrap();
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), tokens).unwrap();
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(["serve", "--demo", "--tokens", file.path().to_str().unwrap()]);
    let (mut h, _) = Http::spawn(cmd, None).await;
    h.token = Some("replace-with-a-random-token-for-ci".into());
    let init = h.initialize().await;
    assert_eq!(init["result"]["serverInfo"]["name"], "coroot-mcp");
    h.stop().await;
}

#[test]
fn the_dockerfile_builds_a_static_non_root_health_checked_image() {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
    let froms: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "multi-stage: {froms:?}");
    assert!(
        froms[0].contains("alpine"),
        "musl, so the binary is static: {}",
        froms[0]
    );
    assert_eq!(froms[1], "FROM scratch");
    let user = lines.iter().find(|l| l.starts_with("USER ")).expect("a USER line");
    assert!(
        !user.contains("root") && !user.ends_with(" 0") && !user.contains(" 0:"),
        "{user}"
    );
    let health = lines
        .iter()
        .find(|l| l.starts_with("HEALTHCHECK "))
        .expect("a HEALTHCHECK");
    assert!(health.contains("\"healthcheck\""), "{health}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("cargo build --release --locked -p coroot-mcp"))
    );
}

#[tokio::test]
async fn healthcheck_exits_0_only_when_the_server_answers() {
    let h = Http::start(&[], None).await;
    let addr = h.base.trim_start_matches("http://").to_string();
    let up = std::process::Command::new(BIN)
        .args(["healthcheck", "--http", &addr])
        .output()
        .unwrap();
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    h.stop().await;
    let port = crate::common::closed_port();
    let down = std::process::Command::new(BIN)
        .args(["healthcheck", "--http", &format!("0.0.0.0:{port}")])
        .output()
        .unwrap();
    assert!(!down.status.success());
    assert!(String::from_utf8_lossy(&down.stderr).contains("cannot reach"));
}
