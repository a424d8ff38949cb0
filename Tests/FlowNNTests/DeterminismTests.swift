import XCTest
import FlowLinalg
@testable import FlowNN

/// Same seed ⇒ same bits. FlowNN's own kernels give the same bits for any number of threads;
/// OpenBLAS products do for a fixed BLAS thread count (its partitioning of a product depends on the
/// count), which is why `ComputeThreads` is part of the reproducibility contract.
final class DeterminismTests: XCTestCase {
    /// Large enough batches that the elementwise kernels run in several chunks and OpenBLAS uses
    /// its threads.
    func trainedWeights(threads: Int, blas: Int? = nil) throws -> [Double] {
        let saved = ComputeThreads.count
        ComputeThreads.count = threads
        if let blas { ComputeThreads.blas = blas }
        defer { ComputeThreads.count = saved }
        var rng = RandomSource(seed: 3)
        let x = Matrix(rows: 6000, cols: 6, storage: (0..<36_000).map { _ in rng.normal() })
        let net = MLP(sizes: [6, 64, 64, 2], activation: .tanh, rng: &rng)
        let trainer = Trainer(parameters: net.parameters, optimizer: Adam(learningRate: 1e-3),
                              options: TrainingOptions(epochs: 2, batchSize: 3000), sampleCount: x.rows, seed: 5)
        try trainer.train { tape, batch in
            let xb = tape.constant(rowsOf: x, batch)
            let (y, j) = net.jacobian(xb)
            return [LossTerm("fit", tape.mean(tape.square(y - tape.sliceColumns(xb, 0..<2)))),
                    LossTerm("orthonormality", JacobianLoss.orthonormality(j, outputs: 2))]
        }
        return net.parameters.flatMap(\.values)
    }

    func differing(_ a: [Double], _ b: [Double]) -> Int { zip(a, b).filter { $0 != $1 }.count }

    func testSameSeedAndThreadCountGiveTheSameBitsAndTapeKernelsIgnoreThreads() throws {
        let one = try trainedWeights(threads: 1)
        XCTAssertEqual(differing(one, try trainedWeights(threads: 1)), 0, "1 thread, twice")
        XCTAssertEqual(differing(one, try trainedWeights(threads: 2, blas: 1)), 0, "1 vs 2 tape threads, 1 BLAS thread")
        XCTAssertEqual(differing(try trainedWeights(threads: 2), try trainedWeights(threads: 2)), 0, "2 threads, twice")
    }
}
