"""The cGAN training step of Cava et al. in PyTorch, for timing against flow's `cgan` stage.

Same data (an `augment` output), same networks (generator (1 + 31) → 50 → 100 → 3N sigmoid,
discriminator (1 + 2·torsions) → 10 → 1 sigmoid, torsions as cos/sin), same batch (128) and the
same steps per batch (1 generator, 1 discriminator, 8 potential steps on energy + 200 × the
CA1–CA10 spring, gradient norm clipped at 1, Adam 1e-3). The energy is TorchMD-style: harmonic
bonds and angles, one cosine term per proper dihedral, Lennard-Jones and Coulomb over every pair
that is not 1-2 or 1-3 (1-4 pairs as ordinary pairs), vectorized over the batch by index tensors.
The force constants are placeholders (equilibrium values from the first frame, one LJ type):
they change the numbers, not the cost, which is what is measured. Not a flow dependency; run it
from a private virtual environment:

    /work/venv-gan/bin/python Benchmarks/CGANBench/torch_cgan_bench.py AUGMENT.h5 [batches=60] [float32|float64] [threads=1]

Prints the mean seconds per batch (wall and process CPU) over the timed batches after 5 warm-up
batches.
"""
import sys, time
import h5py, numpy as np, torch

path = sys.argv[1]
batches = int(sys.argv[2]) if len(sys.argv) > 2 else 60
dtype = {"float32": torch.float32, "float64": torch.float64}[sys.argv[3] if len(sys.argv) > 3 else "float32"]
torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
torch.manual_seed(0)

f = h5py.File(path, "r")
x = torch.tensor(f["x"][:], dtype=dtype)
t = torch.tensor(f["condition"][:], dtype=dtype)
top = f["topology"]
bonds = torch.tensor(top["bonds"][:], dtype=torch.long)
angles = torch.tensor(top["angles"][:], dtype=torch.long)
dihedrals = torch.tensor(top["dihedrals"][:], dtype=torch.long)
charges = torch.tensor(top["charge"][:], dtype=dtype)
names = [n.decode() if isinstance(n, bytes) else n for n in top["name"][:]] if "name" in top else None
n = x.shape[1] // 3
excluded = {tuple(sorted(b)) for b in bonds.tolist()} | {tuple(sorted((a[0], a[2]))) for a in angles.tolist()}
pairs = torch.tensor([(i, j) for i in range(n) for j in range(i + 1, n) if (i, j) not in excluded], dtype=torch.long)
ca = [i for i, nm in enumerate(names)] if names is None else [i for i, nm in enumerate(names) if nm == "CA"]
ends = (ca[0], ca[-1])

def geometry(r):
    b = (r[:, bonds[:, 0]] - r[:, bonds[:, 1]]).norm(dim=-1)
    u, v = r[:, angles[:, 0]] - r[:, angles[:, 1]], r[:, angles[:, 2]] - r[:, angles[:, 1]]
    theta = torch.atan2(torch.cross(u, v, dim=-1).norm(dim=-1), (u * v).sum(-1))
    return b, theta

def torsions(r):
    p0, p1, p2, p3 = (r[:, dihedrals[:, k]] for k in range(4))
    b0, b1, b2 = p0 - p1, p2 - p1, p3 - p2
    b1n = b1 / b1.norm(dim=-1, keepdim=True)
    v = b0 - (b0 * b1n).sum(-1, keepdim=True) * b1n
    w = b2 - (b2 * b1n).sum(-1, keepdim=True) * b1n
    return torch.atan2((torch.cross(b1n, v, dim=-1) * w).sum(-1), (v * w).sum(-1))

first = x[:1].view(1, n, 3)
b0, th0 = (g[0].detach() for g in geometry(first))
qq = 332.0637 * charges[pairs[:, 0]] * charges[pairs[:, 1]]
eps, rmin = 0.1, 3.5

def energy(flat):
    r = flat.view(-1, n, 3)
    b, theta = geometry(r)
    phi = torsions(r)
    d = (r[:, pairs[:, 0]] - r[:, pairs[:, 1]]).norm(dim=-1)
    s6 = (rmin / d) ** 6
    return (300 * (b - b0) ** 2).sum(-1) + (50 * (theta - th0) ** 2).sum(-1) + (0.2 * (1 + torch.cos(3 * phi))).sum(-1) \
        + (eps * (s6 * s6 - 2 * s6)).sum(-1) + (qq / d).sum(-1)

def features(flat):
    phi = torsions(flat.view(-1, n, 3))
    return torch.cat([torch.cos(phi), torch.sin(phi)], dim=-1)

G = torch.nn.Sequential(torch.nn.Linear(32, 50), torch.nn.Sigmoid(), torch.nn.Linear(50, 100), torch.nn.Sigmoid(), torch.nn.Linear(100, 3 * n)).to(dtype)
D = torch.nn.Sequential(torch.nn.Linear(1 + 2 * dihedrals.shape[0], 10), torch.nn.Sigmoid(), torch.nn.Linear(10, 1), torch.nn.Sigmoid()).to(dtype)
# Start the generator at a real frame (flow's stage gets there by pretraining): from near-zero
# coordinates the float32 r⁻¹² overflows and the step turns NaN.
with torch.no_grad():
    G[4].bias.copy_(x[0])
    G[4].weight.mul_(0.01)
og, od = torch.optim.Adam(G.parameters(), 1e-3), torch.optim.Adam(D.parameters(), 1e-3)
bce = torch.nn.BCELoss()

def step(idx):
    tb = t[idx].unsqueeze(1)
    real = x[idx]
    def fake():
        return G(torch.cat([tb, torch.randn(len(idx), 31, dtype=dtype)], dim=1))
    og.zero_grad(); loss = bce(D(torch.cat([tb, features(fake())], 1)), torch.ones(len(idx), 1, dtype=dtype)); loss.backward()
    torch.nn.utils.clip_grad_norm_(G.parameters(), 1.0); og.step()
    od.zero_grad()
    loss = bce(D(torch.cat([tb, features(real)], 1)), torch.ones(len(idx), 1, dtype=dtype)) \
        + bce(D(torch.cat([tb, features(fake().detach())], 1)), torch.zeros(len(idx), 1, dtype=dtype))
    loss.backward(); torch.nn.utils.clip_grad_norm_(D.parameters(), 1.0); od.step()
    for _ in range(8):
        og.zero_grad()
        r = fake()
        dist = (r.view(-1, n, 3)[:, ends[1]] - r.view(-1, n, 3)[:, ends[0]]).norm(dim=-1)
        loss = energy(r).mean() + 200 * (0.5 * (12 + 22 * tb.squeeze(1) - dist) ** 2).mean()
        loss.backward(); torch.nn.utils.clip_grad_norm_(G.parameters(), 1.0); og.step()

order = torch.randperm(x.shape[0])
for k in range(5):
    step(order[k * 128:(k + 1) * 128])
w0, c0 = time.perf_counter(), time.process_time()
for k in range(5, 5 + batches):
    step(order[(k * 128) % (x.shape[0] - 128):][:128])
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
print(f"torch {torch.__version__} {str(dtype).split('.')[-1]} threads={torch.get_num_threads()} atoms={n} pairs={pairs.shape[0]} "
      f"torsions={dihedrals.shape[0]}: {wall / batches:.4f} s/batch wall, {cpu / batches:.4f} s/batch cpu")
