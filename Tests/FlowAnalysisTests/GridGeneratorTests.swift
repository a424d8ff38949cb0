import XCTest
@testable import FlowAnalysis
import FlowLinalg

/// Müller–Brown potential (DESIGN §7), scaled: a private copy for the reference tests.
func muellerBrown(_ x: Double, _ y: Double, scale: Double = 0.05) -> Double {
    let a = [-200.0, -100, -170, 15], aa = [-1.0, -1, -6.5, 0.7], bb = [0.0, 0, 11, 0.6], cc = [-10.0, -10, -6.5, 0.7]
    let x0 = [1.0, 0, -0.5, -1], y0 = [0.0, 0.5, 1.5, 1]
    var v = 0.0
    for i in 0..<4 {
        let dx = x - x0[i], dy = y - y0[i]
        v += a[i] * exp(aa[i] * dx * dx + bb[i] * dx * dy + cc[i] * dy * dy)
    }
    return scale * v
}

let muellerBrownBox = (x: (-1.7, 1.3), y: (-0.5, 2.2))

func muellerBrownGrid(_ nx: Int, _ ny: Int) throws -> GridGenerator {
    let ax = GridAxis(lower: muellerBrownBox.x.0, upper: muellerBrownBox.x.1, count: nx)
    let ay = GridAxis(lower: muellerBrownBox.y.0, upper: muellerBrownBox.y.1, count: ny)
    var f = [Double]()
    for i in 0..<nx { for j in 0..<ny { f.append(muellerBrown(ax.center(i), ay.center(j))) } }
    return try GridGenerator(axes: [ax, ay], freeEnergy: f, beta: 1, maxReducedFreeEnergy: 30)
}

final class GridGeneratorTests: XCTestCase {
    func oneDimensional(_ n: Int, _ lo: Double, _ hi: Double, beta: Double, _ f: (Double) -> Double) throws -> GridGenerator {
        let axis = GridAxis(lower: lo, upper: hi, count: n)
        return try GridGenerator(axes: [axis], freeEnergy: (0..<n).map { f(axis.center($0)) }, beta: beta)
    }

    func testOrnsteinUhlenbeckHermiteSpectrum() throws {
        // V = x²/2: β⁻¹f'' − x f' has eigenvalues 0, −1, −2, … for every β; eigenfunctions Hermite.
        for beta in [1.0, 4.0] {
            let width = 7 / beta.squareRoot()
            let g = try oneDimensional(600, -width, width, beta: beta) { $0 * $0 / 2 }
            for solver in [GridGenerator.EigenSolver.dense, .shiftInvert] {
                let s = try g.spectrum(count: 5, solver: solver)
                for k in 0..<5 { XCTAssertEqual(s.eigenvalues[k], Double(k), accuracy: 2e-3 * Double(k + 1), "β=\(beta) \(solver)") }
                // φ₁ ∝ x, normalized under π = N(0, 1/β): φ₁ = √β x.
                let x = g.stateCoordinates.column(0)
                for i in stride(from: 100, to: 500, by: 50) { XCTAssertEqual(s.eigenfunctions[i, 1], beta.squareRoot() * x[i], accuracy: 5e-3 * (1 + abs(x[i]))) }
            }
        }
    }

    func testMuellerBrownEigenvaluesConvergeUnderRefinement() throws {
        var lambda = [Double]()
        for n in [30, 60, 120] {
            lambda.append(try muellerBrownGrid(n, n).spectrum(count: 3).eigenvalues[1])
        }
        let ratio = (lambda[0] - lambda[1]) / (lambda[1] - lambda[2])
        XCTAssertEqual(ratio, 4, accuracy: 1, "second-order convergence, λ₁ = \(lambda)")
        XCTAssertEqual(lambda[2], 0.2259, accuracy: 2e-3)  // cross-checked with SciPy eigsh on the same scheme
    }

