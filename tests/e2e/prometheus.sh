#!/usr/bin/env bash
# End to end against a real Prometheus, on loopback, bounded in time: the worker example serves
# /metrics, Prometheus scrapes it, PromQL sees `jobs_completed_total` by `result` and a
# `duration_ms` quantile; `promtool check metrics` finds nothing but its unit advice on the
# names the worker chose; the worker's logs are JSON lines without any `tok_` value.
# Needs `prometheus` and `promtool` (Debian package `prometheus`; .ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v prometheus >/dev/null && command -v promtool >/dev/null \
  || { echo "e2e: prometheus and promtool are required (apt-get install -y prometheus)"; exit 1; }

. tests/e2e/lib.sh
metrics_port=$(free_port)
prom_port=$(free_port)

cargo build -q --example worker
OBSERVE_METRICS_ADDR="127.0.0.1:$metrics_port" RUST_LOG=debug \
  timeout 120 target/debug/examples/worker --jobs 60 --linger 40 > "$work/worker.log" 2>&1 &
pids+=($!)

start_prometheus "$prom_port" "127.0.0.1:$metrics_port" worker

query() {
  curl -fsS --max-time 5 --get "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1"
}

# PromQL sees the counter by result, ok and error alike.
ok=""
for _ in $(seq 1 60); do
  if out=$(query 'sum by (result) (jobs_completed_total)' 2>/dev/null) \
     && python3 - "$out" <<'PY'
import json, sys
data = json.loads(sys.argv[1])["data"]["result"]
results = {r["metric"].get("result"): float(r["value"][1]) for r in data}
sys.exit(0 if results.get("ok", 0) > 0 and results.get("error", 0) > 0 else 1)
PY
  then ok=yes; break; fi
  sleep 1
done
[ -n "$ok" ] || { echo "e2e: PromQL never saw jobs_completed_total by result"; cat "$work/prometheus.log" | tail -20; exit 1; }
echo "e2e: PromQL sees jobs_completed_total by result: $(query 'sum by (result) (jobs_completed_total)')"

# A duration quantile over every observation of the histogram.
ok=""
for _ in $(seq 1 30); do
  if out=$(query 'histogram_quantile(0.9, sum by (le) (duration_ms_bucket))' 2>/dev/null) \
     && python3 - "$out" <<'PY'
import json, math, sys
data = json.loads(sys.argv[1])["data"]["result"]
sys.exit(0 if data and not math.isnan(float(data[0]["value"][1])) else 1)
PY
  then ok=yes; break; fi
  sleep 1
done
[ -n "$ok" ] || { echo "e2e: no duration_ms quantile"; exit 1; }
echo "e2e: duration_ms p90: $(query 'histogram_quantile(0.9, sum by (le) (duration_ms_bucket))')"

# promtool: nothing but its unit advice on the names the worker chose.
curl -fsS --max-time 5 "http://127.0.0.1:$metrics_port/metrics" > "$work/metrics.txt"
promtool check metrics < "$work/metrics.txt" > "$work/promtool.txt" 2>&1 || true
unexpected=$(grep -v -E '^(duration_ms|fetch_duration_ms) .*(abbreviated units|base unit|seconds)' "$work/promtool.txt" | grep -v '^\s*$' || true)
if [ -n "$unexpected" ]; then
  echo "e2e: promtool check metrics reported:"; echo "$unexpected"; exit 1
fi
echo "e2e: promtool check metrics: only unit advice ($(wc -l < "$work/promtool.txt") lines)"

# The health endpoints answer.
curl -fsS --max-time 5 "http://127.0.0.1:$metrics_port/health/live" > /dev/null
ready=$(curl -fsS --max-time 5 "http://127.0.0.1:$metrics_port/health/ready")
[ "$ready" = '{"status":"ready","checks":{"job_store":"ok"}}' ] || { echo "ready: $ready"; exit 1; }
# The same worker with its job store down: 503 naming the check, and /metrics still served.
down_port=$(free_port)
WORKER_STORE_DOWN=1 OBSERVE_METRICS_ADDR="127.0.0.1:$down_port" \
  timeout 60 target/debug/examples/worker --jobs 1 --linger 20 > "$work/down.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$down_port/health/live" && break
  sleep 0.2
done
code=$(curl -s --max-time 5 -o "$work/down.json" -w '%{http_code}' "http://127.0.0.1:$down_port/health/ready")
[ "$code" = 503 ] || { echo "not ready answered $code"; exit 1; }
grep -q '"job_store":"error: job store at 127.0.0.1:5432 refused the connection"' "$work/down.json" \
  || { cat "$work/down.json"; exit 1; }
curl -fsS --max-time 5 "http://127.0.0.1:$down_port/metrics" > /dev/null
echo "e2e: /health/ready 200 with the check passing, 503 naming it when it fails"

# Logs: JSON lines, no token value anywhere, failed flows say how far they got.
python3 - "$work/worker.log" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
records = [json.loads(l) for l in lines]
assert records, "no log lines"
text = "".join(lines)
assert "tok_" not in text, "a tok_ value leaked into the logs"
assert "@example.com" not in text.replace("***@example.com", ""), "a full email leaked"
failed = [r for r in records if r.get("message") == "flow_failed"]
assert failed and all("last_step" in r for r in failed), "flow_failed without last_step"
steps = [r for r in records if r.get("message") == "flow_step"]
assert steps, "no flow_step lines at RUST_LOG=debug"
print(f"e2e: {len(records)} JSON log lines, {len(failed)} failed flows, no token or email")
PY
echo "e2e: 1 passed, 0 failed"
