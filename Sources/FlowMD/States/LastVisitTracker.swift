/// Follows one walker through named states by the label of the last state it visited, and
/// accumulates what brute-force rate estimates need (transition path theory: E &
/// Vanden-Eijnden, J. Stat. Phys. 123, 503 (2006); Vanden-Eijnden, "Transition path theory",
/// Lect. Notes Phys. 703 (2006)):
/// - over all states: the time with each state as the last visited, and the switches i → j of
///   that label (exits from i into any other state);
/// - for each ordered pair (A, B), all other states ignored: N_AB, the switches of the
///   last-visited label among {A, B} from A to B — the reactive A→B trajectories — and T_A|AB,
///   the time during which A was visited more recently than B.
/// Time is counted from the start of the run (time 0); the interval before an observation goes
/// to the labels held before it, as in a step-by-step count.
public final class LastVisitTracker: WalkerObserver {
    public let assignment: any StateAssignment
    public let states: Int
    /// Index of the last state visited (−1 before the first).
    public private(set) var last = -1
    var lastTime = 0.0
    var visits = 0
    /// Order of each state's most recent entry (−1: never visited).
    var lastEntry: [Int]
    /// Time since the start of the run up to the last observation.
    public private(set) var totalTime = 0.0
    /// Time with state i as the last state visited (all states considered).
    public private(set) var residence: [Double]
    /// Switches of the last-visited label i → j (all states considered).
    public private(set) var transitions: [[Int]]
    /// N_AB: switches of the last-visited label among {A, B} from A to B.
    public private(set) var reactive: [[Int]]
    /// T_A|AB: time during which A was visited more recently than B.
    public private(set) var pairResidence: [[Double]]

    public init(assignment: any StateAssignment) {
        self.assignment = assignment
        states = assignment.stateNames.count
        lastEntry = [Int](repeating: -1, count: states)
        residence = [Double](repeating: 0, count: states)
        transitions = [[Int]](repeating: [Int](repeating: 0, count: states), count: states)
        reactive = transitions
        pairResidence = [[Double]](repeating: [Double](repeating: 0, count: states), count: states)
    }

    public func observe(_ x: UnsafeBufferPointer<Double>, step: Int, time: Double) {
        let elapsed = time - lastTime
        lastTime = time
        totalTime += elapsed
        if last >= 0 { residence[last] += elapsed }
        for a in 0..<states where lastEntry[a] >= 0 {
            for b in 0..<states where lastEntry[a] > lastEntry[b] { pairResidence[a][b] += elapsed }
        }
        guard let s = last >= 0 ? assignment.state(of: Array(x), after: last) : assignment.state(of: Array(x)), s != last else { return }
        if last >= 0 { transitions[last][s] += 1 }
        for a in 0..<states where a != s && lastEntry[a] > lastEntry[s] { reactive[a][s] += 1 }
        visits += 1
        lastEntry[s] = visits
        last = s
    }

    public var state: [Double] {
        get {
            [Double(last), lastTime, Double(visits), totalTime] + lastEntry.map(Double.init) + residence
                + transitions.flatMap { $0.map(Double.init) } + reactive.flatMap { $0.map(Double.init) }
                + pairResidence.flatMap { $0 }
        }
        set {
            let k = states
            last = Int(newValue[0])
            lastTime = newValue[1]
            visits = Int(newValue[2])
            totalTime = newValue[3]
            var at = 4
            func take(_ n: Int) -> ArraySlice<Double> {
                defer { at += n }
                return newValue[at..<(at + n)]
            }
            lastEntry = take(k).map { Int($0) }
            residence = Array(take(k))
            transitions = (0..<k).map { _ in take(k).map { Int($0) } }
            reactive = (0..<k).map { _ in take(k).map { Int($0) } }
            pairResidence = (0..<k).map { _ in Array(take(k)) }
        }
    }
}
