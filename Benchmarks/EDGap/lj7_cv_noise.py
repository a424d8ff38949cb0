"""How much of a CV's diffusion tensor is fast noise (the LJ7 learned-CV rate gap): for (μ2, μ3) and the
learned CVs ξ = N(φ(x)) (φ: sorted coordination numbers, N: the orthogonal-cvs network), on an unbiased
trajectory of the full dynamics dX = −∇V dt + √(2β⁻¹) dW, prints

- the instantaneous diffusion tensor M = ⟨∇ξ∇ξᵀ⟩ (the Legoll–Lelièvre M that the effective dynamics uses),
  with ∇ξ = J_N(φ(x)) J_φ(x) in ℝ¹⁴, from PyTorch autograd;
- the lag-time diffusion β D(τ) = β ⟨Δξ Δξᵀ⟩ / (2τ) over the same frames. For τ → 0 it tends to M (the quadratic
  variation of ξ is 2β⁻¹ M dt). A CV whose level sets equilibrate fast keeps βD(τ) ≈ M until τ reaches the
  escape time; a CV with a fast component (bond vibrations seen through the coordination numbers) loses that
  part of M within the vibration's relaxation time, so βD(τ)/M drops to a plateau r < 1: the share of M that
  moves ξ on the time scale of the transitions. Confinement in the basin lowers D(τ) too; r_a(τ) divides that
  out with the Ornstein–Uhlenbeck prediction (1 − e^{−τ/τ_r})/(τ/τ_r), τ_r = β Var(ξ_a)/M_aa, so r_a(τ) at
  lags between the vibrations and τ_r is the share of M that is not fast noise. The effective dynamics' rates scale with M, so they are too
  fast by up to 1/r from this alone (Legoll & Lelièvre, Nonlinearity 23, 2131 (2010): the error bound grows
  with the coupling of ξ to the fast fibre dynamics);
- in feature space: the cosine of ∇_φ N with the uniform mode (1, …, 1)/√7 (all coordination numbers moving
  together, which μ2 and μ3 ignore by construction) and with ∇V₁ = J_fᵀ∇ψ, and the share of M from the part of
  ∇_φ N outside the row space of the encoder's Jacobian J_f (directions the TMDmap embedding ignores).

    python lj7_cv_noise.py WS/results/lj7   # reads traj.h5, learned.h5, encoder.h5, manifold.h5, traj_learned.h5

learned.h5 may hold any 2-output network on the sorted coordination numbers in /network (flow-mlp/1), e.g. two
outputs of the diffusion net, whose gradient lies in the encoder's row space by construction.

traj is an unbiased simulate output (walker-major frames, /walker, /time), traj_learned an effective-dynamics
output on it (its /cv checks this script's ξ against flow's). Needs numpy, h5py, torch (a private virtualenv).
"""
import sys

import h5py
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
BETA = 5.0
R0 = 1.5


def load_mlp(group):
    sizes = list(group.attrs["sizes"])
    acts = [a.decode() if isinstance(a, bytes) else a for a in group.attrs["activations"]]
    layers = [(torch.tensor(group[f"layer{i}/weight"][()]), torch.tensor(group[f"layer{i}/bias"][()])) for i in range(len(sizes) - 1)]
    shift_in, scale_in = torch.tensor(group.attrs["input_shift"]), torch.tensor(group.attrs["input_scale"])
    shift_out, scale_out = torch.tensor(group.attrs["output_shift"]), torch.tensor(group.attrs["output_scale"])
    f = {"identity": lambda z: z, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "elu": torch.nn.functional.elu,
         "relu": torch.relu, "softplus": torch.nn.functional.softplus}

    def net(x):
        h = (x - shift_in) / scale_in
        for (w, b), a in zip(layers, acts):
            h = f[a](h @ w + b)
        return h * scale_out + shift_out
    return net


