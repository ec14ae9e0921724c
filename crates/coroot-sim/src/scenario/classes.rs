//! The fault-class scenarios (issue 14): one per kind of fault a root cause analysis must
//! find, each on the `healthy` e-commerce cluster (project `production`, id `k3h2x9qa`, nodes
//! node-1..node-4, the same apps and staging project as [`Scenario::ecommerce`]) with the same
//! background noise: warning lines of frontend ("slow request: …") and recommendation
//! ("feature store lag …"), a failed readiness probe of a recommendation pod 2h13m ago, the
//! risks Coroot derives (postgres and redis unreplicated, critical; postgres and redis single
//! instance; cart's single-instance risk dismissed by Admin 12 days ago: severity `ok`), the
//! harmless catalog (20 h ago) and frontend (3 days ago) rollouts. Open incidents are opened the
//! way Coroot's watcher opens them: for the app whose SLO burns now, with the burn rates of both
//! alert rules (1h/5m ×14.4, 6h/15m ×6) at "now", opened when a rule first fired; `rca` is
//! `{"status": "AI disabled"}` and `short_description` Coroot's own text. Each doc names the
//! ground truth, which [`Scenario::expected_causes`] also returns.

use super::{Fault, Kind, Scenario};

impl Scenario {
    pub(super) fn fault(f: Fault) -> Scenario {
        Scenario {
            kind: Kind::Fault(f),
            cloud_rca: false,
        }
    }

    /// Packet loss on node-2's network interface since 38 minutes ago.
    /// * Links: cart → redis and frontend → cart critical "connectivity issues" (cart runs only
    ///   on node-2, its RTT samples stop); frontend → catalog 38 ms, → checkout 22 ms,
    ///   → recommendation 19 ms, catalog → postgres 31 ms, checkout → payment 14 ms,
    ///   payment → postgres 12 ms RTT; TCP retransmissions up on those connections.
    /// * Checks: cart `NetworkConnectivity` "no connectivity with 1 upstream service"; frontend
    ///   the same and `NetworkRTT` "high in-cluster network latency: 3 services affected, max
    ///   RTT: 38ms"; catalog, checkout and payment `NetworkRTT`; error logs → `LogErrors`.
    ///   node-2 itself reads "up": Coroot has no packet-loss metric for nodes.
    /// * Incidents: `m2v8q4rw` (frontend, errors and latency, "High latency and errors") and
    ///   `x7c3n9pd` (cart, errors), open. Logs: cart "redis.exceptions.TimeoutError: Timeout
    ///   reading from socket", frontend "GET /api/cart 504 5001ms - upstream request timeout".
    /// * Red herrings: frontend's four-day-old NXDOMAIN trickle for `cdn.shop-assets.net`
    ///   (`DnsNxdomainErrors` "the app received an empty DNS response 41 times", a warning log
    ///   line), checkout's harmless rollout `6d9c8b7a5: checkout:4.2.1` (75 minutes ago, "No
    ///   notable changes"), cart's latency incident `j5r2h7ba` resolved two days ago.
    /// * Ground truth: node-2's network (kind `connectivity`; `network_latency`, `tcp_connect`
    ///   also name it), no app.
    pub fn packet_loss() -> Scenario {
        Scenario::fault(Fault::PacketLoss)
    }

    /// NXDOMAIN for a name that resolved until 33 minutes ago: the `payment` Service was deleted.
    /// * checkout's DNS: `payment.default.svc.cluster.local` (Domain cell warning, 1,881
    ///   NXDOMAIN answers), `otel-collector.monitoring.svc.cluster.local` ok, and two search-path
    ///   variants (`….default.svc.cluster.local`, all NXDOMAIN: unknown, not counted).
    ///   `DnsNxdomainErrors` "the app received an empty DNS response 1,881 times"; the
    ///   checkout → payment link stays ok (pooled connections) at 4.4 rps.
    /// * Incident `d4n5x1kq` (checkout, errors), open. Logs: checkout's Spring "I/O error on POST
    ///   request for … nested exception is java.net.UnknownHostException:
    ///   payment.default.svc.cluster.local" every 20 s.
    /// * Red herrings: cart's harmless rollout `3e4f5a6b7: cart:2.7.4` (50 minutes ago),
    ///   checkout's availability incident `y2q6f9hc` resolved 9 hours ago; payment, the name's
    ///   owner, is healthy.
    /// * Ground truth: checkout's DNS lookups (app checkout, kind `dns`).
    pub fn dns_nxdomain() -> Scenario {
        Scenario::fault(Fault::DnsNxdomain)
    }

