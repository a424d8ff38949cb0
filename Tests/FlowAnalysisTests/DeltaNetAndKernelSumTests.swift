import XCTest
@testable import FlowAnalysis
import FlowLinalg

/// δ-nets (covering and separation, exactly), TMDmap on a δ-net against the Ornstein–Uhlenbeck
/// spectrum, and the kernel-sum dimension on flat tori of dimension 1, 2, 3, 5.
final class DeltaNetAndKernelSumTests: XCTestCase {
    func testDeltaNetCoversAndSeparatesExactly() throws {
        var rng = RandomSource(seed: 8)
        let n = 3000
        // Non-uniform: a dense Gaussian core and a uniform background in 3-D.
        var data = Matrix(rows: n, cols: 3)
        for i in 0..<n {
            for t in 0..<3 { data[i, t] = i % 3 == 0 ? rng.uniform(-3, 3) : 0.3 * rng.normal() }
        }
        let net = try DeltaNet(data: data, delta: 0.4)
        func distance(_ a: Int, _ b: Int) -> Double { (0..<3).reduce(0.0) { $0 + pow(data[a, $1] - data[b, $1], 2) }.squareRoot() }
        var closest = Double.infinity
        for (p, a) in net.representatives.enumerated() { for b in net.representatives[(p + 1)...] { closest = min(closest, distance(a, b)) } }
        var farthest = 0.0
        for i in 0..<n {
            let nearest = net.representatives.map { distance(i, $0) }.min()!
            XCTAssertEqual(distance(i, net.representatives[net.assignment[i]]), nearest, "sample \(i) is assigned to its nearest representative")
            farthest = max(farthest, nearest)
        }
        print("δ-net: \(net.representatives.count) of \(n) samples, closest pair \(closest), farthest sample \(farthest) (δ = 0.4)")
        XCTAssertGreaterThanOrEqual(closest, 0.4, "representatives at least δ apart")
        XCTAssertLessThan(farthest, 0.4, "every sample within δ of a representative")
        XCTAssertEqual(net.mass.reduce(0, +), 1, accuracy: 1e-12)
        let sized = try DeltaNet(data: data, targetSize: 200)
        XCTAssertEqual(Double(sized.representatives.count), 200, accuracy: 10)
    }

    func testTMDmapOnADeltaNetOfOrnsteinUhlenbeckSamples() throws {
        // 2·10⁴ Boltzmann samples of V = x²/2 at β = 1 (generator eigenvalues −1, −2, −3), a δ-net
        // of about 1000, TMDmap with the target from the kernel density of all samples at the net.
        var rng = RandomSource(seed: 31)
        let n = 20_000
        let data = Matrix(rows: n, cols: 1, storage: (0..<n).map { _ in rng.normal() })
        let net = try DeltaNet(data: data, targetSize: 1000)
        let points = data.rows(net.representatives)
        let model = try DiffusionMap.fit(points, options: .init(method: .targetMeasure(logTarget: net.logDensity(data: data)), components: 3))
        let lambda = model.generatorEigenvalues
        print("TMDmap on a δ-net (δ = \(net.delta), \(net.representatives.count) representatives): \(lambda), ε = \(model.epsilon)")
        for (k, value) in lambda.enumerated() { XCTAssertEqual(value / Double(-k - 1), 1, accuracy: 0.03) }
        // Nyström back to every sample: φ₁ ∝ x.
        let extended = try model.extend(to: data)
        XCTAssertGreaterThan(abs(Statistics.correlation(extended.column(0), data.column(0))), 0.99)
    }

