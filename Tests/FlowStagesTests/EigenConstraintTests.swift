import XCTest
import FlowAnalysis
import FlowHDF5
import FlowLinalg
import FlowNN
@testable import FlowStages

/// The diffusion operator behind the eigen-constraint of `diffusion-net`, against closed forms:
/// on equally spaced points of a circle it is circulant, so cos θ and sin θ are exact eigenvectors
/// with eigenvalue Σ_m P_m cos(2πm/n); with any weights it is reversible with respect to its
/// measure; the sparse product's backward pass is its transpose; and it is the operator of the
/// diffusion-map stage that produced the targets (their eigenvalues and residuals through both stages).
final class EigenConstraintTests: XCTestCase {
    static func circle(_ n: Int) -> Matrix {
        Matrix(rows: n, cols: 2, storage: (0..<n).flatMap { i -> [Double] in
            let t = 2 * Double.pi * Double(i) / Double(n)
            return [cos(t), sin(t)]
        })
    }

    /// Σ_{1 ≤ |m| ≤ 4} P_m cos(2πm/n) with P_m ∝ exp(−(2 sin(πm/n))²/(4ε)): the eigenvalue of cos θ
    /// for the 8-nearest-neighbour kernel of the diffusion map (no diagonal).
    static func circulantEigenvalue(n: Int, epsilon: Double) -> Double {
        var num = 0.0, den = 0.0
        for m in -4...4 where m != 0 {
            let chord = 2 * sin(Double.pi * Double(m) / Double(n))
            let k = exp(-chord * chord / (4 * epsilon))
            num += k * cos(2 * Double.pi * Double(m) / Double(n))
            den += k
        }
        return num / den
    }

    func testCosineAndSineAreEigenvectorsOnACircleThroughTheStage() throws {
        let ws = LearningWorkspace()
        defer { ws.remove() }
        let x = Self.circle(120)
        try ws.writeHDF5("circle.h5", matrices: ["x": x])
        try ws.writeHDF5("dmap.h5", matrices: ["eigenvectors": x], vectors: ["eigenvalues": [1, 0.9, 0.9], "epsilon": [0.01]])
        ws.write("circle.yaml", """
        name: circle
        stages:
          net:
            kind: diffusion-net
            resources: {cpus: 1}
            inputs: {data: {file: circle.h5}, embedding: {file: dmap.h5}}
            params:
              network: {hidden: [16], activation: tanh}
              training: {epochs: 30, batch_size: 20, learning_rate: 3.0e-3}
              eigen_constraint: {weight: 1.0, neighbors: 8}
        """)
        let summary = try ws.run("circle.yaml")
        XCTAssertEqual(summary.exitCode, 0, ws.failure(of: "net", in: summary) ?? "")
        let out = try ws.open("circle", "net")
        defer { try? out.close() }
        let expected = Self.circulantEigenvalue(n: 120, epsilon: 0.01)
        let lambdas = try out.root.doubles(attribute: "eigen_constraint_eigenvalues")
        let residuals = try out.root.doubles(attribute: "eigen_constraint_residuals")
        XCTAssertEqual(lambdas.count, 2)
        for l in lambdas { XCTAssertEqual(l, expected, accuracy: 1e-12) }
        for r in residuals { XCTAssertLessThan(r, 1e-12) }
        XCTAssertEqual(try out.root.read("eigenvalues", as: Double.self).values, [0.9, 0.9], "the trivial eigenvalue is dropped")
        guard case .strings(let names)? = try out.root.dataset("loss").attribute("names") else { return XCTFail("loss names") }
        XCTAssertEqual(names, ["fidelity", "eigen_constraint", "total"])
        let loss = try out.root.matrix("loss")
        XCTAssertTrue(loss.storage.allSatisfy(\.isFinite))
        XCTAssertLessThan(loss[loss.rows - 1, 1], 1e-3, "the fitted outputs nearly satisfy the eigen-equation")
    }

