import Foundation

/// Reads CHARMM/X-PLOR protein structure files (PSF), standard and `EXT` layouts.
///
/// Sections are located by their `!NAME` markers (NATOM, NBOND, NTHETA, NPHI, NIMPHI, NDON, NACC,
/// NNB, NGRP, MOLNT, NUMLP, NCRTERM), so optional sections and flags (`CMAP`, `CHEQ`, `DRUDE`) are
/// handled uniformly; atom records are split on whitespace (the fields of both layouts never
/// contain blanks). Atom types must be names (X-PLOR style, as written by psfgen and by CHARMM's
/// `WRITE PSF XPLOR`); numeric CHARMM type codes need the RTF to resolve and are rejected.
/// Reference: CHARMM `io.doc`/`psfres.src` and the NAMD user guide, "PSF file".
public enum PSFReader {
    public static func read(path: String) throws -> Topology {
        try parse(TextLines(contentsOf: path))
    }

    public static func read(text: String, source: String = "<psf>") throws -> Topology {
        try parse(TextLines(text: text, source: source))
    }

    static func parse(_ file: TextLines) throws -> Topology {
        guard let first = file.lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }),
              file.lines[first].hasPrefix("PSF") else {
            throw MolecularInputError(source: file.source, line: 1, "not a PSF file: the first line must start with PSF")
        }
        var atoms: [Atom] = []
        var topology = Topology(atoms: [], bonds: [])
        var index = first + 1
        var sawAtoms = false
        let characters = file.lines.reduce(0) { $0 + $1.count + 1 }
        while index < file.lines.count {
            let line = file.lines[index]
            guard let bang = line.firstIndex(of: "!") else { index += 1; continue }
            let tag = line[line.index(after: bang)...].prefix { $0.isLetter || $0.isNumber }.uppercased()
            let counts = fields(line[..<bang]).map { Int($0) }
            guard let count = counts.first ?? nil, count >= 0 else {
                throw file.error(index, "section !\(tag) has no valid count before the marker")
            }
            // Each entry takes at least one character, so a larger count is a corrupt header; the
            // bound also keeps count × entry width and the reservations below far from overflow.
            guard count <= characters else {
                throw file.error(index, "section !\(tag) announces \(count) entries, more than the file's \(characters) characters can hold")
            }
            index += 1
            switch tag {
            case "NTITLE":
                index += count
            case "NATOM":
                atoms = try readAtoms(file, &index, count)
                sawAtoms = true
            case "NBOND":
                topology.bonds = try readTuples(file, &index, count, 2, atoms.count, tag).map { Bond($0[0], $0[1]) }
            case "NTHETA":
                topology.angles = try readTuples(file, &index, count, 3, atoms.count, tag).map { Angle($0[0], $0[1], $0[2]) }
            case "NPHI":
                topology.dihedrals = try readTuples(file, &index, count, 4, atoms.count, tag).map { Dihedral($0[0], $0[1], $0[2], $0[3]) }
            case "NIMPHI":
                topology.impropers = try readTuples(file, &index, count, 4, atoms.count, tag).map { Dihedral($0[0], $0[1], $0[2], $0[3]) }
            case "NDON", "NACC":
                _ = try readIntegers(file, &index, 2 * count, tag)
            case "NNB":
                topology.explicitExclusions = try readExclusions(file, &index, count, atoms.count)
            case "NGRP":
                _ = try readIntegers(file, &index, 3 * count, tag)
            case "MOLNT":
                _ = try readIntegers(file, &index, atoms.count, tag)
            case "NUMLP":
                if count > 0 || (counts.count > 1 && (counts[1] ?? 0) > 0) {
                    throw file.error(index - 1, "lone pairs (!NUMLP) are not supported")
                }
            case "NCRTERM":
                topology.crossTerms = try readTuples(file, &index, count, 8, atoms.count, tag).map {
                    CrossTerm(phi: Dihedral($0[0], $0[1], $0[2], $0[3]), psi: Dihedral($0[4], $0[5], $0[6], $0[7]))
                }
            default:
                throw file.error(index - 1, "unknown PSF section !\(tag)")
            }
        }
        guard sawAtoms else { throw MolecularInputError(source: file.source, line: nil, "no !NATOM section") }
        topology.atoms = atoms
        return topology
    }

    static func readAtoms(_ file: TextLines, _ index: inout Int, _ count: Int) throws -> [Atom] {
        var atoms: [Atom] = []
        atoms.reserveCapacity(count)
        for n in 0..<count {
            guard index < file.lines.count else { throw file.error(index - 1, "file ends after \(n) of \(count) atoms") }
            let f = fields(file.lines[index])
            guard f.count >= 9 else {
                throw file.error(index, "atom record needs 9 fields (index segment resid resname name type charge mass imove), found \(f.count)")
            }
            guard Int(f[0]) == n + 1 else { throw file.error(index, "atom number \(f[0]) out of sequence (expected \(n + 1))") }
            guard let charge = try file.number(f[6], index, "atom charge"), let mass = try file.number(f[7], index, "atom mass") else {
                throw file.error(index, "atom charge '\(f[6])' or mass '\(f[7])' is not a number")
            }
            guard mass > 0 else {
                throw file.error(index, "atom mass \(f[7]) of atom \(n + 1) must be positive (massless sites are not supported)")
            }
            if Int(f[5]) != nil {
                throw file.error(index, "atom type '\(f[5])' is a numeric CHARMM code; write the PSF in X-PLOR format (type names)")
            }
            atoms.append(Atom(segment: String(f[1]), residueID: String(f[2]), residueName: String(f[3]),
                              name: String(f[4]), type: String(f[5]), charge: charge, mass: mass))
            index += 1
        }
        return atoms
    }

    static func readIntegers(_ file: TextLines, _ index: inout Int, _ count: Int, _ tag: String) throws -> [Int] {
        var values: [Int] = []
        values.reserveCapacity(count)
        while values.count < count {
            guard index < file.lines.count else {
                throw file.error(index - 1, "file ends inside !\(tag): \(values.count) of \(count) numbers read")
            }
            for token in fields(file.lines[index]) {
                guard let v = Int(token) else { throw file.error(index, "'\(token)' in !\(tag) is not an integer") }
                values.append(v)
            }
            index += 1
        }
        guard values.count == count else { throw file.error(index - 1, "!\(tag) has \(values.count) numbers, expected \(count)") }
        return values
    }

    static func readTuples(_ file: TextLines, _ index: inout Int, _ count: Int, _ width: Int,
                           _ atomCount: Int, _ tag: String) throws -> [[Int]] {
        let start = index
        let values = try readIntegers(file, &index, count * width, tag)
        if let bad = values.first(where: { $0 < 1 || $0 > atomCount }) {
            throw file.error(start, "!\(tag) refers to atom \(bad), but the PSF has \(atomCount) atoms")
        }
        return stride(from: 0, to: values.count, by: width).map { values[$0..<($0 + width)].map { $0 - 1 } }
    }

    /// !NNB: the excluded partners of all atoms, then for each atom the running end index (IBLO).
    static func readExclusions(_ file: TextLines, _ index: inout Int, _ count: Int, _ atomCount: Int) throws -> [Bond] {
        let start = index
        let partners = try readIntegers(file, &index, count, "NNB")
        let ends = try readIntegers(file, &index, atomCount, "NNB")
        var result: [Bond] = []
        var begin = 0
        for (atom, end) in ends.enumerated() {
            guard end >= begin, end <= partners.count else { throw file.error(start, "!NNB pointer list is not increasing") }
            for p in partners[begin..<end] where p >= 1 && p <= atomCount { result.append(Bond(atom, p - 1)) }
            begin = end
        }
        return result
    }
}
