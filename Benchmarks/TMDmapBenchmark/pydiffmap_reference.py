"""pydiffmap 0.2 reference for tmdmap-bench (issue 3): TMDmap on the data flow wrote with --dump.

Usage: python pydiffmap_reference.py DUMP_DIR [RUN ...] [--epsilon flow|bgh] [--jobs J] [--flow-bench BIN] [--json]
    --json prints one JSON line per run instead of the table (what `tmdmap-bench run ... --python`
    reads to print the ratio in the same run).
    DUMP_DIR/RUN holds points.npy, log_target.npy and flow.json from `tmdmap-bench --dump DUMP_DIR`;
    RUN defaults to every subfolder (e.g. mueller-brown-5000 lj7-100000).
    --flow-bench BIN (the tmdmap-bench executable) times flow in the same run: just before each
    pydiffmap fit, `BIN run DATA N --fixed-epsilon ε --dump TMP` fits the same operator (fixed
    bandwidth, the ε pydiffmap uses) on the same points (checked bit for bit against points.npy),
    and the ratio is pydiffmap's fit time over that fit's. Without it no ratio is printed: the
    times stored in flow.json at dump time were measured under another load.

What runs: pydiffmap.diffusion_map.TMDmap with alpha = 1 (DESIGN §10; pydiffmap's default 0.5 is
not TMDmap), n_evecs = 4, a fixed-bandwidth Gaussian kernel exp(-d²/(4ε)) (pydiffmap's convention
is flow's: kernel.py's gaussian_kfxn), k = 65 scikit-learn neighbours (pydiffmap's neighbour graph
includes each point itself, flow's does not: 65 = the same 64 other points), ε = the ε flow's
automatic choice picked (--epsilon flow, default; after `tmdmap-bench --fixed-epsilon E --dump DIR`
that is E, and flow's fit was the same fixed-bandwidth operator) or pydiffmap's own BGH choice (--epsilon bgh),
target π = exp(log_target) per sample. change_of_measure is looked up per sample from the values
flow used (a dict keyed by the row's bytes), so no potential is evaluated in Python.
Timed: TMDmap.fit = neighbour search + kernel + normalization + scipy.sparse.linalg.eigs(L,
k = 5, which = 'LR'). pydiffmap's L = (P - I)/ε, so its eigenvalues divided by β estimate the
generator's, as flow's generator_eigenvalues do.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from pydiffmap.diffusion_map import TMDmap


def run(folder, epsilon_choice, jobs):
    x = np.load(os.path.join(folder, "points.npy"))
    log_target = np.load(os.path.join(folder, "log_target.npy"))
    with open(os.path.join(folder, "flow.json")) as f:
        flow = json.load(f)
    beta = flow["beta"]
    top = log_target.max()
    target = {row.tobytes(): np.exp(lp - top) for row, lp in zip(x, log_target)}
    epsilon = flow["epsilon"] if epsilon_choice == "flow" else "bgh"
    dmap = TMDmap(alpha=1.0, k=65, epsilon=epsilon, n_evecs=4, change_of_measure=lambda y: target[y.tobytes()],
                  neighbor_params={"n_jobs": jobs})
    wall, cpu = time.perf_counter(), time.process_time()
    dmap.fit(x)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "data": flow["data"], "n": flow["n"], "seconds": wall, "cpu_seconds": cpu, "peak_rss_mb": peak,
        "epsilon": float(dmap.epsilon_fitted),
        "generator_eigenvalues": [float(v) / beta for v in dmap.evals],
        "flow": flow,
    }


def paired_flow_fit(bench, folder, name, epsilon):
    """flow's fit of the fixed-bandwidth operator at `epsilon` on the run's points, timed now:
    (wall seconds of the fit as flow's clock reports it, CPU seconds of the whole child)."""
    data, n = name.rsplit("-", 1)
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([bench, "run", data, n, "--fixed-epsilon", repr(epsilon), "--dump", tmp],
                       check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        fresh = os.path.join(tmp, name)
        if not np.array_equal(np.load(fresh + "/points.npy"), np.load(os.path.join(folder, "points.npy"))):
            raise SystemExit("flow-bench sampled other points than %s holds; dump again with this binary" % folder)
        with open(fresh + "/flow.json") as f:
            seconds = json.load(f)["seconds"]["total"]
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main():
    args = sys.argv[1:]
    epsilon_choice, jobs, bench = "flow", 2, None
    if "--flow-bench" in args:
        i = args.index("--flow-bench")
        bench = args[i + 1]
        del args[i:i + 2]
    as_json = "--json" in args
    if as_json:
        args.remove("--json")
    if "--epsilon" in args:
        i = args.index("--epsilon")
        epsilon_choice = args[i + 1]
        del args[i:i + 2]
    if "--jobs" in args:
        i = args.index("--jobs")
        jobs = int(args[i + 1])
        del args[i:i + 2]
    root, runs = args[0], args[1:] or sorted(os.listdir(args[0]))
    if as_json:
        for name in runs:
            r = run(os.path.join(root, name), epsilon_choice, jobs)
            del r["flow"]
            print(json.dumps(r), flush=True)
        return
    print("load before: %.2f %.2f %.2f" % os.getloadavg())
    print("| data | n | pydiffmap fit (s) | CPU (s) | peak RSS (MB) | ε | flow fit now (s) | flow child CPU (s) | ratio | pydiffmap λ/β | flow, fixed bandwidth | flow, default |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in runs:
        folder = os.path.join(root, name)
        flow_now = None
        if bench:
            with open(os.path.join(folder, "flow.json")) as f:
                epsilon = json.load(f)["epsilon"]
            flow_now = paired_flow_fit(bench, folder, name, epsilon)
        r = run(folder, epsilon_choice, jobs)
        flow = r["flow"]
        fixed = flow.get("fixed_bandwidth", {}).get("generator_eigenvalues")
        fmt = lambda values: ", ".join("%.4f" % v for v in values) if values else "—"
        ratio = "%.1f×" % (r["seconds"] / flow_now[0]) if flow_now and epsilon_choice == "flow" else "—"
        print("| %s | %d | %.2f | %.2f | %.0f | %.4g | %s | %s | %s | %s | %s | %s |" % (
            r["data"], r["n"], r["seconds"], r["cpu_seconds"], r["peak_rss_mb"], r["epsilon"],
            "%.2f" % flow_now[0] if flow_now else "—", "%.2f" % flow_now[1] if flow_now else "—", ratio,
            fmt(r["generator_eigenvalues"]), fmt(fixed), fmt(flow.get("generator_eigenvalues"))), flush=True)
    print("load after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
