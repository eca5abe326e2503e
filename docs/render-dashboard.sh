#!/usr/bin/env bash
# Renders docs/dashboard.png: the worker runs a few rounds of jobs, scraped by a real
# Prometheus, then every panel of the dashboard it generates is plotted from Prometheus
# (docs/render_dashboard.py, matplotlib). Not part of CI: the picture is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/e2e/lib.sh
cargo build -q --example worker
OTEL_SERVICE_NAME=worker target/debug/examples/worker --export-dashboards "$work/out" > /dev/null
metrics_port=$(free_port)
prom_port=$(free_port)
PROMETHEUS_TIMEOUT=300 start_prometheus "$prom_port" "127.0.0.1:$metrics_port" worker
# Rounds of jobs of growing size, one worker after the other on the same address.
for jobs in 40 80 120 160 120 80; do
  OTEL_SERVICE_NAME=worker OBSERVE_METRICS_ADDR="127.0.0.1:$metrics_port" OBSERVE_LOG_FORMAT=off \
    timeout 60 target/debug/examples/worker --jobs "$jobs" --linger 14 > /dev/null 2>&1
done
python3 docs/render_dashboard.py "$work/out/grafana-dashboard.json" "http://127.0.0.1:$prom_port" 100 docs/dashboard.png
