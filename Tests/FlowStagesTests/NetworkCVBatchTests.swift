import XCTest
import FlowLinalg
import FlowMD
import FlowNN
@testable import FlowStages

/// A learned CV (network 7→45→30→25→2 on LJ7's sorted coordination numbers) evaluated for a block
/// of walkers at once: the same values and restraint forces as walker by walker, and forces that
/// are the gradient of the restraint energy (central differences).
final class NetworkCVBatchTests: XCTestCase {
    func learnedCV(_ rng: inout RandomSource, features: any CollectiveVariable = SortedCoordinationNumbers(layout: .planar(particles: 7))) -> NetworkCV {
        let net = MLP(sizes: [7, 45, 30, 25, 2], activation: .elu, rng: &rng)
        for b in net.biases { b.values = b.values.map { _ in 0.2 * rng.normal() } }
        net.inputNormalization = Normalization(shift: [Double](repeating: 3, count: 7), scale: [Double](repeating: 0.8, count: 7))
        net.outputNormalization = Normalization(shift: [0.1, -0.2], scale: [1.5, 0.7])
        return NetworkCV(network: net, features: features)
    }

    /// Noisy hexagons (coordinate-major x₁…x₇, y₁…y₇).
    func configurations(_ count: Int, _ rng: inout RandomSource) -> [[Double]] {
        (0..<count).map { _ in
            var x = [Double](repeating: 0, count: 14)
            for p in 1..<7 {
                let angle = Double(p) * Double.pi / 3
                x[p] = 1.12 * cos(angle)
                x[7 + p] = 1.12 * sin(angle)
            }
            return x.map { $0 + 0.12 * rng.normal() }
        }
    }

    /// Sorted coordination numbers have a block evaluator of their own (pairs, no Jacobian);
    /// unsorted ones go through the generic `JacobianBatchEvaluator`.
    func testBlockRestraintEqualsWalkerByWalkerAndFiniteDifferences() {
        var rng = RandomSource(seed: 12)
        for features in [SortedCoordinationNumbers(layout: .planar(particles: 7)) as any CollectiveVariable,
                         CoordinationNumbers(layout: .planar(particles: 7))] {
            checkBlockRestraint(learnedCV(&rng, features: features), &rng)
        }
    }

    func checkBlockRestraint(_ cv: NetworkCV, _ rng: inout RandomSource) {
        let walkers = 37
        let x = configurations(walkers, &rng)
        let centers = (0..<walkers).map { _ in [rng.normal(), rng.normal()] }
        let bias = UmbrellaWindows(cv: cv, forceConstants: [40, 25], centers: centers, periods: [nil, nil])
        XCTAssertTrue(bias.evaluatesInBlocks)
        var energies = [Double](repeating: 0, count: walkers)
        var gradients = [Double](repeating: 0, count: walkers * 14)
        x.flatMap { $0 }.withUnsafeBufferPointer {
            bias.addEnergies($0.baseAddress!, count: walkers, firstWalker: 0, time: 0, energies: &energies, gradients: &gradients)
        }
        var worstValue = 0.0, worstForce = 0.0, worstDifference = 0.0
        let h = 1e-6
        for k in 0..<walkers {
            var g = [Double](repeating: 0, count: 14)
            let e = bias.energy(x[k], walker: k, time: 0, addingGradientTo: &g)
            worstValue = max(worstValue, abs(energies[k] - e) / max(1, abs(e)))
            for i in 0..<14 {
                worstForce = max(worstForce, abs(gradients[k * 14 + i] - g[i]) / max(1, abs(g[i])))
                var up = x[k], down = x[k]
                up[i] += h
                down[i] -= h
                var scratch = g
                let fd = (bias.energy(up, walker: k, time: 0, addingGradientTo: &scratch)
                          - bias.energy(down, walker: k, time: 0, addingGradientTo: &scratch)) / (2 * h)
                worstDifference = max(worstDifference, abs(gradients[k * 14 + i] - fd) / max(1, abs(fd)))
            }
        }
        XCTAssertLessThan(worstValue, 1e-12, "block energies against walker by walker")
        XCTAssertLessThan(worstForce, 1e-11, "block forces J_φᵀ J_Nᵀ κ(ξ − z) against walker by walker")
        XCTAssertLessThan(worstDifference, 1e-6, "block forces against central differences of the energy")
    }

    /// Through the ensemble's force path: a block bias gives the same V + B and ∇(V + B) as a
    /// walker-by-walker bias on the same CV, and a moving restraint does too.
    func testWalkerForcesTakeTheBlockPath() {
        var rng = RandomSource(seed: 5)
        let cv = learnedCV(&rng)
        let walkers = 20
        let x = configurations(walkers, &rng).flatMap { $0 }
        let potential = LennardJonesCluster2D()
        struct PerWalker: Bias {
            let inner: MovingHarmonicRestraint
            func energy(_ x: [Double], time: Double) -> Double { inner.energy(x, time: time) }
            func energy(_ x: [Double], time: Double, addingGradientTo g: inout [Double]) -> Double {
                inner.energy(x, time: time, addingGradientTo: &g)
            }
        }
        let restraint = { MovingHarmonicRestraint(cv: cv, forceConstants: [30, 30], initialCenters: [0.2, -0.1], velocities: [1, 2]) }
        var results: [[Double]] = []
        for biases in [[restraint() as any Bias], [PerWalker(inner: restraint())]] {
            let forces = WalkerForces(potential: potential, biases: biases)
            var e = [Double](repeating: 0, count: walkers), b = e, g = [Double](repeating: 0, count: walkers * 14)
            x.withUnsafeBufferPointer { forces.evaluate($0.baseAddress!, count: walkers, time: 0.3, energies: &e, biases: &b, gradients: &g) }
            results.append(e + b + g)
        }
        for (a, b) in zip(results[0], results[1]) { XCTAssertEqual(a, b, accuracy: 1e-11 * max(1, abs(b))) }
    }
}