    func testCommittorOnSymmetricDoubleWell() throws {
        let g = try oneDimensional(201, -2, 2, beta: 3) { ($0 * $0 - 1) * ($0 * $0 - 1) }
        let a = Array(0..<40), b = Array(161..<201)
        let q = try g.committor(from: a, to: b)
        for s in a { XCTAssertEqual(q[s], 0) }
        for s in b { XCTAssertEqual(q[s], 1) }
        for i in 0..<201 { XCTAssertEqual(q[i] + q[200 - i], 1, accuracy: 1e-10) }
        XCTAssertEqual(q[100], 0.5, accuracy: 1e-10)
        for i in 1..<201 { XCTAssertGreaterThanOrEqual(q[i], q[i - 1]) }
    }

    func testReactiveFluxAgainstOneDimensionalFormula() throws {
        // ν_AB = β⁻¹ / (Z ∫_a^b e^{βF} dx) with Z = ∫ e^{−βF} over the domain (M = 1); A = {x < a}, B = {x > b}.
        let beta = 2.0, n = 800, lo = -2.0, hi = 2.0
        let f = { (x: Double) in (x * x - 1) * (x * x - 1) + 0.3 * x }
        let g = try oneDimensional(n, lo, hi, beta: beta, f)
        let x = g.stateCoordinates.column(0)
        let a = (0..<n).filter { x[$0] < -1 }, b = (0..<n).filter { x[$0] > 1 }
        let tpt = try g.transitionPaths(from: a, to: b)
        let m = 200_000, h = (hi - lo) / Double(m)
        var z = 0.0, barrier = 0.0
        for i in 0..<m {
            let xi = lo + (Double(i) + 0.5) * h
            z += exp(-beta * f(xi)) * h
            if xi > x[a.last!] && xi < x[b.first!] { barrier += exp(beta * f(xi)) * h }
        }
        let exact = 1 / (beta * z * barrier)
        XCTAssertEqual(tpt.flux / exact, 1, accuracy: 1e-2, "flux \(tpt.flux) vs \(exact)")
        // The Dirichlet form of the committor is the same flux.
        var dirichlet = 0.0
        for i in 0..<(n - 1) { dirichlet += g.stationary[i] * g.rates.dense[i, i + 1] * pow(tpt.committor[i + 1] - tpt.committor[i], 2) }
        XCTAssertEqual(dirichlet, tpt.flux, accuracy: 1e-9 * tpt.flux)
        XCTAssertEqual(tpt.rateAB, tpt.flux / tpt.probabilityLastInA, accuracy: 1e-15)
        // MFPT from the left well to B against τ(x) = β ∫_x^b e^{βF(y)} ∫_lo^y e^{−βF} dz dy.
        let tau = try g.meanFirstPassageTime(to: b)
        let start = a.last!
        var inner = 0.0, outer = 0.0
        for i in 0..<m {
            let y = lo + (Double(i) + 0.5) * h
            inner += exp(-beta * f(y)) * h
            if y > x[start] && y < x[b.first!] { outer += exp(beta * f(y)) * inner * h }
        }
        XCTAssertEqual(tau[start] / (beta * outer), 1, accuracy: 2e-2)
    }

    func testMaskingAndDisconnectionError() throws {
        let axis = GridAxis(lower: 0, upper: 1, count: 10)
        var f = [Double](repeating: 0, count: 10)
        f[5] = .infinity
        XCTAssertThrowsError(try GridGenerator(axes: [axis], freeEnergy: f, beta: 1)) { error in
            XCTAssertTrue("\(error)".contains("2 connected components"), "\(error)")
        }
        let periodic = GridAxis(lower: 0, upper: 1, count: 10, periodic: true)
        let ring = try GridGenerator(axes: [periodic], freeEnergy: f, beta: 1)
        XCTAssertEqual(ring.stateCount, 9)
        // Flat periodic 2D grid: eigenvalues of −Δ discretized, (2/h²)(1 − cos(2πk/n)) per axis.
        let p = GridAxis(lower: 0, upper: 1, count: 16, periodic: true)
        let torus = try GridGenerator(axes: [p, p], freeEnergy: [Double](repeating: 0, count: 256), beta: 1)
        let s = try torus.spectrum(count: 6, solver: .shiftInvert)
        let first = 2 / (p.spacing * p.spacing) * (1 - cos(2 * .pi / 16))
        XCTAssertEqual(s.eigenvalues, [0, first, first, first, first, 2 * first], accuracy: 1e-8)
    }
}
