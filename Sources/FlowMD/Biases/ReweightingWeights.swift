import Foundation

/// Importance weights that turn biased frames into averages over e^{−βV} (Torrie & Valleau,
/// J. Comput. Phys. 23, 187 (1977)): a frame sampled under bias B has weight ∝ e^{βB}.
///
/// For well-tempered metadynamics the bias changes during the run; frame t gets
/// e^{β(B(s_t, t) − c(t))} with Tiwary & Parrinello's c(t) (J. Phys. Chem. B 119, 736 (2015)), the
/// bias the frame was sampled under minus its time-dependent normalization. We use this rather
/// than the final bias for every frame because early frames were not sampled under the final
/// bias: weighting them with it over-counts the regions the bias filled later. Once deposition
/// stops, c is constant and the weights reduce to the exact e^{βB_final}.
///
/// Static restraints contribute e^{βU}. Moving restraints (steered runs) are non-equilibrium
/// and contribute nothing here; their work is reported instead.
///
/// Normalization: the weights are scaled to mean 1 over all frames (computed from log-weights
/// shifted by their maximum, so that no exponential overflows); an unbiased run has all weights 1.
public enum ReweightingWeights {
    /// Weights from per-frame reweighting biases (the static part of B, energy units) and c(t).
    public static func weights(beta: Double, bias: [Double], offset: [Double]) -> [Double] {
        precondition(bias.count == offset.count)
        guard !bias.isEmpty else { return [] }
        let logw = zip(bias, offset).map { beta * ($0 - $1) }
        let top = logw.max() ?? 0
        let w = logw.map { exp($0 - top) }
        let mean = w.reduce(0, +) / Double(w.count)
        return w.map { $0 / mean }
    }
}