    func testTMDmapOnADeltaNetOfBiasedCorrelatedFramesRecoversTheReweightedSpectrum() throws {
        // A correlated chain (AR(1), lag correlation 0.9) sampling N(0, 2), i.e. V = x²/2 at twice
        // the temperature, reweighted to β = 1 by w ∝ e^{−x²/4}: the net must carry π ∝ e^{−x²/2}
        // (generator eigenvalues −1, −2, −3), not the sampled N(0, 2) (−½, −1, −3/2), nor the
        // net's own near-uniform density. The 3 % is missed at this size (net of 1010:
        // covered mass −1.068, −2.103, −3.170; kernel density −1.055, −2.072, −3.070), from two
        // sources, measured (Benchmarks/README.md, "OU on a δ-net: where the error comes from"):
        // - the net with the default ε: the exact target read at the same representatives gives
        //   −1.033, −2.065, −3.084. That error grows as ε shrinks against δ² (ε × ½: +5.1 %; × 2:
        //   +2.0 %; × 4: +0.6 % on λ₁, where the O(ε) bias turns λ₃ to −2.2 %) and is +3.2–3.7 %
        //   for nets of 491, 1010 and 1980 alike, since the default ε follows the net's own
        //   spacing (δ²/ε ≈ 0.01 for all three); the fixed bandwidth gives the same values;
        // - the carried weights: +3 % more from the correlated frames' effective sample size
        //   (integrated autocorrelation time 19: about one effective frame per cell). With i.i.d.
        //   frames the covered mass adds 1 %, the kernel density nothing; with 10× as many
        //   correlated frames both add nothing (−1.032 and −1.024 against −1.035 exact).
        // So the test asserts (a) the carried weights reproduce the exact-target map on the same
        // net within 4 % (measured ≤ 3.3 %), (b) 8 % against the analytic values.
        var rng = RandomSource(seed: 57)
        let n = 20_000, a = 0.9
        var x = [Double](repeating: 0, count: n)
        x[0] = 2.squareRoot() * rng.normal()
        for t in 1..<n { x[t] = a * x[t - 1] + (2 * (1 - a * a)).squareRoot() * rng.normal() }
        let data = Matrix(rows: n, cols: 1, storage: x)
        let logWeights = x.map { -$0 * $0 / 4 }
        let net = try DeltaNet(data: data, targetSize: 1000, weights: logWeights.map { exp($0) })
        let points = data.rows(net.representatives)
        let exact = try DiffusionMap.fit(points, options: .init(method: .targetMeasure(logTarget: net.representatives.map { -x[$0] * x[$0] / 2 }), components: 3)).generatorEigenvalues
        print("TMDmap on a δ-net of biased correlated frames, exact target: \(exact)")
        for estimate in [DeltaNet.TargetEstimate.coveredMass, .kernelDensity] {
            let method = try net.method(for: .reweighted(logWeights: logWeights), data: data, estimate: estimate)
            let lambda = try DiffusionMap.fit(points, options: .init(method: method, components: 3)).generatorEigenvalues
            print("TMDmap on a δ-net of biased correlated frames, \(estimate): \(lambda)")
            for k in 0..<3 {
                XCTAssertEqual(lambda[k] / exact[k], 1, accuracy: 0.04, "\(estimate), λ\(k + 1) against the exact target on the net")
                XCTAssertEqual(lambda[k] / Double(-k - 1), 1, accuracy: 0.08, "\(estimate), λ\(k + 1)")
            }
        }
        // Without the weights the net targets its own density times the sample counts, i.e. the
        // sampled N(0, 2): the checks above can fail.
        let unweighted = try DiffusionMap.fit(points, options: .init(method: net.method(for: .reweighted(logWeights: [Double](repeating: 0, count: n)), data: data), components: 1))
        XCTAssertEqual(unweighted.generatorEigenvalues[0], -0.5, accuracy: 0.05)
        XCTAssertEqual(net.assignment.count, n)
        XCTAssertEqual(net.mass.reduce(0, +), 1, accuracy: 1e-12)
    }

    func testKernelSumDimensionOfFlatTori() throws {
        // Uniform samples of the flat torus [0, 1)^d with the periodic distance: S(ε) ∝ ε^{d/2}
        // between the sample spacing and the torus size.
        for d in [1, 2, 3, 5] {
            var rng = RandomSource(seed: UInt64(40 + d))
            let n = 2000
            let x = (0..<(n * d)).map { _ in rng.uniform() }
            var histogram = PairHistogram()
            for i in 0..<n {
                for j in 0..<n where j != i {
                    var s = 0.0
                    for t in 0..<d {
                        let e = abs(x[i * d + t] - x[j * d + t])
                        let wrapped = min(e, 1 - e)
                        s += wrapped * wrapped
                    }
                    histogram.add(s)
                }
            }
            let sum = try KernelSum(pairHistogram: histogram, selfPairs: Double(n))
            print("flat \(d)-torus, \(n) samples: kernel-sum dimension \(sum.dimension), ε = \(sum.epsilon)")
            XCTAssertEqual(sum.dimension / Double(d), 1, accuracy: 0.1)
        }
    }
}
