"""Vectorized NumPy reference for the sampling benchmark (Benchmarks/README.md).

Runs the same integrator as `sampling-bench`: overdamped Langevin by Euler–Maruyama,
x <- x - grad V(x) dt + sqrt(2 dt / beta) xi, over many independent walkers at once, for
  * LJ7 in 2D (DESIGN §7: 4 sum (r^-12 - r^-6) plus (kappa/2)(|x_k - x_c|^2 - 4) beyond radius 2,
    coordinates x1..x7, y1..y7), beta = 5, dt = 5e-5, 1000 walkers;
  * Mueller-Brown times 0.05, beta = 1, dt = 1e-4, 1000 walkers.
Prints walker-steps per second of wall-clock and of process CPU time. Usage: python3 numpy_reference.py [steps]
"""
import sys
import time

import numpy as np

N = 7
I, J = np.triu_indices(N, 1)
INCIDENCE = np.zeros((len(I), N))
INCIDENCE[np.arange(len(I)), I] = 1.0
INCIDENCE[np.arange(len(I)), J] = -1.0
KAPPA = 100.0


def lj7_gradient(x):
    X, Y = x[:, :N], x[:, N:]
    dx = X[:, I] - X[:, J]
    dy = Y[:, I] - Y[:, J]
    ir2 = 1.0 / (dx * dx + dy * dy)
    ir6 = ir2 * ir2 * ir2
    f = (24.0 * ir6 - 48.0 * ir6 * ir6) * ir2
    gx = (f * dx) @ INCIDENCE
    gy = (f * dy) @ INCIDENCE
    cx = X - X.mean(axis=1, keepdims=True)
    cy = Y - Y.mean(axis=1, keepdims=True)
    outside = (cx * cx + cy * cy) > 4.0
    rx = np.where(outside, KAPPA * cx, 0.0)
    ry = np.where(outside, KAPPA * cy, 0.0)
    gx += rx - rx.mean(axis=1, keepdims=True)
    gy += ry - ry.mean(axis=1, keepdims=True)
    return np.concatenate([gx, gy], axis=1)


MB_A = np.array([-200.0, -100.0, -170.0, 15.0])
MB_a = np.array([-1.0, -1.0, -6.5, 0.7])
MB_b = np.array([0.0, 0.0, 11.0, 0.6])
MB_c = np.array([-10.0, -10.0, -6.5, 0.7])
MB_x0 = np.array([1.0, 0.0, -0.5, -1.0])
MB_y0 = np.array([0.0, 0.5, 1.5, 1.0])


def mueller_brown_gradient(x, scale=0.05):
    dx = x[:, :1] - MB_x0
    dy = x[:, 1:] - MB_y0
    e = MB_A * np.exp(MB_a * dx * dx + MB_b * dx * dy + MB_c * dy * dy)
    gx = (e * (2 * MB_a * dx + MB_b * dy)).sum(axis=1)
    gy = (e * (MB_b * dx + 2 * MB_c * dy)).sum(axis=1)
    return scale * np.stack([gx, gy], axis=1)


def run(gradient, x, dt, beta, steps, rng):
    noise = np.sqrt(2 * dt / beta)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        x = x - gradient(x) * dt + noise * rng.standard_normal(x.shape)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert np.isfinite(x).all()
    return x.shape[0] * steps, elapsed, cpu


def hexagon():
    angles = np.arange(6) * np.pi / 3
    r = 2 ** (1 / 6)
    return np.concatenate([[0.0], r * np.cos(angles), [0.0], r * np.sin(angles)])


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = np.random.default_rng(1)
    walkers = 1000
    lj = np.tile(hexagon(), (walkers, 1))
    mb = np.tile([-0.558, 1.442], (walkers, 1))
    for name, gradient, x, dt, beta in [("lj7-2d", lj7_gradient, lj, 5e-5, 5.0),
                                         ("mueller-brown", mueller_brown_gradient, mb, 1e-4, 1.0)]:
        work, elapsed, cpu = run(gradient, x, dt, beta, steps, rng)
        print(f"numpy {name} euler-maruyama walkers={walkers} steps={steps} time={elapsed:.2f}s cpu={cpu:.2f}s "
              f"walker-steps/s={work / elapsed:.3e} per-cpu-s={work / cpu:.3e}")


if __name__ == "__main__":
    main()
