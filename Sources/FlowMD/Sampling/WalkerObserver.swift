/// Something that watches one walker during a run without storing frames, e.g. a core-set
/// tracker counting transitions in a long brute-force run. It is called every
/// `observationInterval` steps from the thread that advances the walker; its `state` goes into
/// checkpoints.
public protocol WalkerObserver: AnyObject {
    func observe(_ x: UnsafeBufferPointer<Double>, step: Int, time: Double)
    var state: [Double] { get set }
}
