import FlowCore
import FlowMD

/// An atom named in parameters: a 0-based index or `segment:residue:name` (`BH:10:CA`).
struct AtomSpec: Decodable, Equatable, ParameterTypeDescribing {
    var selector: AtomSelector

    static var parameterTypeName: String { "atom: 0-based index, residue:name or segment:residue:name" }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            selector = .index(i)
        } else if let s = try? c.decode(String.self) {
            do { selector = try AtomSelector(parsing: s) } catch let e as MolecularInputError { throw AtomSpecError(description: e.message) }
        } else {
            throw AtomSpecError(description: "an atom is a 0-based index or a string segment:residue:name such as BH:10:CA")
        }
    }

    func resolve(in topology: Topology, key: String, stage: String) throws -> Int {
        do { return try selector.resolve(in: topology) } catch let e as MolecularInputError {
            throw FlowError.stageFailed(stage: stage, message: "\(key): \(e.message)")
        }
    }
}

struct AtomSpecError: Error, CustomStringConvertible {
    let description: String
}

/// `bias.steered` — steered MD on the distance between two atoms (colvars `distance` with a
/// `harmonic` bias whose centre moves linearly, as in the deca-alanine runs of the cGAN paper):
/// U = ½ k (|r_b − r_a| − z(t))², z moving from `from` to `to` at constant speed over the
/// production run. The accumulated work is written per frame. Reference: NAMD SMD tutorial
/// (Isralewitz, Gao & Schulten), colvars reference manual ("harmonic", "targetCenters").
struct SteeredSpec: Decodable {
    var atoms: [AtomSpec]
    var k: Double
    var from: Double
    var to: Double

    enum CodingKeys: String, CodingKey { case atoms, k, from, to }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        atoms = try p(.atoms, literal: [], help: "the two atoms whose distance is pulled, e.g. [BH:1:CA, BH:10:CA]")
        k = try p(.k, default: 1.0, unit: "kcal/mol/Å²", in: .positive, help: "spring constant of ½ k (d − z(t))² (colvars/NAMD convention)")
        from = try p(.from, default: 0.0, unit: "Å", in: .nonNegative, help: "centre z at the start of production")
        to = try p(.to, default: 0.0, unit: "Å", in: .nonNegative, help: "centre z at the end of production (constant speed in between)")
        try p.check(atoms.count == 2, .atoms, "give exactly two atoms, e.g. [BH:1:CA, BH:10:CA]")
        try p.check(from > 0 && to > 0, .from, "give the centre's start and end distances, from: and to: (Å)")
    }
}

/// `bias.tethered` — the two-spring constant-velocity pulling of the NAMD SMD tutorial: atom
/// `fixed` is held by a spring at its starting position, atom `pulled` by a spring whose anchor
/// starts at the atom and moves at `speed` along `direction` (default: from the fixed to the
/// pulled atom). U = ½ k Σ |r − anchor(t)|²; the work is written per frame.
struct TetheredSpec: Decodable {
    var fixed: AtomSpec?
    var pulled: AtomSpec?
    var k: Double
    var speed: Double
    var direction: [Double]?

    enum CodingKeys: String, CodingKey { case fixed, pulled, k, speed, direction }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        fixed = try p.optional(.fixed, help: "atom held at its starting position (NAMD tutorial: the N-terminal N)")
        pulled = try p.optional(.pulled, help: "atom pulled by the moving spring (NAMD tutorial: the C-terminal atom)")
        k = try p(.k, default: 7.2, unit: "kcal/mol/Å²", in: .positive, help: "spring constant of both springs (NAMD tutorial: 7.2)")
        speed = try p(.speed, default: 1.0, unit: "Å/ps", in: .nonNegative, help: "speed of the moving anchor")
        direction = try p.optional(.direction, help: "pulling direction [x, y, z] (normalized; default: fixed → pulled atom at the start)")
        try p.check(fixed != nil && pulled != nil, .pulled, "give the fixed and the pulled atom")
        try p.check(direction.map { $0.count == 3 && $0.contains { $0 != 0 } } ?? true, .direction, "give three components, not all zero")
    }
}

/// `minimization` of `simulate` on charmm systems: L-BFGS until the RMS gradient is below
/// `tolerance` (CHARMM's GRMS) or `max_steps` iterations.
struct MinimizationSpec: Decodable {
    var tolerance: Double
    var maxSteps: Int

    enum CodingKeys: String, CodingKey {
        case tolerance
        case maxSteps = "max_steps"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        tolerance = try p(.tolerance, default: 0.1, unit: "kcal/mol/Å", in: .positive, help: "stop when the RMS gradient is at most this")
        maxSteps = try p(.maxSteps, default: 5000, in: .atLeast(1), help: "at most this many L-BFGS iterations")
    }
}
