import Foundation

/// A residue or patch template in CHARMM RTF syntax (the subset flow's builder needs).
public struct ResidueTemplate: Equatable, Sendable {
    public struct TemplateAtom: Equatable, Sendable {
        public var name: String, type: String, charge: Double
    }
    /// Internal coordinate: D is placed bonded to C with dihedral A–B–C–D; `value` is degrees or
    /// a named backbone angle (phi, psi, omega) chosen when building.
    public struct InternalCoordinate: Equatable, Sendable {
        public var atoms: [String]
        public var value: String
    }
    public var name: String
    public var isPatch: Bool
    public var atoms: [TemplateAtom] = []
    public var deletedAtoms: [String] = []
    /// Bonded pairs of atom names (`-`/`+` prefixes for neighbouring residues).
    public var bonds: [[String]] = []
    public var impropers: [[String]] = []
    /// CMAP cross-terms: eight atom names, φ's four then ψ's four.
    public var crossTerms: [[String]] = []
    public var internalCoordinates: [InternalCoordinate] = []
}

/// Reads residue topology files: RESI/PRES blocks with ATOM, DELETE ATOM, BOND/DOUBLE, IMPR/IMPH,
/// CMAP and IC lines (CHARMM `rtop.doc`). flow's IC lines carry only the dihedral (see Data/charmm/
/// top_flow.rtf); GROUP, DONOR, ACCEPTOR and similar lines are accepted and ignored.
public enum ResidueTemplateReader {
    public static func read(path: String) throws -> [String: ResidueTemplate] {
        try parse(TextLines(contentsOf: path))
    }

    public static func read(text: String, source: String = "<rtf>") throws -> [String: ResidueTemplate] {
        try parse(TextLines(text: text, source: source))
    }

    static func parse(_ file: TextLines) throws -> [String: ResidueTemplate] {
        var templates: [String: ResidueTemplate] = [:]
        var current: ResidueTemplate?
        func finish() { if let c = current { templates[c.name] = c }; current = nil }
        for (index, raw) in file.lines.enumerated() {
            if raw.hasPrefix("*") { continue }
            let f = fields(raw.split(separator: "!", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            guard let first = f.first else { continue }
            let word = first.uppercased()
            switch word {
            case "RESI", "PRES":
                finish()
                guard f.count >= 2 else { throw file.error(index, "\(word) needs a name") }
                current = ResidueTemplate(name: String(f[1]), isPatch: word == "PRES")
            case "END":
                finish()
            case "ATOM":
                guard current != nil else { throw file.error(index, "ATOM outside RESI/PRES") }
                guard f.count >= 4, let q = Double(f[3]) else { throw file.error(index, "ATOM needs 'name type charge'") }
                current!.atoms.append(.init(name: String(f[1]), type: String(f[2]), charge: q))
            case "DELETE", "DELE":
                guard current != nil, f.count >= 3, f[1].uppercased().hasPrefix("ATOM") else {
                    throw file.error(index, "only 'DELETE ATOM name' is supported inside a PRES")
                }
                current!.deletedAtoms.append(String(f[2]))
            case "BOND", "DOUBLE":
                guard current != nil, (f.count - 1) % 2 == 0 else { throw file.error(index, "\(word) needs pairs of atom names") }
                current!.bonds += stride(from: 1, to: f.count, by: 2).map { [String(f[$0]), String(f[$0 + 1])] }
            case "IMPR", "IMPH":
                guard current != nil, (f.count - 1) % 4 == 0 else { throw file.error(index, "\(word) needs groups of four atom names") }
                current!.impropers += stride(from: 1, to: f.count, by: 4).map { f[$0..<($0 + 4)].map(String.init) }
            case "CMAP":
                guard current != nil, f.count == 9 else { throw file.error(index, "CMAP needs eight atom names (φ's four, then ψ's)") }
                current!.crossTerms.append(f[1...8].map(String.init))
            case "IC":
                guard current != nil, f.count == 6 else { throw file.error(index, "IC needs four atom names and a dihedral") }
                let value = String(f[5])
                guard Double(value) != nil || ["phi", "psi", "omega"].contains(value.lowercased()) else {
                    throw file.error(index, "IC dihedral '\(value)' is neither a number nor phi/psi/omega")
                }
                current!.internalCoordinates.append(.init(atoms: f[1..<5].map { String($0).replacingOccurrences(of: "*", with: "") },
                                                          value: value.lowercased()))
            case "GROUP", "DONOR", "ACCEPTOR", "PATCH", "PATCHING", "DECL", "DEFA", "MASS", "AUTO", "LONEPAIR":
                continue
            default:
                if Int(first) != nil { continue }
                throw file.error(index, "unknown topology keyword '\(first)'")
            }
        }
        finish()
        return templates
    }
}
