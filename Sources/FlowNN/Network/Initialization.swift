import Foundation
import FlowLinalg

/// Random initialization of a layer's weights; biases start at zero.
public enum Initialization: String, Codable, Sendable {
    /// Glorot & Bengio (2010): W ~ U(−a, a), a = √(6 / (fan_in + fan_out)); keeps the variance of
    /// activations and gradients roughly constant through tanh/sigmoid layers.
    case xavier
    /// He et al. (2015): W ~ N(0, 2 / fan_in); the same for rectifiers, which zero half the signal.
    case he

    /// fanIn × fanOut weights (row-major, in × out), drawn from `rng`.
    public func weights(fanIn: Int, fanOut: Int, rng: inout RandomSource) -> [Double] {
        let n = fanIn * fanOut
        switch self {
        case .xavier:
            let a = (6.0 / Double(fanIn + fanOut)).squareRoot()
            return (0..<n).map { _ in rng.uniform(-a, a) }
        case .he:
            let s = (2.0 / Double(fanIn)).squareRoot()
            return (0..<n).map { _ in s * rng.normal() }
        }
    }
}
