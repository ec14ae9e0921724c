//! One real Coroot per scenario, on loopback: the simulator's emitter writes the scenario's
//! history (backfilled into a fresh Prometheus data dir with promtool) and serves the same
//! values live, Prometheus scrapes it, Coroot reads that Prometheus with the cloud price
//! list the emitter derives from the world. Everything started here is killed on drop.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use coroot_client::{Client, ClientConfig};
use coroot_sim::testing::free_port;
use coroot_sim::{Emitter, Scenario};
use coroot_tools::{Clock, Limits, ToolContext};
use tokio::process::{Child, Command};

/// The grid every emitted sample sits on.
pub const STEP: i64 = 15_000;
/// History written before start: all Coroot back-fills (cache/updater.go `BackFillInterval`).
pub const HISTORY: i64 = 4 * 3_600_000;

/// The binaries the tier needs.
pub struct Env {
    pub coroot: PathBuf,
    pub prometheus: PathBuf,
    pub promtool: PathBuf,
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

impl Env {
    /// The binaries, or why the tier cannot run here.
    pub fn detect() -> Result<Env, String> {
        let coroot = std::env::var_os("COROOT_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/coroot/coroot"));
        if !coroot.is_file() {
            return Err(format!("no Coroot binary at {} (set COROOT_BIN)", coroot.display()));
        }
        let prometheus = on_path("prometheus").ok_or("prometheus is not on PATH (apt-get install -y prometheus)")?;
        let promtool = on_path("promtool").ok_or("promtool is not on PATH (apt-get install -y prometheus)")?;
        Ok(Env {
            coroot,
            prometheus,
            promtool,
        })
    }
}

/// A running real Coroot fed by the emitter.
pub struct Real {
    pub url: String,
    pub project_id: String,
    password: String,
    children: Vec<Child>,
    live: tokio::task::JoinHandle<std::io::Result<()>>,
    pub dir: tempfile::TempDir,
}

impl Drop for Real {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.start_kill();
        }
        self.live.abort();
    }
}

async fn wait_http(url: &str, what: &str, secs: u64) -> Result<(), String> {
    let http = reqwest::Client::new();
    for _ in 0..secs * 5 {
        if let Ok(r) = http.get(url).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("{what} did not answer {url} in {secs} s"))
}

