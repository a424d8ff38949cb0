import FlowAnalysis
import FlowCore
import FlowLinalg

/// `grid:` of the effective-dynamics stage: the CV-space grid the generator lives on.
struct CVGridSpec: Decodable {
    var lower: [Double]
    var upper: [Double]
    var bins: [Int]
    var periodic: [Bool]

    enum CodingKeys: String, CodingKey { case lower, upper, bins, periodic }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        lower = try p(.lower, default: [], unit: "CV units", help: "lower edge per CV component (default: the data's minimum)")
        upper = try p(.upper, default: [], unit: "CV units", help: "upper edge per CV component (default: the data's maximum)")
        bins = try p(.bins, default: [40], help: "grid cells per CV component, or one count for all")
        periodic = try p(.periodic, default: [], help: "per CV component, whether it is an angle of period upper − lower (default: none)")
        try p.check(bins.allSatisfy { $0 >= 3 && $0 <= 2000 }, .bins, "give between 3 and 2000 cells per component")
        try p.check(lower.count == upper.count, .upper, "give as many upper edges as lower edges")
        try p.check(zip(lower, upper).allSatisfy { $0 < $1 }, .upper, "every upper edge must exceed its lower edge")
    }

    /// The axes for `d` CV components; missing edges come from the data's CV values.
    func axes(dimension d: Int, data: Matrix) throws -> [GridAxis] {
        func perComponent<T>(_ values: [T], _ name: String) throws -> [T]? {
            if values.isEmpty { return nil }
            if values.count == 1 { return [T](repeating: values[0], count: d) }
            guard values.count == d else { throw EffectiveDynamicsSpecError("grid.\(name) has \(values.count) values for \(d) CV components") }
            return values
        }
        let counts = try perComponent(bins, "bins")!
        let wraps = try perComponent(periodic, "periodic") ?? [Bool](repeating: false, count: d)
        let lows = try perComponent(lower, "lower"), highs = try perComponent(upper, "upper")
        return try (0..<d).map { a in
            let column = data.column(a).filter(\.isFinite)
            guard let lo = lows?[a] ?? column.min(), let hi = highs?[a] ?? column.max(), hi > lo else {
                throw EffectiveDynamicsSpecError("the data's CV component \(a + 1) has no range; give grid.lower and grid.upper")
            }
            if lows == nil && !wraps[a] {
                // The data's extreme samples sit at cell centres, not outside the grid.
                let h = (hi - lo) / Double(counts[a] - 1)
                return GridAxis(lower: lo - h / 2, upper: hi + h / 2, count: counts[a], periodic: false)
            }
            return GridAxis(lower: lo, upper: hi, count: counts[a], periodic: wraps[a])
        }
    }
}

/// `diffusion:` of the effective-dynamics stage: the restrained windows that measure M(z) (and the
/// mean force for `free_energy: restrained`).
struct WindowSpec: Decodable {
    var kappa: [Double]
    var steps: Int
    var dt: Double
    var equilibration: Int
    var interval: Int
    var walkers: Int
    var smoothing: Double
    var friction: Double

    enum CodingKeys: String, CodingKey { case kappa, steps, dt, equilibration, interval, walkers, smoothing, friction }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        kappa = try (p(.kappa, literal: 200.0, unit: "energy/CV²", help: "restraint ½κ|ξ(x) − z|²: one force constant for all CV components, or a list, one per component") as NumbersOrNumber).values
        steps = try p(.steps, default: 20_000, in: .closed(1, 1_000_000_000), help: "steps per window walker, equilibration included")
        dt = try p(.dt, default: 1e-4, unit: "time", in: .positive, help: "time step of the windows: Euler–Maruyama (model systems: overdamped, unit masses, the system's β) or Langevin BAOAB in ps (charmm systems)")
        equilibration = try p(.equilibration, default: 2_000, in: .atLeast(0), help: "steps before averaging starts")
        interval = try p(.interval, default: 10, in: .atLeast(1), help: "average ξ and ∇ξ∇ξᵀ every this many steps")
        walkers = try p(.walkers, default: 1, in: .closed(1, 1000), help: "walkers per window (each its own random stream)")
        smoothing = try p(.smoothing, default: 0.0, in: .nonNegative, help: "Gaussian smoothing width of M over neighbouring cells, in cells (0: none)")
        friction = try p(.friction, default: 1.0, unit: "1/ps", in: .positive, help: "charmm systems: the friction γ of the Brownian dynamics whose rates the effective dynamics predicts (M = (418.4/γ)⟨∇ξ P diag(m)⁻¹∇ξᵀ⟩, P the mass-weighted projection onto the constraints' tangent space when the system has constraints), and of the Langevin windows")
        try p.check(kappa.allSatisfy { $0 > 0 && $0.isFinite }, .kappa, "give positive force constants")
        try p.check(equilibration < steps, .equilibration, "must be below steps (\(steps)), or no sample is averaged")
    }
}