    func testTheOperatorIsReversibleAndRowStochastic() throws {
        var rng = RandomSource(seed: 12)
        var x = Matrix(rows: 150, cols: 3)
        for i in 0..<x.count { x.storage[i] = rng.normal() }
        let weights = (0..<150).map { _ in rng.uniform(0.2, 3) }
        let p = try DiffusionOperator(points: x, epsilon: 0.125, bandwidth: (0..<150).map { _ in rng.uniform(0.8, 1.2) }, neighbors: 10,
                                      method: .reweighted(logWeights: weights.map { log($0) }), dimension: 3)
        var entry: [Int: [Int: Double]] = [:]
        for i in 0..<150 {
            let row = p.matrix.rowStart[i]..<p.matrix.rowStart[i + 1]
            XCTAssertEqual(row.reduce(0) { $0 + p.matrix.values[$1] }, 1, accuracy: 1e-14)
            for e in row { entry[i, default: [:]][Int(p.matrix.columnIndices[e])] = p.matrix.values[e] }
        }
        var worst = 0.0
        for (i, row) in entry {
            for (j, v) in row {
                let back = entry[j]?[i] ?? 0
                worst = max(worst, abs(p.measure[i] * v - p.measure[j] * back) / (p.measure[i] * v))
            }
        }
        XCTAssertLessThan(worst, 1e-12, "m_i P_ij = m_j P_ji")
    }

    func testTheSparseProductBackwardIsItsTranspose() throws {
        var rng = RandomSource(seed: 5)
        var x = Matrix(rows: 60, cols: 2)
        for i in 0..<x.count { x.storage[i] = rng.normal() }
        let p = try DiffusionOperator(points: x, epsilon: 0.075, bandwidth: nil, neighbors: 6,
                                      method: .reweighted(logWeights: [Double](repeating: 0, count: 60)), dimension: 2)
        var targets = Matrix(rows: 60, cols: 2)
        for i in 0..<targets.count { targets.storage[i] = rng.normal() }
        let constraint = EigenConstraint(markov: p, targets: targets, weight: 1)
        let batch = [7, 3, 41, 22]
        let hood = constraint.neighbourhood(of: batch)
        XCTAssertEqual(Array(hood.rows.prefix(4)), batch, "the batch comes first")
        var o = Matrix(rows: hood.rows.count, cols: 2)
        for i in 0..<o.count { o.storage[i] = rng.normal() }
        var seed = Matrix(rows: 4, cols: 2)
        for i in 0..<seed.count { seed.storage[i] = rng.normal() }
        let tape = Tape()
        let input = tape.input(o)
        let y = EigenConstraint.sparseProduct(input, hood)
        tape.backward(y, seed: seed)
        let value = tape.value(y), gradient = tape.gradient(input)
        var dense = Matrix(rows: 4, cols: hood.rows.count)
        for (b, i) in batch.enumerated() {
            for e in p.matrix.rowStart[i]..<p.matrix.rowStart[i + 1] {
                dense[b, hood.rows.firstIndex(of: Int(p.matrix.columnIndices[e]))!] = p.matrix.values[e]
            }
        }
        let expectedValue = dense.multiplied(by: o), expectedGradient = dense.multiplied(by: seed, transposeSelf: true)
        for (a, b) in zip(value.storage, expectedValue.storage) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        for (a, b) in zip(gradient.storage, expectedGradient.storage) { XCTAssertEqual(a, b, accuracy: 1e-14) }
    }

    func testTheConstraintOperatorIsTheDiffusionMapOperator() throws {
        // A TMDmap with a variable bandwidth and reweighting weights (the stage's knn kernel, its
        // automatic ε), then the eigen-constraint on its output: the map's eigenvectors must be
        // eigenvectors of the constraint's operator with the map's eigenvalues. A second copy of
        // the operator with another kernel convention (a factor 4 in ε) or without ρ fails this.
        try checkSameOperator(samples: 700, mapParameters: "{target: weights, beta: 1.0, kernel: knn, neighbors: 40, components: 3}")
    }

    func testTheConstraintOnADeltaNetMapReadsTheCoveredMass() throws {
        // The map on a δ-net of 1500 reweighted samples: each representative carries the weight of
        // the samples it covers (/mass), not its own /weights entry, and the constraint must build
        // the operator from /mass. Reading the data's /weights at the representatives gives another
        // operator (their own weights differ from the covered mass by the cell sizes), and the
        // map's eigenvectors are then not its eigenvectors: this check fails.
        try checkSameOperator(samples: 1500, mapParameters: "{target: weights, beta: 1.0, kernel: knn, neighbors: 40, components: 3, subsample: {method: delta-net, size: 400}}",
                              representatives: 400)
    }

