import Foundation
import FlowHDF5

/// One configuration's CHARMM energy, term by term, with the forces — what a single-point
/// calculation prints in NAMD (`run 0`) or OpenMM (`getState(getEnergy=True)` per force group):
/// the output of `flow energy`.
public struct SinglePointEnergy {
    public let title: String
    public let topology: Topology
    public let positions: [Double]
    public let terms: EnergyTerms
    /// Number of terms per energy name (`ForceField.termCounts`).
    public let counts: [String: Int]
    /// F = −∇V per coordinate (kcal/mol/Å).
    public let forces: [Double]
    public let nonbonded: NonbondedMethod

    public init(_ system: MolecularSystem, options: ForceFieldOptions = ForceFieldOptions(), title: String) throws {
        let forceField = try system.forceField(options)
        var gradient = [Double](repeating: 0, count: forceField.dimension)
        terms = forceField.evaluate(system.positions, gradient: &gradient)
        forces = gradient.map { -$0 }
        counts = forceField.termCounts
        topology = system.topology
        positions = system.positions
        nonbonded = options.nonbonded
        self.title = title
    }

    /// Force magnitude per atom.
    public var atomForces: [Double] {
        (0..<topology.atoms.count).map { a -> Double in
            let f = SIMD3(forces[3 * a], forces[3 * a + 1], forces[3 * a + 2])
            return (f * f).sum().squareRoot()
        }
    }

    /// RMS force per coordinate, sqrt(Σ F²/3N) (CHARMM's GRMS).
    public var rmsForce: Double { (forces.reduce(0) { $0 + $1 * $1 } / Double(max(forces.count, 1))).squareRoot() }

    /// How many terms each energy line sums (nil: not counted, e.g. pairs under a cutoff).
    func count(of name: String) -> Int? {
        let pairs = (counts["pair"] ?? 0) + (counts["pair_14"] ?? 0)
        switch name {
        case "lennard_jones", "coulomb": return nonbonded == .noCutoff ? pairs : nil
        case "lennard_jones_14", "coulomb_14": return counts["pair_14"]
        case "total": return nil
        default: return counts[name]
        }
    }

    /// A fixed-width table: one line per term (kcal/mol) with the number of terms, the total,
    /// and the RMS and largest atomic force.
    public func table() -> String {
        var out = "\(title): \(topology.atoms.count) atoms, \(nonbonded.summary)\n"
        out += "term                energy (kcal/mol)      terms\n"
        for (name, value) in terms.named {
            if name == "total" { out += String(repeating: "-", count: 48) + "\n" }
            let n = count(of: name).map { String($0) } ?? ""
            out += padded(name, 18) + String(format: "%19.6f", value) + padded(n, 11, right: true) + "\n"
        }
        let f = atomForces
        if let worst = f.indices.max(by: { f[$0] < f[$1] }) {
            let a = topology.atoms[worst]
            out += String(format: "RMS force %.6f kcal/mol/Å; largest %.6f on atom %d", rmsForce, f[worst], worst)
                + " (\(a.segment):\(a.residueID):\(a.name))\n"
        }
        return out
    }

    /// The same numbers as JSON (keys sorted): energies and term counts by name, units, forces
    /// summary.
    public func json() throws -> String {
        var energies: [String: Double] = [:]
        var termCounts: [String: Int] = [:]
        for (name, value) in terms.named {
            energies[name] = value
            if let n = count(of: name) { termCounts[name] = n }
        }
        let object: [String: Any] = [
            "title": title, "atoms": topology.atoms.count, "nonbonded": nonbonded.summary, "units": "kcal/mol",
            "energy": energies, "terms": termCounts, "rms_force": rmsForce, "max_force": atomForces.max() ?? 0,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes the forces (kcal/mol/Å): to HDF5 when `path` ends in .h5/.hdf5 (`/forces` N × 3,
    /// `/positions` N × 3 in Å, `/energy_terms` with a `names` attribute, `/topology`), else as
    /// text, one line per atom: index, segment, residue, residue name, atom name, Fx, Fy, Fz.
    public func writeForces(to path: String) throws {
        let n = topology.atoms.count
        if ["h5", "hdf5"].contains((path as NSString).pathExtension.lowercased()) {
            let file = try HDF5File.create(path)
            let root = file.root
            try root.write("forces", forces, shape: [n, 3])
            try root.dataset("forces").setAttribute("units", .string("kcal/mol/Å"))
            try root.write("positions", positions, shape: [n, 3])
            try root.dataset("positions").setAttribute("units", .string("Å"))
            try root.write("energy_terms", terms.named.map(\.1), shape: [terms.named.count])
            try root.dataset("energy_terms").setAttribute("names", .strings(terms.named.map(\.0)))
            try topology.write(to: try root.createGroup("topology"))
            try file.close()
            return
        }
        var text = "# \(title): forces F = -dV/dx in kcal/mol/A, \(nonbonded.summary)\n# index segment residue resname name Fx Fy Fz\n"
        for (i, a) in topology.atoms.enumerated() {
            text += "\(i) \(a.segment) \(a.residueID) \(a.residueName) \(a.name)"
                + String(format: " %.8f %.8f %.8f\n", forces[3 * i], forces[3 * i + 1], forces[3 * i + 2])
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
