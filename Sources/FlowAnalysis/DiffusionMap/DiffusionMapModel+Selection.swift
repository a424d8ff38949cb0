import Foundation
import FlowLinalg

public extension DiffusionMapModel {
    /// Spare eigenpairs a fit computes beyond the wanted ones when localized modes are to be
    /// excluded (`withoutIsolatedModes`): one metastable outlier cluster per spare.
    static let exclusionSpares = 4

    /// The model restricted to the eigenpairs `columns` (0-based, in the given order).
    func selecting(_ columns: [Int]) -> DiffusionMapModel {
        DiffusionMapModel(
            data: data, epsilon: epsilon, neighbors: neighbors, intrinsicDimension: intrinsicDimension, kernelSum: kernelSum,
            dimension: dimension, bandwidth: bandwidth, beta: beta, rightWeights: rightWeights, density: density,
            stationary: stationary, eigenvalues: columns.map { eigenvalues[$0] },
            eigenvectors: Matrix(rows: data.rows, cols: columns.count, storage: (0..<data.rows).flatMap { i in columns.map { eigenvectors[i, $0] } }),
            modes: columns.map { modes[$0] }, trivialEigenvalue: trivialEigenvalue, solver: solver)
    }

    /// The slowest `count` eigenpairs not carried by isolated samples (`ModeDiagnostics.isIsolated`),
    /// and the 0-based indices of the isolated ones slower than the last kept: a mode on a few
    /// outlying samples of tiny target mass (an escaped-particle cluster of LJ7's metadynamics
    /// frames) is a real slow process of the sampled region, but not a coordinate of the bulk
    /// of the measure, so a workflow may leave it out knowingly. Nil when fewer than `count` remain.
    func withoutIsolatedModes(count: Int) -> (model: DiffusionMapModel, excluded: [Int])? {
        var kept = [Int](), excluded = [Int]()
        for (c, mode) in modes.enumerated() where kept.count < count {
            if mode.isIsolated(samples: data.rows) { excluded.append(c) } else { kept.append(c) }
        }
        guard kept.count == count else { return nil }
        return (selecting(kept), excluded)
    }
}
