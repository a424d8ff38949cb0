/// Elementwise activation functions of a layer, with the first and second derivatives that input
/// gradients and Jacobian losses need (a Jacobian loss differentiated with respect to the weights
/// contains σ′, and its gradient σ″).
///
/// The raw values are the names stored in HDF5 (`activations` attribute) so that h5py users can
/// map them to numpy functions; `elu` has α = 1.
public enum Activation: String, CaseIterable, Codable, Sendable {
    case identity, tanh, sigmoid, relu, elu, softplus

    /// σ(z).
    @inline(__always)
    public func value(_ z: Double) -> Double {
        switch self {
        case .identity: return z
        case .tanh: return VectorMath.tanh(z)
        case .sigmoid: return VectorMath.sigmoid(z)
        case .relu: return z > 0 ? z : 0
        case .elu: return z > 0 ? z : VectorMath.expm1(z)
        case .softplus: return VectorMath.softplus(z)
        }
    }

    /// σ′(z), given z and y = σ(z) (whichever is cheaper to use).
    @inline(__always)
    public func derivative(z: Double, y: Double) -> Double {
        switch self {
        case .identity: return 1
        case .tanh: return 1 - y * y
        case .sigmoid: return y * (1 - y)
        case .relu: return z > 0 ? 1 : 0
        case .elu: return z > 0 ? 1 : y + 1
        case .softplus: return VectorMath.sigmoid(z)
        }
    }

    /// σ″(z), given z and y = σ(z).
    @inline(__always)
    public func secondDerivative(z: Double, y: Double) -> Double {
        switch self {
        case .identity, .relu: return 0
        case .tanh: return -2 * y * (1 - y * y)
        case .sigmoid: return y * (1 - y) * (1 - 2 * y)
        case .elu: return z > 0 ? 0 : y + 1
        case .softplus:
            let s = VectorMath.sigmoid(z)
            return s * (1 - s)
        }
    }

    /// Whether σ′ is identically 1, so Jacobian propagation can skip the elementwise product.
    public var isIdentity: Bool { self == .identity }

    /// The initialization suited to this activation: He for the ReLU family (He et al. 2015),
    /// Xavier/Glorot otherwise (Glorot & Bengio 2010).
    public var preferredInitialization: Initialization {
        switch self {
        case .relu, .elu: return .he
        default: return .xavier
        }
    }

    /// out[i] (=, or += when `accumulate`) g[i]·σ′(z[i]) for `count` elements: the backward step
    /// of an activation, with the common activations in closed form so the loop vectorizes.
    func backward(_ g: UnsafePointer<Double>, _ z: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                  _ out: UnsafeMutablePointer<Double>, _ count: Int, accumulate: Bool) {
        Parallel.forEachChunk(count) { _, r in
            switch (self, accumulate) {
            case (.tanh, false): for i in r { out[i] = g[i] * (1 - y[i] * y[i]) }
            case (.tanh, true): for i in r { out[i] += g[i] * (1 - y[i] * y[i]) }
            case (.sigmoid, false): for i in r { out[i] = g[i] * (y[i] * (1 - y[i])) }
            case (.sigmoid, true): for i in r { out[i] += g[i] * (y[i] * (1 - y[i])) }
            case (.elu, false): for i in r { out[i] = z[i] > 0 ? g[i] : g[i] * (y[i] + 1) }
            case (_, false): for i in r { out[i] = g[i] * derivative(z: z[i], y: y[i]) }
            case (_, true): for i in r { out[i] += g[i] * derivative(z: z[i], y: y[i]) }
            }
        }
    }

    /// y[i] = σ(z[i]) for `count` elements.
    func apply(_ z: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int) {
        Parallel.forEachChunk(count) { _, r in
            switch self {
            case .identity: for i in r { y[i] = z[i] }
            case .tanh: VectorMath.map(z, y, r) { VectorMath.tanh($0) }
            case .sigmoid: VectorMath.map(z, y, r) { VectorMath.sigmoid($0) }
            case .relu: for i in r { y[i] = z[i] > 0 ? z[i] : 0 }
            case .elu: VectorMath.map(z, y, r) { v in
                // A unit is often positive for a whole vector of inputs (a block of walkers stored
                // feature-major): then no exponential is needed.
                if all(v .> 0) { return v }
                var e = VectorMath.expm1(v)
                e.replace(with: v, where: v .> 0)
                return e
            }
            case .softplus: for i in r { y[i] = VectorMath.softplus(z[i]) }
            }
        }
    }
}
