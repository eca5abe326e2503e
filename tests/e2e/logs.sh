#!/usr/bin/env bash
# End to end, the worker's logs as a newcomer and a log pipeline read them, bounded in time:
# - piped, the lines are JSON: inside a span each carries W3C ids, the context once, no code.*,
#   and one failed job is one ERROR `exception` line plus its `flow_failed`;
# - on a terminal (a pty from `script`) they are pretty and colored, without colors under
#   NO_COLOR, leading with the message;
# - a real log shipper (syslog-ng, Debian's `syslog-ng-core`) tails the JSON lines, parses them
#   and routes on `trace_id`: every record inside a span arrives structured with its ids.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in syslog-ng script python3; do
  command -v "$tool" >/dev/null \
    || { echo "e2e: $tool is required (apt-get install -y syslog-ng-core bsdutils python3)"; exit 1; }
done

. tests/e2e/lib.sh
cargo build -q --example worker
export OBSERVE_METRICS_ADDR=off

# 1. Piped: JSON lines, read as a newcomer would.
timeout 60 target/debug/examples/worker --jobs 30 > "$work/worker.log" 2>&1
python3 - "$work/worker.log" <<'PY'
import collections, json, re, sys
records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert records, "no lines"
inside = [r for r in records if "span" in r]
assert inside, "no line inside a span"
for r in records:
    assert "spans" not in r, f"a second copy of the span list: {r}"
    assert not any(k.startswith(("code.", "otel.")) for k in r), f"span-only attributes: {r}"
    if "span" in r:
        assert re.fullmatch(r"[0-9a-f]{32}", r["trace_id"]) and r["trace_id"] != "0" * 32, r
        assert re.fullmatch(r"[0-9a-f]{16}", r["span_id"]) and r["span_id"] != "0" * 16, r
    else:
        assert "trace_id" not in r, f"ids outside any span: {r}"
by_trace = collections.defaultdict(list)
for r in inside:
    by_trace[r["trace_id"]].append(r)
failed = 0
for trace, lines in by_trace.items():
    flows = {r["flow_id"] for r in lines if "flow_id" in r}
    assert len(flows) == 1, f"one job, one trace: {trace} has flows {flows}"
    if any(r["message"] == "flow_failed" for r in lines):
        failed += 1
        errors = [r for r in lines if r["level"] == "ERROR" and r["message"] != "flow_failed"]
        assert len(errors) == 1, f"one failure, one ERROR line: {errors}"
        assert errors[0]["message"] == "exception", errors
assert failed, "no failed job among 30"
print(f"e2e: {len(records)} JSON lines, {len(by_trace)} traces joined by trace_id, "
      f"{failed} failed jobs with one ERROR line each")
PY

# 2. On a terminal: pretty, colored unless NO_COLOR; the message leads.
timeout 60 script -qec "target/debug/examples/worker --jobs 3" /dev/null > "$work/tty.log" 2>&1
NO_COLOR=1 timeout 60 script -qec "target/debug/examples/worker --jobs 3" /dev/null > "$work/tty-plain.log" 2>&1
python3 - "$work/tty.log" "$work/tty-plain.log" <<'PY'
import re, sys
colored = open(sys.argv[1], errors="replace").read()
plain = open(sys.argv[2], errors="replace").read()
assert not colored.lstrip().startswith("{"), f"JSON on a terminal: {colored[:200]}"
assert "\x1b[2min process_job" in colored, f"no dimmed context: {colored[:300]!r}"
assert "\x1b" not in plain, f"colors under NO_COLOR: {plain[:300]!r}"
line = next(l for l in plain.splitlines() if "flow_started" in l)
assert re.match(r"^\S+Z +INFO flow_started flow=process_job ", line), line
assert "  in process_job " in line and "trace_id=" in line, line
print("e2e: pretty lines on a terminal, colors off under NO_COLOR")
PY

# 3. A real log shipper: syslog-ng tails the JSON lines, parses them, routes on trace_id.
cat > "$work/syslog-ng.conf" <<EOF
@version: 3.38
options { stats-freq(0); };
source s_worker { file("$work/worker.log" flags(no-parse) follow-freq(1)); };
parser p_json { json-parser(prefix("log.")); };
filter f_traced { "\${log.trace_id}" ne "" };
destination d_traced { file("$work/traced.jsonl" template("\$(format-json --key log.*)\n")); };
destination d_other { file("$work/other.jsonl" template("\$(format-json --key log.*)\n")); };
log { source(s_worker); parser(p_json); filter(f_traced); destination(d_traced); flags(final); };
log { source(s_worker); parser(p_json); destination(d_other); };
EOF
syslog-ng -F --no-caps -f "$work/syslog-ng.conf" -R "$work/persist" -p "$work/syslog-ng.pid" \
  -c "$work/syslog-ng.ctl" > "$work/syslog-ng.out" 2>&1 &
pids+=($!)
expected=$(grep -c . "$work/worker.log")
for _ in $(seq 100); do
  got=$(cat "$work/traced.jsonl" "$work/other.jsonl" 2>/dev/null | grep -c . || true)
  [ "$got" -ge "$expected" ] && break
  sleep 0.2
done
python3 - "$work/worker.log" "$work/traced.jsonl" "$work/other.jsonl" "$work/syslog-ng.out" <<'PY'
import json, sys
source = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
try:
    traced = [json.loads(l)["log"] for l in open(sys.argv[2]) if l.strip()]
    other = [json.loads(l)["log"] for l in open(sys.argv[3]) if l.strip()]
except FileNotFoundError as e:
    sys.exit(f"syslog-ng wrote nothing ({e}): {open(sys.argv[4]).read()}")
want_traced = [r for r in source if "trace_id" in r]
assert len(traced) == len(want_traced), f"{len(traced)} routed on trace_id, {len(want_traced)} sent"
assert len(other) == len(source) - len(want_traced), (len(other), len(source))
sent = {(r["trace_id"], r["span_id"], r["timestamp"]) for r in want_traced}
arrived = {(r["trace_id"], r["span_id"], r["timestamp"]) for r in traced}
assert sent == arrived, "records arrived with other ids than they were sent with"
assert all(r["message"] and r["level"] for r in traced), "unstructured records"
print(f"e2e: syslog-ng parsed {len(traced) + len(other)} records, "
      f"routed the {len(traced)} with a trace_id on it")
PY
echo "e2e: 3 passed, 0 failed"
