import Foundation
import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
@testable import FlowStages

/// Exact samples of a centred Gaussian with independent coordinates of standard deviations
/// `scales`, stratified: coordinate j of sample i is σⱼ Φ⁻¹((π_j(i) + ½)/n) for a seeded random
/// permutation π_j per coordinate. Each coordinate's empirical moments then match the Gaussian's
/// to O(1/n) instead of O(1/√n): with 5000 i.i.d. samples E x⁴ alone scatters by ±3%, which would
/// blur the eigenvalue of x² − 1 by as much as the tolerance the tests check.
enum StratifiedGaussian {
    static func samples(count n: Int, scales: [Double], seed: UInt64) -> Matrix {
        let quantiles = (0..<n).map { inverseNormalCDF((Double($0) + 0.5) / Double(n)) }
        var rng = RandomSource(seed: seed)
        let columns = scales.map { s in rng.permutation(n).map { s * quantiles[$0] } }
        return Matrix(rows: n, cols: scales.count, storage: (0..<n).flatMap { i in columns.map { $0[i] } })
    }

    /// Φ⁻¹(p) by bisection on Φ(x) = ½ erfc(−x/√2) over [−40, 40], to the last bit.
    static func inverseNormalCDF(_ p: Double) -> Double {
        var lo = -40.0, hi = 40.0
        while true {
            let mid = 0.5 * (lo + hi)
            if mid <= lo || mid >= hi { return mid }
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
        }
    }
}

/// Checkpoints in a file and a monitor that counts the trainer's per-epoch progress reports and
/// cancels after some of them (an interruption), as in the sampling resume tests.
typealias FileCheckpoints = EnsembleResumeTests.FileCheckpoints
typealias EpochCountingMonitor = EnsembleResumeTests.CountingMonitor

/// A `training:` block of the eigenfunction stages from JSON (the stages' parameter types decode
/// from any decoder).
func eigenTraining(_ json: String) throws -> TrainingSpec<EigenLearningDefaults> {
    try JSONDecoder().decode(TrainingSpec<EigenLearningDefaults>.self, from: Data(json.utf8))
}
