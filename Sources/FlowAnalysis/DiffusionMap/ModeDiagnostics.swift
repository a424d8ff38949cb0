import Foundation
import FlowLinalg

/// Where a diffusion-map eigenvector φ lives, from its weight density m_iφ_i² (m the measure the
/// eigenvectors are orthonormal in, Σ m φ² = 1; for TMDmap m estimates the target π on the
/// samples): a slow mode spread over the data and a mode carried by a few samples are told apart
/// by numbers, so a localized mode can be reported and excluded knowingly instead of silently.
/// The participation ratio is the inverse participation ratio of localization theory
/// (Σ mφ⁴)⁻¹ (Thouless 1974; for a mode that is constant on a set of measure m_S and zero
/// elsewhere it equals m_S).
public struct ModeDiagnostics: Sendable, Equatable {
    /// Σ m φ⁴: about 3 for a Gaussian-like mode spread over the data, 1/m_S for one carried by a set of measure m_S.
    public let fourthMoment: Double
    /// (Σ m φ⁴)⁻¹ ∈ (0, 1]: the measure (target mass) of the set the mode effectively lives on.
    public let participationRatio: Double
    /// (Σ m_iφ_i²)² / Σ (m_iφ_i²)²: the number of samples that effectively carry the mode's weight.
    public let effectiveSamples: Double
    /// The measure Σ m_i of the fewest samples holding 90% of the weight Σ m_iφ_i².
    public let supportMass: Double
    /// Samples in that support.
    public let supportSamples: Int
    /// Σ m_iφ_i² x_i and the standard deviation per coordinate under that weight.
    public let centroid: [Double]
    public let extent: [Double]

    /// Σ m φ⁴ above which a mode counts as localized (`DiffusionMapModel.localizationLimit`).
    public var isLocalized: Bool { fourthMoment > DiffusionMapModel.localizationLimit }

    /// Localized and carried by fewer than `DiffusionMapModel.isolatedSampleLimit` of `samples`
    /// in the participation sense (n / Σmφ⁴).
    public func isIsolated(samples n: Int) -> Bool {
        isLocalized && Double(n) / fourthMoment < DiffusionMapModel.isolatedSampleLimit
    }

    public init(eigenvector phi: [Double], measure m: [Double], points: Matrix) {
        let n = phi.count
        let weight = (0..<n).map { m[$0] * phi[$0] * phi[$0] }
        let total = weight.reduce(0, +)
        fourthMoment = (0..<n).reduce(0.0) { $0 + m[$1] * pow(phi[$1], 4) } / (total * total)
        participationRatio = 1 / fourthMoment
        effectiveSamples = total * total / weight.reduce(0) { $0 + $1 * $1 }
        let order = (0..<n).sorted { weight[$0] != weight[$1] ? weight[$0] > weight[$1] : $0 < $1 }
        var held = 0.0, mass = 0.0, count = 0
        for i in order where held < 0.9 * total {
            held += weight[i]
            mass += m[i]
            count += 1
        }
        supportMass = mass / m.reduce(0, +)
        supportSamples = count
        let dim = points.cols
        var c = [Double](repeating: 0, count: dim), s = [Double](repeating: 0, count: dim)
        for i in 0..<n { for t in 0..<dim { c[t] += weight[i] * points[i, t] / total } }
        for i in 0..<n { for t in 0..<dim { s[t] += weight[i] * pow(points[i, t] - c[t], 2) / total } }
        centroid = c
        extent = s.map { $0.squareRoot() }
    }

    /// One line: support, mass, participation and place.
    public var summary: String {
        let place = zip(centroid, extent).prefix(4).map { String(format: "%.3g ± %.2g", $0, $1) }.joined(separator: ", ")
        return String(format: "90%% of its weight on %d samples holding %.3g of the target mass, participation ratio %.3g (Σmφ⁴ = %.3g, %.1f effective samples), around (%@%@)",
                      supportSamples, supportMass, participationRatio, fourthMoment, effectiveSamples, place, centroid.count > 4 ? ", …" : "")
    }
}
