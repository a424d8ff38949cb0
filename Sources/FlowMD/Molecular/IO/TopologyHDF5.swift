import FlowHDF5

/// A `Topology` stored in an HDF5 group (the `/topology` group of molecular stage outputs), so
/// that `flow export`, later stages (cGAN energies, features) and h5py users can rebuild the
/// molecule from an artifact alone: everything a PSF holds, as plain datasets.
///
/// Layout (N atoms; index lists are int64, 0-based, one row per entry):
/// `segment`, `residue_id`, `residue_name`, `name`, `type` (N strings), `charge` (N, e),
/// `mass` (N, amu), `bonds` (B × 2), `angles` (A × 3), `dihedrals` (D × 4), `impropers` (I × 4),
/// `cross_terms` (C × 8, φ then ψ atoms), `exclusions` (E × 2, the PSF's explicit !NNB pairs).
extension Topology {
    static let atomStringFields: [(String, WritableKeyPath<Atom, String>)] = [
        ("segment", \.segment), ("residue_id", \.residueID), ("residue_name", \.residueName), ("name", \.name), ("type", \.type),
    ]

    /// Writes the topology into `group` (which should be empty).
    public func write(to group: HDF5Group) throws {
        for (name, path) in Self.atomStringFields {
            try group.write(name, strings: atoms.map { $0[keyPath: path] })
        }
        try group.write("charge", atoms.map(\.charge), shape: [atoms.count])
        try group.write("mass", atoms.map(\.mass), shape: [atoms.count])
        func table(_ name: String, _ width: Int, _ rows: [[Int]]) throws {
            try group.write(name, rows.flatMap { $0.map(Int64.init) }, shape: [rows.count, width])
        }
        try table("bonds", 2, bonds.map { [$0.i, $0.j] })
        try table("angles", 3, angles.map { [$0.i, $0.j, $0.k] })
        try table("dihedrals", 4, dihedrals.map(\.indices))
        try table("impropers", 4, impropers.map(\.indices))
        try table("cross_terms", 8, crossTerms.map { $0.phi.indices + $0.psi.indices })
        try table("exclusions", 2, explicitExclusions.map { [$0.i, $0.j] })
        try group.setAttribute("indexing", .string("0-based"))
        try group.setAttribute("units", .string("charge e, mass amu"))
    }

    /// Reads a topology written by `write(to:)`; errors name the group and what is missing.
    public init(hdf5 group: HDF5Group) throws {
        func fail(_ message: String) -> MolecularInputError {
            MolecularInputError(source: group.file.path + ":" + group.path, line: nil, message)
        }
        for name in Self.atomStringFields.map(\.0) + ["charge", "mass", "bonds"] where !group.contains(name) {
            throw fail("no '\(name)' dataset; not a topology written by flow")
        }
        let strings = try Self.atomStringFields.map { try group.readStrings($0.0) }
        let charges = try group.read("charge", as: Double.self).values
        let masses = try group.read("mass", as: Double.self).values
        let n = charges.count
        guard masses.count == n, strings.allSatisfy({ $0.count == n }) else { throw fail("atom datasets have different lengths") }
        var atoms: [Atom] = []
        atoms.reserveCapacity(n)
        for a in 0..<n {
            atoms.append(Atom(segment: strings[0][a], residueID: strings[1][a], residueName: strings[2][a], name: strings[3][a],
                              type: strings[4][a], charge: charges[a], mass: masses[a]))
        }
        func table(_ name: String, _ width: Int) throws -> [[Int]] {
            guard group.contains(name) else { return [] }
            let (values, shape) = try group.read(name, as: Int64.self)
            guard shape.count == 2, shape[1] == width else { throw fail("'\(name)' has shape \(shape); expected rows of \(width)") }
            guard values.allSatisfy({ $0 >= 0 && $0 < n }) else { throw fail("'\(name)' has atom indices outside 0..<\(n)") }
            return stride(from: 0, to: values.count, by: width).map { values[$0..<($0 + width)].map { Int($0) } }
        }
        self.init(atoms: atoms,
                  bonds: try table("bonds", 2).map { Bond($0[0], $0[1]) },
                  angles: try table("angles", 3).map { Angle($0[0], $0[1], $0[2]) },
                  dihedrals: try table("dihedrals", 4).map { Dihedral($0[0], $0[1], $0[2], $0[3]) },
                  impropers: try table("impropers", 4).map { Dihedral($0[0], $0[1], $0[2], $0[3]) },
                  crossTerms: try table("cross_terms", 8).map {
                      CrossTerm(phi: Dihedral($0[0], $0[1], $0[2], $0[3]), psi: Dihedral($0[4], $0[5], $0[6], $0[7]))
                  },
                  explicitExclusions: try table("exclusions", 2).map { Bond($0[0], $0[1]) })
    }
}
