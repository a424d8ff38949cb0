import Foundation

/// Which frames of a trajectory to keep, written like a Python slice: `start:stop:step`
/// (`0:100`, `::10`, `-20:`), or one frame `N` (`-1` is the last). Used by `flow export
/// --frames` and the `export` stage, as MDTraj's `traj[start:stop:step]`.
public struct FrameSelection: Equatable, Sendable, CustomStringConvertible {
    public var start: Int?
    public var stop: Int?
    public var step: Int

    public init(start: Int? = nil, stop: Int? = nil, step: Int = 1) {
        precondition(step >= 1, "a frame step is at least 1")
        self.start = start
        self.stop = stop
        self.step = step
    }

    /// Every frame.
    public static let all = FrameSelection()

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func number(_ s: String) throws -> Int? {
            if s.isEmpty { return nil }
            guard let n = Int(s) else { throw Self.error(text) }
            return n
        }
        switch parts.count {
        case 1:
            guard let n = try number(parts[0]) else { throw Self.error(text) }
            self.init(start: n, stop: n == -1 ? nil : n + 1)
        case 2, 3:
            let step = parts.count == 3 ? try number(parts[2]) ?? 1 : 1
            guard step >= 1 else {
                throw MolecularInputError(source: "frame selection", line: nil, "'\(text)': the step must be at least 1")
            }
            self.init(start: try number(parts[0]), stop: try number(parts[1]), step: step)
        default:
            throw Self.error(text)
        }
    }

    static func error(_ text: String) -> MolecularInputError {
        MolecularInputError(source: "frame selection", line: nil, "'\(text)' is not a frame range; write N, start:stop or start:stop:step (negative counts from the end)")
    }

    /// The selected indices among `count` frames (Python slice semantics, clamped).
    public func indices(count: Int) -> [Int] {
        func resolve(_ i: Int?, _ fallback: Int) -> Int {
            guard let i else { return fallback }
            return Swift.max(0, Swift.min(count, i < 0 ? count + i : i))
        }
        let lo = resolve(start, 0), hi = resolve(stop, count)
        return lo < hi ? Array(Swift.stride(from: lo, to: hi, by: step)) : []
    }

    public var description: String {
        (start.map(String.init) ?? "") + ":" + (stop.map(String.init) ?? "") + (step == 1 ? "" : ":\(step)")
    }
}