    func testTheConstraintOnADensityTargetNetIsTheMapsOperator() throws {
        // The δ-net's kernel-density target (π at a representative from all samples at bandwidth
        // 10δ) is not the sampling density × covered mass; a constraint built from /mass alone has
        // other eigenvectors than the map, so this check fails unless it reads /log_target.
        try checkSameOperator(samples: 1500, mapParameters: "{target: weights, beta: 1.0, kernel: knn, neighbors: 40, components: 3, subsample: {method: delta-net, size: 400, target: density}}",
                              representatives: 400)
    }

    func testTheConstraintOnAnEnergyTargetMapIsTheMapsOperator() throws {
        // target: energy gives π = e^{−βV} exactly, not the sampling density × weights.
        try checkSameOperator(samples: 700, mapParameters: "{target: energy, beta: 1.0, kernel: knn, neighbors: 40, components: 3}")
    }

    /// Runs diffusion-map (with `mapParameters`) then diffusion-net with the eigen-constraint on
    /// uniform samples of [−2, 2]² reweighted to a Gaussian (with the matching /energy), and asserts the constraint's operator
    /// has the map's eigenpairs.
    func checkSameOperator(samples n: Int, mapParameters: String, representatives: Int? = nil) throws {
        let ws = LearningWorkspace()
        defer { ws.remove() }
        var rng = RandomSource(seed: 77)
        var x = Matrix(rows: n, cols: 2)
        for i in 0..<x.count { x.storage[i] = rng.uniform(-2, 2) }
        let weights = (0..<n).map { exp(-0.5 * (x[$0, 0] * x[$0, 0] + 2 * x[$0, 1] * x[$0, 1])) }
        try ws.writeHDF5("data.h5", matrices: ["x": x], vectors: ["weights": weights, "energy": weights.map { -log($0) }])
        ws.write("same.yaml", """
        name: same
        stages:
          dmap:
            kind: diffusion-map
            resources: {cpus: 1}
            inputs: {data: {file: data.h5}}
            params: \(mapParameters)
          net:
            kind: diffusion-net
            resources: {cpus: 1}
            inputs: {data: {file: data.h5}, embedding: dmap}
            params:
              network: {hidden: [8], activation: tanh}
              training: {epochs: 1, batch_size: 100}
              eigen_constraint: {weight: 1.0}
        """)
        let summary = try ws.run("same.yaml")
        XCTAssertEqual(summary.exitCode, 0, ws.failure(of: "net", in: summary) ?? ws.failure(of: "dmap", in: summary) ?? "")
        let dmap = try ws.open("same", "dmap")
        defer { try? dmap.close() }
        let net = try ws.open("same", "net")
        defer { try? net.close() }
        if let representatives {
            let rows = try dmap.root.read("eigenvectors", as: Double.self).shape[0]
            XCTAssertEqual(Double(rows), Double(representatives), accuracy: Double(representatives) / 20, "the map is on the net")
        }
        let mapEigenvalues = try dmap.root.read("eigenvalues", as: Double.self).values
        let epsilon = try dmap.root.read("epsilon", as: Double.self).values[0]
        let constraintEigenvalues = try net.root.doubles(attribute: "eigen_constraint_eigenvalues")
        let residuals = try net.root.doubles(attribute: "eigen_constraint_residuals")
        print("map eigenvalues \(mapEigenvalues), constraint \(constraintEigenvalues), residuals \(residuals), ε = \(epsilon)")
        XCTAssertEqual(constraintEigenvalues.count, mapEigenvalues.count)
        for (a, b) in zip(constraintEigenvalues, mapEigenvalues) {
            // In units of L_ε: (λ − 1)/ε agree to 10⁻⁶ relative.
            XCTAssertEqual((a - 1) / epsilon, (b - 1) / epsilon, accuracy: 1e-6 * abs((b - 1) / epsilon))
        }
        for r in residuals { XCTAssertLessThan(r, 1e-6 * epsilon) }
    }
}
