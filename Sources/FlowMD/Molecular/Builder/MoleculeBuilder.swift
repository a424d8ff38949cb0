import Foundation

/// Builds a linear chain of residues from templates (psfgen's `segment`/`patch`/`guesscoord`):
/// the topology (atoms, bonds from the templates, angles and dihedrals generated from the bond
/// graph as CHARMM's AUTOGENERATE does, impropers from the templates) and Cartesian coordinates
/// from the internal coordinates, with bond lengths and angles at the force field's equilibrium
/// values and the backbone dihedrals chosen by the caller.
public struct MoleculeBuilder {
    public let templates: [String: ResidueTemplate]
    public let parameters: ParameterSet

    public init(templates: [String: ResidueTemplate], parameters: ParameterSet) {
        self.templates = templates
        self.parameters = parameters
    }

    /// Backbone dihedrals in degrees (α-helix: φ = −57°, ψ = −47°, ω = 180°), the same for every residue.
    public struct Backbone: Sendable {
        public var phi: Double, psi: Double, omega: Double
        public init(phi: Double, psi: Double, omega: Double = 180) { self.phi = phi; self.psi = psi; self.omega = omega }
        public static let alphaHelix = Backbone(phi: -57, psi: -47)
        /// The alanine dipeptide's C7eq minimum in vacuum (CHARMM22, about (−83°, 73°)).
        public static let c7eq = Backbone(phi: -83, psi: 73)
    }

    func template(_ name: String) throws -> ResidueTemplate {
        guard let t = templates[name] else {
            throw MolecularInputError(source: "templates", line: nil, "no residue or patch template named \(name)")
        }
        return t
    }

    /// A residue template with a patch applied: the patch's atoms first (replacing same-named
    /// atoms), then the residue's remaining atoms; deleted atoms and the entries that name them
    /// are dropped.
    func patched(_ residue: ResidueTemplate, with patchName: String?) throws -> ResidueTemplate {
        guard let patchName else { return residue }
        let patch = try template(patchName)
        var result = residue
        let replaced = Set(patch.atoms.map(\.name))
        let deleted = Set(patch.deletedAtoms)
        result.atoms = patch.atoms + residue.atoms.filter { !replaced.contains($0.name) && !deleted.contains($0.name) }
        let keeps = { (names: [String]) in names.allSatisfy { !deleted.contains($0) } }
        result.bonds = residue.bonds.filter(keeps) + patch.bonds
        result.impropers = residue.impropers.filter(keeps) + patch.impropers
        result.crossTerms = residue.crossTerms.filter(keeps) + patch.crossTerms
        result.internalCoordinates = residue.internalCoordinates.filter { keeps($0.atoms) } + patch.internalCoordinates
        return result
    }

    /// `crossTerms`: list the templates' CMAP terms (those whose atoms all exist), as psfgen
    /// does for a topology file with CMAP lines; the parameters then need their CMAP grids.
    public func build(segment: String, residues names: [String], firstPatch: String? = nil, lastPatch: String? = nil,
                      backbone: Backbone = .alphaHelix, crossTerms: Bool = false) throws -> (topology: Topology, positions: [Double]) {
        precondition(!names.isEmpty, "a chain needs at least one residue")
        var residues: [ResidueTemplate] = []
        for (r, name) in names.enumerated() {
            var t = try patched(try template(name), with: r == 0 ? firstPatch : nil)
            if r == names.count - 1 { t = try patched(t, with: lastPatch) }
            residues.append(t)
        }
        var atoms: [Atom] = []
        var index: [[String: Int]] = []
        for (r, t) in residues.enumerated() {
            var map: [String: Int] = [:]
            for a in t.atoms {
                guard let mass = parameters.masses[a.type] else {
                    throw MolecularInputError(source: "parameters", line: nil, "no mass for atom type \(a.type) (residue \(t.name) atom \(a.name))")
                }
                map[a.name] = atoms.count
                atoms.append(Atom(segment: segment, residueID: String(r + 1), residueName: names[r], name: a.name,
                                  type: a.type, charge: a.charge, mass: mass))
            }
            index.append(map)
        }
        func resolve(_ name: String, _ r: Int) -> Int? {
            if name.hasPrefix("-") { return r > 0 ? index[r - 1][String(name.dropFirst())] : nil }
            if name.hasPrefix("+") { return r + 1 < index.count ? index[r + 1][String(name.dropFirst())] : nil }
            return index[r][name]
        }
        func resolveAll(_ list: [String], _ r: Int) -> [Int]? {
            let ids = list.compactMap { resolve($0, r) }
            return ids.count == list.count ? ids : nil
        }
        var bonds: [Bond] = []
        var seen = Set<Bond>()
        var impropers: [Dihedral] = []
        var cmaps: [CrossTerm] = []
        var ics: [(atoms: [Int], value: Double)] = []
        for (r, t) in residues.enumerated() {
            for b in t.bonds {
                guard let ids = resolveAll(b, r) else { continue }
                if seen.insert(Bond(ids[0], ids[1]).canonical).inserted { bonds.append(Bond(ids[0], ids[1])) }
            }
            for imp in t.impropers {
                if let ids = resolveAll(imp, r) { impropers.append(Dihedral(ids[0], ids[1], ids[2], ids[3])) }
            }
            for term in t.crossTerms where crossTerms {
                guard let ids = resolveAll(term, r) else { continue }
                let c = CrossTerm(phi: Dihedral(ids[0], ids[1], ids[2], ids[3]), psi: Dihedral(ids[4], ids[5], ids[6], ids[7]))
                if !cmaps.contains(c) { cmaps.append(c) }
            }
            for ic in t.internalCoordinates {
                guard let ids = resolveAll(ic.atoms, r) else { continue }
                let degrees: Double
                switch ic.value {
                case "phi": degrees = backbone.phi
                case "psi": degrees = backbone.psi
                case "omega": degrees = backbone.omega
                default: degrees = Double(ic.value)!
                }
                ics.append((ids, degrees * .pi / 180))
            }
        }
        var topology = Topology(atoms: atoms, bonds: bonds, impropers: impropers, crossTerms: cmaps)
        topology.angles = topology.generatedAngles()
        topology.dihedrals = topology.generatedDihedrals()
        return (topology, try coordinates(atoms, ics, bonds: bonds))
    }

