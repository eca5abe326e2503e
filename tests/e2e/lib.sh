# Shared by the end-to-end scripts: a scratch folder and background processes that are cleaned
# up on exit, and free loopback ports.
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_prometheus PORT TARGET JOB [RULES_FILE] [prometheus flags…]: a Prometheus on loopback
# scraping TARGET every second (rules evaluated every second), in the background, ended on
# exit. Its log is $work/prometheus.log.
start_prometheus() {
  local port=$1 target=$2 job=$3 rules=${4:-}
  shift 3
  [ $# -gt 0 ] && shift
  {
    printf 'global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n'
    [ -n "$rules" ] && printf 'rule_files: ["%s"]\n' "$rules"
    printf 'scrape_configs:\n  - job_name: %s\n    static_configs:\n      - targets: ["%s"]\n' "$job" "$target"
  } > "$work/prometheus.yml"
  timeout "${PROMETHEUS_TIMEOUT:-120}" prometheus --config.file="$work/prometheus.yml" \
    --storage.tsdb.path="$work/data" --web.listen-address="127.0.0.1:$port" "$@" \
    > "$work/prometheus.log" 2>&1 &
  pids+=($!)
}

# start_rotel GRPC_PORT LOG [rotel flags…]: the rotel OTLP collector on loopback (grpc on
# GRPC_PORT, http on a free port), printing what it receives to LOG; returns once it listens.
start_rotel() {
  local grpc=$1 log=$2
  shift 2
  local dir
  dir=$(python3 -c 'import rotel, os; print(os.path.dirname(rotel.__file__))' 2>/dev/null) \
    || { echo "e2e: the rotel collector is required (pip install rotel)"; exit 1; }
  timeout 120 "$dir/rotel-agent" start --otlp-grpc-endpoint "127.0.0.1:$grpc" \
    --otlp-http-endpoint "127.0.0.1:${ROTEL_HTTP_PORT:-$(free_port)}" --exporter blackhole \
    --debug-log-verbosity detailed "$@" > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$grpc") 2>/dev/null && return 0
    sleep 0.1
  done
}
