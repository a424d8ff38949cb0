import XCTest
@testable import FlowAnalysis
import FlowLinalg

final class EffectiveDynamicsSpectrumTests: XCTestCase {
    /// Asymmetric double well, F(x) = (x² − 1)² + x/4, β = 3 (barrier ≈ 3.4 k_BT from the deeper well).
    static let doubleWell = (f: { (x: Double) in (x * x - 1) * (x * x - 1) + 0.25 * x },
                             df: { (x: Double) in 4 * x * (x * x - 1) + 0.25 },
                             d2f: { (x: Double) in 12 * x * x - 4 })

    func testSeparableDoubleWellReducedToOneDimensionMatchesFiniteDifferenceReference() throws {
        let beta = 3.0, dw = Self.doubleWell
        let axis = GridAxis(lower: -2.2, upper: 2.2, count: 220)
        // The FEM domain ends at the outermost cell centres; e^{−βF} ≈ e^{−43} there, so ψ = 0 (the
        // reference) and the natural boundary condition (finite elements) agree.
        let (a, b) = (axis.center(0), axis.center(axis.count - 1))
        let reference = EffectiveDynamicsReference.schroedingerEigenvalue(1, beta: beta, on: a, b, intervals: 20_000,
                                                                          derivative: dw.df, secondDerivative: dw.d2f)
        let ground = EffectiveDynamicsReference.schroedingerEigenvalue(0, beta: beta, on: a, b, intervals: 20_000,
                                                                       derivative: dw.df, secondDerivative: dw.d2f)
        XCTAssertEqual(ground, 0, accuracy: 1e-4 * reference, "the reference's ground state is e^{−βF/2}")

        // The CV x₁ of the separable V(x₁, x₂) = F(x₁) + x₂²/2: its free energy is F and M = 1.
        let model = try EffectiveDynamics(beta: beta, eigenpairs: 2)
            .fit(axes: [axis], freeEnergy: cellValues([axis]) { dw.f($0[0]) },
                 diffusion: DiffusionTensorField(constant: [1], dimension: 1, cells: axis.count))
        let error = model.eigenvalues[0] / reference - 1
        print("double well: λ₁ = \(model.eigenvalues[0]), reference \(reference), relative error \(error)")
        XCTAssertEqual(error, 0, accuracy: 1e-2)

        // The full 2D separable dynamics on (x₁, x₂) has the same slowest eigenvalue (x₂'s own are 1, 2, …).
        // The x₂ spacing must resolve π's width β^{−1/2} too: the weights of x₁-edges are taken at
        // element centroids, the mass at nodes, and the two quadratures of ∫e^{−βx₂²/2} differ by O(h²).
        let y = GridAxis(lower: -3, upper: 3, count: 60)
        let full = try EffectiveDynamics(beta: beta, eigenpairs: 2)
            .fit(axes: [axis, y], freeEnergy: cellValues([axis, y]) { dw.f($0[0]) + $0[1] * $0[1] / 2 },
                 diffusion: DiffusionTensorField(constant: [1, 0, 0, 1], dimension: 2, cells: axis.count * y.count))
        print("separable 2D: λ₁ = \(full.eigenvalues[0]), relative error \(full.eigenvalues[0] / reference - 1)")
        XCTAssertEqual(full.eigenvalues[0] / reference, 1, accuracy: 1e-2)
    }

    func testAnisotropicOrnsteinUhlenbeckRecoversAnalyticEigenvalues() throws {
        // F = ½ zᵀAz, constant full M: dZ = −MAZ dt + √(2β⁻¹M) dW. The generator's eigenvalues are
        // −(n₁μ₁ + n₂μ₂) for the eigenvalues μ of the drift matrix MA (real and positive: MA is
        // similar to M^{1/2} A M^{1/2}), independent of β.
        let beta = 2.0
        let a = [[1.0, 0.4], [0.4, 2.0]], m = [1.0, 0.5, 0.5, 0.8]
        let ma = [[m[0] * a[0][0] + m[1] * a[1][0], m[0] * a[0][1] + m[1] * a[1][1]],
                  [m[2] * a[0][0] + m[3] * a[1][0], m[2] * a[0][1] + m[3] * a[1][1]]]
        let trace = ma[0][0] + ma[1][1], det = ma[0][0] * ma[1][1] - ma[0][1] * ma[1][0]
        let mu = [(trace - (trace * trace - 4 * det).squareRoot()) / 2, (trace + (trace * trace - 4 * det).squareRoot()) / 2]
        let exact = Array(Set((0...8).flatMap { i in (0...8).map { j in Double(i) * mu[0] + Double(j) * mu[1] } })).sorted()[1...6]

        // A box of ±5.5 standard deviations of π ∝ e^{−βF} (covariance A⁻¹/β) along each axis.
        let detA = a[0][0] * a[1][1] - a[0][1] * a[1][0]
        let sd = [(a[1][1] / detA / beta).squareRoot(), (a[0][0] / detA / beta).squareRoot()]
        let axes = sd.map { GridAxis(lower: -5.5 * $0, upper: 5.5 * $0, count: 100) }
        let f = cellValues(axes) { z in 0.5 * (a[0][0] * z[0] * z[0] + 2 * a[0][1] * z[0] * z[1] + a[1][1] * z[1] * z[1]) }
        let model = try EffectiveDynamics(beta: beta, eigenpairs: 6)
            .fit(axes: axes, freeEnergy: f, diffusion: diffusionField(axes) { _ in m })
        let errors = zip(model.eigenvalues, exact).map { $0 / $1 - 1 }
        print("OU: λ = \(model.eigenvalues), exact \(Array(exact)), relative errors \(errors)")
        for e in errors { XCTAssertEqual(e, 0, accuracy: 1e-2) }
        // |M₀₁| ≤ min(M₀₀h₁/h₀, M₁₁h₀/h₁) here, so the M-adapted splits give an M-matrix.
        XCTAssertEqual(model.generator.positiveCouplings, 0)
        XCTAssertEqual(model.trivialEigenvalue, 0, accuracy: 1e-10 * model.eigenvalues[0])
    }

