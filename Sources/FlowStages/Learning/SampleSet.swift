import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// The samples a learning stage trains on: `/x` of its `data` input (n × D) and the per-sample
/// weights `/weights` when the input has them (reweighting of biased runs) and the stage uses
/// them. Every problem with the input is one line naming the input and what to connect.
struct SampleSet {
    let x: Matrix
    /// Normalized to mean 1; nil when the samples are used unweighted (also when all weights are
    /// equal, as an unbiased simulation's are: plain averages are then the same and cheaper).
    let weights: [Double]?

    var count: Int { x.rows }
    var dimension: Int { x.cols }

    init(x: Matrix, weights: [Double]?) {
        self.x = x
        self.weights = weights
    }

    /// Reads input `name` of the running stage; checks the dimension against `system` if given.
    static func read(_ name: String, in context: StageContext, useWeights: Bool, system: SimulationSystem?) throws -> SampleSet {
        let stage = context.stageName
        func fail(_ message: String) -> FlowError { .stageFailed(stage: stage, message: message) }
        let source = context.upstream(name).map { "stage \($0.stage)" } ?? context.inputFileName(name) ?? name
        let file = try context.input(name)
        defer { try? file.close() }
        guard file.root.contains("x") else {
            throw fail("input '\(name)' (\(source)) has no dataset /x; connect a stage that writes samples (simulate, load, features)")
        }
        let (values, shape) = try file.root.read("x", as: Double.self)
        guard shape.count == 2, shape[0] >= 2, shape[1] >= 1 else {
            throw fail("input '\(name)' (\(source)): /x must be samples × coordinates with at least 2 samples, got shape \(shape)")
        }
        guard values.allSatisfy(\.isFinite) else {
            throw fail("input '\(name)' (\(source)): /x contains NaN or ±∞")
        }
        let x = Matrix(rows: shape[0], cols: shape[1], storage: values)
        if let system, system.potential.dimension != x.cols {
            throw fail("input '\(name)' (\(source)) has \(x.cols) coordinates per sample but the system has \(system.potential.dimension); connect samples of this system")
        }
        var weights: [Double]?
        if useWeights, file.root.contains("weights") {
            let w = try file.root.read("weights", as: Double.self).values
            guard w.count == x.rows else {
                throw fail("input '\(name)' (\(source)): /weights has \(w.count) values for \(x.rows) samples")
            }
            guard w.allSatisfy({ $0 >= 0 && $0.isFinite }), w.contains(where: { $0 > 0 }) else {
                throw fail("input '\(name)' (\(source)): /weights must be finite, non-negative and not all zero")
            }
            if w.contains(where: { $0 != w[0] }) {
                let mean = w.reduce(0, +) / Double(w.count)
                weights = w.map { $0 / mean }
            }
        }
        return SampleSet(x: x, weights: weights)
    }

    /// The samples in a seeded random order, for training. The trainer's validation batches are
    /// runs of consecutive indices and a simulation's frames come walker by walker: in data order
    /// a validation batch would hold a few walkers only, and the eigenfunction loss, whose moments
    /// are taken per batch, would see them with a biased population of the metastable states.
    func shuffled(seed: UInt64) -> SampleSet {
        var rng = RandomSource(seed: seed, stream: "sample-order")
        let order = rng.permutation(count)
        let d = dimension
        var rows = [Double](repeating: 0, count: x.count)
        x.storage.withUnsafeBufferPointer { source in
            for (i, j) in order.enumerated() {
                for c in 0..<d { rows[i * d + c] = source[j * d + c] }
            }
        }
        return SampleSet(x: Matrix(rows: count, cols: d, storage: rows), weights: weights.map { w in order.map { w[$0] } })
    }

    /// The weights of the samples `indices` (nil when unweighted).
    func weights(of indices: [Int]) -> [Double]? {
        weights.map { w in indices.map { w[$0] } }
    }

    /// Σ w_b v_b / Σ w_b (the plain mean when unweighted).
    func weightedMean(_ v: [Double]) -> Double {
        guard let weights else { return v.reduce(0, +) / Double(v.count) }
        return zip(weights, v).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)
    }
}
