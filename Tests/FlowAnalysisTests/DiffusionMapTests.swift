import XCTest
@testable import FlowAnalysis
import FlowLinalg

final class DiffusionMapTests: XCTestCase {
    func testTMDmapOnOrnsteinUhlenbeckSamples() throws {
        // V = x²/2: the generator β⁻¹f'' − x f' has eigenvalues −1, −2, −3. TMDmap needs no
        // Boltzmann samples: uniform samples on [−5, 5]/√β with target π ∝ e^{−βV} avoid the
        // isolated tail samples that make spurious slow modes at this n.
        let beta = 2.0, n = 2000
        var rng = RandomSource(seed: 3)
        let x = (0..<n).map { _ in rng.uniform(-5, 5) / beta.squareRoot() }
        let model = try DiffusionMap.fit(Matrix(rows: n, cols: 1, storage: x), options: .init(
            method: .targetMeasure(logTarget: x.map { -beta * $0 * $0 / 2 }), kernel: .dense,
            epsilon: .fixed(0.002), bandwidth: .fixed, components: 3, beta: beta))
        print("TMDmap OU generator eigenvalues \(model.generatorEigenvalues)")
        // The O(ε) bias grows with the eigenvalue: 5%, 10% and 25% allowed.
        for (k, value) in model.generatorEigenvalues.enumerated() { XCTAssertEqual(value / Double(-k - 1), 1, accuracy: [0.05, 0.1, 0.25][k]) }
        // φ₁ ∝ x (Hermite H₁), normalized under π: φ₁ = √β x.
        XCTAssertGreaterThan(abs(Statistics.correlation(model.eigenvectors.column(0), x, weights: model.stationary)), 0.995)
        XCTAssertEqual(model.trivialEigenvalue, 1, accuracy: 1e-10)
        XCTAssertEqual(zip(model.stationary, model.eigenvectors.column(0)).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }, 1, accuracy: 1e-10)
    }

    func testVanillaMapRecoversCircleSpectrum() throws {
        // Non-uniform samples on the unit circle, isometrically embedded in ℝ⁵ by a random rotation:
        // α = 1 removes the density; Laplace–Beltrami eigenvalues −1, −1, −4, −4.
        let data = try nonUniformCircleSamples(1200)
        let model = try DiffusionMap.fit(data, options: .init(method: .alpha(1), kernel: .nearestNeighbors, neighbors: 200,
                                                               epsilon: .fixed(0.002), bandwidth: .fixed, components: 4))
        let ev = model.generatorEigenvalues
        print("circle Laplace–Beltrami eigenvalues \(ev)")
        XCTAssertEqual(ev, [-1, -1, -4, -4], accuracy: 0.15)
        XCTAssertEqual(ev[2] / ev[0], 4, accuracy: 0.25)
    }

    func testAutomaticEpsilonEstimatesDimension() throws {
        var rng = RandomSource(seed: 21)
        let n = 1500
        let square = Matrix(rows: n, cols: 3, storage: (0..<n).flatMap { _ in [rng.uniform(), rng.uniform(), 0] })
        let model = try DiffusionMap.fit(square, options: .init(method: .alpha(1), kernel: .nearestNeighbors, neighbors: 64,
                                                                 epsilon: .kernelSum, components: 2))
        XCTAssertEqual(model.slopeDimension, 2, accuracy: 0.2)
        XCTAssertEqual(model.intrinsicDimension, 2, accuracy: 0.5)
        XCTAssertEqual(model.dimension, 2)
    }

    func testDisconnectedGraphIsRefused() throws {
        var rng = RandomSource(seed: 2)
        let n = 200
        let two = Matrix(rows: n, cols: 2, storage: (0..<n).flatMap { i in [rng.normal() * 0.1 + (i < 100 ? 0 : 50), rng.normal() * 0.1] })
        XCTAssertThrowsError(try DiffusionMap.fit(two, options: .init(method: .alpha(1), kernel: .nearestNeighbors, neighbors: 10,
                                                                        epsilon: .fixed(0.01)))) { error in
            XCTAssertTrue("\(error)".contains("2 connected components"), "\(error)")
            XCTAssertTrue("\(error)".contains("more neighbours"), "\(error)")
        }
    }

    func testNystromReproducesEigenvectorsNearTrainingPoints() throws {
        var rng = RandomSource(seed: 4)
        let n = 800
        let x = (0..<n).map { _ in rng.normal() }
        let model = try DiffusionMap.fit(Matrix(rows: n, cols: 1, storage: x), options: .init(
            method: .targetMeasure(logTarget: x.map { -$0 * $0 / 2 }), kernel: .dense,
            epsilon: .fixed(0.005), bandwidth: .fixed, components: 2))
        let probes = [-1.0, -0.3, 0.2, 0.9]
        let extended = try model.extend(to: Matrix(rows: 4, cols: 1, storage: probes))
        // φ₁ = x under π = N(0, 1) (sign fixed by the largest-magnitude entry).
        let sign = model.eigenvectors.column(0)[x.indices.max { abs(x[$0]) < abs(x[$1]) }!] * x.max { abs($0) < abs($1) }! > 0 ? 1.0 : -1.0
        for (i, p) in probes.enumerated() { XCTAssertEqual(extended[i, 0], sign * p, accuracy: 0.06) }
    }

    func testTMDmapReproducesMuellerBrownGridGenerator() throws {
        // 10 000 samples of the tempered Boltzmann density e^{−V/2} by rejection (better saddle
        // coverage than β = 1 samples of that size); TMDmap reweights to the target π ∝ e^{−V}.
        let grid = try muellerBrownGrid(150, 135)
        let reference = try grid.spectrum(count: 2)
        let n = 10_000
        var rng = RandomSource(seed: 2024)
        var samples = [Double]()
        let vMin = -7.4
        while samples.count < 2 * n {
            let x = rng.uniform(muellerBrownBox.x.0, muellerBrownBox.x.1), y = rng.uniform(muellerBrownBox.y.0, muellerBrownBox.y.1)
            if rng.uniform() < exp(-0.5 * (muellerBrown(x, y) - vMin)) { samples += [x, y] }
        }
        let data = Matrix(rows: samples.count / 2, cols: 2, storage: samples)
        let logTarget = (0..<data.rows).map { -muellerBrown(data[$0, 0], data[$0, 1]) }
        let model = try DiffusionMap.fit(data, options: .init(method: .targetMeasure(logTarget: logTarget),
                                                               kernel: .nearestNeighbors, neighbors: 600, epsilon: .fixed(0.0015), bandwidth: .fixed,
                                                               components: 2, beta: 1, eigensolver: .arpack))
        let lambda = -model.generatorEigenvalues[0]
        XCTAssertEqual(lambda / reference.eigenvalues[1], 1, accuracy: 0.1, "TMDmap \(lambda) vs grid \(reference.eigenvalues[1])")
        let ax = grid.axes[0], ay = grid.axes[1]
        let atSamples = (0..<data.rows).map { i -> Double in
            let bx = min(ax.count - 1, Int((data[i, 0] - ax.lower) / ax.spacing))
            let by = min(ay.count - 1, Int((data[i, 1] - ay.lower) / ay.spacing))
            return reference.eigenfunctions[grid.stateOfCell[bx * ay.count + by], 1]
        }
        let correlation = abs(Statistics.correlation(model.eigenvectors.column(0), atSamples))
        XCTAssertGreaterThan(correlation, 0.95)
        print("TMDmap Müller–Brown: λ₁ = \(lambda), grid \(reference.eigenvalues[1]), correlation \(correlation)")
    }

    func testKernelMassFloorIsHalfANeighbourOrHalfTheMedian() {
        XCTAssertEqual(DiffusionMap.kernelMassFloor([0.1, 4, 10]), 0.5)
        XCTAssertEqual(DiffusionMap.kernelMassFloor([0.01, 0.02, 0.04]), 0.01)
    }
}
