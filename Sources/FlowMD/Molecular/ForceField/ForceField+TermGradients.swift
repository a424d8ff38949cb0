import Foundation

/// The force field split into the groups a learning loss weights separately (Cava et al. anneal
/// from bonded to non-bonded terms): each group's energy and its own gradient. Lennard-Jones and
/// Coulomb form one group because one pair kernel computes both forces together.
public enum EnergyGroup: String, CaseIterable, Sendable {
    case bond, angle, ureyBradley = "urey_bradley", dihedral, improper, cmap, nonbonded
}

extension ForceField {
    /// Energies of every `EnergyGroup` at `x` (in `EnergyGroup.allCases` order), with each group's
    /// gradient written to `gradients + group · dimension` (`EnergyGroup.allCases.count ×
    /// dimension` values, overwritten). The same kernels as `evaluate`, so the groups sum to its
    /// total and gradient. The energy terms are returned as `evaluate` reports them.
    public func evaluateGroups(_ x: UnsafePointer<Double>, gradients g: UnsafeMutablePointer<Double>) -> EnergyTerms {
        let n = dimension
        g.update(repeating: 0, count: EnergyGroup.allCases.count * n)
        func block(_ group: EnergyGroup) -> UnsafeMutablePointer<Double> {
            g + EnergyGroup.allCases.firstIndex(of: group)! * n
        }
        return accumulate(x, into: block)
    }

    /// Every term at `x`, each group's gradient added into `target(group)` (one buffer for all
    /// groups gives ∇V).
    func accumulate(_ x: UnsafePointer<Double>, into target: (EnergyGroup) -> UnsafeMutablePointer<Double>) -> EnergyTerms {
        let n = dimension
        var e = EnergyTerms()
        e.bond = bonds.evaluate(x, target(.bond))
        e.angle = angles.evaluate(x, target(.angle))
        e.ureyBradley = ureyBradley.evaluate(x, target(.ureyBradley))
        e.dihedral = dihedrals.evaluate(x, target(.dihedral))
        e.improper = impropers.evaluate(x, target(.improper)) + periodicImpropers.evaluate(x, target(.improper))
        e.cmap = cmap.evaluate(x, target(.cmap))
        let nb = target(.nonbonded)
        let scheme: CutoffScheme?
        let bulk: (lennardJones: Double, coulomb: Double)
        if let list = neighborList, case .cutoff(let s) = options.nonbonded {
            scheme = s
            bulk = list.withPairs(for: x, count: n) { $0.evaluate(x, nb, cutoff: s) }
        } else {
            scheme = nil
            bulk = pairs?.evaluate(x, nb) ?? (0, 0)
        }
        let near = pairs14.evaluate(x, nb, cutoff: scheme)
        e.lennardJones14 = near.lennardJones
        e.coulomb14 = near.coulomb
        e.lennardJones = bulk.lennardJones + near.lennardJones
        e.coulomb = bulk.coulomb + near.coulomb
        return e
    }

    /// The energy of one group from the terms `evaluate` reports.
    public static func energy(of group: EnergyGroup, in e: EnergyTerms) -> Double {
        switch group {
        case .bond: return e.bond
        case .angle: return e.angle
        case .ureyBradley: return e.ureyBradley
        case .dihedral: return e.dihedral
        case .improper: return e.improper
        case .cmap: return e.cmap
        case .nonbonded: return e.lennardJones + e.coulomb
        }
    }
}
