import XCTest
import FlowHDF5
import FlowLinalg
import FlowMD
@testable import FlowStages

/// The restrained windows of a molecule: on a bond length r = |x_a − x_b| the mass-weighted
/// tensor is analytic at every configuration, ∇r diag(m)⁻¹ ∇rᵀ = 1/m_a + 1/m_b, so
/// M = (418.4/γ)(1/m_a + 1/m_b) in Å²/(ps·kcal/mol) in every window, whatever was sampled.
final class MolecularWindowsTests: XCTestCase {
    var ws: LearningWorkspace!

    override func setUp() { ws = LearningWorkspace() }
    override func tearDown() { ws.remove() }

    func testBondLengthWindowsGiveTheAnalyticMassWeightedTensor() throws {
        let butane = try BuiltInMolecules.butane()
        let masses = butane.topology.masses
        // The first carbon and a hydrogen bonded to it (the lightest partner: the largest M).
        let carbon = masses.firstIndex { $0 > 12 }!
        let bond = butane.topology.bonds.first { (b: Bond) -> Bool in
            b.i == carbon ? masses[b.j] < 2 : (b.j == carbon && masses[b.i] < 2)
        }!
        let hydrogen = bond.i == carbon ? bond.j : bond.i
        let (m, samples, convention) = try distanceWindows(carbon, hydrogen, constraints: "none", dt: 0.0005)
        let expected = MDUnits.accelerationFactor / 2.0 * (1 / masses[carbon] + 1 / masses[hydrogen])
        XCTAssertGreaterThan(samples.filter { $0 > 0 }.count, 1)
        for (c, n) in samples.enumerated() where n > 0 {
            XCTAssertEqual(n, 8, "(60 − 20)/5 frames per window")
            XCTAssertEqual(m[c], expected, accuracy: 1e-9 * expected, "cell \(c)")
        }
        XCTAssertTrue(convention.contains("418.4/gamma"), convention)
    }

    /// Runs restrained windows (γ = 2/ps, 4 cells) on the distance between atoms a and b of butane
    /// with the given `constraints`; returns /diffusion, /window_samples and the convention.
    func distanceWindows(_ a: Int, _ b: Int, constraints: String, dt: Double) throws -> (m: [Double], samples: [Int64], convention: String) {
        ws.write("w.yaml", """
        name: w
        systems: {butane: {kind: charmm, temperature: 300, params: {molecule: butane, constraints: \(constraints)}}}
        stages:
          md: {kind: simulate, system: butane, params: {integrator: langevin-baoab, dt: \(dt), steps: 400, stride: 4, replicas: 2}}
          ed:
            kind: effective-dynamics
            system: butane
            resources: {cpus: 1}
            inputs: {data: md}
            params:
              cvs: [{distance: [\(a), \(b)]}]
              grid: {bins: [4]}
              cutoff: 0.99
              eigenvalues: 1
              diffusion: {kappa: 50.0, steps: 60, equilibration: 20, interval: 5, dt: \(dt), friction: 2.0}
        """)
        let summary = try ws.run("w.yaml")
        XCTAssertEqual(summary.exitCode, 0, ws.failure(of: "ed", in: summary) ?? "")
        let out = try ws.open("w", "ed")
        defer { try? out.close() }
        var convention = ""
        if case .string(let c)? = try out.root.attribute("diffusion_convention") { convention = c }
        return (try out.root.read("diffusion", as: Double.self).values, try out.root.read("window_samples", as: Int64.self).values, convention)
    }

    /// Positions of atom `i` in a flat interleaved configuration.
    func atom(_ x: [Double], _ i: Int) -> SIMD3<Double> { SIMD3(x[3 * i], x[3 * i + 1], x[3 * i + 2]) }

    /// Butane's built geometry with every coordinate displaced by up to ±0.15 Å (seeded), so the
    /// angles and the dihedral are generic.
    func perturbedButane(_ butane: MolecularSystem, _ rng: inout RandomSource) -> [Double] {
        butane.positions.map { $0 + rng.uniform(-0.15, 0.15) }
    }

