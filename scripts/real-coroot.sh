#!/usr/bin/env bash
# A real Coroot fed with a simulator scenario, on loopback, to look at by hand:
#   scripts/real-coroot.sh SCENARIO     start: coroot-sim serve-metrics (history backfilled with
#                                       promtool, then live), Prometheus scraping it, Coroot on
#                                       that Prometheus; prints the URL and the login
#   scripts/real-coroot.sh stop         stops exactly the processes the start recorded
# State lives in $WORK (default /tmp/real-coroot): the pid file, logs, data dirs.
# Needs the Coroot binary (COROOT_BIN, default ../shared/coroot/coroot next to the repository),
# prometheus and promtool (Debian: apt-get install -y prometheus), python3 (free ports).
# Incidents appear about two minutes after start: Coroot opens them from burn rates at "now".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${WORK:-/tmp/real-coroot}
PIDS=$WORK/pids

stop() {
  [ -f "$PIDS" ] || { echo "nothing to stop ($PIDS is absent)"; return 0; }
  while read -r name pid cmd; do
    # Only the process recorded, and only while it still runs what was started (a pid can be reused).
    if ps -p "$pid" -o args= 2>/dev/null | grep -qF -- "$cmd" && kill "$pid" 2>/dev/null; then
      echo "stopped $name ($pid)"
    fi
  done < "$PIDS"
  rm -f "$PIDS"
}

if [ "${1:-}" = stop ]; then
  stop
  exit 0
fi
SCENARIO=${1:?usage: scripts/real-coroot.sh SCENARIO | stop}
COROOT_BIN=${COROOT_BIN:-$ROOT/../shared/coroot/coroot}
for bin in "$COROOT_BIN" prometheus promtool python3; do
  command -v "$bin" >/dev/null || { echo "missing: $bin"; exit 1; }
done
if [ -f "$PIDS" ]; then echo "$PIDS exists: run scripts/real-coroot.sh stop first"; exit 1; fi
rm -rf "$WORK/prom-data" "$WORK/coroot-data" "$WORK/history.om"
mkdir -p "$WORK/prom-data" "$WORK/coroot-data/cloud-pricing"
trap 'echo "start failed; stopping what started"; stop' ERR

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
METRICS_PORT=$(free_port); PROM_PORT=$(free_port); HTTP_PORT=$(free_port); GRPC_PORT=$(free_port)
PASSWORD=${ADMIN_PASSWORD:-$(python3 -c 'import secrets; print("Sim-" + secrets.token_urlsafe(9))')}
( umask 077; echo "$PASSWORD" > "$WORK/password" )

cargo build --quiet -p coroot-sim
# The scenario's "now" is 2 minutes ahead: by then Coroot has back-filled and opened incidents.
target/debug/coroot-sim serve-metrics --scenario "$SCENARIO" --listen "127.0.0.1:$METRICS_PORT" \
  --lead-seconds 120 --history "$WORK/history.om" --prom-data "$WORK/prom-data" \
  --pricing "$WORK/coroot-data/cloud-pricing/cloud-pricing.json.gz" > "$WORK/metrics.log" 2>&1 &
echo "metrics $! serve-metrics" >> "$PIDS"
for _ in $(seq 1 600); do grep -q "serving" "$WORK/metrics.log" && break; sleep 0.2; done
grep -q "serving" "$WORK/metrics.log" || { cat "$WORK/metrics.log"; false; }

cat > "$WORK/prometheus.yml" <<EOF
global: {scrape_interval: 15s, evaluation_interval: 15s}
scrape_configs:
  - job_name: coroot-sim
    static_configs: [{targets: ['127.0.0.1:$METRICS_PORT']}]
EOF
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom-data" \
  --storage.tsdb.retention.time=30d --web.listen-address="127.0.0.1:$PROM_PORT" > "$WORK/prometheus.log" 2>&1 &
echo "prometheus $! $WORK/prometheus.yml" >> "$PIDS"
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && break; sleep 0.3; done

# The deployment watcher stays on: no --do-not-check-for-deployments.
"$COROOT_BIN" --listen "127.0.0.1:$HTTP_PORT" --grpc-listen "127.0.0.1:$GRPC_PORT" \
  --data-dir "$WORK/coroot-data" --auth-bootstrap-admin-password "$PASSWORD" \
  --bootstrap-prometheus-url "http://127.0.0.1:$PROM_PORT" --bootstrap-refresh-interval 15s \
  --do-not-check-for-updates --disable-usage-statistics > "$WORK/coroot.log" 2>&1 &
echo "coroot $! $WORK/coroot-data" >> "$PIDS"
URL="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 1 100); do curl -fsS "$URL/health" >/dev/null 2>&1 && break; sleep 0.2; done

# Name the project after the scenario's, as the simulator does (the cluster name follows it).
PROJECT_NAME=$(sed -n 's/.* of project "\(.*\)" to .*/\1/p' "$WORK/metrics.log")
JAR=$WORK/cookies.txt
curl -fsS -c "$JAR" -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin\",\"password\":\"$PASSWORD\"}" "$URL/api/login" >/dev/null
PROJECT=$(curl -fsS -b "$JAR" "$URL/api/user" | python3 -c 'import json,sys; print(json.load(sys.stdin)["projects"][0]["id"])')
curl -fsS -b "$JAR" -H 'Content-Type: application/json' -d "{\"name\":\"$PROJECT_NAME\"}" \
  "$URL/api/project/$PROJECT" >/dev/null
trap - ERR

echo "scenario $SCENARIO (project $PROJECT_NAME, id $PROJECT)"
echo "coroot      $URL   login: admin / $PASSWORD"
echo "prometheus  http://127.0.0.1:$PROM_PORT   metrics http://127.0.0.1:$METRICS_PORT/metrics"
echo "stop with   scripts/real-coroot.sh stop   (WORK=$WORK)"
