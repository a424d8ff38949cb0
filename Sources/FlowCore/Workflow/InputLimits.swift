import Foundation

/// What validation accepts of a value that later becomes a size or a path, so that a workflow
/// that validates cannot crash a stage by overflow or allocation failure, nor write outside the
/// workspace. Every check here is applied once, where the value is read (`ConfigNodeDecoder`,
/// `ParameterContainer`, `MatrixExpansion`, `StageContext.publish`), not by each stage.
public enum InputLimits {
    /// The largest magnitude of any integer read from a workflow. Counts (steps, walkers, bins,
    /// frames) above it cannot be allocated on any machine, and the product of two such counts
    /// (10^24) is already beyond `Int`: so the bound keeps single sizes representable, and the
    /// products that stages form are checked with `allocationProblem`.
    public static let maxInteger: Int64 = 1_000_000_000_000
    public static let maxIntegerText = "10^12"

    /// Bytes a stage may allocate for one array: the machine's physical memory.
    public static var memoryBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// The product of `factors`, or nil when it overflows `Int`.
    public static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            let (r, overflow) = p.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            p = r
        }
        return p
    }

    /// Why `factors` (named `what`, e.g. "walkers × ⌊steps/stride⌋ frames") values of
    /// `bytesEach` bytes cannot be allocated, or nil when they fit in physical memory.
    public static func allocationProblem(_ factors: [Int], bytesEach: Int = 8, what: String) -> String? {
        let count = factors.reduce(1.0) { $0 * Double($1) }
        let limit = memoryBytes / Double(bytesEach)
        guard count > limit || product(factors) == nil else { return nil }
        return "\(what) = \(format(count)) values of \(bytesEach) bytes cannot be allocated: at most \(format(limit)) fit in this machine's memory (\(format(memoryBytes / 1e9)) GB)"
    }

    static func format(_ x: Double) -> String {
        x < 1e6 ? String(format: "%.0f", x) : String(format: "%.3g", x)
    }

    /// Why `name` cannot be a single path component (a published file name, a results directory),
    /// or nil when it can: it must be non-empty, at most 255 bytes, without '/', '\' or control
    /// characters, and not start with '.' (which also excludes '.' and '..', and hidden files).
    public static func pathComponentProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.utf8.count > 255 { return "is longer than 255 bytes" }
        if name.contains("/") || name.contains("\\") { return "contains a directory separator ('/' or '\\')" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "contains a control character" }
        if name.hasPrefix(".") { return "starts with '.'" }
        return nil
    }

    /// `name` with control characters shown as '?', so that a message stays on one line.
    public static func printable(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }
}
