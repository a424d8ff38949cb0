/// The backbone dihedrals of a peptide by name, as CHARMM and the Ramachandran plot define them:
/// φ_r = C(r−1)–N–CA–C and ψ_r = N–CA–C–N(r+1), with the caps' atoms at the ends (the acetyl
/// CY before the first N, the N-methylamide NT or the amide NT after the last C). A single
/// residue (the alanine dipeptide) gives `phi` and `psi`; longer chains `phi2`, `psi1`, … by
/// residue number. Peptide bonds are found by atom names, so PSF-loaded CHARMM peptides qualify.
extension Topology {
    public func backboneDihedrals() -> [(name: String, atoms: [Int])] {
        let residues = atoms.indices.reduce(into: [String]()) { ids, i in
            if ids.last != atoms[i].residueID { ids.append(atoms[i].residueID) }
        }
        func atom(_ residue: String, _ name: String) -> Int? { atomIndex(residue: residue, name: name) }
        let single = residues.count == 1
        var result: [(name: String, atoms: [Int])] = []
        for (r, id) in residues.enumerated() {
            guard let n = atom(id, "N"), let ca = atom(id, "CA"), let c = atom(id, "C") else { continue }
            let previous = r > 0 ? atom(residues[r - 1], "C") : atom(id, "CY")
            let next = r + 1 < residues.count ? atom(residues[r + 1], "N") : atom(id, "NT")
            if let p = previous { result.append((single ? "phi" : "phi\(id)", [p, n, ca, c])) }
            if let q = next { result.append((single ? "psi" : "psi\(id)", [n, ca, c, q])) }
        }
        return result
    }
}
