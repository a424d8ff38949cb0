/// A system ready to simulate: a potential at an inverse temperature, with named reference
/// configurations (minima, states) and, for low-dimensional systems, a box that contains the
/// region worth sampling or gridding.
public struct SimulationSystem: Sendable {
    public var potential: Potential
    /// β = 1/(k_B T) in the potential's energy units.
    public var beta: Double
    public var namedConfigurations: [String: [Double]]
    /// Per coordinate: the range used for random initial states, grids and figures.
    public var domain: [ClosedRange<Double>]?
    public var coordinateNames: [String]
    /// How particle coordinates are stored (nil for systems that are not particles).
    public var layout: ParticleLayout?
    /// Names of the configurations that are local minima (the default metastable states).
    public var minimumNames: [String]
    /// The metastable states rate estimates use when none are given (nil: a quench core around
    /// every named minimum).
    public var defaultStates: (any StateAssignment)?
    /// CVs a workflow supplies by name (learned networks composed with their feature maps), which
    /// biases and states can use like the built-in ones.
    public var namedCVs: [String: any CollectiveVariable] = [:]

    public init(potential: Potential, beta: Double, namedConfigurations: [String: [Double]] = [:],
                domain: [ClosedRange<Double>]? = nil, coordinateNames: [String]? = nil,
                layout: ParticleLayout? = nil, minimumNames: [String]? = nil, defaultStates: (any StateAssignment)? = nil) {
        self.potential = potential
        self.beta = beta
        self.namedConfigurations = namedConfigurations
        self.domain = domain
        self.coordinateNames = coordinateNames ?? (0..<potential.dimension).map { "x\($0 + 1)" }
        self.layout = layout
        self.minimumNames = minimumNames ?? namedConfigurations.keys.sorted()
        self.defaultStates = defaultStates
    }
}
