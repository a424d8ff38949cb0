import Foundation

/// One atom named the way molecular tools name it: a 0-based index, or `segment:residue:name`
/// (`BH:10:CA`, VMD's `segname BH and resid 10 and name CA`), or `residue:name` when the
/// residue number is unique across segments (`10:CA`). Steered MD, tethered pulling and exports
/// select atoms this way, so workflows need not hard-code indices that change with the builder.
public enum AtomSelector: Equatable, Sendable, CustomStringConvertible {
    case index(Int)
    case named(segment: String?, residue: String, atom: String)

    /// Parses `12`, `10:CA` or `BH:10:CA`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        if parts.count == 1, let i = Int(parts[0]) {
            self = .index(i)
        } else if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty {
            self = .named(segment: nil, residue: parts[0], atom: parts[1])
        } else if parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) {
            self = .named(segment: parts[0], residue: parts[1], atom: parts[2])
        } else {
            throw MolecularInputError(source: "atom selection", line: nil,
                                      "'\(text)' is not an atom: give a 0-based index, residue:name (10:CA) or segment:residue:name (BH:10:CA)")
        }
    }

    public var description: String {
        switch self {
        case .index(let i): return "\(i)"
        case let .named(segment, residue, atom): return (segment.map { $0 + ":" } ?? "") + "\(residue):\(atom)"
        }
    }

    /// The 0-based index of the atom in `topology`; one-line errors say what the molecule has.
    public func resolve(in topology: Topology) throws -> Int {
        let atoms = topology.atoms
        switch self {
        case .index(let i):
            guard atoms.indices.contains(i) else {
                throw MolecularInputError(source: "atom selection", line: nil,
                                          "atom index \(i) is out of range: the molecule has \(atoms.count) atoms (indices 0-\(atoms.count - 1))")
            }
            return i
        case let .named(segment, residue, atom):
            let matches = atoms.indices.filter {
                atoms[$0].residueID == residue && atoms[$0].name == atom && (segment == nil || atoms[$0].segment == segment)
            }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 {
                let segments = Set(matches.map { atoms[$0].segment }).sorted()
                throw MolecularInputError(source: "atom selection", line: nil,
                                          "'\(self)' matches \(matches.count) atoms (segments \(segments.joined(separator: ", "))); write segment:residue:name")
            }
            let inResidue = atoms.filter { $0.residueID == residue && (segment == nil || $0.segment == segment) }
            if inResidue.isEmpty {
                let segments = Set(atoms.map(\.segment)).sorted().joined(separator: ", ")
                let residues = atoms.map(\.residueID)
                throw MolecularInputError(source: "atom selection", line: nil,
                                          "no residue \(residue)\(segment.map { " in segment \($0)" } ?? "") for '\(self)'; segments: \(segments), residues \(residues.first ?? "")-\(residues.last ?? "")")
            }
            throw MolecularInputError(source: "atom selection", line: nil,
                                      "residue \(residue) has no atom \(atom); its atoms: \(inResidue.map(\.name).joined(separator: " "))")
        }
    }
}
