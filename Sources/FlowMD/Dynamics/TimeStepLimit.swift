import Foundation
import FlowLinalg

/// The largest sensible time step for a molecule, from its stiffest vibration, so that a too-large
/// `dt` is refused with an explanation instead of ending in NaN a few steps later.
///
/// The stiffest vibration is the largest eigenvalue ω² of the mass-weighted Hessian
/// M^{-1/2} ∇²V M^{-1/2}, projected onto the tangent space of the constraints (the coordinates
/// SHAKE leaves free): Wilson, Decius & Cross, "Molecular Vibrations" (1955), ch. 2 and 4 — a
/// normal-mode analysis with the constrained bonds rigid. The fastest unconstrained bond alone,
/// ω² = 2K · 418.4 / μ for V = K (b − b0)² (`MDUnits`), misses the bends that remain when bonds to
/// hydrogen are constrained: in butane the H–C–H and C–C–H bends (a 1 amu hydrogen on a
/// 26–36 kcal/mol/rad² angle plus Urey–Bradley terms) reach ω² = 7.4·10⁴ ps⁻², against
/// 3.1·10⁴ ps⁻² for the C–C bond. ω is the larger of the two estimates (bonds only above `modeAnalysisAtoms`; the Hessian is taken at
/// the given structure; the curvature the constraint forces add, Σ λ_k ∇²g_k, is left out: it
/// vanishes where the constrained bonds sit at their force-field lengths).
///
/// Verlet-type integrators (velocity Verlet, BAOAB) are unstable for ω·dt ≥ 2 and inaccurate well
/// before; we require ω·dt ≤ π/4, i.e. dt ≤ T/8 of the fastest period T — the usual rule that an
/// X–H stretch (T ≈ 10 fs) allows 1 fs and constraining bonds to hydrogen (SHAKE) allows 2 fs
/// (Leach, "Molecular Modelling", 2nd ed., §7.3; Ryckaert, Ciccotti & Berendsen 1977). Brownian
/// dynamics relaxes a mode on the time scale τ = γ/ω² (friction γ); Euler–Maruyama multiplies it
/// by 1 − dt/τ per step, so it is stable only for dt < 2τ, and samples it with 2/(2 − dt/τ) times
/// its Boltzmann variance; we require dt ≤ τ/2 (4/3 of the variance).
public struct TimeStepLimit: Sendable {
    /// The angular frequency ω (1/ps) of the stiffest vibration.
    public let angularFrequency: Double
    /// What vibrates: "the C1-H11 bond of BUTA 1" or "a mode mostly on H21, H22, C2 of BUTA 1"
    /// (bends), for messages.
    public let label: String

    /// Molecules up to this many atoms get the Hessian analysis (a dense 3N × 3N eigenproblem and
    /// 6N gradients); larger ones are checked on their bonds only.
    public static let modeAnalysisAtoms = 500

    /// The stiffest vibration of `system` at its positions with the `constrained` pairs rigid (nil
    /// when nothing is left to vibrate).
    public init?(system: MolecularSystem, constrained: [(Int, Int)] = []) throws {
        let atoms = system.topology.atoms
        let fixed = Set(constrained.map { Bond($0.0, $0.1).canonical })
        var bond: (Bond, Double)?
        for b in system.topology.bonds where !fixed.contains(b.canonical) {
            let k = try system.parameters.bond(atoms[b.i].type, atoms[b.j].type).k
            let omega2 = 2 * k * MDUnits.accelerationFactor * (1 / atoms[b.i].mass + 1 / atoms[b.j].mass)
            if omega2 > bond?.1 ?? 0 { bond = (b, omega2) }
        }
        let mode = atoms.count > Self.modeAnalysisAtoms ? (omega2: 0.0, atoms: [Int]())
            : try Self.stiffestMode(potential: try system.forceField(), positions: system.positions,
                                    atomMasses: system.topology.masses, constrained: constrained)
        func name(_ a: Int) -> String { atoms[a].name }
        if let (b, omega2) = bond, omega2 >= mode.omega2 {
            angularFrequency = omega2.squareRoot()
            let (p, q) = (atoms[b.i], atoms[b.j])
            label = "the \(p.name)-\(q.name) bond of \(p.residueName) \(p.residueID)"
        } else if mode.omega2 > 0 {
            angularFrequency = mode.omega2.squareRoot()
            let main = mode.atoms.prefix(3)
            let residue = atoms[main[0]]
            label = String(format: "a mode mostly on %@ of %@ %@ (ω² = %.3g ps⁻²)",
                           main.map(name).joined(separator: ", "), residue.residueName, residue.residueID, mode.omega2)
        } else {
            return nil
        }
    }

    /// The largest eigenvalue ω² (ps⁻²) of the mass-weighted Hessian of `potential` (kcal/mol,
    /// Å; masses in amu) at `positions`, on the tangent space of the distance constraints
    /// `constrained`, and the atoms of its eigenvector by decreasing mass-weighted amplitude. The
    /// Hessian is central finite differences of the analytic gradient (`HessianProbe`).
    public static func stiffestMode(potential: any Potential, positions: [Double], atomMasses: [Double],
                                    constrained: [(Int, Int)]) throws -> (omega2: Double, atoms: [Int]) {
        let d = positions.count
        let scale = (0..<d).map { 1 / atomMasses[$0 / 3].squareRoot() }
        let h = HessianProbe(potential: potential).hessian(at: positions)
        var a = Matrix(rows: d, cols: d)
        for i in 0..<d { for j in 0..<d { a[i, j] = MDUnits.accelerationFactor * scale[i] * h[i, j] * scale[j] } }
        if !constrained.isEmpty {
            // Columns: the constraint gradients in mass-weighted coordinates, M^{-1/2} ∇g.
            var c = Matrix(rows: d, cols: constrained.count)
            for (k, (p, q)) in constrained.enumerated() {
                let r = (0..<3).map { positions[3 * p + $0] - positions[3 * q + $0] }
                let n = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for x in 0..<3 {
                    c[3 * p + x, k] = r[x] / n * scale[3 * p + x]
                    c[3 * q + x, k] = -r[x] / n * scale[3 * q + x]
                }
            }
            // P A P with P = I − Q Qᵀ: A − Q Bᵀ − B Qᵀ + Q (Qᵀ B) Qᵀ with B = A Q, O(d² m).
            let q = try c.orthonormalizedColumns()
            let b = a * q
            let qb = q.multiplied(by: b, transposeSelf: true)
            a = a - q.multiplied(by: b, transposeOther: true) - b.multiplied(by: q, transposeOther: true)
                + (q * qb).multiplied(by: q, transposeOther: true)
        }
        let top = try a.symmetricEigen(.largest(1))
        let v = (0..<d).map { top.vectors[$0, 0] }
        let amplitude = atomMasses.indices.map { i in (0..<3).reduce(0) { $0 + v[3 * i + $1] * v[3 * i + $1] } }
        return (top.values[0], atomMasses.indices.sorted { amplitude[$0] > amplitude[$1] })
    }

    /// Period 2π/ω of the stiffest vibration (ps).
    public var period: Double { 2 * .pi / angularFrequency }

    /// Largest time step (ps) for velocity Verlet and Langevin BAOAB: T/8.
    public var inertialLimit: Double { period / 8 }

    /// Largest time step (ps) for Brownian dynamics with friction γ (1/ps): τ/2 with τ = γ/ω².
    public func brownianLimit(friction: Double) -> Double {
        0.5 * friction / (angularFrequency * angularFrequency)
    }
}