    /// SERVFAIL for external names since 32 minutes ago: the cluster DNS cannot reach its upstream.
    /// * payment's DNS: `api.stripe.com` (2,114 SERVFAIL, Domain cell warning),
    ///   `postgres.default.svc.cluster.local` ok, two search-path variants (unknown).
    ///   `DnsServerErrors` "2,114 server DNS errors occurred", `DnsLatency` "high latency" (p95 =
    ///   the 2 s resolver timeout). The payment → api.stripe.com:443 link stays ok (1.8 rps).
    /// * Incidents `s3rv5fq1` (payment, errors) and `h8j2w6tz` (checkout, errors), open. Logs:
    ///   payment "… dial tcp: lookup api.stripe.com on 10.96.0.10:53: server misbehaving",
    ///   checkout "upstream payment returned 502: charge failed".
    /// * Red herrings: payment's harmless rollout `7a8b9c0d1: payment:2.4.2` (2 hours ago),
    ///   payment's availability incident `k4m8s2dv` resolved two days ago.
    /// * Ground truth: payment's DNS lookups (app payment, kind `dns`).
    pub fn dns_servfail() -> Scenario {
        Scenario::fault(Fault::DnsServfail)
    }

    /// postgres' data volume (`/dev/nvme1n1` on node-3) is 99% full (198 GB / 200 GB); inserts
    /// fail since 27 minutes ago.
    /// * Checks: postgres `StorageSpace` "1 volume is over 80% full, max usage: 99%" (the node's
    ///   Disks row and the Storage table show "99% (198 GB / 200 GB)", no cell status); error
    ///   logs of postgres ("could not extend file \"base/16384/16522\": No space left on
    ///   device"), payment ("pq: could not extend file …") and checkout.
    /// * Incidents `f9d2k4sp` (payment, errors) and `r6t1y8ub` (checkout, errors), open.
    /// * Red herrings: catalog's harmless rollout `8b9c0d1e2: catalog:3.1.1` (45 minutes ago),
    ///   payment's latency incident `a7w3p5qe` resolved two days ago.
    /// * Ground truth: postgres' volume on node-3 (app postgres, kind `disk_space`, node node-3).
    pub fn disk_space_full() -> Scenario {
        Scenario::fault(Fault::DiskSpaceFull)
    }

    /// OOM kills with no rollout: a traffic surge (frontend → recommendation 20 → 46 rps, 55
    /// minutes ago) pushes recommendation's gunicorn workers over the 4 GB limit.
    /// * Checks: recommendation `MemoryOOM` "application has been restarted 8 times by the OOM
    ///   killer" (a worker is killed every 11 minutes per pod; the master survives, so no
    ///   container restarts and no `InstanceRestarts`); no `MemoryLeakPercent` (the memory
    ///   resets too often). Kubernetes `OOMKilling` events on node-1 and node-3; logs "Worker
    ///   (pid:9) was sent SIGKILL! Perhaps out of memory?".
    /// * Incident `o3m7w5xa` (recommendation, latency), open.
    /// * Red herrings: prometheus' `MemoryLeakPercent` "memory usage is growing by 13% per hour"
    ///   (its head block, far from its limit), cart's harmless rollout (80 minutes ago),
    ///   recommendation's latency incident `j5r2h7ba` resolved two days ago.
    /// * Ground truth: recommendation (kind `oom`; `memory` also names it).
    pub fn oom_without_deploy() -> Scenario {
        Scenario::fault(Fault::OomWithoutDeploy)
    }

    /// A rollout that only lowered catalog's CPU limit (1 core → 250m), 52 minutes ago:
    /// `7c1d2e3f4: catalog:3.1.0`, critical, "Latency: 65% of requests faster 500ms (objective:
    /// 99%)"; the pods are renamed `catalog-7c1d2e3f4-…`.
    /// * Checks: catalog `CPUContainer` "high CPU utilization of 2 containers" (usage 245m of a
    ///   250m limit), throttled time up from 0.005 to 0.71 s/s; warning logs "GET /api/products
    ///   took 1.7s".
    /// * Incident `t2h8r4lc` (catalog, latency), open.
    /// * Red herrings: catalog's latency incident `y2q6f9hc` resolved five hours ago, cart's
    ///   harmless rollout (40 minutes ago), frontend's NXDOMAIN trickle (see
    ///   [`Scenario::packet_loss`]).
    /// * Ground truth: catalog (kind `cpu_throttling`; `deploy` also names it).
    pub fn cpu_throttling_after_limit_change() -> Scenario {
        Scenario::fault(Fault::CpuThrottlingAfterLimitChange)
    }

