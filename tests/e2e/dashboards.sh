#!/usr/bin/env bash
# End to end, the dashboard and the rules observe writes from the worker's code, on loopback,
# bounded in time: `--export-dashboards` writes them; `promtool check rules` and `promtool
# test rules` (the alert fires when the budget burns, not otherwise) pass; a real Prometheus
# loads the rules and scrapes the worker; every panel's query returns data, every recording
# rule has data, every rule's health is ok.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v prometheus >/dev/null && command -v promtool >/dev/null \
  || { echo "e2e: prometheus and promtool are required (apt-get install -y prometheus)"; exit 1; }

. tests/e2e/lib.sh
cargo build -q --example worker
OTEL_SERVICE_NAME=worker target/debug/examples/worker --export-dashboards "$work/out"
ls "$work/out"
(cd "$work/out" && promtool check rules prometheus-rules.yml && promtool test rules prometheus-rules.test.yml)

metrics_port=$(free_port)
prom_port=$(free_port)
OBSERVE_METRICS_ADDR="127.0.0.1:$metrics_port" OBSERVE_LOG_FORMAT=off \
  timeout 120 target/debug/examples/worker --jobs 60 --linger 60 > "$work/worker.log" 2>&1 &
pids+=($!)
start_prometheus "$prom_port" "127.0.0.1:$metrics_port" worker "$work/out/prometheus-rules.yml"

# Scrapes one second apart, then rules evaluated on them: every query has data within seconds.
python3 - "$work/out/grafana-dashboard.json" "$work/out/prometheus-rules.yml" "http://127.0.0.1:$prom_port" <<'PY'
import json, re, sys, time, urllib.parse, urllib.request

dashboard = json.load(open(sys.argv[1]))
rules_text = open(sys.argv[2]).read()
base = sys.argv[3]

def get(path, **params):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)

def query(expr):
    return get("/api/v1/query", query=expr)["data"]["result"]

assert dashboard["schemaVersion"] >= 39, dashboard["schemaVersion"]
names = [v["name"] for v in dashboard["templating"]["list"]]
assert names == ["datasource", "job"], names
rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
assert rows == ["fetch (worker)", "process_job (worker)"], rows
panels = [p for p in dashboard["panels"] if p["type"] != "row"]
titles = [p["title"] for p in panels]
for wanted in ["Calls per second by result", "Error ratio (error, panic)", "Latency (milliseconds)",
               "In flight", "Errors per second by type"]:
    assert wanted in titles, (wanted, titles)
assert any(t.startswith("Success budget left") for t in titles), titles
assert any(t.startswith("Latency budget left") for t in titles), titles
for panel in panels:
    for target in panel["targets"]:
        assert "$__rate_interval" in target["expr"] or "rate(" not in target["expr"], target["expr"]

def as_prometheus_runs_it(expr):
    return expr.replace("$__rate_interval", "15s").replace('job=~"$job"', 'job=~".*"')

records = re.findall(r'- record: "([^"]+)"', rules_text)
alerts = re.findall(r'- alert: "([^"]+)"', rules_text)
assert records and alerts, (records, alerts)

deadline = time.time() + 60
missing = None
while time.time() < deadline:
    missing = []
    for panel in panels:
        for target in panel["targets"]:
            try:
                if not query(as_prometheus_runs_it(target["expr"])):
                    missing.append(f'panel "{panel["title"]}": {target["expr"]}')
            except Exception as e:  # Prometheus not up yet
                missing.append(f'panel "{panel["title"]}": {e}')
    for record in records:
        try:
            if not query(record):
                missing.append(f"record {record}")
        except Exception as e:
            missing.append(f"record {record}: {e}")
    if not missing:
        break
    time.sleep(1)
assert not missing, "no data for:\n" + "\n".join(missing)

groups = get("/api/v1/rules")["data"]["groups"]
loaded = [r for g in groups for r in g["rules"]]
assert len(loaded) == len(records) + len(alerts), (len(loaded), len(records), len(alerts))
bad = [(r["name"], r.get("lastError")) for r in loaded if r["health"] != "ok"]
assert not bad, bad
queries = sum(len(p["targets"]) for p in panels)
print(f"e2e: {len(panels)} panels ({queries} queries) and {len(records)} recording rules have data; "
      f"{len(loaded)} rules loaded, all healthy")
PY
echo "e2e: 1 passed, 0 failed"
