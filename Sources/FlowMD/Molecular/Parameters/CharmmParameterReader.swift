import Foundation

/// Reads CHARMM parameter files (`.prm`, `.par`, and the parameter part of `.str` streams).
///
/// Sections (CHARMM parmfile.doc): ATOMS (MASS lines), BONDS, ANGLES/THETAS (with optional
/// Urey–Bradley K_UB, S0), DIHEDRALS/PHI (several lines with the same types accumulate terms of
/// different multiplicity; a repeated multiplicity replaces the earlier term), IMPROPER/IMPHI,
/// CMAP (8 types and the grid size, then the grid with φ as the slow index), NONBONDED (header
/// keywords, `e14fac` is kept; per type: ignored, ε, Rmin/2 and optionally ignored, ε14, Rmin/2 14),
/// NBFIX (types, Emin, Rmin and optionally the 1-4 values), HBOND (ignored) and END. Lines
/// starting with `*` are titles, `!` starts a comment, a trailing `-` continues a header line.
public enum CharmmParameterReader {
    public static func read(path: String) throws -> ParameterSet {
        try parse(TextLines(contentsOf: path))
    }

    public static func read(text: String, source: String = "<prm>") throws -> ParameterSet {
        try parse(TextLines(text: text, source: source))
    }

    /// Reads several files; later files override earlier ones.
    public static func read(paths: [String]) throws -> ParameterSet {
        var set = ParameterSet()
        for p in paths { set.merge(try read(path: p)) }
        return set
    }

    enum Section { case none, atoms, bonds, angles, dihedrals, impropers, cmap, nonbonded, nbfix, ignored }

    static let sectionNames: [(String, Section)] = [
        ("ATOMS", .atoms), ("BONDS", .bonds), ("ANGLES", .angles), ("THETAS", .angles),
        ("DIHEDRALS", .dihedrals), ("PHI", .dihedrals), ("IMPROPER", .impropers), ("IMPHI", .impropers),
        ("CMAP", .cmap), ("NONBONDED", .nonbonded), ("NBONDED", .nonbonded), ("NBFIX", .nbfix),
        ("HBOND", .ignored),
    ]