    /// A noisy neighbour: `search:Deployment:search-indexer` (no CPU limit, one pod on node-1)
    /// starts a full reindex 44 minutes ago and takes 3.4 of node-1's 4 cores (node CPU 97%).
    /// * Checks: `CPUNode` "high CPU utilization of 1 node" in every app with a pod on node-1
    ///   (frontend, checkout, payment, recommendation, redis, kube-proxy, search-indexer); redis
    ///   `RedisLatency` "1 redis instance is performing slowly". The node page's "CPU consumers"
    ///   chart shows search-indexer on top.
    /// * Incident `n6b4g2yv` (checkout, latency), open. search-indexer logs "starting full
    ///   reindex …" and its progress (info).
    /// * Red herrings: search-indexer's single-instance risk dismissed ("batch indexer, one
    ///   replica by design"), recommendation's harmless rollout (a node-1 app, 70 minutes ago),
    ///   checkout's availability incident `g8t4z1nw` resolved 22 hours ago.
    /// * Ground truth: search-indexer on node-1 (kind `node_cpu`).
    pub fn noisy_neighbour() -> Scenario {
        Scenario::fault(Fault::NoisyNeighbour)
    }

    /// node-1 goes down 31 minutes ago ("down (no metrics)", no CPU or memory, its agent's logs
    /// stop). Its pods read "down (node down)" with a node cell warning; Deployment pods were
    /// replaced on node-4/node-2 after the eviction (desired replicas unchanged, so their
    /// `InstanceAvailability` stays ok); redis-0 is not (`InstanceAvailability` "no instances
    /// available", `RedisAvailability` "1 redis instance is unavailable"); kube-proxy "1
    /// DaemonSet instance is unavailable". cart → redis critical "failed connections".
    /// * Incident `e1w9d3nk` (cart, errors), open. Logs: cart "redis.exceptions.ConnectionError:
    ///   Error 110 connecting to redis.default.svc.cluster.local:6379. Connection timed out.",
    ///   frontend "GET /api/cart 500 3004ms". Events: `NodeNotReady` (node and pods),
    ///   `TaintManagerEviction`.
    /// * Red herrings: catalog's harmless rollout (48 minutes ago), cart's availability
    ///   incident `k4m8s2dv` resolved three days ago.
    /// * Ground truth: node-1 (kind `node_down`; `instances_down` also names it), no app.
    pub fn node_down() -> Scenario {
        Scenario::fault(Fault::NodeDown)
    }

    /// postgres is slow without a disk or CPU problem: the `catalog-import` CronJob loaded 2.8M
    /// rows 40 minutes ago and the planner's statistics are stale.
    /// * Checks: postgres `PostgresLatency` "1 postgres instance is performing slowly" and
    ///   `PostgresStaleStatistics` "planner statistics are stale on 1 postgres instance" (v1.24.0+);
    ///   node-3's disk stays at an I/O load of 0.4, postgres' CPU at 1.3 of 2 cores. postgres
    ///   logs "duration: 2412.118 ms  statement: SELECT …" (info), catalog warns "GET
    ///   /api/products took 2.4s".
    /// * Incident `q5l3p7gz` (catalog, latency), open.
    /// * Red herrings: frontend's harmless rollout `8a9b0c1d2: frontend:1.9.1` (55 minutes ago),
    ///   catalog's latency incident `a7w3p5qe` resolved five hours ago, catalog's search-path
    ///   NXDOMAIN variants (unknown).
    /// * Ground truth: postgres (kind `database`).
    pub fn postgres_latency() -> Scenario {
        Scenario::fault(Fault::PostgresLatency)
    }

    /// checkout's JDBC pool is exhausted (a connection leak) since 36 minutes ago; only its
    /// logs say so: errors "… HikariPool-1 - Connection is not available, request timed out
    /// after 30000ms." and warnings "Connection leak detection triggered for …".
    /// * Checks: checkout's SLOs and `LogErrors` only; its new link to postgres (6.5 rps, 4 ms)
    ///   is ok, postgres healthy. frontend logs "POST /api/checkout 500 30012ms".
    /// * Incident `c8p0o2lx` (checkout, errors and latency), open.
    /// * Red herrings: payment's harmless rollout (62 minutes ago), frontend's NXDOMAIN trickle,
    ///   payment's latency incident `k4m8s2dv` resolved two days ago.
    /// * Ground truth: checkout (kind `errors`: errors with no resource signal).
    pub fn connection_pool_exhausted() -> Scenario {
        Scenario::fault(Fault::ConnectionPoolExhausted)
    }

