#!/usr/bin/env bash
# End to end against a real OTLP collector (rotel, PyPI package `rotel`), on loopback, bounded
# in time: the worker (feature `otlp`) exports its spans over grpc and over http/protobuf; the
# collector prints every span it receives. Checked: every `process_job` span arrives before
# the worker exits, with the service name, its children, error status and exception data on
# failed jobs; the worker's JSON log lines carry trace and span ids; no `tok_` value anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."

rotel_dir=$(python3 -c 'import rotel, os; print(os.path.dirname(rotel.__file__))' 2>/dev/null) \
  || { echo "e2e: the rotel collector is required (pip install rotel)"; exit 1; }
rotel="$rotel_dir/rotel-agent"

. tests/e2e/lib.sh

cargo build -q --features otlp --example worker
jobs=12
for protocol in grpc http/protobuf; do
  grpc_port=$(free_port)
  http_port=$(free_port)
  log="$work/rotel-${protocol//\//-}.log"
  timeout 120 "$rotel" start --otlp-grpc-endpoint "127.0.0.1:$grpc_port" --otlp-http-endpoint "127.0.0.1:$http_port" \
    --exporter blackhole --debug-log traces --debug-log metrics --debug-log logs --debug-log-verbosity detailed > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$grpc_port") 2>/dev/null && break
    sleep 0.1
  done
  port=$grpc_port
  [ "$protocol" = "http/protobuf" ] && port=$http_port
  OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$port" OTEL_EXPORTER_OTLP_PROTOCOL="$protocol" \
    OTEL_SERVICE_NAME=observe-worker OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=ci \
    OBSERVE_METRICS_ADDR=off RUST_LOG=debug \
    timeout 60 target/debug/examples/worker --jobs "$jobs" > "$work/worker.log" 2>&1
  sleep 1
  python3 - "$log" "$work/worker.log" "$jobs" "$protocol" <<'PY'
import json, re, sys
collector = open(sys.argv[1]).read()
worker_log = open(sys.argv[2]).read()
jobs, protocol = int(sys.argv[3]), sys.argv[4]
spans = []
for block in re.split(r"\n(?=Span #\d+)", collector):
    name = re.search(r"Name\s+: (\S+)", block)
    if not name or not block.startswith("Span #"):
        continue
    spans.append({
        "name": name.group(1),
        "id": re.search(r"\n\s+ID\s+: (\w+)", block).group(1),
        "parent": (re.search(r"Parent ID\s+: (\w*)", block) or [None, ""])[1],
        "status": re.search(r"Status code\s+: (\w+)", block).group(1),
        "text": block,
    })
jobs_spans = [s for s in spans if s["name"] == "process_job"]
assert len(jobs_spans) == jobs, f"{protocol}: {len(jobs_spans)} process_job spans of {jobs}"
assert "service.name: Str(observe-worker)" in collector, "no service.name"
assert "deployment.environment.name: Str(ci)" in collector, "no deployment.environment.name"
ids = {s["id"] for s in jobs_spans}
children = [s for s in spans if s["parent"] in ids]
assert {c["name"] for c in children} >= {"fetch", "parse", "store"}, "children missing"
failed = [s for s in jobs_spans if s["status"] == "STATUS_CODE_ERROR"]
assert failed, "no failed job"
for s in failed:
    assert "error.type: Str(worker::JobError)" in s["text"], s["text"]
    assert "Name: exception" in s["text"] and "exception.message" in s["text"], s["text"]
    assert "Name: flow_failed" in s["text"], s["text"]
ok = [s for s in jobs_spans if s["status"] == "STATUS_CODE_UNSET"]
assert ok, "no successful job"
assert "tok_" not in collector and "tok_" not in worker_log, "a tok_ value leaked"
lines = [json.loads(l) for l in worker_log.splitlines() if l.strip()]
inside = [l for l in lines if "span" in l]
assert inside and all(re.fullmatch(r"[0-9a-f]{32}", l.get("trace_id", "")) and re.fullmatch(r"[0-9a-f]{16}", l.get("span_id", "")) for l in inside), "log lines without trace ids"
traces = {s["text"].split("Trace ID")[1].split(":")[1].split()[0] for s in jobs_spans}
assert {l["trace_id"] for l in inside} & traces, "log trace ids are not the exported ones"
metrics = {}
for block in re.split(r"\n(?=Metric #\d+)", collector):
    name = re.search(r"-> Name: (\S+)", block)
    if block.startswith("Metric #") and name:
        metrics.setdefault(name.group(1), []).append(block)
completed = "".join(metrics.get("jobs_completed_total", []))
assert "DataType: Sum" in completed and "IsMonotonic: true" in completed, f"{protocol}: no jobs_completed_total sum: {sorted(metrics)}"
assert "result: Str(ok)" in completed and "result: Str(error)" in completed, f"{protocol}: jobs_completed_total without result labels"
duration = "".join(metrics.get("duration_ms", []))
assert "DataType: Histogram" in duration, f"{protocol}: no duration_ms histogram"
counts = [int(c) for c in re.findall(r"\nCount: (\d+)", duration)]
assert sum(counts) == jobs, f"{protocol}: duration_ms counts {sum(counts)} calls of {jobs}"
records = [b for b in re.split(r"\n(?=LogRecord #\d+)", collector) if b.startswith("LogRecord #")]
assert records, f"{protocol}: no log record"
record_traces = {m for b in records for m in re.findall(r"Trace ID\s+: (\w+)", b)}
assert record_traces and record_traces <= traces, f"{protocol}: log records outside the exported traces"
assert any("Body: Str(exception)" in b for b in records), f"{protocol}: no exception log record"
# One failure, one ERROR record: the frames that re-raise it export it at DEBUG, naming the first.
raised = {}
for b in records:
    if "Body: Str(exception)" in b:
        raised.setdefault(re.search(r"Trace ID\s+: (\w+)", b).group(1), []).append(b)
for trace, blocks in raised.items():
    errors = [b for b in blocks if re.search(r"SeverityText\s*: ERROR", b)]
    assert len(errors) == 1, f"{protocol}: {len(errors)} ERROR exception records in trace {trace}"
    assert all("exception.first_recorded_in" in b for b in blocks if b not in errors), blocks
assert any("exception.first_recorded_in" in b for bs in raised.values() for b in bs), f"{protocol}: no re-raised exception at DEBUG"
print(f"e2e: {protocol}: {len(jobs_spans)} process_job spans, {len(failed)} failed with exception data, {len(children)} children; logs carry the exported trace ids; {len(metrics)} metrics and {len(records)} log records received")
PY
done
# A collector that is down never blocks the program: the worker finishes and exits 0, the
# spans it could not send are dropped after the bounded export timeout.
down=$(free_port)
OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$down" OBSERVE_METRICS_ADDR=off \
  timeout 60 target/debug/examples/worker --jobs "$jobs" > "$work/down.log" 2>&1 \
  || { echo "e2e: the worker failed or hung with the collector down"; tail -5 "$work/down.log"; exit 1; }
grep -q '"message":"all jobs processed"' "$work/down.log" || { echo "e2e: jobs did not complete with the collector down"; exit 1; }
echo "e2e: collector down: the worker completed its jobs and exited"

echo "e2e: 3 passed, 0 failed"
