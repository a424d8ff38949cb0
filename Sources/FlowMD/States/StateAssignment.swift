/// Named metastable states for rate estimates: a configuration belongs to at most one state, and
/// a trajectory between states keeps the label of the last state it visited (core-set
/// milestoning: Buchete & Hummer, J. Phys. Chem. B 112, 6057 (2008); Schütte et al., J. Chem.
/// Phys. 134, 204105 (2011)). The gaps between states are what keeps fast recrossings of one
/// dividing surface from being counted as transitions.
public protocol StateAssignment: Sendable {
    var stateNames: [String] { get }
    /// The state containing x, or nil when x lies between states.
    func state(of x: [Double]) -> Int?
    /// The state containing x when it is another than `last`, else nil (default: `state(of:)`).
    func state(of x: [Double], after last: Int) -> Int?
}

public extension StateAssignment {
    /// All a last-visit tracker needs; assignments with an expensive membership test (quenches)
    /// skip it for `last`'s own set.
    func state(of x: [Double], after last: Int) -> Int? {
        guard let s = state(of: x), s != last else { return nil }
        return s
    }
}