    /// A bad rollout: `4f5e6d7c8: cart:2.8.0` (47 minutes ago, critical: "Availability: 73%
    /// (objective: 99%)", "Logs: there are errors in the logs") fails on carts saved by 2.7.x;
    /// cart logs "GET /api/cart failed: KeyError: 'currency'". No other check fires.
    /// * Incident `b7d5y3ec` (cart, errors), open.
    /// * Red herrings: frontend's rollout `8a9b0c1d2: frontend:1.9.1` 40 minutes ago, also
    ///   critical ("Availability: 94.8% (objective: 99%)": cart's errors seen through frontend,
    ///   whose SLO does not burn), cart's availability incident `j5r2h7ba` resolved three days ago.
    /// * Ground truth: cart's rollout (app cart, kind `deploy`; `errors` also names it).
    pub fn bad_deploy_log_errors() -> Scenario {
        Scenario::fault(Fault::BadDeployLogErrors)
    }

    /// [`Scenario::bad_deploy_log_errors`] with hostile telemetry: cart's error logs and the
    /// Unhealthy event of its pod (the kubelet quotes the failed probe's output) carry the [`INJECTIONS`](crate::INJECTIONS) (orders to the
    /// agent, a forged tool call, a forged end of quoted data, a markdown fence, bidi and
    /// control characters). Ground truth as there: cart's rollout.
    pub fn hostile_telemetry() -> Scenario {
        Scenario::fault(Fault::HostileTelemetry)
    }

    /// The external service `external:external:ExternalService:api.stripe.com:443` stops
    /// answering 33 minutes ago: payment's connects time out.
    /// * Link payment → api.stripe.com:443 critical "connectivity issues"; payment
    ///   `NetworkConnectivity` "no connectivity with 1 upstream service" and
    ///   `NetworkTCPConnections` "failed to connect to 1 upstream service"; payment's DNS for
    ///   api.stripe.com is fine. Logs: payment "… dial tcp 54.187.216.72:443: i/o timeout",
    ///   checkout "upstream payment returned 502: charge failed".
    /// * Incidents `u4x6s2ti` (payment, errors) and `v9k1e5rm` (checkout, errors), open.
    /// * Red herrings: payment's harmless rollout (3 hours ago), checkout's availability
    ///   incident `g8t4z1nw` resolved 20 hours ago, payment's search-path NXDOMAIN variants.
    /// * Ground truth: api.stripe.com:443 (kind `connectivity`; `tcp_connect` also names it;
    ///   seen in payment).
    pub fn external_dependency_down() -> Scenario {
        Scenario::fault(Fault::ExternalDependencyDown)
    }

    /// Nothing is wrong, but the cluster is not silent: the common noise plus frontend's
    /// harmless rollout `8a9b0c1d2: frontend:1.9.1` (50 minutes ago), cart's availability
    /// incident `y2q6f9hc` resolved two days ago, recommendation's few benign errors ("failed to
    /// refresh model scores: context canceled": `LogErrors`, logs `info` in the applications
    /// overview) and catalog's search-path NXDOMAIN variants (unknown). No open incident, no
    /// failing link, every node up. Ground truth: none.
    pub fn healthy_with_noise() -> Scenario {
        Scenario::fault(Fault::HealthyWithNoise)
    }

    /// Four independent faults at once; only the first has an incident.
    /// 1. recommendation OOM-killed under grown traffic, as in [`Scenario::oom_without_deploy`]
    ///    (incident `w3c8m1of`, latency).
    /// 2. One payment pod (node-2) cannot connect to postgres for 26 minutes (a dropped SYN):
    ///    payment → postgres critical "failed connections", payment `NetworkTCPConnections`,
    ///    error logs "… dial tcp 10.42.3.15:5432: i/o timeout"; the other pods' retries succeed,
    ///    no SLO burns.
    /// 3. cart's NXDOMAIN storm for `redis-cache.default.svc.cluster.local` (its Service was
    ///    deleted 40 minutes ago): `DnsNxdomainErrors` "… 3,940 times"; cart falls back to redis
    ///    (warning logs).
    /// 4. prometheus' volume on node-2 (`/dev/nvme1n1`, `/prometheus`) 91% full:
    ///    `StorageSpace` "1 volume is over 80% full, max usage: 91%".
    ///
    /// Red herrings: frontend's harmless rollout (70 minutes ago), catalog's latency incident
    /// `a7w3p5qe` resolved five hours ago. Ground truth: the four, in this order.
    pub fn concurrent_faults() -> Scenario {
        Scenario::fault(Fault::ConcurrentFaults)
    }
}