    func testPeriodicDihedralMatchesFourierGalerkinReference() throws {
        // A dihedral-like F(φ) = cos 3φ + ½ cos φ with a position-dependent M(φ).
        let beta = 2.0
        let f = { (phi: Double) in cos(3 * phi) + 0.5 * cos(phi) }
        let m = { (phi: Double) in 1 + 0.4 * cos(phi + 0.3) }
        let reference = try EffectiveDynamicsReference.fourierGalerkinEigenvalues(
            beta: beta, modes: 40, points: 1024, count: 5, freeEnergy: f, diffusion: m)
        XCTAssertEqual(reference[0], 0, accuracy: 1e-10)
        let axis = GridAxis(lower: -Double.pi, upper: Double.pi, count: 240, periodic: true)
        let model = try EffectiveDynamics(beta: beta, eigenpairs: 4)
            .fit(axes: [axis], freeEnergy: cellValues([axis]) { f($0[0]) }, diffusion: diffusionField([axis]) { [m($0[0])] })
        let errors = zip(model.eigenvalues, reference.dropFirst()).map { $0 / $1 - 1 }
        print("periodic: λ = \(model.eigenvalues), reference \(Array(reference.dropFirst())), relative errors \(errors)")
        for e in errors { XCTAssertEqual(e, 0, accuracy: 1e-2) }
        // Refining halves h and should quarter the error (second order): a check that the wrap-around
        // element is there (without it the ring is an interval with a different spectrum).
        let fine = GridAxis(lower: -Double.pi, upper: Double.pi, count: 480, periodic: true)
        let refined = try EffectiveDynamics(beta: beta, eigenpairs: 1)
            .fit(axes: [fine], freeEnergy: cellValues([fine]) { f($0[0]) }, diffusion: diffusionField([fine]) { [m($0[0])] })
        XCTAssertEqual(errors[0] / (refined.eigenvalues[0] / reference[1] - 1), 4, accuracy: 0.5)
    }

    /// A 2D problem with every complication: a periodic second axis, a full M that varies in space,
    /// removed cells (a hole and a free-energy cut-off).
    func awkwardProblem(mirrored: Bool = false) throws -> FiniteElementGenerator {
        let x = GridAxis(lower: -1.5, upper: 1.5, count: 30)
        let theta = GridAxis(lower: 0, upper: 2 * .pi, count: 24, periodic: true)
        let s: Double = mirrored ? -1 : 1
        let f = cellValues([x, theta]) { z in
            let u = s * z[0]
            if abs(u - 0.3) < 0.12 && abs(z[1] - 2) < 0.3 { return .infinity }
            return u * u + 0.5 * cos(z[1]) + 0.3 * u * sin(z[1]) + 0.2 * u
        }
        let m = try diffusionField([x, theta]) { z in
            let u = s * z[0]
            let off = s * 0.4 * cos(z[1]) * (1 + 0.2 * u)
            return [1 + 0.3 * u * u, off, off, 0.8 + 0.2 * sin(z[1])]
        }
        return try FiniteElementGenerator(axes: [x, theta], freeEnergy: f, diffusion: m, beta: 1.5,
                                          selection: NodeSelection(maxFreeEnergyFraction: 0.9))
    }

