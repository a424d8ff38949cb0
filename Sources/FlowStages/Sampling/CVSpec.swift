import FlowCore
import FlowMD

/// A collective variable named in a workflow: `mu2`, `mu3`, `coordination`,
/// `sorted-coordination`, a coordinate name of the system (`x`, `y` of Müller–Brown, `x3`), a
/// peptide's backbone dihedral (`phi`, `psi` of the alanine dipeptide; `phi2`, `psi9`), a
/// geometric CV of particles given by 0-based indices: `{distance: [i, j]}`, `{angle: [i, j, k]}`,
/// `{dihedral: [i, j, k, l]}`, `{position: [i]}`, or a learned CV given to the stage as an input:
/// `{model: cv}` (an `orthogonal-cvs` output, its network composed with the feature map it was
/// trained on; the bias force is the chain rule through both).
enum CVSpec: Decodable, Equatable, ParameterTypeDescribing {
    case named(String)
    case geometric(kind: Geometric, particles: [Int])
    case model(String)

    enum Geometric: String, CaseIterable, Decodable {
        case distance, angle, dihedral, position
        var arity: Int? {
            switch self {
            case .distance: return 2
            case .angle: return 3
            case .dihedral: return 4
            case .position: return nil
            }
        }
    }

    static var parameterTypeName: String {
        "CV: mu2, mu3, coordination, sorted-coordination, a coordinate name, {distance|angle|dihedral|position: [particles]}, or {model: INPUT}"
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        if let s = try? decoder.singleValueContainer().decode(String.self) {
            self = .named(s)
            return
        }
        let c = try decoder.container(keyedBy: AnyKey.self)
        if c.allKeys.count == 1, let key = c.allKeys.first, key.stringValue == "model" {
            self = .model(try c.decode(String.self, forKey: key))
            return
        }
        guard c.allKeys.count == 1, let key = c.allKeys.first, let kind = Geometric(rawValue: key.stringValue) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "a CV mapping has one key: distance, angle, dihedral, position or model"))
        }
        self = .geometric(kind: kind, particles: try c.decode([Int].self, forKey: key))
    }

    /// The CVs of a list, one after another, as one CV (consecutive μ_k share one evaluation of
    /// the coordination numbers). Errors are one line naming the offending entry.
    static func resolve(_ specs: [CVSpec], in system: SimulationSystem) throws -> any CollectiveVariable {
        guard !specs.isEmpty else { throw CVSpecError("give at least one CV") }
        var parts: [any CollectiveVariable] = []
        var orders: [Int] = []
        func flushMoments() throws {
            guard !orders.isEmpty else { return }
            parts.append(CoordinationMoments(layout: try particleLayout(system, for: "mu\(orders[0])"), orders: orders))
            orders = []
        }
        for spec in specs {
            if case .named(let n) = spec, n.hasPrefix("mu"), let k = Int(n.dropFirst(2)), k >= 2 {
                orders.append(k)
                continue
            }
            try flushMoments()
            parts.append(try spec.collectiveVariable(in: system))
        }
        try flushMoments()
        return parts.count == 1 ? parts[0] : StackedCV(parts)
    }

    static func particleLayout(_ system: SimulationSystem, for name: String) throws -> ParticleLayout {
        guard let layout = system.layout else { throw CVSpecError("'\(name)' needs a particle system; this system's coordinates are \(system.coordinateNames.joined(separator: ", "))") }
        return layout
    }

    func collectiveVariable(in system: SimulationSystem) throws -> any CollectiveVariable {
        switch self {
        case .model(let name):
            guard let cv = system.namedCVs[name] else {
                throw CVSpecError("no learned CV '\(name)': connect it as an input of the stage, inputs: {\(name): <orthogonal-cvs stage>}")
            }
            return cv
        case .named(let name):
            switch name {
            case "coordination": return CoordinationNumbers(layout: try Self.particleLayout(system, for: name))
            case "sorted-coordination": return SortedCoordinationNumbers(layout: try Self.particleLayout(system, for: name))
            default:
                if name.hasPrefix("mu"), let k = Int(name.dropFirst(2)), k >= 2 {
                    return CoordinationMoments(layout: try Self.particleLayout(system, for: name), orders: [k])
                }
                if let cv = system.namedCVs[name] { return cv }
                guard let i = system.coordinateNames.firstIndex(of: name) else {
                    let known = ["mu2", "mu3", "coordination", "sorted-coordination"] + system.namedCVs.keys.sorted() + system.coordinateNames
                    throw CVSpecError("unknown CV '\(name)'\(DidYouMean.hint(for: name, among: known)); known: \(known.joined(separator: ", ")), or {distance|angle|dihedral|position: [particles]}")
                }
                return SelectedCoordinates([i], inputDimension: system.potential.dimension, names: [name])
            }
        case .geometric(let kind, let p):
            let layout = try Self.particleLayout(system, for: kind.rawValue)
            if let arity = kind.arity, p.count != arity { throw CVSpecError("\(kind.rawValue) takes \(arity) particle indices, got \(p.count)") }
            guard !p.isEmpty, Set(p).count == p.count, p.allSatisfy({ (0..<layout.particles).contains($0) }) else {
                throw CVSpecError("\(kind.rawValue): particle indices must be distinct and in 0..<\(layout.particles), got \(p)")
            }
            switch kind {
            case .distance: return ParticleDistance(p[0], p[1], layout: layout)
            case .angle:
                guard layout.spatialDimension >= 2 else { throw CVSpecError("angle needs 2D or 3D particles") }
                return ParticleAngle(p[0], p[1], p[2], layout: layout)
            case .dihedral:
                guard layout.spatialDimension == 3 else { throw CVSpecError("dihedral needs 3D particles") }
                return ParticleDihedral(p[0], p[1], p[2], p[3], layout: layout)
            case .position: return ParticlePositions(p, layout: layout)
            }
        }
    }
}

/// A CV specification that does not fit the system.
struct CVSpecError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
