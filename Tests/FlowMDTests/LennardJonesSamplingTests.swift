import XCTest
import FlowLinalg
@testable import FlowMD

/// LJ7 at β = 5: the reweighted well-tempered metadynamics free energy in (μ2, μ3) against a long
/// unbiased run, and short brute-force rates against the published ones.
final class LennardJonesSamplingTests: XCTestCase {
    let lj = LennardJonesCluster2D()
    lazy var hexagon = LennardJonesMinima.minima(of: lj)["hexagon"]!
    lazy var trapezoid = LennardJonesMinima.minima(of: lj)["trapezoid"]!

    /// Free energy −β⁻¹ ln p on (μ2, μ3) bins of width 0.05 from weighted frames.
    func freeEnergy(_ x: Matrix, weights: [Double]) -> (f: [Int: Double], counts: [Int: Int]) {
        let mu = CoordinationMoments(layout: lj.layout)
        var mass: [Int: Double] = [:], counts: [Int: Int] = [:]
        for i in 0..<x.rows {
            let s = mu.value(x.row(i))
            let key = Int((s[0] / 0.05).rounded(.down)) * 1000 + Int(((s[1] + 2) / 0.05).rounded(.down))
            mass[key, default: 0] += weights[i]
            counts[key, default: 0] += 1
        }
        let total = mass.values.reduce(0, +)
        return (mass.mapValues { -log($0 / total) / 5 }, counts)
    }

    /// Largest |F_a − F_b| over the bins both sample well, after removing the mean offset.
    func largestDifference(_ a: [Int: Double], _ b: [Int: Double], bins: [Int]) -> Double {
        let shift = bins.map { a[$0]! - b[$0]! }.reduce(0, +) / Double(bins.count)
        return bins.map { abs(a[$0]! - b[$0]! - shift) }.max()!
    }

    func testMetadynamicsReweightingMatchesUnbiased() throws {
        let unbiased = WalkerEnsemble(potential: lj, integrator: MALA(timeStep: 5e-5, beta: 5),
                                      initial: [[Double]](repeating: hexagon, count: 8),
                                      settings: EnsembleSettings(steps: 1_000_000, stride: 100, seed: 21))
        try unbiased.run(monitor: SilentMonitor(), checkpoints: nil, threads: 2)
        let u = unbiased.trajectory()
        let reference = freeEnergy(u.x, weights: u.x.storage.indices.prefix(u.x.rows).map { _ in 1 })

        let grid = BiasGrid(lower: [0, -1.5], upper: [2, 2.5], points: [201, 401], periodic: [false, false])
        let metad = WellTemperedMetadynamics(cv: CoordinationMoments(layout: lj.layout), height: 0.01, widths: [0.02, 0.02],
                                             biasTemperature: 1, beta: 5, pace: 500, grid: grid)
        let biased = WalkerEnsemble(potential: lj, integrator: MALA(timeStep: 5e-5, beta: 5),
                                    initial: [[Double]](repeating: hexagon, count: 4),
                                    settings: EnsembleSettings(steps: 800_000, stride: 100, seed: 22), metadynamics: metad)
        try biased.run(monitor: SilentMonitor(), checkpoints: nil, threads: 2)
        let b = biased.trajectory()
        let weights = ReweightingWeights.weights(beta: 5, bias: b.bias, offset: b.offset)
        let reweighted = freeEnergy(b.x, weights: weights)
        let raw = freeEnergy(b.x, weights: weights.map { _ in 1 })

        let common = reference.counts.keys.filter { reference.counts[$0]! >= 300 && (reweighted.counts[$0] ?? 0) >= 300 }
        XCTAssertGreaterThanOrEqual(common.count, 8, "both runs sample the hexagon basin")
        let difference = largestDifference(reweighted.f, reference.f, bins: common)
        let unweighted = largestDifference(raw.f, reference.f, bins: common)
        print("LJ7 β=5 (μ2, μ3) free energy over \(common.count) bins: max |ΔF| reweighted \(difference), without weights \(unweighted); \(metad.hills.count) hills")
        XCTAssertLessThan(difference, 0.12, "reweighted metadynamics agrees with the unbiased run (0.6 k_BT)")
        XCTAssertGreaterThan(unweighted, 0.12, "without the weights the comparison fails: the test can detect wrong reweighting")
    }

    /// 10 walkers × 150 time units with the default (μ2, μ3) states: k_AB (1/MFPT hexagon →
    /// trapezoid) and ν_AB within a factor 1.6 of the published 3.46e-2 and 2.56e-2 (Yuan et
    /// al., arXiv 2507.00408). The old quench-core definition gave ν_AB ≈ 1.3e-2, which fails.
    func testShortBruteForceRatesNearPublished() throws {
        let states = LennardJonesStates.hexagonTrapezoid(layout: lj.layout)
        let trackers = (0..<10).map { _ in LastVisitTracker(assignment: states) }
        let ensemble = WalkerEnsemble(potential: lj, integrator: MALA(timeStep: 5e-5, beta: 5),
                                      initial: [[Double]](repeating: hexagon, count: 10),
                                      settings: EnsembleSettings(steps: 3_000_000, stride: 0, seed: 7, observationInterval: 10),
                                      observers: trackers)
        try ensemble.run(monitor: SilentMonitor(), checkpoints: nil, threads: 2)
        var rng = RandomSource(seed: 1)
        let estimate = TransitionRateEstimate(trackers: trackers, names: ["hexagon", "trapezoid"], confidence: 0.95, resamples: 1000, random: &rng)
        let k = estimate.row(.mfptRate, from: "hexagon", to: "trapezoid")!
        let nu = estimate.row(.reactiveFlux, from: "hexagon", to: "trapezoid")!
        print("LJ7 β=5 short run (10 × 150 time units): k_AB \(k.value) [\(k.low), \(k.high)], ν_AB \(nu.value) [\(nu.low), \(nu.high)], \(k.events) events")
        XCTAssertGreaterThan(k.events, 20)
        XCTAssertEqual(nu.value, k.value * estimate.row(.occupancy, from: "hexagon", to: "trapezoid")!.value, accuracy: 1e-12, "ν_AB = ρ_A k_AB")
        XCTAssertGreaterThan(k.value, 3.46e-2 / 1.6)
        XCTAssertLessThan(k.value, 3.46e-2 * 1.6)
        XCTAssertGreaterThan(nu.value, 2.56e-2 / 1.6)
        XCTAssertLessThan(nu.value, 2.56e-2 * 1.6)
        XCTAssertLessThanOrEqual(k.low, k.value)
        XCTAssertGreaterThanOrEqual(k.high, k.value)
    }
}
