import Foundation

/// Atoms and coordinate frames from a PDB file.
public struct PDBStructure: Equatable, Sendable {
    public struct Record: Equatable, Sendable {
        public var name: String
        public var residueName: String
        public var chain: String
        public var residueID: String
        public var segment: String
        public var element: String
    }
    public var records: [Record]
    /// One flat array x1,y1,z1,x2,… (Å) per MODEL (a single frame for a plain PDB).
    public var frames: [[Double]]
    /// Unit cell (a, b, c in Å; α, β, γ in degrees) from CRYST1, or nil when absent or unusable.
    public var cell: [Double]?
}

/// Reads and writes PDB coordinate files (wwPDB format v3.3, ATOM/HETATM/MODEL/CRYST1 records).
///
/// The reader uses the fixed coordinate columns of the format and is tolerant of what molecular
/// tools write in practice: a CRYST1 line with unparsable fields (e.g. `-NaN`, as in the NAMD
/// SMD tutorial's deca-alanine) is ignored (no periodic cell), residue names of four characters,
/// segment identifiers in columns 73–76, and missing element columns.
public enum PDBFile {
    public static func read(path: String) throws -> PDBStructure {
        try parse(TextLines(contentsOf: path))
    }

    public static func read(text: String, source: String = "<pdb>") throws -> PDBStructure {
        try parse(TextLines(text: text, source: source))
    }

    static func column(_ line: Substring, _ from: Int, _ to: Int) -> String {
        let chars = Array(line)
        guard from < chars.count else { return "" }
        return String(chars[from..<min(to, chars.count)]).trimmingCharacters(in: .whitespaces)
    }

    static func parse(_ file: TextLines) throws -> PDBStructure {
        var structure = PDBStructure(records: [], frames: [], cell: nil)
        var current: [Double] = []
        var currentRecords: [PDBStructure.Record] = []
        var inModel = false
        func closeFrame(_ index: Int) throws {
            if structure.frames.isEmpty {
                structure.records = currentRecords
            } else if current.count != structure.frames[0].count {
                throw file.error(index, "model has \(current.count / 3) atoms, the first model has \(structure.frames[0].count / 3)")
            }
            structure.frames.append(current)
            current = []
            currentRecords = []
        }
        for (index, line) in file.lines.enumerated() {
            let record = line.prefix(6).trimmingCharacters(in: .whitespaces)
            switch record {
            case "ATOM", "HETATM":
                guard line.count >= 54 else {
                    throw file.error(index, "\(record) record is \(line.count) characters long; coordinates need columns 31-54")
                }
                func coordinate(_ from: Int, _ to: Int) throws -> Double? {
                    try file.number(Substring(column(line, from, to)), index, "coordinate in columns \(from + 1)-\(to)")
                }
                guard let x = try coordinate(30, 38), let y = try coordinate(38, 46), let z = try coordinate(46, 54) else {
                    throw file.error(index, "coordinates in columns 31-54 are not numbers")
                }
                current += [x, y, z]
                let resSeq = column(line, 22, 26) + column(line, 26, 27)
                currentRecords.append(.init(name: column(line, 12, 16), residueName: column(line, 17, 21),
                                            chain: column(line, 21, 22), residueID: resSeq,
                                            segment: column(line, 72, 76), element: column(line, 76, 78)))
            case "CRYST1":
                let values = [column(line, 6, 15), column(line, 15, 24), column(line, 24, 33),
                              column(line, 33, 40), column(line, 40, 47), column(line, 47, 54)].map { Double($0) }
                let cell = values.compactMap { $0 }
                structure.cell = cell.count == 6 && cell.allSatisfy(\.isFinite) && cell[0] > 0 && cell[1] > 0 && cell[2] > 0
                    ? cell : nil
            case "MODEL":
                if inModel { throw file.error(index, "MODEL inside another MODEL (missing ENDMDL)") }
                inModel = true
            case "ENDMDL":
                if !inModel { throw file.error(index, "ENDMDL without MODEL") }
                inModel = false
                try closeFrame(index)
            default:
                continue
            }
        }
        if !current.isEmpty { try closeFrame(file.lines.count - 1) }
        if structure.frames.isEmpty { throw MolecularInputError(source: file.source, line: nil, "no ATOM or HETATM records") }
        return structure
    }

    /// PDB text for the given topology and frames (several frames become MODEL/ENDMDL blocks).
    public static func text(_ topology: Topology, frames: [[Double]], cell: [Double]? = nil, chain: String = "A") -> String {
        var out = ""
        if let c = cell, c.count == 6 {
            out += String(format: "CRYST1%9.3f%9.3f%9.3f%7.2f%7.2f%7.2f P 1           1\n", c[0], c[1], c[2], c[3], c[4], c[5])
        }
        for (m, x) in frames.enumerated() {
            precondition(x.count == 3 * topology.atoms.count, "frame size does not match the topology")
            if frames.count > 1 { out += String(format: "MODEL     %4d\n", m + 1) }
            for (n, a) in topology.atoms.enumerated() {
                let name = a.name.count < 4 && a.element.count == 1 ? " " + a.name : a.name
                let resSeq = Int(a.residueID.filter(\.isNumber)) ?? 0
                let insertion = a.residueID.last.map { $0.isLetter ? String($0) : " " } ?? " "
                out += "ATOM  " + String(format: "%5d", (n + 1) % 100_000) + " " + padded(name, 4) + " "
                    + padded(a.residueName, 4) + padded(chain, 1) + String(format: "%4d", resSeq % 10_000) + insertion
                    + String(format: "   %8.3f%8.3f%8.3f%6.2f%6.2f      ", x[3 * n], x[3 * n + 1], x[3 * n + 2], 1.0, 0.0)
                    + padded(a.segment, 4) + padded(a.element, 2, right: true) + "\n"
            }
            out += frames.count > 1 ? "ENDMDL\n" : ""
        }
        return out + "END\n"
    }

    public static func write(_ topology: Topology, frames: [[Double]], to path: String, cell: [Double]? = nil) throws {
        try text(topology, frames: frames, cell: cell).write(toFile: path, atomically: true, encoding: .utf8)
    }
}
