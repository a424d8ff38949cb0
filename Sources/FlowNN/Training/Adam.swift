import Foundation

/// Adam (Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015), with bias-corrected
/// first and second moments; with `.decoupled` weight decay it is AdamW (Loshchilov & Hutter 2019).
/// The update is term for term PyTorch's `torch.optim.Adam`/`AdamW` (ε added to √v̂).
public final class Adam: Optimizer {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: WeightDecay
    private let slots = Slots(perParameter: 2)

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: WeightDecay = .none) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        slots.prepare(parameters)
        slots.step += 1
        let c1 = 1 - pow(beta1, Double(slots.step)), c2 = 1 - pow(beta2, Double(slots.step))
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon
        for (k, p) in parameters.enumerated() {
            let (coupled, shrink) = weightDecay.factors(for: p, learningRate: lr)
            let x = p.value, g = p.gradient, m = slots.buffer(k, 0), v = slots.buffer(k, 1)
            for i in 0..<p.count {
                let gi = g[i] + coupled * x[i]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                let mHat = m[i] / c1
                let vHat = v[i] / c2
                x[i] = x[i] * shrink - lr * mHat / (vHat.squareRoot() + eps)
            }
        }
    }

    public var state: OptimizerState { slots.state }

    public func restore(_ state: OptimizerState) throws { try slots.restore(state) }
}
