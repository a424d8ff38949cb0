import XCTest
@testable import FlowAnalysis
import FlowLinalg

/// Issue 3's validation of the diffusion map with its defaults (k = 64 stored neighbours,
/// automatic ε, variable bandwidth) on exact Boltzmann samples, against independent references:
/// the grid generator for Müller–Brown, the Hermite spectrum for Ornstein–Uhlenbeck and the
/// Laplace–Beltrami spectrum of a circle.
final class TMDmapValidationTests: XCTestCase {
    /// Exact samples of π ∝ e^{−βV} in `box` by rejection (V_min bounds V from below).
    func boltzmannSamples(_ n: Int, box: [(Double, Double)], vMin: Double, beta: Double, seed: UInt64,
                          _ v: ([Double]) -> Double) -> Matrix {
        var rng = RandomSource(seed: seed)
        var out = [Double]()
        while out.count < n * box.count {
            let x = box.map { rng.uniform($0.0, $0.1) }
            if rng.uniform() < exp(-beta * (v(x) - vMin)) { out += x }
        }
        return Matrix(rows: n, cols: box.count, storage: out)
    }

    func testTMDmapOnBoltzmannMuellerBrownSamplesMatchesGrid() throws {
        // 10⁴ exact β = 1 samples: the tails hold isolated samples that a fixed bandwidth tied to
        // k = 64 neighbours cannot reach (the kernel rows underflow); the variable bandwidth does.
        let grid = try muellerBrownGrid(150, 135)
        let reference = try grid.spectrum(count: 2)
        let n = 10_000
        let data = boltzmannSamples(n, box: [muellerBrownBox.x, muellerBrownBox.y], vMin: -7.4, beta: 1, seed: 5) {
            muellerBrown($0[0], $0[1])
        }
        let logTarget = (0..<n).map { -muellerBrown(data[$0, 0], data[$0, 1]) }
        // Only φ₁ is compared: φ₂ sits on the sparse upper-left tail (V ≈ 1, x ≈ (−1.5, 1.8)), where
        // the variable bandwidth is ~30× the median and wider than the scale on which V varies.
        let model = try DiffusionMap.fit(data, options: .init(method: .targetMeasure(logTarget: logTarget), components: 1,
                                                               extraPairs: 16, lanczos: .init(ncv: 80, tolerance: 1e-9), eigensolver: .arpack))
        let lambda = -model.generatorEigenvalues[0]
        let atSamples = grid.interpolate(reference.eigenfunctions.column(1), at: data)
        let correlation = abs(Statistics.correlation(model.eigenvectors.column(0), atSamples))
        print("TMDmap Müller–Brown β = 1: λ₁ = \(lambda), grid \(reference.eigenvalues[1]), correlation \(correlation), ε = \(model.epsilon), d = \(model.intrinsicDimension)")
        XCTAssertEqual(lambda / reference.eigenvalues[1], 1, accuracy: 0.1)
        XCTAssertGreaterThan(correlation, 0.95)
        XCTAssertEqual(model.dimension, 2)
        XCTAssertLessThan(model.localization[0], 10, "φ₁ is spread over both wells")
    }

    func testFixedBandwidthWithFewNeighboursFailsOnTheSameSamples() throws {
        // The failure the variable bandwidth fixes, reported in one line instead of silently.
        let n = 10_000
        let data = boltzmannSamples(n, box: [muellerBrownBox.x, muellerBrownBox.y], vMin: -7.4, beta: 1, seed: 5) {
            muellerBrown($0[0], $0[1])
        }
        let logTarget = (0..<n).map { -muellerBrown(data[$0, 0], data[$0, 1]) }
        XCTAssertThrowsError(try DiffusionMap.fit(data, options: .init(method: .targetMeasure(logTarget: logTarget),
                                                                        bandwidth: .fixed, components: 2))) { error in
            XCTAssertTrue("\(error)".contains("underflows") || "\(error)".contains("disconnected"), "\(error)")
        }
    }

