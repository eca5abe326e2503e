"""Draws the dashboard observe generates without Grafana: every panel's queries run against a
Prometheus over a time range, plotted in the dashboard's own layout (rows, three panels a line).

    python3 docs/render_dashboard.py DASHBOARD.json http://127.0.0.1:9090 SECONDS OUT.png

Needs matplotlib. `docs/render-dashboard.sh` runs the worker and Prometheus and calls it.
"""
import json
import re
import sys
import time
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def query_range(base, expr, start, end, step):
    params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(f"{base}/api/v1/query_range?{params}", timeout=10) as r:
        return json.load(r)["data"]["result"]


def as_prometheus_runs_it(expr):
    return expr.replace("$__rate_interval", "15s").replace('job=~"$job"', 'job=~".*"')


def legend(fmt, metric):
    return re.sub(r"\{\{(\w+)\}\}", lambda m: metric.get(m.group(1), ""), fmt) or "value"


def main():
    dashboard_path, base, seconds, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    dashboard = json.load(open(dashboard_path))
    end = time.time()
    start = end - seconds
    rows = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            rows.append((panel["title"], []))
        elif rows:
            rows[-1][1].append(panel)
    lines = sum((len(panels) + 2) // 3 for _, panels in rows)
    fig = plt.figure(figsize=(15, 3.2 * lines + 0.8 * len(rows) + 0.6), facecolor="#111217")
    fig.suptitle(dashboard["title"], color="white", fontsize=15, x=0.01, ha="left")
    grid = fig.add_gridspec(lines + len(rows), 3, height_ratios=sum(
        ([0.18] + [1] * ((len(p) + 2) // 3) for _, p in rows), []))
    line = 0
    for title, panels in rows:
        header = fig.add_subplot(grid[line, :])
        header.axis("off")
        header.text(0, 0.2, title, color="#d8d9da", fontsize=12, weight="bold")
        line += 1
        for i, panel in enumerate(panels):
            ax = fig.add_subplot(grid[line + i // 3, i % 3], facecolor="#181b1f")
            ax.set_title(panel["title"], color="#d8d9da", fontsize=10, loc="left")
            ax.tick_params(colors="#8e8e8e", labelsize=7)
            for spine in ax.spines.values():
                spine.set_color("#2c3235")
            unit = panel["fieldConfig"]["defaults"].get("unit", "")
            for target in panel["targets"]:
                result = query_range(base, as_prometheus_runs_it(target["expr"]), start, end, 2)
                for series in result:
                    xs = [float(t) - end for t, _ in series["values"]]
                    ys = [float(v) for _, v in series["values"]]
                    if unit == "percentunit":
                        ys = [y * 100 for y in ys]
                    if panel["type"] == "stat":
                        ax.text(0.5, 0.45, f"{ys[-1]:.1f}%" if unit == "percentunit" else f"{ys[-1]:.3g}",
                                color="#73bf69" if ys[-1] > 0 else "#f2495c", fontsize=28,
                                ha="center", va="center", transform=ax.transAxes)
                        ax.set_xticks([])
                        ax.set_yticks([])
                    else:
                        ax.plot(xs, ys, label=legend(target.get("legendFormat", ""), series["metric"]),
                                linewidth=1.4)
            if panel["type"] != "stat":
                shown = {"percentunit": "%", "reqps": "calls/s"}.get(unit, unit)
                ax.set_ylabel(shown, color="#8e8e8e", fontsize=8)
                ax.set_xlabel("seconds ago", color="#8e8e8e", fontsize=7)
                ax.grid(color="#2c3235", linewidth=0.5)
                if ax.get_legend_handles_labels()[0]:
                    ax.legend(fontsize=7, facecolor="#181b1f", labelcolor="#d8d9da", edgecolor="#2c3235")
        line += (len(panels) + 2) // 3
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(out, dpi=80, facecolor=fig.get_facecolor())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
