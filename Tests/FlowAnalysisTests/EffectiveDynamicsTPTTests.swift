import XCTest
@testable import FlowAnalysis
import FlowLinalg

final class EffectiveDynamicsTPTTests: XCTestCase {
    /// 1D double well F = (x² − 1)² + x/4 with M(x) = 1 + ½ sin x, β = 2, nodes every 0.01 from −2.5
    /// to 2.5 (so that a = −1 and b = 1 are nodes).
    static let beta = 2.0
    static let f = { (x: Double) in (x * x - 1) * (x * x - 1) + 0.25 * x }
    static let m = { (x: Double) in 1 + 0.5 * sin(x) }
    static let axis = GridAxis(lower: -2.505, upper: 2.505, count: 501)

    func model() throws -> EffectiveDynamicsModel {
        let axis = Self.axis
        return try EffectiveDynamics(beta: Self.beta, eigenpairs: 1)
            .fit(axes: [axis], freeEnergy: cellValues([axis]) { Self.f($0[0]) },
                 diffusion: diffusionField([axis]) { [Self.m($0[0])] })
    }

    func testCommittorFluxAndOccupancyAgainstOneDimensionalQuadrature() throws {
        let model = try model()
        let x = model.nodes.coordinates.column(0)
        let (a, b) = (-1.0, 1.0)
        let setA = (0..<x.count).filter { x[$0] <= a + 1e-9 }, setB = (0..<x.count).filter { x[$0] >= b - 1e-9 }
        let tpt = try model.transitionPaths(from: setA, to: setB)

        // q(z) = ∫_a^z e^{βF}/M / ∫_a^b e^{βF}/M. The Dirichlet form of q gives the flux
        // ν_AB = Z⁻¹ β⁻¹ ∫ e^{−βF} M q′² = Z⁻¹ β⁻¹ (∫_a^b e^{βF}/M dz)⁻¹, Z = ∫ e^{−βF} over the
        // domain [x₀, x_{n−1}]; ρ_A = Z⁻¹ ∫ e^{−βF}(1 − q). All by the midpoint rule on a grid 100×
        // finer than the nodes, with cumulative sums for ∫_a^z.
        let beta = Self.beta, f = Self.f, m = Self.m
        let (lo, hi) = (x.first!, x.last!)
        let fine = 50_000, h = (hi - lo) / Double(fine)
        let zs = (0..<fine).map { lo + (Double($0) + 0.5) * h }
        var cumulative = [Double](), running = 0.0
        for zi in zs {
            if zi > a && zi < b { running += exp(beta * f(zi)) / m(zi) * h }
            cumulative.append(running)
        }
        let total = running
        func exactCommittor(_ z: Double) -> Double {
            let k = Int((z - lo) / h - 0.5)
            return k < 0 ? 0 : k >= fine ? 1 : cumulative[k] / total
        }
        var worst = 0.0
        for i in 0..<x.count { worst = max(worst, abs(tpt.committor[i] - exactCommittor(x[i]))) }
        let z = zs.reduce(0.0) { $0 + exp(-beta * f($1)) * h }
        let flux = 1 / (beta * z * total)
        let lastInA = zip(zs, cumulative).reduce(0.0) { $0 + exp(-beta * f($1.0)) * (1 - $1.1 / total) * h } / z
        print("1D TPT: max |q − q_exact| = \(worst); ν = \(tpt.flux) vs \(flux) (\(tpt.flux / flux - 1)); ρ_A = \(tpt.probabilityLastInA) vs \(lastInA)")
        XCTAssertLessThan(worst, 1e-3)
        XCTAssertEqual(tpt.flux / flux, 1, accuracy: 1e-3)
        XCTAssertEqual(tpt.probabilityLastInA / lastInA, 1, accuracy: 1e-3)
        XCTAssertEqual(tpt.rateAB, tpt.flux / tpt.probabilityLastInA, accuracy: 1e-15)
        XCTAssertEqual(tpt.rateBA, tpt.flux / (1 - tpt.probabilityLastInA), accuracy: 1e-15)
        // In 1D with M > 0 the stiffness is an M-matrix: the committor is monotone in [0, 1].
        for i in 1..<x.count { XCTAssertGreaterThanOrEqual(tpt.committor[i], tpt.committor[i - 1]) }
    }

