#!/usr/bin/env bash
# End to end, the HTTP edge of examples/service.rs on loopback, bounded in time: curl drives
# the service, which exports to a real OTLP collector (rotel) and is scraped by a real
# Prometheus. Checked: the span tree of one request (server, handler, client, downstream
# server) with kinds, names and attributes; a `traceparent` sent by curl continued; the request
# id echoed and on the request's log lines; the metrics by route, status and `error_type`
# through PromQL; `promtool check metrics`; no `tok_` value from an `Authorization` header or a
# `?token=` query anywhere (logs, OTLP, metrics).
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v prometheus >/dev/null && command -v promtool >/dev/null \
  || { echo "e2e: prometheus and promtool are required (apt-get install -y prometheus)"; exit 1; }

. tests/e2e/lib.sh
cargo build -q --example service --features axum
grpc_port=$(free_port)
addr_port=$(free_port)
metrics_port=$(free_port)
prom_port=$(free_port)

start_rotel "$grpc_port" "$work/rotel.log" --debug-log traces --debug-log metrics --debug-log logs

OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpc_port" OTEL_SERVICE_NAME=orders \
  OTEL_METRIC_EXPORT_INTERVAL=1000 OBSERVE_METRICS_ADDR="127.0.0.1:$metrics_port" \
  timeout 120 target/debug/examples/service --addr "127.0.0.1:$addr_port" --serve-for 25 \
  > "$work/service.log" 2>&1 &
service=$!
pids+=($service)
base="http://127.0.0.1:$addr_port"
for _ in $(seq 1 50); do
  curl -fsS --max-time 1 -o /dev/null "$base/health/live" 2>/dev/null && break
  sleep 0.2
done

start_prometheus "$prom_port" "127.0.0.1:$metrics_port" orders

# One request with the caller's trace context, a request id, a bearer token and a secret query.
trace=4bf92f3577b34da6a3ce929d0e0e4736
parent=00f067aa0ba902b7
curl -fsS --max-time 5 -D "$work/headers.txt" -o "$work/order.json" \
  -H "traceparent: 00-$trace-$parent-01" -H 'x-request-id: req-e2e-1' \
  -H 'Authorization: Bearer tok_bearer_secret' "$base/orders/5?token=tok_query_secret&view=full"
grep -qi '^x-request-id: req-e2e-1' "$work/headers.txt" || { cat "$work/headers.txt"; exit 1; }
# Others: found, failing dependency, missing, no route, a malformed traceparent, health.
for path in /orders/7 /orders/26 /orders/39 /orders/2000 /no/such/route; do
  curl -s --max-time 5 -o /dev/null -w "$path %{http_code}\n" "$base$path" -H 'Authorization: Bearer tok_other'
done | tee "$work/codes.txt"
grep -q '^/orders/26 500$' "$work/codes.txt" && grep -q '^/orders/2000 404$' "$work/codes.txt"
curl -fsS --max-time 5 -o /dev/null -H 'traceparent: 00-zzzz-not-valid' "$base/orders/8"
curl -fsS --max-time 5 -o /dev/null "$base/health/ready"

# Metrics through PromQL (classic text scraped), and promtool on the exposition.
ok=""
for _ in $(seq 1 30); do
  if curl -fsS --max-time 5 --get "http://127.0.0.1:$prom_port/api/v1/query" \
      --data-urlencode 'query=sum by (http_route, http_response_status_code, error_type) (http_server_request_duration_seconds_count)' \
      > "$work/promql.json" 2>/dev/null \
     && python3 - "$work/promql.json" <<'PY'
import json, sys
got = {(r["metric"].get("http_route", ""), r["metric"]["http_response_status_code"], r["metric"].get("error_type", ""))
       for r in json.load(open(sys.argv[1]))["data"]["result"]}
want = {("/orders/{id}", "200", ""), ("/orders/{id}", "500", "500"), ("/orders/{id}", "404", ""),
        ("/inventory/{sku}", "200", ""), ("/inventory/{sku}", "500", "500"), ("", "404", "")}
sys.exit(0 if want <= got else 1)
PY
  then ok=yes; break; fi
  sleep 1
done
[ -n "$ok" ] || { echo "e2e: PromQL never saw the HTTP metrics by route and status"; cat "$work/promql.json"; exit 1; }
echo "e2e: PromQL by route, status and error_type: $(cat "$work/promql.json" | head -c 300)…"
curl -fsS --max-time 5 "http://127.0.0.1:$metrics_port/metrics" > "$work/metrics.txt"
promtool check metrics < "$work/metrics.txt" > "$work/promtool.txt" 2>&1 || true
unexpected=$(grep -v -E '^(order_lookup_ms|inventory_call_ms) .*(abbreviated units|base unit|seconds)' "$work/promtool.txt" | grep -v '^\s*$' || true)
[ -z "$unexpected" ] || { echo "e2e: promtool check metrics reported:"; echo "$unexpected"; exit 1; }
grep -q 'http_server_active_requests' "$work/metrics.txt"
! grep -q '/health/' "$work/metrics.txt" || { echo "e2e: health paths in the HTTP metrics"; exit 1; }

