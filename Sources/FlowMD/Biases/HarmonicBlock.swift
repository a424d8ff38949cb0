/// The harmonic restraint ½ Σ_c κ_c δ_c², δ_c the deviation of ξ_c from its centre, for a block of
/// configurations: ξ by the CV's block evaluator, the cotangent ∂U/∂ξ_c = κ_c δ_c, and the force
/// J_ξᵀ κδ by one pullback. `MovingHarmonicRestraint` and `UmbrellaWindows` differ only in where
/// the centre is (moving in time, one per walker), which `deviation` says.
final class HarmonicBlock {
    let evaluator: any CVBatchEvaluator
    let forceConstants: [Double]
    private var values: [Double] = []
    private var cotangents: [Double] = []

    init(cv: any CollectiveVariable, forceConstants: [Double]) {
        evaluator = cv.batchEvaluator()
        self.forceConstants = forceConstants
    }

    /// `deviation(k, c, ξ_c)` is δ_c of configuration k.
    func add(_ x: UnsafePointer<Double>, count: Int, energies: UnsafeMutablePointer<Double>,
             gradients: UnsafeMutablePointer<Double>, deviation: (Int, Int, Double) -> Double) {
        let d = forceConstants.count
        if values.count < count * d {
            values = [Double](repeating: 0, count: count * d)
            cotangents = values
        }
        values.withUnsafeMutableBufferPointer { v in
            evaluator.evaluate(x, count: count, values: v.baseAddress!)
            cotangents.withUnsafeMutableBufferPointer { g in
                for k in 0..<count {
                    var e = 0.0
                    for c in 0..<d {
                        let u = deviation(k, c, v[k * d + c])
                        e += 0.5 * forceConstants[c] * u * u
                        g[k * d + c] = forceConstants[c] * u
                    }
                    energies[k] += e
                }
                evaluator.pullback(g.baseAddress!, addingTo: gradients)
            }
        }
    }
}

extension HarmonicBlock {
    /// The same restraint for one configuration with ξ = `xi` and Jacobian `jacobian` (d × n, row
    /// major): returns ½ Σ_c κ_c δ_c² and adds J_ξᵀ κδ to `gradient`; `deviation(c, ξ_c)` is δ_c.
    static func energy(_ xi: [Double], jacobian: [Double], inputDimension n: Int, forceConstants: [Double],
                       addingGradientTo gradient: inout [Double], deviation: (Int, Double) -> Double) -> Double {
        var e = 0.0
        for c in xi.indices {
            let d = deviation(c, xi[c])
            e += 0.5 * forceConstants[c] * d * d
            let f = forceConstants[c] * d
            for j in 0..<n { gradient[j] += f * jacobian[c * n + j] }
        }
        return e
    }
}
