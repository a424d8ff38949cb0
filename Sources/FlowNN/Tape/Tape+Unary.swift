import Foundation

extension Tape {
    /// σ(x) elementwise.
    public func activation(_ x: Variable, _ kind: Activation) -> Variable {
        if kind.isIdentity { return x }
        let pz = values(x)
        let out = allocate(x.count)
        kind.apply(pz, out, x.count)
        return record(rows: x.rows, cols: x.cols, value: out, inputs: [x]) { tape, g in
            guard let (gx, fresh) = tape.gradientTarget(x) else { return }
            kind.backward(g, pz, out, gx, x.count, accumulate: !fresh)
        }
    }

    /// σ′(z) elementwise, given the pre-activation `z` and the activation `y = σ(z)` recorded on
    /// this tape. Its gradient, σ″(z)·g, flows to `z`: this is the op that makes Jacobians built on
    /// the tape differentiable with respect to the weights (double backpropagation).
    public func activationDerivative(_ kind: Activation, preactivation z: Variable, output y: Variable) -> Variable {
        precondition(z.rows == y.rows && z.cols == y.cols, "activationDerivative: shapes differ")
        let pz = values(z), py = values(y)
        let out = map(z.count) { i in kind.derivative(z: pz[i], y: py[i]) }
        return record(rows: z.rows, cols: z.cols, value: out, inputs: [z]) { tape, g in
            tape.accumulate(z) { i in g[i] * kind.secondDerivative(z: pz[i], y: py[i]) }
        }
    }

    /// y = f(x) elementwise with dy/dx = derivative(x, y).
    func unary(_ x: Variable, _ f: (Double) -> Double,
               derivative: @escaping (Double, Double) -> Double) -> Variable {
        let px = values(x)
        let out = map(x.count) { i in f(px[i]) }
        return record(rows: x.rows, cols: x.cols, value: out, inputs: [x]) { tape, g in
            tape.accumulate(x) { i in g[i] * derivative(px[i], out[i]) }
        }
    }

    public func square(_ x: Variable) -> Variable {
        unary(x, { $0 * $0 }, derivative: { x, _ in 2 * x })
    }

    public func exp(_ x: Variable) -> Variable {
        unary(x, VectorMath.exp, derivative: { _, y in y })
    }

    public func log(_ x: Variable) -> Variable {
        unary(x, Foundation.log, derivative: { x, _ in 1 / x })
    }

    public func sqrt(_ x: Variable) -> Variable {
        unary(x, { $0.squareRoot() }, derivative: { _, y in 0.5 / y })
    }

    /// |x|, with derivative sign(x) (0 at 0): the L1 loss.
    public func abs(_ x: Variable) -> Variable {
        unary(x, { $0.magnitude }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }

    /// a·x + b elementwise for constants a, b (scaling and shifting without a broadcast operand).
    public func affine(_ x: Variable, scale a: Double, shift b: Double = 0) -> Variable {
        unary(x, { a * $0 + b }, derivative: { _, _ in a })
    }
}

extension Variable {
    public func tanh() -> Variable { tape.activation(self, .tanh) }
    public func sigmoid() -> Variable { tape.activation(self, .sigmoid) }
    public func relu() -> Variable { tape.activation(self, .relu) }
    public func elu() -> Variable { tape.activation(self, .elu) }
    public func softplus() -> Variable { tape.activation(self, .softplus) }
    public func activation(_ kind: Activation) -> Variable { tape.activation(self, kind) }
    public func squared() -> Variable { tape.square(self) }
    public func exp() -> Variable { tape.exp(self) }
    public func log() -> Variable { tape.log(self) }
    public func sqrt() -> Variable { tape.sqrt(self) }
    public func abs() -> Variable { tape.abs(self) }
}
