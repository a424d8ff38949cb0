import XCTest
import FlowLinalg
@testable import FlowMD

/// The samplers against exact invariant measures: Müller–Brown histograms against e^{−βV}
/// integrated over bins (χ² with a fixed seed), harmonic moments for BAOAB, and the normal
/// deviates themselves.
final class SamplerTests: XCTestCase {
    static let box: [ClosedRange<Double>] = [-1.5...1.2, -0.2...2.0]
    static let bins = 12

    /// Bin probabilities of e^{−βV} over the box by a 24 × 24 midpoint rule in every bin.
    static func binProbabilities(_ v: any Potential, beta: Double) -> [Double] {
        let sub = 24
        var p = [Double](repeating: 0, count: bins * bins)
        let hx = (box[0].upperBound - box[0].lowerBound) / Double(bins * sub)
        let hy = (box[1].upperBound - box[1].lowerBound) / Double(bins * sub)
        for i in 0..<(bins * sub) {
            for j in 0..<(bins * sub) {
                let x = box[0].lowerBound + (Double(i) + 0.5) * hx, y = box[1].lowerBound + (Double(j) + 0.5) * hy
                p[(i / sub) * bins + j / sub] += exp(-beta * v.energy([x, y]))
            }
        }
        let total = p.reduce(0, +)
        return p.map { $0 / total }
    }

