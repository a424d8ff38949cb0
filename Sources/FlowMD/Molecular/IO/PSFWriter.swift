import Foundation

/// Writes X-PLOR-style PSF files (atom types as names), the layout psfgen writes and that NAMD,
/// VMD, OpenMM and MDTraj read. The `EXT` layout (wider columns) is chosen automatically when a
/// name or index does not fit the standard one; the `CMAP` flag is set when cross-terms exist.
public enum PSFWriter {
    public static func text(_ topology: Topology, title: String = "written by flow") -> String {
        let ext = topology.atoms.count >= 100_000 || topology.atoms.contains {
            $0.segment.count > 4 || $0.residueID.count > 4 || $0.residueName.count > 4 || $0.name.count > 4 || $0.type.count > 4
        }
        let int = ext ? "%10d" : "%8d"
        var out = "PSF" + (ext ? " EXT" : "") + (topology.crossTerms.isEmpty ? "" : " CMAP") + "\n\n"
        out += String(format: int, 1) + " !NTITLE\n REMARKS \(title)\n\n"
        out += String(format: int, topology.atoms.count) + " !NATOM\n"
        let w = ext ? [10, 8, 8, 8, 8, 6] : [8, 4, 4, 4, 4, 4]
        let numbers = ext ? "%14.6f %14.4f %8d\n" : "%10.6f %13.4f %11d\n"
        for (n, a) in topology.atoms.enumerated() {
            out += String(format: ext ? "%10d" : "%8d", n + 1) + " " + padded(a.segment, w[1]) + " "
                + padded(a.residueID, w[2]) + " " + padded(a.residueName, w[3]) + " " + padded(a.name, w[4]) + " "
                + padded(a.type, w[5]) + " " + String(format: numbers, a.charge, a.mass, 0)
        }
        func section(_ count: Int, _ label: String, _ perLine: Int, _ values: [Int]) {
            out += "\n" + String(format: int, count) + " !\(label)\n"
            for (n, v) in values.enumerated() {
                out += String(format: int, v)
                if (n + 1) % perLine == 0 || n == values.count - 1 { out += "\n" }
            }
        }
        section(topology.bonds.count, "NBOND: bonds", 8, topology.bonds.flatMap { [$0.i + 1, $0.j + 1] })
        section(topology.angles.count, "NTHETA: angles", 9, topology.angles.flatMap { [$0.i + 1, $0.j + 1, $0.k + 1] })
        section(topology.dihedrals.count, "NPHI: dihedrals", 8, topology.dihedrals.flatMap { $0.indices.map { $0 + 1 } })
        section(topology.impropers.count, "NIMPHI: impropers", 8, topology.impropers.flatMap { $0.indices.map { $0 + 1 } })
        section(0, "NDON: donors", 8, [])
        section(0, "NACC: acceptors", 8, [])
        var partners: [Int] = []
        var ends: [Int] = []
        let byAtom = Dictionary(grouping: topology.explicitExclusions.map(\.canonical), by: \.i)
        for atom in topology.atoms.indices {
            partners += (byAtom[atom] ?? []).map { $0.j + 1 }
            ends.append(partners.count)
        }
        section(partners.count, "NNB", 8, partners)
        for (n, v) in ends.enumerated() {
            out += String(format: int, v)
            if (n + 1) % 8 == 0 || n == ends.count - 1 { out += "\n" }
        }
        out += "\n" + String(format: int, 1) + String(format: int, 0) + " !NGRP\n"
        out += String(format: int, 0) + String(format: int, 0) + String(format: int, 0) + "\n"
        if !topology.crossTerms.isEmpty {
            section(topology.crossTerms.count, "NCRTERM: cross-terms", 8,
                    topology.crossTerms.flatMap { ($0.phi.indices + $0.psi.indices).map { $0 + 1 } })
        }
        return out + "\n"
    }

    public static func write(_ topology: Topology, to path: String, title: String = "written by flow") throws {
        try text(topology, title: title).write(toFile: path, atomically: true, encoding: .utf8)
    }
}
