"""The tuned Python pipeline for tmdmap-bench (issue 16): flow's default TMDmap operator built with
NumPy/SciPy/scikit-learn the fastest way we know, on the data and bandwidth flow wrote.

Usage: python tuned_reference.py RUN_DIR [--jobs J]
    RUN_DIR holds points.npy, log_target.npy, bandwidth.npy and tuned.json (ε, d, k, β) from
    `tmdmap-bench run DATA N --python PYTHON` (which calls this script and prints the ratio).

What runs (the operator of `DiffusionMap.fit`, FlowAnalysis/DiffusionMap): scikit-learn's
brute-force kNN (algorithm='brute', k + 1 with self, n_jobs = J; the fastest of its searches in
14-D at 10^5 points), K_ij = exp(-d²/(4ε ρ_i ρ_j)) on the union-symmetrized graph without the
diagonal, row sums floored at min(0.5, median/2), right weights w = π^{1/2} ρ^{(d-2)/2} / q,
H = T K T + I - R^{-2} with T = diag((w/Kw)^{1/2}/ρ), and scipy.sparse.linalg.eigsh(H, 5,
which='LA') (ARPACK's symmetric Lanczos on the symmetric conjugate). ρ is flow's (read, not
recomputed: a head start for Python of a few hundred ms). Generator eigenvalues (μ - 1)/(βε).
Prints one JSON line: seconds (wall, CPU), peak RSS, eigenvalues.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh
from sklearn.neighbors import NearestNeighbors


def main():
    folder = sys.argv[1]
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 2
    x = np.load(os.path.join(folder, "points.npy"))
    log_target = np.load(os.path.join(folder, "log_target.npy"))
    rho = np.load(os.path.join(folder, "bandwidth.npy"))
    with open(os.path.join(folder, "tuned.json")) as f:
        meta = json.load(f)
    eps, d, k, beta = meta["epsilon"], meta["dimension"], meta["neighbors"], meta["beta"]
    n = x.shape[0]
    wall, cpu = time.perf_counter(), time.process_time()
    dist, idx = NearestNeighbors(n_neighbors=k + 1, algorithm="brute", n_jobs=jobs).fit(x).kneighbors(x)
    dist, idx = dist[:, 1:], idx[:, 1:]
    rows = np.repeat(np.arange(n), k)
    values = np.exp(-(dist.ravel() ** 2) / (4 * eps * rho[rows] * rho[idx.ravel()]))
    kernel = sp.csr_matrix((values, (rows, idx.ravel())), shape=(n, n))
    kernel = kernel.maximum(kernel.T)  # union symmetrization (K is symmetric where both stored it)
    sums = np.asarray(kernel.sum(axis=1)).ravel()
    sums = np.maximum(sums, min(0.5, 0.5 * np.median(sums)))
    w = np.exp((log_target - log_target.max()) / 2) * rho ** ((d - 2) / 2) / sums
    kw = kernel @ w
    t = np.sqrt(w / kw) / rho
    h = sp.diags(t) @ kernel @ sp.diags(t) + sp.diags(1 - 1 / rho ** 2)
    mu = np.sort(eigsh(h.tocsr(), k=5, which="LA")[0])[::-1]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({
        "seconds": wall, "cpu_seconds": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "generator_eigenvalues": [float((m - 1) / (beta * eps)) for m in mu[1:]],
    }))


if __name__ == "__main__":
    main()