    func testRateTableHasTheTransitionRatesRowLayout() throws {
        let model = try model()
        let left = try model.nodes(in: .box(lower: [-1.5], upper: [-0.7]))
        let right = try model.nodes(in: .ellipse(center: [1.1], semiAxes: [0.4], angle: 0))
        let table = try model.rates(between: [NamedNodeSet(name: "left", nodes: left), NamedNodeSet(name: "right", nodes: right)])
        XCTAssertEqual(table.rows.map { "\($0.from)>\($0.to):\($0.quantity.rawValue)" },
                       ["left>right:k_AB", "left>right:nu_AB", "left>right:rho_A",
                        "right>left:k_AB", "right>left:nu_AB", "right>left:rho_A",
                        "left>any:k_A", "right>any:k_A"])
        let forward = try model.transitionPaths(from: left, to: right)
        XCTAssertEqual(table.row(.mfptRate, from: "left", to: "right")!.value, forward.rateAB, accuracy: 1e-14)
        XCTAssertEqual(table.row(.reactiveFlux, from: "right", to: "left")!.value, forward.flux, accuracy: 1e-9 * forward.flux)
        XCTAssertEqual(table.row(.occupancy, from: "right", to: "left")!.value, 1 - forward.probabilityLastInA, accuracy: 1e-12)
        // With two states, "any other state" is the other one.
        XCTAssertEqual(table.row(.escapeRate, from: "left", to: "any")!.value, forward.rateAB, accuracy: 1e-14)
        XCTAssertEqual(table.committors.count, 2)
        for (p, q) in zip(table.committors[0].values, table.committors[1].values) { XCTAssertEqual(p + q, 1, accuracy: 1e-9) }
        XCTAssertThrowsError(try model.rates(between: [NamedNodeSet(name: "a", nodes: left), NamedNodeSet(name: "b", nodes: left)]))
    }

    func testStatesInCVSpace() throws {
        // 2D grid, first axis an angle on [−π, π): boxes and ellipses wrap across the seam.
        let phi = GridAxis(lower: -.pi, upper: .pi, count: 36, periodic: true)
        let y = GridAxis(lower: -1, upper: 1, count: 20)
        let f = cellValues([phi, y]) { z in 1 - cos(z[0]) + z[1] * z[1] }
        let model = try EffectiveDynamics(beta: 1, eigenpairs: 1)
            .fit(axes: [phi, y], freeEnergy: f, diffusion: DiffusionTensorField(constant: [1, 0, 0, 1], dimension: 2, cells: 720))
        let z = model.nodes.coordinates
        func expected(_ test: (Double, Double) -> Bool) -> [Int] { (0..<z.rows).filter { test(z[$0, 0], z[$0, 1]) } }

        let seam = try model.nodes(in: .box(lower: [3.0, -0.5], upper: [-2.8, 0.5]))
        XCTAssertEqual(seam, expected { ($0 >= 3.0 || $0 <= -2.8) && abs($1) <= 0.5 })
        XCTAssertFalse(seam.isEmpty)
        let ellipse = try model.nodes(in: .ellipse(center: [Double.pi - 0.1, 0], semiAxes: [0.5, 0.2], angle: 0))
        XCTAssertEqual(ellipse, expected { p, q in
            let d = p - (Double.pi - 0.1), wrapped = d - 2 * .pi * (d / (2 * .pi)).rounded()
            return (wrapped / 0.5) * (wrapped / 0.5) + (q / 0.2) * (q / 0.2) <= 1
        })
        // Rotated by 90°, the semi-axes swap.
        let rotated = try model.nodes(in: .ellipse(center: [0, 0], semiAxes: [0.5, 0.2], angle: .pi / 2))
        XCTAssertEqual(rotated, expected { ($0 / 0.2) * ($0 / 0.2) + ($1 / 0.5) * ($1 / 0.5) <= 1 + 1e-12 })
        // F − F_min < 0.5 around the minimum: one basin, here 1 − cos φ + y² < 0.5 (minus the grid's F_min).
        let fNodes = model.freeEnergy
        let basin = try model.nodes(in: .sublevelSet(containing: [0.1, 0.1], level: 0.5))
        XCTAssertEqual(basin, (0..<z.rows).filter { fNodes[$0] < 0.5 })
        XCTAssertThrowsError(try model.nodes(in: .sublevelSet(containing: [3, 0.9], level: 0.5)))
        XCTAssertThrowsError(try model.nodes(in: .box(lower: [0.5, 2], upper: [0.6, 3])))
    }

    func testSubLevelSetKeepsToItsOwnBasin() throws {
        // Two wells of equal depth: the sub-level set below the barrier is one well only.
        let axis = GridAxis(lower: -2, upper: 2, count: 80)
        let model = try EffectiveDynamics(beta: 1, eigenpairs: 1)
            .fit(axes: [axis], freeEnergy: cellValues([axis]) { ($0[0] * $0[0] - 1) * ($0[0] * $0[0] - 1) },
                 diffusion: DiffusionTensorField(constant: [1], dimension: 1, cells: 80))
        let x = model.nodes.coordinates.column(0)
        let left = try model.nodes(in: .sublevelSet(containing: [-1], level: 0.5))
        XCTAssertTrue(left.allSatisfy { x[$0] < 0 })
        XCTAssertEqual(left.count, (0..<x.count).filter { x[$0] < 0 && model.freeEnergy[$0] < 0.5 }.count)
    }
}
