/// Stochastic gradient descent with (optionally Nesterov) momentum, as in PyTorch's
/// `torch.optim.SGD`: b ← μb + g (b = g at the first step), then θ ← θ − η·(g + μb if Nesterov,
/// else b) (Sutskever et al., "On the importance of initialization and momentum", 2013).
public final class SGD: Optimizer {
    public var learningRate: Double
    public let momentum: Double
    public let nesterov: Bool
    public let weightDecay: WeightDecay
    private let slots = Slots(perParameter: 1)

    public init(learningRate: Double, momentum: Double = 0, nesterov: Bool = false, weightDecay: WeightDecay = .none) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        slots.prepare(parameters)
        let first = slots.step == 0
        slots.step += 1
        let lr = learningRate, mu = momentum
        for (k, p) in parameters.enumerated() {
            let (coupled, shrink) = weightDecay.factors(for: p, learningRate: lr)
            let x = p.value, g = p.gradient, b = slots.buffer(k, 0), nesterov = self.nesterov
            for i in 0..<p.count {
                let gi = g[i] + coupled * x[i]
                var d = gi
                if mu != 0 {
                    b[i] = first ? gi : mu * b[i] + gi
                    d = nesterov ? gi + mu * b[i] : b[i]
                }
                x[i] = x[i] * shrink - lr * d
            }
        }
    }

    public var state: OptimizerState { slots.state }

    public func restore(_ state: OptimizerState) throws { try slots.restore(state) }
}
