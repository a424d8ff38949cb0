import FlowHDF5
import FlowLinalg
import FlowNN

/// Trains an `EigenfunctionModel` by minimizing `EigenfunctionLoss` over minibatches, records the
/// eigenvalue estimates of every epoch, and re-orders the trained eigenfunctions by their
/// Rayleigh quotient on the whole sample set.
struct EigenfunctionTraining {
    let loss: EigenfunctionLoss
    let training: TrainingSpec<EigenLearningDefaults>
    /// Seed of the sample order, the validation split and the shuffling.
    let seed: UInt64

    struct Result {
        /// f₁…f_K as one network, output k the eigenfunction of the k-th smallest eigenvalue.
        let network: MLP
        /// Per epoch, the batch estimates λ₁ ≤ … ≤ λ_K averaged over the epoch's validation
        /// batches (training batches without a validation split), weighted by batch size.
        let eigenvaluesPerEpoch: [[Double]]
        /// λ₁ ≤ … ≤ λ_K of the final network on all samples.
        let eigenvalues: [Double]
        /// fₖ at every sample (n × K), in the order of `eigenvalues`.
        let values: Matrix
        let history: LossHistory
    }

    func run(_ model: EigenfunctionModel, on samples: SampleSet, session: PhasedTraining) throws -> Result {
        let phase = try training.phase("eigenfunctions", parameters: model.parameters, samples: samples.count, seed: seed)
        let validation = phase.trainer.validationIndices
        var recorded = [Bool](repeating: validation.isEmpty, count: samples.count)
        for i in validation { recorded[i] = true }
        var sums = [Double](repeating: 0, count: model.count)
        var weight = 0.0
        let data = samples.shuffled(seed: seed)
        let history = try session.run(phase, endOfEpoch: { _ in
            session.record(sums.map { $0 / Swift.max(weight, 1) }, as: "eigenvalues")
            sums = sums.map { _ in 0 }
            weight = 0
        }, loss: { tape, batch in
            let (f, g) = model.evaluate(tape.constant(rowsOf: data.x, batch))
            let e = loss.evaluate(values: f, gradientNormsSquared: g, sampleWeights: data.weights(of: batch))
            if recorded[batch[0]] {
                for (k, lambda) in e.sortedEigenvalues.enumerated() { sums[k] += lambda * Double(batch.count) }
                weight += Double(batch.count)
            }
            return [LossTerm("rayleigh", e.rayleigh), LossTerm("covariance", e.covariance)]
        })
        let (values, norms) = model.evaluate(samples.x)
        let final = loss.eigenvalues(values: values, gradientNormsSquared: norms, sampleWeights: samples.weights)
        let sorted = Matrix(rows: values.rows, cols: model.count,
                            storage: (0..<values.rows).flatMap { i in final.order.map { values[i, $0] } })
        return Result(network: model.network(order: final.order), eigenvaluesPerEpoch: session.records["eigenvalues"] ?? [],
                      eigenvalues: final.order.map { final.eigenvalues[$0] }, values: sorted, history: history)
    }
}
