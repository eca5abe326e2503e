#!/usr/bin/env bash
# End to end, from a metric to its trace, on loopback, bounded in time: the worker exports its
# spans to a real OTLP collector (rotel) and serves /metrics; a real Prometheus with
# `--enable-feature=exemplar-storage` scrapes it in OpenMetrics. Checked: the scrape is
# healthy, a strict OpenMetrics parser (prometheus_client's) reads the exposition,
# `/api/v1/query_exemplars` returns trace ids for `duration_ms_bucket` and
# `jobs_completed_total`, and every one of them is a trace the collector received.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v prometheus >/dev/null \
  || { echo "e2e: prometheus is required (apt-get install -y prometheus)"; exit 1; }
python3 -c 'import prometheus_client.openmetrics.parser' 2>/dev/null \
  || { echo "e2e: prometheus_client is required (pip install prometheus-client)"; exit 1; }

. tests/e2e/lib.sh
cargo build -q --example worker
grpc_port=$(free_port)
metrics_port=$(free_port)
prom_port=$(free_port)

start_rotel "$grpc_port" "$work/rotel.log" --debug-log traces

OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpc_port" OTEL_SERVICE_NAME=observe-worker \
  OBSERVE_METRICS_ADDR="127.0.0.1:$metrics_port" \
  timeout 120 target/debug/examples/worker --jobs 40 --linger 45 > "$work/worker.log" 2>&1 &
pids+=($!)

start_prometheus "$prom_port" "127.0.0.1:$metrics_port" worker "" --enable-feature=exemplar-storage

# What Prometheus is sent, read by a strict OpenMetrics parser.
for _ in $(seq 1 50); do
  curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$metrics_port/metrics" && break
  sleep 0.2
done
sleep 2 # the jobs run for about a second
curl -fsS --max-time 5 -D "$work/om.headers" -o "$work/om.txt" \
  -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' \
  "http://127.0.0.1:$metrics_port/metrics"
python3 - "$work/om.txt" "$work/om.headers" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
text, headers = open(sys.argv[1]).read(), open(sys.argv[2]).read().lower()
assert "content-type: application/openmetrics-text; version=1.0.0" in headers, headers
families = {f.name: f for f in text_string_to_metric_families(text)}
assert families["jobs_completed"].type == "counter", families["jobs_completed"]
with_exemplars = [s for f in families.values() for s in f.samples if s.exemplar]
assert with_exemplars, "no exemplar in the OpenMetrics text"
for sample in with_exemplars:
    labels = sample.exemplar.labels
    assert len(labels["trace_id"]) == 32 and len(labels["span_id"]) == 16, sample
print(f"e2e: OpenMetrics parsed: {len(families)} families, {len(with_exemplars)} samples with exemplars")
PY

query_exemplars() {
  curl -fsS --max-time 5 --get "http://127.0.0.1:$prom_port/api/v1/query_exemplars" \
    --data-urlencode "query=$1" --data-urlencode "start=$(($(date +%s) - 600))" \
    --data-urlencode "end=$(($(date +%s) + 60))"
}
ok=""
for _ in $(seq 1 40); do
  query_exemplars 'duration_ms_bucket' > "$work/exemplars.json" 2>/dev/null \
    && query_exemplars 'jobs_completed_total' > "$work/counter-exemplars.json" 2>/dev/null \
    && python3 - "$work/exemplars.json" "$work/counter-exemplars.json" <<'PY' && { ok=yes; break; }
import json, sys
for path in sys.argv[1:]:
    data = json.load(open(path))["data"]
    if not any(series["exemplars"] for series in data):
        sys.exit(1)
PY
  sleep 1
done
[ -n "$ok" ] || {
  echo "e2e: Prometheus stored no exemplars"; tail -5 "$work/prometheus.log"
  curl -s "http://127.0.0.1:$prom_port/api/v1/targets" | head -c 600; exit 1; }
curl -fsS --max-time 5 "http://127.0.0.1:$prom_port/api/v1/targets" > "$work/targets.json"
# (What this Prometheus makes of OpenMetrics' `_created` samples, for the README.)
curl -fsS --max-time 5 --get "http://127.0.0.1:$prom_port/api/v1/query" \
  --data-urlencode 'query=count({__name__=~".+_created"})' > "$work/created.json"
echo "e2e: series named *_created in Prometheus: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["data"]["result"]; print(r[0]["value"][1] if r else 0)' "$work/created.json")"

# Every exemplar's trace is one the collector received (spans are exported within seconds).
for _ in $(seq 1 30); do
  python3 - "$work/rotel.log" "$work/exemplars.json" "$work/counter-exemplars.json" <<'PY' && break
import json, re, sys
received = set(re.findall(r"Trace ID\s+: (\w+)", open(sys.argv[1]).read()))
wanted = {e["labels"]["trace_id"] for path in sys.argv[2:]
          for series in json.load(open(path))["data"] for e in series["exemplars"]}
sys.exit(0 if wanted and wanted <= received else 1)
PY
  sleep 1
done
python3 - "$work/rotel.log" "$work/exemplars.json" "$work/counter-exemplars.json" "$work/targets.json" <<'PY'
import json, re, sys
received = set(re.findall(r"Trace ID\s+: (\w+)", open(sys.argv[1]).read()))
targets = json.load(open(sys.argv[4]))["data"]["activeTargets"]
assert all(t["health"] == "up" and not t["lastError"] for t in targets), targets
exemplars = [(path, series["seriesLabels"], e) for path in sys.argv[2:4]
             for series in json.load(open(path))["data"] for e in series["exemplars"]]
buckets = {s.get("le") for _, s, _ in exemplars if "le" in s}
missing = {e["labels"]["trace_id"] for _, _, e in exemplars} - received
assert not missing, f"exemplars pointing at traces the collector never received: {missing}"
for _, _, e in exemplars:
    assert re.fullmatch(r"[0-9a-f]{16}", e["labels"]["span_id"]), e
print(f"e2e: Prometheus stored {len(exemplars)} exemplars over {len(buckets)} buckets and the "
      f"counter; all {len({e['labels']['trace_id'] for _, _, e in exemplars})} trace ids were "
      f"received by the collector")
PY
echo "e2e: 1 passed, 0 failed"