impl Real {
    /// Starts everything for `scenario`: history up to `start` (a grid point), the live
    /// endpoint from then on, the scenario's "now" at `now`.
    pub async fn start(env: &Env, scenario: &Scenario, start: i64, now: i64) -> Result<Real, String> {
        let dir = tempfile::Builder::new()
            .prefix("coroot-real-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let emitter = Emitter::new(scenario, None, now, HISTORY).ok_or("the scenario has no project")?;
        let project_name = emitter.project().to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let target = listener.local_addr().map_err(|e| e.to_string())?.to_string();
        let history = dir.path().join("history.om");
        let prom_data = dir.path().join("prom-data");
        let coroot_data = dir.path().join("coroot-data");
        std::fs::create_dir_all(coroot_data.join("cloud-pricing")).map_err(|e| e.to_string())?;
        std::fs::write(
            coroot_data.join("cloud-pricing/cloud-pricing.json.gz"),
            emitter.cloud_pricing_gz(),
        )
        .map_err(|e| e.to_string())?;
        let (path, t) = (history.clone(), target.clone());
        let emitter = tokio::task::spawn_blocking(move || -> Result<Emitter, String> {
            let f = std::fs::File::create(&path).map_err(|e| e.to_string())?;
            let mut out = std::io::BufWriter::new(f);
            emitter
                .write_history(&mut out, start - HISTORY, start - STEP, "coroot-sim", &t)
                .map_err(|e| e.to_string())?;
            std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
            Ok(emitter)
        })
        .await
        .map_err(|e| e.to_string())??;
        let status = Command::new(&env.promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&history)
            .arg(&prom_data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("promtool failed: {status}"));
        }
        let _ = std::fs::remove_file(&history);
        let live = Arc::new(emitter.live(start - HISTORY));
        let live = tokio::spawn(live.serve(listener));
        let mut real = Real {
            url: String::new(),
            project_id: String::new(),
            password: format!("Real-{:x}", now.wrapping_mul(0x9E37_79B9)),
            children: Vec::new(),
            live,
            dir,
        };
        let (prom_port, http_port, grpc_port) = (free_port()?, free_port()?, free_port()?);
        let prom_cfg = real.dir.path().join("prometheus.yml");
        std::fs::write(
            &prom_cfg,
            format!(
                "global: {{scrape_interval: 15s, evaluation_interval: 15s}}\nscrape_configs:\n  - job_name: coroot-sim\n    static_configs: [{{targets: ['{target}']}}]\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        let log = |name: &str| std::fs::File::create(real.dir.path().join(name)).map_err(|e| e.to_string());
        let prom = Command::new(&env.prometheus)
            .arg(format!("--config.file={}", prom_cfg.display()))
            .arg(format!("--storage.tsdb.path={}", prom_data.display()))
            .arg("--storage.tsdb.retention.time=30d")
            .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
            .stdout(log("prometheus.log")?)
            .stderr(log("prometheus.err")?)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("prometheus: {e}"))?;
        real.children.push(prom);
        wait_http(&format!("http://127.0.0.1:{prom_port}/-/ready"), "Prometheus", 60).await?;
        // The deployment watcher stays on (no --do-not-check-for-deployments).
        let coroot = Command::new(&env.coroot)
            .arg(format!("--listen=127.0.0.1:{http_port}"))
            .arg(format!("--grpc-listen=127.0.0.1:{grpc_port}"))
            .arg(format!("--data-dir={}", coroot_data.display()))
            .arg(format!("--auth-bootstrap-admin-password={}", real.password))
            .arg(format!("--bootstrap-prometheus-url=http://127.0.0.1:{prom_port}"))
            .arg("--bootstrap-refresh-interval=15s")
            .args(["--do-not-check-for-updates", "--disable-usage-statistics"])
            .stdout(log("coroot.log")?)
            .stderr(log("coroot.err")?)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("coroot: {e}"))?;
        real.children.push(coroot);
        real.url = format!("http://127.0.0.1:{http_port}");
        wait_http(&format!("{}/health", real.url), "Coroot", 60).await?;
        real.setup(&project_name).await?;
        Ok(real)
    }

    /// Logs in and names the project after the scenario's (the cluster name follows it).
    async fn setup(&mut self, name: &str) -> Result<(), String> {
        let http = reqwest::Client::new();
        let login = http
            .post(format!("{}/api/login", self.url))
            .header("content-type", "application/json")
            .body(serde_json::json!({"email": "admin", "password": self.password}).to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let cookie = login
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.split(';').next().filter(|c| c.starts_with("coroot_session=")))
            .map(str::to_string)
            .ok_or("the login set no session cookie")?;
        let user = http
            .get(format!("{}/api/user", self.url))
            .header("cookie", &cookie)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .bytes()
            .await
            .map_err(|e| e.to_string())?;
        let user: serde_json::Value = serde_json::from_slice(&user).map_err(|e| e.to_string())?;
        self.project_id = user["projects"][0]["id"]
            .as_str()
            .ok_or("no project in /api/user")?
            .to_string();
        let renamed = http
            .post(format!("{}/api/project/{}", self.url, self.project_id))
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .body(serde_json::json!({"name": name}).to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !renamed.status().is_success() {
            return Err(format!("renaming the project: {}", renamed.status()));
        }
        Ok(())
    }

    /// A client logged in as the admin.
    pub fn client(&self) -> Result<Client, String> {
        Client::new(ClientConfig::new(&self.url).with_password("admin", self.password.clone()))
            .map_err(|e| e.to_string())
    }

    /// A tool context on this Coroot whose clock stands at `clock`.
    pub fn context(&self, clock: i64) -> Result<ToolContext, String> {
        Ok(ToolContext {
            clock: Clock::Fixed(clock),
            limits: Limits::default(),
            ..ToolContext::new(self.client()?)
        })
    }

    /// The ids of the processes started (Prometheus, Coroot).
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().filter_map(Child::id).collect()
    }

    /// The last lines of a log of this fleet, for a failure message.
    pub fn tail(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().filter(|l| !l.contains("compaction")).collect();
        lines[lines.len().saturating_sub(8)..].join("\n")
    }
}