    static func parse(_ file: TextLines) throws -> ParameterSet {
        var set = ParameterSet()
        var section = Section.none
        var continuation = false
        var dihedralKeysInFile = Set<String>()
        var cmapHeader: (key: String, size: Int, line: Int)?
        var cmapValues: [Double] = []
        var index = 0
        while index < file.lines.count {
            defer { index += 1 }
            let raw = file.lines[index]
            let line = raw.split(separator: "!", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let f = fields(line)
            if raw.hasPrefix("*") || f.isEmpty { continue }
            if continuation {
                continuation = f.last == "-"
                try readNonbondedOptions(f, &set, file, index)
                continue
            }
            let word = f[0].uppercased()
            if let match = sectionNames.first(where: { $0.0.hasPrefix(word) && word.count >= min(4, $0.0.count) || word == $0.0 }) {
                if cmapHeader != nil { throw file.error(index, "CMAP grid ends early: \(cmapValues.count) values read") }
                section = match.1
                if section == .nonbonded {
                    continuation = f.last == "-"
                    try readNonbondedOptions(Array(f.dropFirst()), &set, file, index)
                }
                continue
            }
            if word == "END" || word == "RETURN" { section = .none; continue }
            if word == "READ" { continue }
            switch section {
            case .none:
                throw file.error(index, "'\(f[0])' outside any parameter section")
            case .ignored:
                continue
            case .atoms:
                guard word == "MASS", f.count >= 4, let m = try file.number(f[3], index, "mass") else {
                    throw file.error(index, "ATOMS line needs 'MASS index type mass'")
                }
                guard m > 0 else { throw file.error(index, "mass \(f[3]) of type \(f[2]) must be positive") }
                set.masses[String(f[2])] = m
            case .bonds:
                let v = try numbers(f, 2, 2, "bond line needs 'type type Kb b0'", file, index)
                try requireNonNegative(v[0], "bond force constant Kb", file, index)
                set.bonds[ParameterSet.bondKey(String(f[0]), String(f[1]))] = BondParameter(k: v[0], r0: v[1])
            case .angles:
                let v = try numbers(f, 3, 2, "angle line needs 'type type type Ktheta theta0 [Kub S0]'", file, index)
                let ub = v.count >= 4 ? (v[2], v[3]) : (0, 0)
                try requireNonNegative(v[0], "angle force constant Ktheta", file, index)
                try requireNonNegative(ub.0, "Urey-Bradley force constant Kub", file, index)
                set.angles[ParameterSet.angleKey(String(f[0]), String(f[1]), String(f[2]))] =
                    AngleParameter(k: v[0], theta0: v[1] * .pi / 180, ureyBradleyK: ub.0, ureyBradleyS0: ub.1)
            case .dihedrals:
                let v = try numbers(f, 4, 3, "dihedral line needs 'type type type type Kchi n delta'", file, index)
                guard let n = Int(exactly: v[1]) else { throw file.error(index, "dihedral multiplicity '\(f[5])' is not an integer") }
                let key = ParameterSet.dihedralKey(f[0..<4].map(String.init))
                let term = DihedralTerm(k: v[0], multiplicity: n, phase: v[2] * .pi / 180)
                if dihedralKeysInFile.insert(key).inserted {
                    set.dihedrals[key] = [term]
                } else {
                    set.dihedrals[key, default: []].removeAll { $0.multiplicity == n }
                    set.dihedrals[key, default: []].append(term)
                }
            case .impropers:
                let v = try numbers(f, 4, 3, "improper line needs 'type type type type Kpsi n psi0'", file, index)
                guard let n = Int(exactly: v[1]) else { throw file.error(index, "improper multiplicity '\(f[5])' is not an integer") }
                try requireNonNegative(v[0], "improper force constant Kpsi", file, index)
                set.impropers[ParameterSet.orderedKey(f[0..<4].map(String.init))] =
                    ImproperParameter(k: v[0], multiplicity: n, psi0: v[2] * .pi / 180)
            case .cmap:
                if let header = cmapHeader {
                    for token in f {
                        guard let v = try file.number(token, index, "CMAP value") else { throw file.error(index, "CMAP value '\(token)' is not a number") }
                        cmapValues.append(v)
                    }
                    if cmapValues.count >= header.size * header.size {
                        guard cmapValues.count == header.size * header.size else {
                            throw file.error(index, "CMAP grid has \(cmapValues.count) values, expected \(header.size * header.size)")
                        }
                        set.cmaps[header.key] = CMAPGrid(size: header.size, values: cmapValues)
                        cmapHeader = nil
                        cmapValues = []
                    }
                } else {
                    guard f.count == 9, let size = Int(f[8]), size >= 4 else {
                        throw file.error(index, "CMAP header needs 8 atom types and the grid size")
                    }
                    cmapHeader = (ParameterSet.orderedKey(f[0..<8].map(String.init)), size, index)
                }
            case .nonbonded:
                let v = try numbers(f, 1, 3, "nonbonded line needs 'type ignored epsilon Rmin/2 [ignored eps14 Rmin/2_14]'", file, index)
                try requireNonNegative(v[2], "Lennard-Jones Rmin/2", file, index)
                let eps14 = v.count >= 6 ? abs(v[4]) : abs(v[1])
                let r14 = v.count >= 6 ? v[5] : v[2]
                set.lennardJones[String(f[0])] = LennardJonesParameter(epsilon: abs(v[1]), rminHalf: v[2],
                                                                       epsilon14: eps14, rminHalf14: r14)
            case .nbfix:
                let v = try numbers(f, 2, 2, "NBFIX line needs 'type type Emin Rmin [Emin14 Rmin14]'", file, index)
                set.pairOverrides[ParameterSet.bondKey(String(f[0]), String(f[1]))] =
                    PairOverride(epsilon: abs(v[0]), rmin: v[1],
                                 epsilon14: v.count >= 4 ? abs(v[2]) : abs(v[0]), rmin14: v.count >= 4 ? v[3] : v[1])
            }
        }
        if let header = cmapHeader {
            throw file.error(header.line, "CMAP grid incomplete: \(cmapValues.count) of \(header.size * header.size) values")
        }
        return set
    }

    /// The numbers after `typeCount` type names; at least `required` of them.
    static func numbers(_ f: [Substring], _ typeCount: Int, _ required: Int, _ usage: String,
                        _ file: TextLines, _ index: Int) throws -> [Double] {
        guard f.count >= typeCount + required else { throw file.error(index, usage) }
        var values: [Double] = []
        for token in f[typeCount...] {
            guard let v = try file.number(token, index, "value") else { break }
            values.append(v)
        }
        guard values.count >= required else { throw file.error(index, usage) }
        return values
    }

    /// Harmonic force constants and radii are never negative in a CHARMM file; a negative one is a
    /// typo that would turn a bond or an angle into a repulsive term.
    static func requireNonNegative(_ v: Double, _ what: String, _ file: TextLines, _ index: Int) throws {
        guard v >= 0 else { throw file.error(index, "\(what) \(v) must not be negative") }
    }

    static func readNonbondedOptions(_ f: [Substring], _ set: inout ParameterSet, _ file: TextLines, _ index: Int) throws {
        for (n, token) in f.enumerated() where token.uppercased() == "E14FAC" {
            guard n + 1 < f.count, let v = try file.number(f[n + 1], index, "e14fac") else { throw file.error(index, "e14fac needs a number") }
            guard (0...1).contains(v) else { throw file.error(index, "e14fac \(f[n + 1]) must lie in [0, 1]") }
            set.coulomb14Scale = v
        }
    }
}
