import XCTest
import FlowLinalg
@testable import FlowNN

/// Central finite differences against the tape's reverse-mode gradients.
enum GradientCheck {
    /// Random m × n matrix with entries of magnitude in [minMagnitude, 1] and random sign (keeps
    /// inputs away from the kinks of ReLU and |x| when minMagnitude > h).
    static func random(_ m: Int, _ n: Int, _ rng: inout RandomSource, minMagnitude: Double = 0) -> Matrix {
        var a = Matrix(rows: m, cols: n)
        for i in 0..<a.count {
            let mag = minMagnitude + (1 - minMagnitude) * rng.uniform()
            a.storage[i] = rng.uniform() < 0.5 ? -mag : mag
        }
        return a
    }

    /// Compares d(loss)/d(inputs[k]) from `backward` with central differences of step h; `build`
    /// records the scalar loss from the inputs (recorded as gradient-requiring variables).
    static func check(_ inputs: [Matrix], h: Double = 1e-6, tolerance: Double = 1e-6,
                      file: StaticString = #filePath, line: UInt = #line,
                      _ build: (Tape, [Variable]) -> Variable) {
        let tape = Tape()
        let vars = inputs.map { tape.input($0) }
        let loss = build(tape, vars)
        tape.backward(loss)
        let analytic = vars.map { tape.gradient($0) }
        func evaluate(_ xs: [Matrix]) -> Double {
            let t = Tape()
            return t.scalar(build(t, xs.map { t.input($0) }))
        }
        var worst = 0.0
        for k in inputs.indices {
            for i in 0..<inputs[k].count {
                var plus = inputs, minus = inputs
                plus[k].storage[i] += h
                minus[k].storage[i] -= h
                let fd = (evaluate(plus) - evaluate(minus)) / (2 * h)
                let a = analytic[k].storage[i]
                let err = Swift.abs(fd - a) / Swift.max(1, Swift.abs(fd), Swift.abs(a))
                worst = Swift.max(worst, err)
                if err > tolerance {
                    XCTFail("input \(k) element \(i): analytic \(a) vs finite difference \(fd)", file: file, line: line)
                    return
                }
            }
        }
        XCTAssertLessThan(worst, tolerance, file: file, line: line)
    }

    /// Compares d(loss)/d(every value of `parameters`) from `backward` with central differences of
    /// step h on the parameter values; `loss` records the scalar loss on a fresh tape.
    static func checkParameters(_ parameters: [Parameter], h: Double = 1e-6, tolerance: Double = 1e-6,
                                file: StaticString = #filePath, line: UInt = #line, _ loss: (Tape) -> Variable) {
        // A parameter the loss does not use keeps the gradient of an earlier pass: clear them all.
        for p in parameters { p.gradient.update(repeating: 0, count: p.count) }
        let tape = Tape()
        tape.backward(loss(tape))
        let analytic = parameters.map(\.gradients)
        var worst = 0.0
        for (p, gradient) in zip(parameters, analytic) {
            var values = p.values
            for i in values.indices {
                let saved = values[i]
                values[i] = saved + h; p.values = values
                let t1 = Tape(); let up = t1.scalar(loss(t1))
                values[i] = saved - h; p.values = values
                let t2 = Tape(); let down = t2.scalar(loss(t2))
                values[i] = saved; p.values = values
                let fd = (up - down) / (2 * h)
                let err = Swift.abs(fd - gradient[i]) / Swift.max(1, Swift.abs(fd), Swift.abs(gradient[i]))
                worst = Swift.max(worst, err)
                if err > tolerance {
                    XCTFail("\(p.name)[\(i)]: analytic \(gradient[i]) vs finite difference \(fd)", file: file, line: line)
                    return
                }
            }
        }
        XCTAssertLessThan(worst, tolerance, file: file, line: line)
    }

    /// Σ out ⊙ R for a fixed random R: a scalar whose gradient exercises every output element.
    static func contract(_ tape: Tape, _ out: Variable, seed: UInt64 = 99) -> Variable {
        var rng = RandomSource(seed: seed)
        return tape.sum(out * tape.constant(random(out.rows, out.cols, &rng)))
    }
}
