/// Follows one walker through core sets: the walker belongs to the last core it visited
/// (hysteresis), and the tracker accumulates per state the time spent with it as the last core,
/// the core-to-core transitions, and the reactive A→B events of transition path theory (a visit
/// to B whose most recent visit among {A, B} was to A; E & Vanden-Eijnden, J. Stat. Phys. 123,
/// 503 (2006)). Time before the first core entry is not counted.
public final class CoreSetTracker: WalkerObserver {
    public let assignment: any StateAssignment
    public let states: Int
    /// Index of the last core visited (−1 before the first).
    public private(set) var last = -1
    var lastTime = 0.0
    var visits = 0
    var lastEntry: [Int]
    /// Time with state i as the last core.
    public private(set) var residence: [Double]
    /// Transitions i → j between consecutive cores.
    public private(set) var transitions: [[Int]]
    /// Reactive events A → B.
    public private(set) var reactive: [[Int]]

    public init(assignment: any StateAssignment) {
        self.assignment = assignment
        states = assignment.stateNames.count
        lastEntry = [Int](repeating: -1, count: states)
        residence = [Double](repeating: 0, count: states)
        transitions = [[Int]](repeating: [Int](repeating: 0, count: states), count: states)
        reactive = transitions
    }

    /// Total time since the first core entry.
    public var totalTime: Double { residence.reduce(0, +) }

    public func observe(_ x: UnsafeBufferPointer<Double>, step: Int, time: Double) {
        let core = assignment.core(of: Array(x))
        if last >= 0 { residence[last] += time - lastTime }
        lastTime = time
        guard let core, core != last else { return }
        if last >= 0 { transitions[last][core] += 1 }
        for a in 0..<states where a != core && lastEntry[a] > lastEntry[core] { reactive[a][core] += 1 }
        visits += 1
        lastEntry[core] = visits
        last = core
    }

    public var state: [Double] {
        get {
            [Double(last), lastTime, Double(visits)] + lastEntry.map(Double.init) + residence
                + transitions.flatMap { $0.map(Double.init) } + reactive.flatMap { $0.map(Double.init) }
        }
        set {
            let k = states
            last = Int(newValue[0])
            lastTime = newValue[1]
            visits = Int(newValue[2])
            var at = 3
            lastEntry = newValue[at..<(at + k)].map { Int($0) }
            at += k
            residence = Array(newValue[at..<(at + k)])
            at += k
            transitions = (0..<k).map { i in newValue[(at + i * k)..<(at + (i + 1) * k)].map { Int($0) } }
            at += k * k
            reactive = (0..<k).map { i in newValue[(at + i * k)..<(at + (i + 1) * k)].map { Int($0) } }
        }
    }
}