/// `kappa: 200.0` or `kappa: [200.0, 50.0]`.
struct NumbersOrNumber: Decodable, ParameterTypeDescribing {
    var values: [Double]

    static var parameterTypeName: String { "number or list of numbers" }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) { values = [v] } else { values = try c.decode([Double].self) }
    }
}

/// A named metastable state in CV space, `states:` of the effective-dynamics stage: a box
/// (`lower`, `upper`), an ellipse (`center`, `radii`, optional `angle`), a ball of `radius` around
/// the image ξ(x_min) of a named minimum of the system (`minimum`), or — with `level` — the
/// connected sub-level set {F − F_min < level} around that image or `center`.
struct CVStateSpec: Decodable {
    var name: String
    var cvs: [CVSpec]
    var lower: [Double]
    var upper: [Double]
    var center: [Double]
    var radii: [Double]
    var angle: Double
    var minimum: String?
    var radius: Double?
    var level: Double?

    enum CodingKeys: String, CodingKey { case name, cvs, lower, upper, center, radii, angle, minimum, radius, level }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        name = try p(.name, default: "", help: "state name (used in /rates)")
        cvs = try p(.cvs, literal: [], help: "the CVs the region is written in: the stage's own CVs (states on other CVs: use_core_sets with core_sets)")
        lower = try p(.lower, default: [], unit: "CV units", help: "box: lower corner")
        upper = try p(.upper, default: [], unit: "CV units", help: "box: upper corner")
        center = try p(.center, default: [], unit: "CV units", help: "ellipse (with radii) or sub-level set (with level): the centre")
        radii = try p(.radii, default: [], unit: "CV units", help: "ellipse: semi-axis per CV component")
        angle = try p(.angle, default: 0.0, unit: "radians", help: "ellipse: rotation of the first semi-axis from the first CV axis")
        minimum = try p.optional(.minimum, help: "a named minimum of the system: the state is around its image ξ(x_min)")
        radius = try p.optional(.radius, unit: "CV units", in: .positive, help: "with minimum: ball of this radius around ξ(x_min)")
        level = try p.optional(.level, unit: "energy", in: .positive, help: "sub-level set {F − F_min < level} containing the minimum's image or the centre")
        try p.check(!name.isEmpty, .name, "give the state a name")
        let kinds = [!lower.isEmpty || !upper.isEmpty, !radii.isEmpty, radius != nil, level != nil].filter { $0 }.count
        try p.check(kinds == 1, .name, "give exactly one of: lower/upper (box), center/radii (ellipse), minimum/radius (ball), level (sub-level set)")
    }

    /// The region in CV space; `image` maps a named minimum to its CV value.
    func region(image: (String) throws -> [Double]) throws -> CVRegion {
        if !lower.isEmpty || !upper.isEmpty { return .box(lower: lower, upper: upper) }
        if !radii.isEmpty { return .ellipse(center: center, semiAxes: radii, angle: angle) }
        if let radius {
            guard let minimum else { throw EffectiveDynamicsSpecError("state '\(name)': radius needs minimum: NAME") }
            let z = try image(minimum)
            return .ellipse(center: z, semiAxes: [Double](repeating: radius, count: z.count), angle: 0)
        }
        guard let level else { throw EffectiveDynamicsSpecError("state '\(name)' has no region") }
        let point = try minimum.map(image) ?? center
        guard !point.isEmpty else { throw EffectiveDynamicsSpecError("state '\(name)': level needs minimum: NAME or center") }
        return .sublevelSet(containing: point, level: level)
    }
}

struct EffectiveDynamicsSpecError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
