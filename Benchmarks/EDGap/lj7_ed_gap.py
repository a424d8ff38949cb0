"""Where the effective dynamics of two CVs differ (issue 15, the learned-CV rate gap): reads the
effective-dynamics outputs of workflows/lj7.yaml (ed_mu, ed_learned) and prints, per CV,
- λ₁ and the TPT rates hexagon → trapezoid;
- the barrier ΔF‡ = min F on the isocommittor band 0.4 < q < 0.6 − min F in the hexagon's cells
  (the free energy of the transition state relative to A; invariant under smooth reparametrizations
  of the CV up to the log-Jacobian of the map, which is small against β⁻¹);
- the diffusion along the reaction on the band, D_q = Σ π ∇qᵀM∇q / Σ π |∇q|² (π = e^{−βF}), and the
  anisotropy of M there (ratio of M's eigenvalues) and its orientation against ∇q;
- ν_AB rebuilt from the grid, β⁻¹ Σ π ∇qᵀM∇q h² / Σ π h² (P1 finite differences here, so it checks
  the decomposition rather than reproducing the stage's ν to the last digit), and its two
  reparametrization-invariant factors: the probability P of the band, and ⟨∇qᵀM∇q⟩ on it, the mean
  squared gradient of q∘ξ in the system's coordinates (M = E[∇ξ∇ξᵀ | ξ]). ν_AB is the Dirichlet form
  of q∘ξ, which the true committor minimizes: the effective dynamics' ν_AB bounds the true one from
  above (Zhang, Hartmann & Schütte, Faraday Discuss. 195, 365 (2016)), and the excess says how far
  the level sets of q∘ξ are from those of the committor in configuration space.

    python lj7_ed_gap.py results/lj7/ed_mu.h5 results/lj7/ed_learned.h5
Needs numpy and h5py (a private virtualenv; not a dependency of flow).
"""
import sys

import h5py
import numpy as np


def analyse(path):
    f = h5py.File(path, "r")
    beta = float(f.attrs["beta"])
    x, y = f["grid/axis0"][()], f["grid/axis1"][()]
    names = list(f["grid"].attrs.get("names", ["axis0", "axis1"]))
    F = f["free_energy"][()]                      # ny × nx
    M = f["diffusion"][()]                        # ny × nx × 2 × 2
    kept = f["retained"][()] == 1
    q = f["committor"][()][:, :, 0]
    cells = f["state_cells"][()]                  # ny × nx × states
    states = [s.decode() if isinstance(s, bytes) else s for s in f["states"][()]]
    rates = dict(zip([(a.decode(), b.decode(), c.decode()) for a, b, c in zip(f["rates/from"][()], f["rates/to"][()], f["rates/quantity"][()])],
                     f["rates/rate"][()]))
    hx, hy = x[1] - x[0], y[1] - y[0]
    qy, qx = np.gradient(np.where(kept, q, np.nan), hy, hx)
    pi = np.where(kept, np.exp(-beta * (F - np.nanmin(np.where(kept, F, np.nan)))), 0.0)
    band = kept & (q > 0.4) & (q < 0.6) & np.isfinite(qx) & np.isfinite(qy)
    hexagon = cells[:, :, states.index("hexagon")] == 1
    barrier = np.min(F[band]) - np.min(F[hexagon & kept])
    g = np.stack([qx, qy], axis=-1)
    gMg = np.einsum("ijk,ijkl,ijl->ij", np.nan_to_num(g), np.nan_to_num(M), np.nan_to_num(g))
    g2 = np.einsum("ijk,ijk->ij", np.nan_to_num(g), np.nan_to_num(g))
    w = pi * band
    dq = np.sum(w * gMg) / np.sum(w * g2)
    ev = np.linalg.eigvalsh(np.nan_to_num(M[band]))
    anis = np.sum(w[band] * ev[:, 1] / np.maximum(ev[:, 0], 1e-300)) / np.sum(w[band])
    ok = kept & np.isfinite(gMg)
    nu = np.sum(pi[ok] * gMg[ok]) / beta / np.sum(pi[kept])
    p_band = np.sum(pi[band]) / np.sum(pi[kept])
    gMg_band = np.sum(w * gMg) / np.sum(w)
    print(f"{path}: CVs {names}, β = {beta}, {kept.sum()} cells kept, {band.sum()} on the band 0.4 < q < 0.6")
    print(f"  λ₁ = {f['eigenvalues'][0]:.4g};  k_AB = {rates[('hexagon', 'trapezoid', 'k_AB')]:.4g}, "
          f"ν_AB = {rates[('hexagon', 'trapezoid', 'nu_AB')]:.4g}, ρ_A = {rates[('hexagon', 'trapezoid', 'rho_A')]:.4g}")
    print(f"  ΔF‡ = {barrier:.4f} energy = {beta * barrier:.3f} k_BT;  D_q = {dq:.4g} (CV²/time);  "
          f"mean M on the band {np.sum(w[band][:, None, None] * M[band], axis=0).ravel() / np.sum(w[band])};  "
          f"eigenvalue ratio of M there {anis:.3g};  ν_AB from the grid {nu:.4g}")
    print(f"  invariants: P(0.4 < q < 0.6) = {p_band:.4g}, ⟨∇qᵀM∇q⟩ on the band = {gMg_band:.4g} /time")
    # M against the CV's own scale: the distance L between the π-weighted centroids of the two states' cells.
    X, Y = np.meshgrid(x, y)
    trapezoid = cells[:, :, states.index("trapezoid")] == 1
    centroid = [np.array([np.sum(pi * s * X), np.sum(pi * s * Y)]) / np.sum(pi * s) for s in (hexagon & kept, trapezoid & kept)]
    L2 = float(np.sum((centroid[0] - centroid[1]) ** 2))
    m_band = np.sum(w[band][:, None, None] * M[band], axis=0) / np.sum(w[band])
    m_all = np.sum(pi[kept][:, None, None] * M[kept], axis=0) / np.sum(pi[kept])
    print(f"  state images: hexagon centroid {centroid[0]}, trapezoid centroid {centroid[1]}, L = {L2 ** 0.5:.4g}; "
          f"tr M / (2 L²): on the band {np.trace(m_band) / 2 / L2:.4g}, π-mean {np.trace(m_all) / 2 / L2:.4g} /time; "
          f"band cells / kept cells {band.sum()}/{kept.sum()}")
    return barrier, beta


if __name__ == "__main__":
    out = [analyse(p) for p in sys.argv[1:]]
    if len(out) == 2:
        (b0, beta), (b1, _) = out
        print(f"barrier difference ΔF‡(first) − ΔF‡(second) = {b0 - b1:.4f} energy; e^(βΔ) = {np.exp(beta * (b0 - b1)):.3g}")
