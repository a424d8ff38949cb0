/// Why a run stopped.
public enum SamplingError: Error, CustomStringConvertible {
    case diverged(walker: Int, step: Int, quantity: String)
    case badCheckpoint(String)

    public var description: String {
        switch self {
        case .diverged(let w, let step, let q):
            return "simulation diverged at step \(step): \(q) of walker \(w) is not finite; reduce dt"
        case .badCheckpoint(let m): return "cannot resume: \(m)"
        }
    }
}
