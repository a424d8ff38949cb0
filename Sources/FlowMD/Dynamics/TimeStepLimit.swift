import Foundation

/// The largest sensible time step for a molecule, from its fastest unconstrained bond, so that a
/// too-large `dt` is refused with an explanation instead of ending in NaN a few steps later.
///
/// A CHARMM bond V = K (b − b0)² is a spring of stiffness 2K on the reduced mass μ, with angular
/// frequency ω = sqrt(2K · 418.4 / μ) ps⁻¹ (`MDUnits`). Verlet-type integrators (velocity Verlet,
/// BAOAB) are unstable for ω·dt ≥ 2 and inaccurate well before; we require ω·dt ≤ π/4, i.e.
/// dt ≤ T/8 of the fastest period T — the usual rule that an X–H stretch (T ≈ 10 fs) allows 1 fs
/// and constraining bonds to hydrogen (SHAKE) allows 2 fs (Leach, "Molecular Modelling", 2nd ed.,
/// §7.3; Ryckaert, Ciccotti & Berendsen 1977). Brownian dynamics relaxes a bond on the time scale
/// τ = γ/ω² (friction γ); Euler–Maruyama is stable only for dt < 2τ and we require dt ≤ τ/2.
public struct TimeStepLimit: Sendable {
    /// The fastest unconstrained bond.
    public let bond: Bond
    /// Its angular frequency ω (1/ps).
    public let angularFrequency: Double
    /// Its atoms' names, for messages ("HN-N of ALA 2").
    public let label: String

    /// The fastest bond of `system` that is not one of `constrained` (nil when every bond is
    /// constrained or there are none).
    public init?(system: MolecularSystem, constrained: [(Int, Int)] = []) throws {
        let atoms = system.topology.atoms
        let fixed = Set(constrained.map { Bond($0.0, $0.1).canonical })
        var best: (Bond, Double)?
        for b in system.topology.bonds where !fixed.contains(b.canonical) {
            let k = try system.parameters.bond(atoms[b.i].type, atoms[b.j].type).k
            let omega2 = 2 * k * MDUnits.accelerationFactor * (1 / atoms[b.i].mass + 1 / atoms[b.j].mass)
            if omega2 > best?.1 ?? 0 { best = (b, omega2) }
        }
        guard let (b, omega2) = best else { return nil }
        bond = b
        angularFrequency = omega2.squareRoot()
        let (p, q) = (atoms[b.i], atoms[b.j])
        label = "\(p.name)-\(q.name) of \(p.residueName) \(p.residueID)"
    }

    /// Period 2π/ω of the fastest bond (ps).
    public var period: Double { 2 * .pi / angularFrequency }

    /// Largest time step (ps) for velocity Verlet and Langevin BAOAB: T/8.
    public var inertialLimit: Double { period / 8 }

    /// Largest time step (ps) for Brownian dynamics with friction γ (1/ps): τ/2 with τ = γ/ω².
    public func brownianLimit(friction: Double) -> Double {
        0.5 * friction / (angularFrequency * angularFrequency)
    }
}
