/// How an optimizer applies weight decay λ to parameters whose `decays` flag is set.
public enum WeightDecay: Equatable, Codable, Sendable {
    case none
    /// L2 regularization: λθ is added to the gradient before the update (classic SGD/Adam).
    case coupled(Double)
    /// Decoupled decay (Loshchilov & Hutter, "Decoupled weight decay regularization", 2019):
    /// θ ← θ − ηλθ separately from the gradient step. With Adam this is AdamW.
    case decoupled(Double)
}

extension WeightDecay {
    /// (λ added to the gradient as λθ, factor θ is multiplied by) for one parameter and step.
    func factors(for p: Parameter, learningRate: Double) -> (coupled: Double, shrink: Double) {
        guard p.decays else { return (0, 1) }
        switch self {
        case .none: return (0, 1)
        case .coupled(let l): return (l, 1)
        case .decoupled(let l): return (0, 1 - learningRate * l)
        }
    }
}

/// The resumable state of an optimizer: its step count and its per-parameter buffers (moments or
/// velocities), in the order of the parameters it updates.
public struct OptimizerState: Equatable, Sendable {
    public var step: Int
    public var buffers: [[Double]]

    public init(step: Int, buffers: [[Double]]) {
        self.step = step
        self.buffers = buffers
    }
}

/// A first-order optimizer: updates parameters in place from their gradients.
public protocol Optimizer: AnyObject {
    /// The learning rate of the next step (set by the trainer from its schedule).
    var learningRate: Double { get set }
    /// One update of `parameters` from their current gradients. The same parameters, in the same
    /// order, must be passed at every step.
    func step(_ parameters: [Parameter])
    /// The state to checkpoint.
    var state: OptimizerState { get }
    /// Restores a checkpointed state; throws if it does not fit the optimizer.
    func restore(_ state: OptimizerState) throws
}

/// A checkpointed optimizer state that does not match the optimizer it is restored into.
public struct OptimizerStateMismatch: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "optimizer state mismatch: \(message)" }
}

/// The step count and per-parameter buffers (moments, velocities) of an optimizer, allocated at
/// the first step and updated in place.
final class Slots {
    let perParameter: Int
    var step = 0
    private(set) var pointers: [UnsafeMutablePointer<Double>] = []
    private var counts: [Int] = []

    init(perParameter: Int) { self.perParameter = perParameter }

    deinit { release() }

    private func release() {
        for p in pointers { p.deallocate() }
        pointers = []
        counts = []
    }

    /// Buffer `slot` of parameter number `k`.
    @inline(__always)
    func buffer(_ k: Int, _ slot: Int) -> UnsafeMutablePointer<Double> { pointers[k * perParameter + slot] }

    func prepare(_ parameters: [Parameter]) {
        if pointers.isEmpty {
            load(parameters.flatMap { p in (0..<perParameter).map { _ in [Double](repeating: 0, count: p.count) } })
        }
        precondition(counts == parameters.flatMap { p in [Int](repeating: p.count, count: perParameter) },
                     "optimizer used with different parameters")
    }

    var buffers: [[Double]] {
        zip(pointers, counts).map { Array(UnsafeBufferPointer(start: $0, count: $1)) }
    }

    func load(_ restored: [[Double]]) {
        release()
        for b in restored {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, b.count))
            p.update(from: b, count: b.count)
            pointers.append(p)
            counts.append(b.count)
        }
    }

    var state: OptimizerState { OptimizerState(step: step, buffers: buffers) }

    func restore(_ state: OptimizerState) throws {
        try validate(state.buffers)
        step = state.step
        load(state.buffers)
    }

    private func validate(_ restored: [[Double]]) throws {
        if restored.count % Swift.max(perParameter, 1) != 0 {
            throw OptimizerStateMismatch(message: "\(restored.count) buffers is not a multiple of \(perParameter)")
        }
        if !pointers.isEmpty && counts != restored.map(\.count) {
            throw OptimizerStateMismatch(message: "buffer sizes differ from the parameters")
        }
    }
}
