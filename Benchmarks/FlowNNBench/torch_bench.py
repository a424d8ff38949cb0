"""PyTorch counterpart of Benchmarks/FlowNNBench/main.swift: the same three workloads, seconds per
epoch (the fastest of N epochs after one warm-up, the least disturbed by other load), 2 threads.

    python torch_bench.py [epochs] [float64|float32] [threads]

Needs torch >= 2.0 (install it in a private virtual environment; it is not a dependency of flow).
"""
import sys
import time

import torch

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
dtype = {"float64": torch.float64, "float32": torch.float32}[sys.argv[2] if len(sys.argv) > 2 else "float64"]
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
torch.set_default_dtype(dtype)
torch.manual_seed(0)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def per_epoch(step, n, batch):
    """Fastest wall-clock and process CPU seconds per epoch (CPU time is robust to other load on
    the machine when computing with one thread)."""
    walls, cpus = [], []
    for _ in range(epochs + 1):
        perm = torch.randperm(n)
        t0, c0 = time.perf_counter(), time.process_time()
        for s in range(0, n, batch):
            step(perm[s:s + batch])
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return f"{min(walls[1:]):.4f} s/epoch wall, {min(cpus[1:]):.4f} s/epoch cpu"


def trainer(params, loss_fn, lr):
    opt = torch.optim.Adam(params, lr=lr)

    def step(idx):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(idx)
        loss.backward()
        opt.step()
    return step


print(f"PyTorch {torch.__version__} {dtype}, threads {torch.get_num_threads()}, {epochs} timed epochs (best)")

# (i) autoencoder
x = torch.randn(100_000, 2)
enc, dec = mlp([2, 30, 30, 30, 30, 1]), mlp([1, 30, 30, 30, 2])
step = trainer(list(enc.parameters()) + list(dec.parameters()),
               lambda i: ((dec(enc(x[i])) - x[i]) ** 2).mean(), 0.005)
print(f"(i)   autoencoder          {per_epoch(step, 100_000, 70_000)}")

# (ii) regression MLP
x, y = torch.randn(50_000, 14), torch.randn(50_000, 3)
net = mlp([14, 64, 64, 3])
step = trainer(net.parameters(), lambda i: ((net(x[i]) - y[i]) ** 2).mean(), 1e-3)
print(f"(ii)  regression MLP       {per_epoch(step, 50_000, 1000)}")

# (iii) Jacobian loss mean ||J J^T - I||^2, two ways: torch.func (vmap of jacrev) and
# double backward with autograd.grad(create_graph=True), one pass per output.
x = torch.randn(50_000, 14)
xi = mlp([14, 64, 64, 2])
eye = torch.eye(2)


def loss_func(i):
    params = dict(xi.named_parameters())
    f = lambda p, xb: torch.func.functional_call(xi, p, (xb,))
    j = torch.func.vmap(torch.func.jacrev(f, argnums=1), in_dims=(None, 0))(params, x[i])
    return ((j @ j.transpose(1, 2) - eye) ** 2).sum((1, 2)).mean()


def loss_autograd(i):
    xb = x[i].clone().requires_grad_(True)
    out = xi(xb)
    rows = [torch.autograd.grad(out[:, k].sum(), xb, create_graph=True)[0] for k in range(2)]
    j = torch.stack(rows, 1)
    return ((j @ j.transpose(1, 2) - eye) ** 2).sum((1, 2)).mean()


step = trainer(xi.parameters(), loss_func, 1e-3)
print(f"(iii) Jacobian loss func   {per_epoch(step, 50_000, 1000)}")
step = trainer(xi.parameters(), loss_autograd, 1e-3)
print(f"(iii) Jacobian loss grad   {per_epoch(step, 50_000, 1000)}")