    /// The molecular M of a dihedral against its closed form. With F = r₁ − r₂, G = r₂ − r₃,
    /// H = r₄ − r₃, A = F × G and B = H × G (Blondel & Karplus, J. Comput. Chem. 17, 1132 (1996),
    /// eqs. 27–30):
    ///   ∇₁φ = −|G|/|A|² A,   ∇₄φ = |G|/|B|² B,
    ///   ∇₂φ = |G|/|A|² A + (F·G)/(|A|²|G|) A − (H·G)/(|B|²|G|) B,   ∇₃φ = −∇₁φ − ∇₂φ − ∇₄φ,
    /// so |∇₁φ| = 1/(r₁₂ sin θ₁) and |∇₄φ| = 1/(r₃₄ sin θ₂), and the mass-weighted tensor of the
    /// overdamped convention is M = (418.4/γ) Σᵢ |∇ᵢφ|²/mᵢ. The window code path of `charmm`
    /// systems (`MolecularWindows.averages`, ∇φ from `ParticleDihedral`'s other form of the
    /// derivative) must give it at every geometry. The closed form is itself checked against
    /// central differences of atan2, and the end atoms' terms against 1/(r sin θ).
    func testDihedralWindowsGiveTheClosedFormMassWeightedTensor() throws {
        let butane = try BuiltInMolecules.butane(dihedral: 70)
        let names = butane.topology.atoms.map(\.name)
        let carbons = ["C1", "C2", "C3", "C4"].map { names.firstIndex(of: $0)! }
        let masses = butane.topology.masses
        let friction = 2.0
        let cv = ParticleDihedral(carbons[0], carbons[1], carbons[2], carbons[3], layout: .atoms(names.count))
        let window = MolecularWindows.averages(cv: cv, center: [0], periods: [2 * Double.pi],
                                               masses: butane.coordinateMasses, constraints: nil, friction: friction)
        func dihedral(_ x: [Double]) -> Double {
            let (r1, r2, r3, r4) = (atom(x, carbons[0]), atom(x, carbons[1]), atom(x, carbons[2]), atom(x, carbons[3]))
            let b1 = r2 - r1, b2 = r3 - r2, b3 = r4 - r3
            let n1 = cross(b1, b2), n2 = cross(b2, b3)
            return atan2((b2 * b2).sum().squareRoot() * (b1 * n2).sum(), (n1 * n2).sum())
        }
        var rng = RandomSource(seed: 21)
        for trial in 0..<8 {
            let x = perturbedButane(butane, &rng)
            let (r1, r2, r3, r4) = (atom(x, carbons[0]), atom(x, carbons[1]), atom(x, carbons[2]), atom(x, carbons[3]))
            let f = r1 - r2, g = r2 - r3, h = r4 - r3
            let a = cross(f, g), b = cross(h, g)
            let aa: Double = (a * a).sum(), bb: Double = (b * b).sum(), gn: Double = (g * g).sum().squareRoot()
            let d1: SIMD3<Double> = -gn / aa * a, d4: SIMD3<Double> = gn / bb * b
            let fg: Double = (f * g).sum(), hg: Double = (h * g).sum()
            let d2: SIMD3<Double> = (gn / aa + fg / (aa * gn)) * a - hg / (bb * gn) * b
            let d3 = -(d1 + d2 + d4)
            let gradient = [d1, d2, d3, d4]
            // The closed form against central differences of atan2.
            for (k, atomIndex) in carbons.enumerated() {
                for c in 0..<3 {
                    var up = x, down = x
                    up[3 * atomIndex + c] += 1e-6
                    down[3 * atomIndex + c] -= 1e-6
                    XCTAssertEqual((dihedral(up) - dihedral(down)) / 2e-6, gradient[k][c], accuracy: 1e-6 * max(1, abs(gradient[k][c])))
                }
            }
            func sine(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> Double {
                let c = (u * v).sum() / ((u * u).sum() * (v * v).sum()).squareRoot()
                return (1 - c * c).squareRoot()
            }
            let r12 = (f * f).sum().squareRoot(), r34 = (h * h).sum().squareRoot()
            XCTAssertEqual((d1 * d1).sum().squareRoot(), 1 / (r12 * sine(f, g)), accuracy: 1e-10)
            XCTAssertEqual((d4 * d4).sum().squareRoot(), 1 / (r34 * sine(h, g)), accuracy: 1e-10)
            var weighted = 0.0
            for (grad, atomIndex) in zip(gradient, carbons) { weighted += (grad * grad).sum() / masses[atomIndex] }
            let expected = MDUnits.accelerationFactor / friction * weighted
            let m = window.sample(x)[1]
            XCTAssertEqual(m, expected, accuracy: 1e-11 * expected, "geometry \(trial), φ = \(dihedral(x))")
        }
    }

    /// The constrained tensor M = ∇ξ P M⁻¹ ∇ξᵀ with P the mass-weighted projector onto the tangent
    /// space of the C–H constraints (Ciccotti, Lelièvre & Vanden-Eijnden 2008), against its closed
    /// form for a distance ξ = |r_a − r_b| between two carbons: with u = (r_a − r_b)/ξ and, per
    /// constraint c–h, v = (r_c − r_h)/|r_c − r_h|, the constraint gradients couple only through
    /// shared carbons, s_c = (v·u_c)/m_c (u_a = u, u_b = −u, 0 for other carbons),
    /// G = C M⁻¹ Cᵀ with G_cd = [same carbon] (v_c·v_d)/m_carbon + [c = d] 1/m_H, and
    /// M = (418.4/γ)(1/m_a + 1/m_b − sᵀG⁻¹s). A CV along a constrained bond has M = 0.
    func testConstrainedWindowsGiveTheProjectedMassWeightedTensor() throws {
        let butane = try BuiltInMolecules.butane()
        let masses = butane.topology.masses
        let names = butane.topology.atoms.map(\.name)
        let (ca, cb) = (names.firstIndex(of: "C1")!, names.firstIndex(of: "C2")!)
        let constraints = try butane.hydrogenBondConstraints()
        // (carbon, hydrogen) per constraint.
        let pairs: [(Int, Int)] = zip(constraints.atomI, constraints.atomJ).map { i, j -> (Int, Int) in
            let (a, b) = (Int(i), Int(j))
            return masses[a] > masses[b] ? (a, b) : (b, a)
        }
        XCTAssertTrue(pairs.contains { $0.0 == ca } && pairs.contains { $0.0 == cb }, "both carbons carry constrained hydrogens")
        let friction = 2.0
        let layout = ParticleLayout.atoms(names.count)
        let distance = ParticleDistance(ca, cb, layout: layout)
        let window = MolecularWindows.averages(cv: distance, center: [1.5], periods: [nil], masses: butane.coordinateMasses,
                                               constraints: constraints.independentCopy(), friction: friction)
        let (hydrogenCarbon, hydrogen) = pairs[0]
        let bond = MolecularWindows.averages(cv: ParticleDistance(hydrogenCarbon, hydrogen, layout: layout), center: [1.1], periods: [nil],
                                             masses: butane.coordinateMasses, constraints: constraints.independentCopy(), friction: friction)
        var rng = RandomSource(seed: 5)
        for trial in 0..<6 {
            let x = perturbedButane(butane, &rng)
            let unit = { (p: Int, q: Int) -> SIMD3<Double> in
                let d = self.atom(x, p) - self.atom(x, q)
                return d / (d * d).sum().squareRoot()
            }
            let u = unit(ca, cb)
            let s = pairs.map { c, h -> Double in
                let along: Double = (unit(c, h) * u).sum() / masses[c]
                return c == ca ? along : (c == cb ? -along : 0)
            }
            var g = Matrix(rows: pairs.count, cols: pairs.count)
            for (i, p) in pairs.enumerated() {
                for (j, q) in pairs.enumerated() {
                    let shared: Double = p.0 == q.0 ? (unit(p.0, p.1) * unit(q.0, q.1)).sum() / masses[p.0] : 0
                    g[i, j] = shared + (i == j ? 1 / masses[p.1] : 0)
                }
            }
            let y = solve(g, s)
            let free = 1 / masses[ca] + 1 / masses[cb]
            let removed: Double = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
            let expected = MDUnits.accelerationFactor / friction * (free - removed)
            XCTAssertLessThan(expected, MDUnits.accelerationFactor / friction * free, "the projection removes a part")
            XCTAssertEqual(window.sample(x)[1], expected, accuracy: 1e-10 * expected, "geometry \(trial)")
            XCTAssertEqual(bond.sample(x)[1], 0, accuracy: 1e-12 * MDUnits.accelerationFactor / friction / masses[hydrogen],
                           "a constrained bond does not move")
        }
    }

    /// The stage end to end on butane with SHAKE/RATTLE on C–H: the windows run constrained, and M
    /// along the C1–C2 distance is the projected tensor, below the unconstrained 1/m_C + 1/m_C
    /// (the projection removes the share of each carbon's motion that would stretch its C–H
    /// bonds; the light hydrogens follow, so the closed form above gives only
    /// 1 − sᵀG⁻¹s/(2/m_C) = 0.978 at ideal tetrahedral geometry), where unconstrained windows give
    /// exactly 1.
    func testConstrainedMoleculesRunTheWindowsWithTheProjectedTensor() throws {
        let butane = try BuiltInMolecules.butane()
        let names = butane.topology.atoms.map(\.name)
        let (ca, cb) = (names.firstIndex(of: "C1")!, names.firstIndex(of: "C2")!)
        let carbonMass = butane.topology.masses[ca]
        let (m, samples, convention) = try distanceWindows(ca, cb, constraints: "h-bonds", dt: 0.001)
        let unconstrained = MDUnits.accelerationFactor / 2.0 * 2 / carbonMass
        XCTAssertGreaterThan(samples.filter { $0 > 0 }.count, 1)
        for (c, n) in samples.enumerated() where n > 0 {
            XCTAssertGreaterThan(m[c], 0.95 * unconstrained, "cell \(c)")
            XCTAssertLessThan(m[c], 0.995 * unconstrained, "cell \(c): the constraints' projection")
        }
        XCTAssertTrue(convention.contains("grad xi P diag"), convention)
    }

    /// A dense solve by Gaussian elimination with partial pivoting (independent of `Constraints`).
    func solve(_ a: Matrix, _ b: [Double]) -> [Double] {
        var a = a, b = b
        let n = b.count
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0, col]) < abs(a[$1, col]) }!
            for c in 0..<n { let t = a[col, c]; a[col, c] = a[pivot, c]; a[pivot, c] = t }
            b.swapAt(col, pivot)
            for r in (col + 1)..<max(col + 1, n) {
                let f = a[r, col] / a[col, col]
                for c in col..<n { a[r, c] -= f * a[col, c] }
                b[r] -= f * b[col]
            }
        }
        var y = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            y[r] = (b[r] - ((r + 1)..<n).reduce(0) { $0 + a[r, $1] * y[$1] }) / a[r, r]
        }
        return y
    }
}

private func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