    func testEigenvectorOnIsolatedTailSamplesIsRefused() throws {
        // N(0, 1/2) samples with the defaults: ε tied to the 64th neighbour of 3000 samples in 1-D
        // is so small that the outermost tail samples are barely connected; their eigenvector
        // (≈ 0 eigenvalue) must be refused, not reported as the slowest process.
        let beta = 2.0, n = 3000
        var rng = RandomSource(seed: 11)
        let x = (0..<n).map { _ in rng.normal() / beta.squareRoot() }
        let data = Matrix(rows: n, cols: 1, storage: x)
        let options = { (policy: DiffusionMap.LocalizedModes) in
            DiffusionMap.Options(method: .targetMeasure(logTarget: x.map { -beta * $0 * $0 / 2 }), epsilon: .neighborReach,
                                 components: 3, beta: beta, localizedModes: policy)
        }
        XCTAssertThrowsError(try DiffusionMap.fit(data, options: options(.refuse))) { error in
            XCTAssertTrue("\(error)".contains("is localized: 90% of its weight on"), "\(error)")
            XCTAssertTrue("\(error)".contains("larger epsilon"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        // Kept, the same mode is diagnosed: a few samples out in a tail (|x| far beyond σ = 0.5).
        let kept = try DiffusionMap.fit(data, options: options(.keep))
        guard let isolated = kept.modes.first(where: { $0.isIsolated(samples: n) }) else { return XCTFail("no isolated mode") }
        print("isolated mode: \(isolated.summary)")
        XCTAssertLessThan(isolated.supportSamples, 20)
        XCTAssertLessThan(isolated.supportMass, 0.01)
        XCTAssertGreaterThan(abs(isolated.centroid[0]), 1.0)
    }

    func testTMDmapInFiveDimensionsRecoversTheOrnsteinUhlenbeckSpectrum() throws {
        // Exact samples of the 5-D isotropic Ornstein–Uhlenbeck process's equilibrium
        // N(0, β⁻¹I), β = 2: the generator β⁻¹Δ − x·∇ has the eigenvalue −1 five times (the
        // coordinates), then −2. A bandwidth ∝ q^{−1/2} (the exponent used up to d = 2) made the
        // tail kernels too wide (all five ≈ −0.5); without the floor on the kernel mass in the
        // density estimate, a few barely reached tail samples carried the vectors (Σmφ⁴ up to 300).
        // The −2 cluster's vectors are not asked for: at 6000 samples they sit on tail samples.
        let beta = 2.0, n = 6000, dimension = 5
        var rng = RandomSource(seed: 17)
        let data = Matrix(rows: n, cols: dimension, storage: (0..<(n * dimension)).map { _ in rng.normal() / beta.squareRoot() })
        let logTarget = (0..<n).map { i in -beta * (0..<dimension).reduce(0.0) { $0 + data[i, $1] * data[i, $1] } / 2 }
        let model = try DiffusionMap.fit(data, options: .init(method: .targetMeasure(logTarget: logTarget), dimension: dimension,
                                                               components: 5, beta: beta))
        let lambda = model.generatorEigenvalues
        print("TMDmap 5-D Ornstein–Uhlenbeck: \(lambda), ε = \(model.epsilon), \(model.solver)")
        for value in lambda { XCTAssertEqual(value, -1, accuracy: 0.15) }
        XCTAssertLessThan(model.localization.max() ?? .infinity, 10, "no eigenvector sits on a few samples (exact: 3)")
    }

    func testReweightedUniformSamplesGiveTheBoltzmannSpectrum() throws {
        // Uniform samples with reweighting weights e^{−βV}: π = q·w is the Boltzmann density of
        // V = x²/2 at β = 2, so the `reweighted` target (q from the kernel) must reproduce the
        // Hermite spectrum −1, −2 like the exact target does.
        let beta = 2.0, n = 2000
        var rng = RandomSource(seed: 12)
        let x = (0..<n).map { _ in rng.uniform(-5, 5) / beta.squareRoot() }
        let data = Matrix(rows: n, cols: 1, storage: x)
        let options = { (method: DiffusionMap.Method) in
            DiffusionMap.Options(method: method, kernel: .dense, epsilon: .fixed(0.002), bandwidth: .fixed, components: 2, beta: beta)
        }
        let exact = try DiffusionMap.fit(data, options: options(.targetMeasure(logTarget: x.map { -beta * $0 * $0 / 2 })))
        let reweighted = try DiffusionMap.fit(data, options: options(.reweighted(logWeights: x.map { -beta * $0 * $0 / 2 })))
        print("OU exact target \(exact.generatorEigenvalues), reweighted \(reweighted.generatorEigenvalues)")
        for k in 0..<2 {
            XCTAssertEqual(reweighted.generatorEigenvalues[k] / Double(-k - 1), 1, accuracy: 0.08)
            XCTAssertEqual(reweighted.generatorEigenvalues[k] / exact.generatorEigenvalues[k], 1, accuracy: 0.05)
        }
    }

    func testVariableBandwidthCircleLaplaceBeltramiRatios() throws {
        // Non-uniform samples on the unit circle in ℝ⁵; α = 1 with the variable bandwidth (d = 1
        // estimated): Laplace–Beltrami eigenvalues −1, −1, −4, −4.
        let data = try nonUniformCircleSamples(2500)
        let model = try DiffusionMap.fit(data, options: .init(method: .alpha(1), components: 4))
        let ev = model.generatorEigenvalues
        print("circle (variable bandwidth) eigenvalues \(ev), d = \(model.intrinsicDimension)")
        XCTAssertEqual(model.dimension, 1)
        XCTAssertEqual(ev, [-1, -1, -4, -4], accuracy: 0.2)
        XCTAssertEqual(ev[2] / ev[0], 4, accuracy: 0.3)
    }

    func testNystromWithVariableBandwidthReproducesTrainingEigenvectors() throws {
        var rng = RandomSource(seed: 4)
        let n = 3000
        let x = (0..<n).map { _ in rng.normal() }
        let data = Matrix(rows: n, cols: 1, storage: x)
        let model = try DiffusionMap.fit(data, options: .init(method: .targetMeasure(logTarget: x.map { -$0 * $0 / 2 }),
                                                               components: 2))
        let probes = Array(stride(from: 0, to: n, by: 97))
        let extended = try model.extend(to: Matrix(rows: probes.count, cols: 1, storage: probes.map { x[$0] + 1e-4 }))
        for (i, j) in probes.enumerated() { XCTAssertEqual(extended[i, 0], model.eigenvectors[j, 0], accuracy: 0.05) }
    }

    func testReachMatchesGaussianMoments() {
        // d = 2: the cut keeps 1 − e^{−c} of the mass and 1 − (1 + c)e^{−c} of the second moment.
        let c = DiffusionKernel.reach(dimension: 2, tolerance: 0.01)
        XCTAssertEqual(1 - (1 - (1 + c) * exp(-c)) / (1 - exp(-c)), 0.01, accuracy: 1e-6)
        XCTAssertEqual(DiffusionKernel.regularizedLowerGamma(1.5, 2.0), 0.7385358700508893, accuracy: 1e-12)
        XCTAssertEqual(DiffusionKernel.regularizedLowerGamma(3, 10), 1 - 61 * exp(-10), accuracy: 1e-12)
    }
}

/// `n` samples of density ∝ 1/(1 + 0.4 cos t) on the unit circle, isometrically embedded in ℝ⁵ by a
/// random rotation (seed 8): the Laplace–Beltrami spectrum is −1, −1, −4, −4 whatever the density.
func nonUniformCircleSamples(_ n: Int) throws -> Matrix {
    var rng = RandomSource(seed: 8)
    let q = try Matrix(rows: 5, cols: 5, storage: (0..<25).map { _ in rng.normal() }).svd().u
    var data = Matrix(rows: n, cols: 5)
    for i in 0..<n {
        var t = 2 * Double.pi * rng.uniform()
        t += 0.4 * sin(t)
        for c in 0..<5 { data[i, c] = cos(t) * q[c, 0] + sin(t) * q[c, 1] }
    }
    return data
}