    /// Independent draws from the bin-resolved e^{−βV} on a fine grid (cell by inverse CDF, then
    /// uniform in the cell): an equilibrium start, so that any sampler error shows as drift.
    static func equilibriumStarts(_ v: any Potential, beta: Double, count: Int, seed: UInt64) -> [[Double]] {
        let n = 240
        let hx = (box[0].upperBound - box[0].lowerBound) / Double(n), hy = (box[1].upperBound - box[1].lowerBound) / Double(n)
        var cdf: [Double] = []
        var total = 0.0
        for i in 0..<n {
            for j in 0..<n {
                total += exp(-beta * v.energy([box[0].lowerBound + (Double(i) + 0.5) * hx, box[1].lowerBound + (Double(j) + 0.5) * hy]))
                cdf.append(total)
            }
        }
        var rng = RandomSource(seed: seed)
        return (0..<count).map { _ in
            let u = rng.uniform() * total
            var lo = 0, hi = cdf.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
            }
            return [box[0].lowerBound + (Double(lo / n) + rng.uniform()) * hx, box[1].lowerBound + (Double(lo % n) + rng.uniform()) * hy]
        }
    }

    /// Pearson χ² of the final positions of independent walkers against bin probabilities (bins
    /// expecting fewer than 5 counts are pooled with the outside of the box).
    static func chiSquare(_ points: [[Double]], _ p: [Double]) -> (chi2: Double, dof: Int) {
        var counts = [Double](repeating: 0, count: p.count)
        var outside = 0.0
        for x in points {
            let i = Int((x[0] - box[0].lowerBound) / (box[0].upperBound - box[0].lowerBound) * Double(bins))
            let j = Int((x[1] - box[1].lowerBound) / (box[1].upperBound - box[1].lowerBound) * Double(bins))
            if (0..<bins).contains(i) && (0..<bins).contains(j) { counts[i * bins + j] += 1 } else { outside += 1 }
        }
        let n = Double(points.count)
        var chi2 = 0.0, dof = 0, pooledExpected = 0.0, pooledObserved = outside
        for (o, q) in zip(counts, p) {
            if n * q >= 5 {
                chi2 += (o - n * q) * (o - n * q) / (n * q)
                dof += 1
            } else {
                pooledExpected += n * q
                pooledObserved += o
            }
        }
        if pooledExpected > 0 {
            chi2 += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected
            dof += 1
        }
        return (chi2, dof - 1)
    }

    /// Runs `integrator` from equilibrium starts and returns the χ² of the end points against the
    /// exact measure at β and at a wrong β (the latter must be rejected: the test can fail).
    func muellerBrownChiSquare(_ integrator: any EnsembleIntegrator, steps: Int, walkers: Int = 20_000) throws
        -> (correct: (Double, Int), wrong: (Double, Int)) {
        let mb = MuellerBrown(scale: 0.05)
        let starts = Self.equilibriumStarts(mb, beta: 1, count: walkers, seed: 11)
        let ensemble = WalkerEnsemble(potential: mb, integrator: integrator, initial: starts,
                                      settings: EnsembleSettings(steps: steps, stride: 0, seed: 5))
        try ensemble.run(monitor: SilentMonitor(), checkpoints: nil, threads: 2)
        let ends = (0..<walkers).map { ensemble.position($0) }
        let correct = Self.chiSquare(ends, Self.binProbabilities(mb, beta: 1))
        let wrong = Self.chiSquare(ends, Self.binProbabilities(mb, beta: 1.25))
        return ((correct.chi2, correct.dof), (wrong.chi2, wrong.dof))
    }

    /// The 0.999 quantile of χ²_k by the Wilson–Hilferty approximation.
    func chiSquareQuantile999(_ k: Int) -> Double {
        let z = 3.090232, a = 2 / (9 * Double(k))
        return Double(k) * pow(1 - a + z * a.squareRoot(), 3)
    }

    func testMuellerBrownEulerMaruyamaSmallStep() throws {
        let (correct, wrong) = try muellerBrownChiSquare(EulerMaruyama(timeStep: 1e-4, beta: 1), steps: 2000)
        print("Müller–Brown Euler–Maruyama dt 1e-4: χ² = \(correct.0) with \(correct.1) dof; wrong β: \(wrong.0)")
        XCTAssertLessThan(correct.0, chiSquareQuantile999(correct.1))
        XCTAssertGreaterThan(wrong.0, chiSquareQuantile999(wrong.1), "the test must be able to reject a wrong measure")
    }

    func testMuellerBrownMALA() throws {
        let mala = MALA(timeStep: 1e-3, beta: 1)
        let (correct, wrong) = try muellerBrownChiSquare(mala, steps: 400)
        print("Müller–Brown MALA dt 1e-3: χ² = \(correct.0) with \(correct.1) dof; wrong β: \(wrong.0)")
        XCTAssertLessThan(correct.0, chiSquareQuantile999(correct.1))
        XCTAssertGreaterThan(wrong.0, chiSquareQuantile999(wrong.1))
    }

    func testMALAReportsAcceptance() throws {
        let well = HarmonicWell(stiffness: [1, 100])
        let e = WalkerEnsemble(potential: well, integrator: MALA(timeStep: 0.015, beta: 1), initial: [[0, 0], [0.1, 0]],
                               settings: EnsembleSettings(steps: 4000, stride: 0, seed: 1))
        try e.run(monitor: SilentMonitor(), checkpoints: nil, threads: 1)
        let rates = e.acceptanceRates
        XCTAssertTrue(rates.allSatisfy { $0 > 0.05 && $0 < 0.99 }, "a stiff direction forces rejections: \(rates)")
    }

    func testBAOABHarmonicVariance() throws {
        // Exact variances 1/(βk); BAOAB's configurational error is O(Δt²).
        let k = [1.0, 4.0]
        let e = WalkerEnsemble(potential: HarmonicWell(stiffness: k), integrator: BAOAB(timeStep: 0.05, beta: 2, friction: 1),
                               initial: [[Double]](repeating: [0, 0], count: 400), settings: EnsembleSettings(steps: 4000, stride: 20, seed: 3))
        try e.run(monitor: SilentMonitor(), checkpoints: nil, threads: 2)
        let x = e.trajectory().x
        for c in 0..<2 {
            let col = x.column(c).enumerated().filter { $0.offset % 200 >= 50 }.map(\.element)
            let variance = col.map { $0 * $0 }.reduce(0, +) / Double(col.count)
            XCTAssertEqual(variance, 1 / (2 * k[c]), accuracy: 0.04 / (2 * k[c]), "coordinate \(c)")
        }
    }

    /// The per-step divergence check reads exponent bits: every finite value passes (huge, tiny,
    /// signed zero), and one ∞ or NaN anywhere fails it.
    func testFinitenessCheck() {
        let finite: [Double] = [0, -0.0, 1, -1e308, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude]
        XCTAssertTrue(WalkerEnsemble.allFinite(finite, count: finite.count))
        for bad in [Double.infinity, -.infinity, .nan, -.nan, .signalingNaN] {
            for position in [0, 3, finite.count] {
                var x = finite
                x.insert(bad, at: position)
                XCTAssertFalse(WalkerEnsemble.allFinite(x, count: x.count), "\(bad) at \(position)")
            }
        }
    }

    /// A walker that blows up is reported with the step it diverged at.
    func testDivergenceIsReported() {
        let e = WalkerEnsemble(potential: MuellerBrown(scale: 1), integrator: EulerMaruyama(timeStep: 0.1, beta: 1),
                               initial: [[Double]](repeating: [-0.558, 1.442], count: 40),
                               settings: EnsembleSettings(steps: 100, stride: 0, seed: 1))
        XCTAssertThrowsError(try e.run(monitor: SilentMonitor(), checkpoints: nil, threads: 2)) { error in
            guard case SamplingError.diverged(_, let step, _) = error else { return XCTFail("\(error)") }
            XCTAssertLessThan(step, 100)
        }
    }

    func testZigguratIsStandardNormal() {
        var rng = RandomSource(seed: 42)
        let n = 200_000
        var values = (0..<n).map { _ in ZigguratNormal.sample(&rng) }
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
        values.sort()
        var ks = 0.0
        for (i, v) in values.enumerated() {
            let cdf = 0.5 * erfc(-v / 2.0.squareRoot())
            ks = max(ks, abs(cdf - Double(i + 1) / Double(n)), abs(cdf - Double(i) / Double(n)))
        }
        XCTAssertLessThan(ks * Double(n).squareRoot(), 1.95, "Kolmogorov–Smirnov at the 0.001 level")
        XCTAssertGreaterThan(values.last!, 4, "the tail beyond r is sampled")
    }
}
