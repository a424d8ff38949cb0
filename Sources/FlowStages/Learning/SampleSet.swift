import FlowLinalg

/// The samples a learning stage trains on (n × D) and their per-sample weights (reweighting of
/// biased runs), as `LearningInput.samples` reads them.
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

    /// Samples with reweighting weights `w` (non-negative, not all zero) as stored, normalized.
    init(x: Matrix, reweightingWeights w: [Double]) {
        guard w.contains(where: { $0 != w[0] }) else {
            self.init(x: x, weights: nil)
            return
        }
        let mean = w.reduce(0, +) / Double(w.count)
        self.init(x: x, weights: w.map { $0 / mean })
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
