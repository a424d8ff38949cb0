import Foundation
import XCTest
@testable import FlowMD

/// Locations of test inputs.
enum TestData {
    /// The package root (this file is Tests/FlowMDTests/TestSupport.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// `../shared/data/decaalanine` next to the package, or `$FLOW_SHARED_DATA/decaalanine`
    /// (or `$FLOW_SHARED_DATA` itself when it holds da.psf). Skips the test when absent.
    static func decaAlanineDirectory() throws -> String {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["FLOW_SHARED_DATA"] {
            candidates += [env + "/decaalanine", env]
        }
        candidates.append(packageRoot + "/../shared/data/decaalanine")
        for c in candidates where FileManager.default.fileExists(atPath: c + "/da.psf") { return c }
        throw XCTSkip("reference deca-alanine data not found (looked in \(candidates.joined(separator: ", "))); set FLOW_SHARED_DATA to the shared data folder")
    }

    static func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmd-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }
}

/// Asserts |actual − expected| ≤ max(absolute, relative·|expected|).
func assertClose(_ actual: Double, _ expected: Double, relative: Double = 1e-5, absolute: Double = 1e-4,
                 _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    let tolerance = max(absolute, relative * abs(expected))
    XCTAssert(abs(actual - expected) <= tolerance, "\(label): \(actual) vs reference \(expected) (tolerance \(tolerance))",
              file: file, line: line)
}

/// Checks ∂E/∂x_i of `term` against (E(x + h e_i) − E(x − h e_i)) / 2h for every coordinate.
    func checkGradient(_ label: String, _ x0: [Double], h: Double = 1e-5, tolerance: Double = 2e-5,
                       _ term: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Double,
                       file: StaticString = #filePath, line: UInt = #line) {
        var x = x0
        var g = [Double](repeating: 0, count: x.count), scratch = g
        let e0 = x.withUnsafeBufferPointer { xp in g.withUnsafeMutableBufferPointer { term(xp.baseAddress!, $0.baseAddress!) } }
        XCTAssertTrue(e0.isFinite, label, file: file, line: line)
        var worst = 0.0
        for i in x.indices {
            let saved = x[i]
            x[i] = saved + h
            let ep = x.withUnsafeBufferPointer { xp in scratch.withUnsafeMutableBufferPointer { term(xp.baseAddress!, $0.baseAddress!) } }
            x[i] = saved - h
            let em = x.withUnsafeBufferPointer { xp in scratch.withUnsafeMutableBufferPointer { term(xp.baseAddress!, $0.baseAddress!) } }
            x[i] = saved
            let fd = (ep - em) / (2 * h)
            worst = max(worst, abs(fd - g[i]) / max(1, abs(g[i])))
        }
        XCTAssertLessThan(worst, tolerance, "\(label): worst relative gradient error \(worst)", file: file, line: line)
    }