# The dashboard the service writes has its HTTP rows; every panel's query has data.
target/debug/examples/service --addr 127.0.0.1:0 --export-dashboards "$work/dash" > /dev/null 2>&1
python3 - "$work/dash/grafana-dashboard.json" "http://127.0.0.1:$prom_port" <<'PY'
import json, sys, time, urllib.parse, urllib.request
dashboard, base = json.load(open(sys.argv[1])), sys.argv[2]
rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
assert rows[:2] == ["HTTP server", "HTTP client"], rows
# A rate needs two scrapes of the requests: retried for a few seconds.
deadline = time.time() + 20
while True:
    empty = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"].replace("$__rate_interval", "1m").replace('job=~"$job"', 'job=~".*"')
            url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
            if not json.load(urllib.request.urlopen(url, timeout=5))["data"]["result"]:
                empty.append((panel["title"], expr))
    if not empty or time.time() > deadline:
        break
    time.sleep(1)
assert not empty, empty
print(f"e2e: the service's dashboard: rows {rows}, every panel has data")
PY

# The service exits after --serve-for, flushing its spans.
wait "$service" || { echo "e2e: the service failed"; tail -5 "$work/service.log"; exit 1; }
sleep 1
python3 - "$work/rotel.log" "$work/service.log" "$work/metrics.txt" "$trace" "$parent" <<'PY'
import json, re, sys
collector, logs, metrics = (open(p).read() for p in sys.argv[1:4])
trace, parent = sys.argv[4], sys.argv[5]
for where, text in (("logs", logs), ("OTLP", collector), ("metrics", metrics)):
    assert "tok_" not in text, f"a tok_ value in the {where}"
spans = []
for block in re.split(r"\n(?=Span #\d+)", collector):
    if not block.startswith("Span #"):
        continue
    field = lambda name: (re.search(rf"\n\s*{name}\s*: (\S*)", block) or [None, ""])[1]
    spans.append({"name": re.search(r"Name\s+: ([^\n]+)", block).group(1).strip(),
                  "trace": field("Trace ID"), "id": field("ID"), "parent": field("Parent ID"),
                  "kind": field("Kind"), "status": field("Status code"), "text": block})
ours = [s for s in spans if s["trace"] == trace]
by_name = {}
for s in ours:
    by_name.setdefault(s["name"], []).append(s)
server = by_name["GET /orders/{id}"][0]
assert server["parent"] == parent, f"the caller's traceparent is not continued: {server['parent']}"
assert "Server" in server["kind"] or "SERVER" in server["kind"], server["kind"]
for attribute in ("http.request.method: Str(GET)", "http.route: Str(/orders/{id})",
                  "url.path: Str(/orders/5)", "url.scheme: Str(http)", "http.response.status_code: Int(200)",
                  "network.protocol.version: Str(1.1)", "server.address: Str(127.0.0.1)",
                  "client.address: Str(127.0.0.1)", "request_id: Str(req-e2e-1)",
                  "url.query: Str(token=[REDACTED]&view=full)"):
    assert attribute in server["text"], (attribute, server["text"])
find = by_name["find_order"][0]
assert find["parent"] == server["id"], "the handler is a child of the server span"
client = by_name["GET"][0]
assert "Client" in client["kind"] or "CLIENT" in client["kind"], client["kind"]
assert client["parent"] == by_name["stock_of"][0]["id"], "the client span is a child of stock_of"
assert f"url.full: Str(http://127.0.0.1:" in client["text"], client["text"]
downstream = by_name["GET /inventory/{sku}"][0]
assert downstream["parent"] == client["id"], "the downstream server span continues the client span"
assert by_name["count_stock"][0]["parent"] == downstream["id"]
# A failing dependency: 500 on both sides, with error.type; a 404 is not an error.
failed = [s for s in spans if s["name"] == "GET /orders/{id}" and "http.response.status_code: Int(500)" in s["text"]]
assert failed and all(s["status"] == "STATUS_CODE_ERROR" and "error.type: Str(500)" in s["text"] for s in failed), failed
missing = [s for s in spans if "http.response.status_code: Int(404)" in s["text"]]
assert missing and all(s["status"] != "STATUS_CODE_ERROR" for s in missing), missing
assert any(s["name"] == "GET" and s["kind"] and "SERVER" in s["kind"].upper() for s in spans), \
    "a request without a route is named by its method"
assert not [s for s in spans if "/health/" in s["text"]], "health requests traced"
# The request id on the log lines of its request.
lines = [json.loads(l) for l in logs.splitlines() if l.strip()]
of_request = [l for l in lines if l.get("trace_id") == trace]
assert of_request and all(l.get("request_id") == "req-e2e-1" for l in of_request), of_request
assert any(l["message"] == "order found" for l in of_request), of_request
print(f"e2e: one request, one trace of {len(ours)} spans (server, handler, client, downstream server); "
      f"traceparent continued; {len(failed)} failing-dependency requests are errors, 404s are not; no tok_ anywhere")
PY
echo "e2e: 1 passed, 0 failed"