    func testStiffnessIsSymmetricWithConstantsInItsNullSpaceAndSpectrumNonNegative() throws {
        let g = try awkwardProblem()
        XCTAssertLessThan(g.nodes.count, 30 * 24 - 2, "the hole and the cut-off remove cells")
        let k = g.stiffness.dense
        let scale = g.stiffness.diagonal.max()!
        for i in 0..<k.rows { for j in 0..<i { XCTAssertEqual(k[i, j], k[j, i], accuracy: 1e-14 * scale) } }
        for r in g.stiffness.rowSums { XCTAssertEqual(r, 0, accuracy: 1e-12 * scale) }
        XCTAssertTrue(g.mass.allSatisfy { $0 > 0 })
        XCTAssertEqual(g.stationary.reduce(0, +), 1, accuracy: 1e-12)

        let dense = try g.spectrum(count: 8, solver: .dense)
        let sparse = try g.spectrum(count: 8, solver: .shiftInvert)
        XCTAssertEqual(dense.eigenvalues[0], 0, accuracy: 1e-10 * dense.eigenvalues[1])
        XCTAssertTrue(dense.eigenvalues.allSatisfy { $0 > -1e-10 * dense.eigenvalues[1] })
        XCTAssertEqual(sparse.eigenvalues, dense.eigenvalues, accuracy: 1e-8 * dense.eigenvalues[7])
        // The first eigenfunction is the constant; all are orthonormal in ℓ²(π).
        let pi = g.stationary
        for i in 0..<4 {
            for j in 0..<4 {
                let inner = (0..<pi.count).reduce(0.0) { $0 + pi[$1] * dense.eigenfunctions[$1, i] * dense.eigenfunctions[$1, j] }
                XCTAssertEqual(inner, i == j ? 1 : 0, accuracy: 1e-9)
            }
        }
        // Detailed balance of the jump process B⁻¹K: π_i (B⁻¹K)_ij = K_ij / Σ B is symmetric.
        let z = g.mass.reduce(0, +)
        for (i, j) in [(0, 1), (5, 6), (40, 64)] where k[i, j] != 0 {
            XCTAssertEqual(pi[i] * k[i, j] / g.mass[i], pi[j] * k[j, i] / g.mass[j], accuracy: 1e-14 * abs(k[i, j]) / z)
        }
    }

    func testMirroredProblemHasTheSameSpectrum() throws {
        // x → −x maps F(x, θ) to F(−x, θ) and M₀₁ to −M₀₁; the split of each rectangle follows the
        // sign of M₀₁, so the discretization is mirrored too and the eigenvalues agree to rounding.
        let a = try awkwardProblem().spectrum(count: 6, solver: .dense).eigenvalues
        let b = try awkwardProblem(mirrored: true).spectrum(count: 6, solver: .dense).eigenvalues
        XCTAssertEqual(a, b, accuracy: 1e-9 * a[5])
    }

    func testFlatTorusMatchesTheStencilsFourierSymbol() throws {
        // F = 0 and a constant full M on a torus (both axes periodic, the first one folded in the
        // node numbering). With every rectangle split along (h₀, h₁) (M₀₁ > 0), P1 with lumped mass
        // is the finite-difference operator β⁻¹[M₀₀δ₀₀ + M₁₁δ₁₁ + 2M₀₁δ₀₁] whose symbol on the mode
        // e^{i(θ₀i + θ₁j)} is β⁻¹[2M₀₀(1 − cos θ₀)/h₀² + 2M₁₁(1 − cos θ₁)/h₁²
        //   + 2M₀₁((1 − cos(θ₀ + θ₁)) − (1 − cos θ₀) − (1 − cos θ₁))/(h₀h₁)]: exact discrete eigenvalues.
        let beta = 2.0, m = [1.0, 0.3, 0.3, 0.6]
        let axes = [GridAxis(lower: 0, upper: 1, count: 12, periodic: true), GridAxis(lower: 0, upper: 1.5, count: 10, periodic: true)]
        let g = try FiniteElementGenerator(axes: axes, freeEnergy: [Double](repeating: 0, count: 120),
                                           diffusion: DiffusionTensorField(constant: m, dimension: 2, cells: 120), beta: beta)
        let (h0, h1) = (axes[0].spacing, axes[1].spacing)
        var symbols = [Double]()
        for k in 0..<12 {
            for l in 0..<10 {
                let (t0, t1) = (2 * Double.pi * Double(k) / 12, 2 * Double.pi * Double(l) / 10)
                let s = 2 * m[0] * (1 - cos(t0)) / (h0 * h0) + 2 * m[3] * (1 - cos(t1)) / (h1 * h1)
                    + 2 * m[1] * ((1 - cos(t0 + t1)) - (1 - cos(t0)) - (1 - cos(t1))) / (h0 * h1)
                symbols.append(s / beta)
            }
        }
        symbols.sort()
        let lambda = try g.spectrum(count: 120, solver: .dense).eigenvalues
        XCTAssertEqual(lambda, symbols, accuracy: 1e-9 * symbols.last!)
        XCTAssertEqual(try g.spectrum(count: 10, solver: .shiftInvert).eigenvalues, Array(symbols[0..<10]), accuracy: 1e-8 * symbols[9])
    }
}