def sorted_coordination(x):
    """x: frames × 14 (x₁…x₇, y₁…y₇) → frames × 7, cᵢ = Σⱼ 1/(1 + (r_ij/r₀)⁸), sorted increasingly."""
    p = torch.stack([x[:, :7], x[:, 7:]], dim=-1)
    d = p[:, :, None, :] - p[:, None, :, :]
    q = (d * d).sum(-1) / R0**2
    s = 1 / (1 + q**4)
    c = s.sum(-1) - 1  # the diagonal term s(0) = 1
    return torch.sort(c, dim=-1).values


def mu23(c):
    m = c.mean(-1, keepdim=True)
    return torch.stack([((c - m) ** 2).mean(-1), ((c - m) ** 3).mean(-1)], dim=-1)


def jacobian(fn, x, d):
    """Per-frame Jacobians (frames × d × D) by one backward pass per output component."""
    x = x.clone().requires_grad_(True)
    y = fn(x)
    rows = [torch.autograd.grad(y[:, a].sum(), x, retain_graph=a < d - 1)[0] for a in range(d)]
    return y.detach(), torch.stack(rows, dim=1)


def lag_diffusion(xi, walker, lags):
    out = []
    for lag in lags:
        num, n = 0.0, 0
        for w in np.unique(walker):
            z = xi[walker == w]
            if len(z) <= lag:
                continue
            dz = z[lag:] - z[:-lag]
            num = num + np.einsum("ti,tj->ij", dz, dz)
            n += len(dz)
        out.append(num / n)
    return out


