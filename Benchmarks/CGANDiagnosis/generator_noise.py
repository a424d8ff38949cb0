"""Is the cGAN generator's noise used? Reads a `cgan` stage output (flow-mlp/1 generator) and prints,
per path time t, the first layer's weight norm on t against the noise inputs, the Jacobian norm
|dG/dz| (Å per unit of noise, by central differences) and the RMS change of the frame when z is
drawn from N(0, 1) instead of 0 — without superposition, so a pure rotation would count too.

    python generator_noise.py results/deca-alanine/cgan.h5
"""
import sys
import h5py
import numpy as np


def load(group):
    acts = [a.decode() if isinstance(a, bytes) else a for a in group.attrs["activations"]]
    layers = [(group[f"layer{l}/weight"][()], group[f"layer{l}/bias"][()]) for l in range(len(acts))]
    return dict(acts=acts, layers=layers, shift=group.attrs["input_shift"], scale=group.attrs["input_scale"],
                oshift=group.attrs["output_shift"], oscale=group.attrs["output_scale"])


def act(name, h):
    return {"identity": h, "tanh": np.tanh(h), "sigmoid": 1 / (1 + np.exp(-h)), "relu": np.maximum(h, 0),
            "elu": np.where(h > 0, h, np.expm1(np.minimum(h, 0))), "softplus": np.logaddexp(0, h)}[name]


def forward(net, x):
    h = (x - net["shift"]) / net["scale"]
    for (w, b), a in zip(net["layers"], net["acts"]):
        h = act(a, h @ w + b)
    return h * net["oscale"] + net["oshift"]


def main(path):
    with h5py.File(path, "r") as f:
        g = load(f["generator"])
    w = g["layers"][0][0] / g["scale"][:, None]
    noise = w.shape[0] - 1
    print(f"first layer: |W[t]| = {np.linalg.norm(w[0]):.4g}, mean |W[z_i]| = {np.linalg.norm(w[1:], axis=1).mean():.4g} over {noise} noise inputs")
    rng = np.random.default_rng(0)
    for t in np.linspace(0, 1, 5):
        x0 = np.concatenate([[t], np.zeros(noise)])[None]
        eps = 1e-4
        jac = np.stack([(forward(g, x0 + eps * e) - forward(g, x0 - eps * e))[0] / (2 * eps) for e in np.eye(1 + noise)[1:]])
        z = np.concatenate([np.full((32, 1), t), rng.standard_normal((32, noise))], axis=1)
        frames = forward(g, z).reshape(32, -1, 3)
        rms = np.sqrt(((frames - frames.mean(0)) ** 2).sum(-1).mean())
        print(f"t = {t:.2f}: |dG/dz| (Frobenius, Å) = {np.linalg.norm(jac):.4g}, RMS spread of 32 draws (no superposition) = {rms:.4g} Å")


if __name__ == "__main__":
    main(sys.argv[1])
