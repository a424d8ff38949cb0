/// Several observers of one walker as one: each sees every observation, and the checkpoint state
/// is theirs concatenated (each observer's state has a fixed length once it exists, e.g. a
/// last-visit tracker's). Lets one run feed several state definitions at no extra dynamics.
public final class ObserverGroup: WalkerObserver {
    public let members: [WalkerObserver]

    public init(_ members: [WalkerObserver]) {
        precondition(!members.isEmpty)
        self.members = members
    }

    public func observe(_ x: UnsafeBufferPointer<Double>, step: Int, time: Double) {
        for m in members { m.observe(x, step: step, time: time) }
    }

    public var state: [Double] {
        get { members.flatMap(\.state) }
        set {
            var at = 0
            for m in members {
                let n = m.state.count
                m.state = Array(newValue[at..<(at + n)])
                at += n
            }
        }
    }
}