    /// Places every atom from the internal coordinates. The seed is the first IC whose A–B and
    /// B–C are bonds and from which every atom can be placed: a chain's first residue seeds from
    /// its backbone, a capped single residue (ACE–ALA–NME) from the first cap IC that reaches it.
    func coordinates(_ atoms: [Atom], _ ics: [(atoms: [Int], value: Double)], bonds: [Bond]) throws -> [Double] {
        let bonded = Set(bonds.map(\.canonical))
        let seeds = ics.map(\.atoms).filter { bonded.contains(Bond($0[0], $0[1]).canonical) && bonded.contains(Bond($0[1], $0[2]).canonical) }
        guard !seeds.isEmpty else {
            throw MolecularInputError(source: "templates", line: nil, "no internal coordinate along bonds to build from")
        }
        var firstMissing = 0
        for seed in seeds {
            let placed = try place(atoms, ics, seed: seed)
            if let missing = placed.firstIndex(where: { $0 == nil }) {
                firstMissing = missing
                continue
            }
            return placed.flatMap { [$0!.x, $0!.y, $0!.z] }
        }
        throw MolecularInputError(source: "templates", line: nil,
                                  "internal coordinates do not place atom \(atoms[firstMissing].name) of residue \(atoms[firstMissing].residueID)")
    }

    /// The atoms the internal coordinates reach from `seed`'s A, B, C (nil for the others).
    func place(_ atoms: [Atom], _ ics: [(atoms: [Int], value: Double)], seed: [Int]) throws -> [SIMD3<Double>?] {
        func bond(_ p: Int, _ q: Int) throws -> Double { try parameters.bond(atoms[p].type, atoms[q].type).r0 }
        func angle(_ p: Int, _ q: Int, _ s: Int) throws -> Double {
            try parameters.angle(atoms[p].type, atoms[q].type, atoms[s].type).theta0
        }
        var placed = [SIMD3<Double>?](repeating: nil, count: atoms.count)
        let (a, b, c) = (seed[0], seed[1], seed[2])
        placed[a] = .zero
        placed[b] = SIMD3(try bond(a, b), 0, 0)
        let theta = try angle(a, b, c)
        let bc = try bond(b, c)
        placed[c] = placed[b]! + bc * SIMD3(-cos(theta), sin(theta), 0)
        var progress = true
        while progress {
            progress = false
            for ic in ics {
                let q = ic.atoms
                guard placed[q[3]] == nil, let pa = placed[q[0]], let pb = placed[q[1]], let pc = placed[q[2]] else { continue }
                placed[q[3]] = placeAtom(pa, pb, pc, bond: try bond(q[2], q[3]), angle: try angle(q[1], q[2], q[3]),
                                         dihedral: ic.value)
                progress = true
            }
        }
        return placed
    }
}
