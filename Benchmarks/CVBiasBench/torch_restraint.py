"""PyTorch counterpart of Benchmarks/CVBiasBench/main.swift, which runs it: the learned-CV restraint
step for all walkers at once with autograd — sorted coordination numbers of LJ7, the network,
U = ½ Σ κ (ξ − z)², and ∂U/∂x by one backward pass — float64, one thread. Prints
`torch rate <walker-steps/s wall> <per CPU-s>` and the largest differences from flow's energies and
forces. Needs torch >= 2.0 (a private virtualenv; not a dependency of flow).

    python torch_restraint.py spec.json
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
spec = json.load(open(sys.argv[1]))
n = spec["walkers"]
sizes = spec["sizes"]
weights = [torch.tensor(w).reshape(sizes[l], sizes[l + 1]) for l, w in enumerate(spec["weights"])]
biases = [torch.tensor(b) for b in spec["biases"]]
in_shift, in_scale = torch.tensor(spec["in_shift"]), torch.tensor(spec["in_scale"])
out_shift, out_scale = torch.tensor(spec["out_shift"]), torch.tensor(spec["out_scale"])
x0 = torch.tensor(spec["x"]).reshape(n, 14)
z = torch.tensor(spec["centers"]).reshape(n, 2)
kappa = torch.tensor(spec["kappa"])
off_diagonal = 1 - torch.eye(7)


def step(x0):
    x = x0.detach().requires_grad_(True)
    px, py = x[:, :7], x[:, 7:]
    q = ((px[:, :, None] - px[:, None, :]) ** 2 + (py[:, :, None] - py[:, None, :]) ** 2) / 1.5 ** 2
    c = (off_diagonal / (1 + q ** 4)).sum(-1)
    h = (torch.sort(c, dim=1).values - in_shift) / in_scale
    for l in range(len(weights)):
        h = h @ weights[l] + biases[l]
        if l < len(weights) - 1:
            h = torch.nn.functional.elu(h)
    xi = h * out_scale + out_shift
    u = 0.5 * (kappa * (xi - z) ** 2).sum(-1)
    (g,) = torch.autograd.grad(u.sum(), x)
    return u.detach(), g


print(f"PyTorch {torch.__version__} float64, threads {torch.get_num_threads()}, all {n} walkers in one batch")
u, g = step(x0)
du = (u - torch.tensor(spec["energies"])).abs().max().item()
dg = (g.reshape(-1) - torch.tensor(spec["gradients"])).abs().max().item()
print(f"max |U_torch - U_flow| = {du:.3g}, max |grad_torch - grad_flow| = {dg:.3g} (of max |grad| {g.abs().max().item():.3g})")
calls, t0, c0 = 0, time.perf_counter(), time.process_time()
while time.perf_counter() - t0 < spec["seconds"]:
    step(x0)
    calls += 1
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(f"torch rate {calls * n / wall:.6g} {calls * n / cpu:.6g} walker-steps/s wall, per CPU-s")