def main(root):
    traj = h5py.File(f"{root}/traj.h5", "r")
    x = torch.tensor(traj["x"][()])
    walker = traj["walker"][()]
    t = traj["time"][()]
    frame_dt = t[1] - t[0]
    learned = h5py.File(f"{root}/learned.h5", "r")
    N = load_mlp(learned["network"])
    encoder = load_mlp(h5py.File(f"{root}/encoder.h5", "r")["network"])
    psi = load_mlp(h5py.File(f"{root}/manifold.h5", "r")["network"])
    print(f"{x.shape[0]} unbiased frames from {len(np.unique(walker))} walkers, frame spacing {frame_dt:.3g} time units, β = {BETA}")
    if "mean_orthogonality_cosine" in learned.attrs:
        print(f"orthogonal-cvs: mean cosine {learned.attrs['mean_orthogonality_cosine']:.4f}, mean ‖JJᵀ − I‖_F "
              f"{learned.attrs['mean_orthonormality_deviation']:.4f} (feature space), "
              f"{learned.attrs.get('mean_system_orthonormality_deviation', float('nan')):.4f} (ℝ¹⁴)")

    cvs = {"(mu2, mu3)": lambda y: mu23(sorted_coordination(y)), "learned": lambda y: N(sorted_coordination(y))}
    try:
        flow_cv = h5py.File(f"{root}/traj_learned.h5", "r")["cv"][()]
        mine = N(sorted_coordination(x)).detach().numpy()
        print(f"this script's learned ξ against flow's /cv on the same frames: max |Δ| = {np.abs(mine - flow_cv).max():.2e}")
    except (OSError, KeyError):
        pass

    lags = [1, 2, 5, 10, 25, 50, 125, 250, 500]
    chunks = range(0, x.shape[0], 20000)
    for name, fn in cvs.items():
        values, ms = [], []
        for s in chunks:
            v, j = jacobian(fn, x[s:s + 20000], 2)
            values.append(v.numpy())
            ms.append(torch.einsum("fai,fbi->fab", j, j).numpy())
        xi, m = np.concatenate(values), np.concatenate(ms)
        mean_m = m.mean(0)
        var = np.cov(xi.T)
        print(f"\n{name}: mean M = {np.array2string(mean_m.ravel(), precision=4)}; Var(ξ) = {np.array2string(var.ravel(), precision=4)}; "
              f"relaxation Var/M per component {np.array2string(np.diag(var) / np.diag(mean_m), precision=4)} time units")
        relax = BETA * np.diag(var) / np.diag(mean_m)
        print(f"  OU relaxation time τ_r = β Var(ξ_a)/M_aa per component: {np.array2string(relax, precision=4)}")
        print("  lag τ (time)   β D(τ)_aa / M_aa per component   β tr D(τ) / tr M   r_a(τ) = (β D_aa/M_aa) / OU's (1 − e^{−τ/τ_r})/(τ/τ_r)")
        for lag, dlag in zip(lags, lag_diffusion(xi, walker, lags)):
            d = BETA * dlag / (2 * lag * frame_dt)
            ratio = np.diag(d) / np.diag(mean_m)
            s = lag * frame_dt / relax
            print(f"  {lag * frame_dt:10.4g}   {np.array2string(ratio, precision=3)}   {np.trace(d) / np.trace(mean_m):.3f}   "
                  f"{np.array2string(ratio / ((1 - np.exp(-s)) / s), precision=3)}")

    # Feature space: where the learned CVs' gradient points.
    c = sorted_coordination(x[:50000])
    _, gN = jacobian(N, c, 2)                   # frames × 2 × 7
    _, jf = jacobian(encoder, c, 3)             # frames × 3 × 7
    _, jpsi = jacobian(lambda z: psi(encoder(z)), c, 1)
    _, jphi = jacobian(sorted_coordination, x[:50000], 7)  # frames × 7 × 14
    k = torch.einsum("fci,fdi->fcd", jphi, jphi)  # feature mobility J_φ J_φᵀ
    uniform = torch.ones(7) / 7**0.5
    q, _ = torch.linalg.qr(jf.transpose(1, 2))  # orthonormal basis of J_f's row space (frames × 7 × 3)
    para = torch.einsum("fia,fab->fib", gN, q @ q.transpose(1, 2))
    perp = gN - para
    m_total = torch.einsum("fai,fij,faj->fa", gN, k, gN)
    m_perp = torch.einsum("fai,fij,faj->fa", perp, k, perp)
    normal = jpsi[:, 0, :] / jpsi[:, 0, :].norm(dim=-1, keepdim=True)
    print("\nlearned CVs in feature space (first 50 000 frames):")
    for a in range(2):
        g = gN[:, a, :]
        gn = g / g.norm(dim=-1, keepdim=True)
        print(f"  ξ{a + 1}: |∇_φ ξ| {g.norm(dim=-1).mean():.3f}; mean |cos(∇_φ ξ, uniform mode)| {(gn @ uniform).abs().mean():.3f}; "
              f"mean |cos(∇_φ ξ, ∇V₁)| {(gn * normal).sum(-1).abs().mean():.3f}; "
              f"|part outside the encoder's row space| / |∇_φ ξ| {(perp[:, a].norm(dim=-1) / g.norm(dim=-1)).mean():.3f}; "
              f"its share of M_aa {(m_perp[:, a].sum() / m_total[:, a].sum()):.3f}")
    gmu = jacobian(mu23, c, 2)[1]
    for a in range(2):
        g = gmu[:, a, :] / gmu[:, a, :].norm(dim=-1, keepdim=True)
        print(f"  mu{a + 2}: mean |cos(∇_φ μ, uniform mode)| {(g @ uniform).abs().mean():.2e}; mean |cos(∇_φ μ, ∇V₁)| {(g * normal).sum(-1).abs().mean():.3f}")
    ev = torch.linalg.eigvalsh(k.mean(0))
    print(f"  eigenvalues of the mean feature mobility ⟨J_φ J_φᵀ⟩: {np.array2string(ev.numpy(), precision=4)}; "
          f"uniform mode uᵀ⟨K⟩u = {(uniform @ k.mean(0) @ uniform):.4f}")


if __name__ == "__main__":
    main(sys.argv[1])
