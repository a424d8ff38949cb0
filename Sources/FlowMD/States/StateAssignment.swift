/// Named metastable states for rate estimates: a configuration belongs to at most one state, and
/// a trajectory between states keeps the label of the last state it visited (core-set
/// milestoning: Buchete & Hummer, J. Phys. Chem. B 112, 6057 (2008); Schütte et al., J. Chem.
/// Phys. 134, 204105 (2011)). The gaps between states are what keeps fast recrossings of one
/// dividing surface from being counted as transitions.
public protocol StateAssignment: Sendable {
    var stateNames: [String] { get }
    /// The state containing x, or nil when x lies between states.
    func state(of x: [Double]) -> Int?
}
