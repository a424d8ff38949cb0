import Foundation
import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
@testable import FlowStages

/// A throw-away workspace in which workflows run in-process with the standard registry, and
/// where tests write the HDF5 inputs (samples, embeddings) they feed the learning stages.
struct LearningWorkspace {
    let root: String

    init() {
        root = NSTemporaryDirectory() + "flow-learning-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) {
        try! text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
    }

    /// An HDF5 file with the given 2-D datasets, 1-D datasets and int64 datasets.
    func writeHDF5(_ name: String, matrices: [String: Matrix], vectors: [String: [Double]] = [:], indices: [String: [Int]] = [:]) throws {
        let f = try HDF5File.create(root + "/" + name)
        for (k, m) in matrices { try f.root.write(k, m.storage, shape: [m.rows, m.cols]) }
        for (k, v) in vectors { try f.root.write(k, v, shape: [v.count]) }
        for (k, v) in indices { try f.root.write(k, v.map(Int64.init), shape: [v.count]) }
        try f.close()
    }

    func load(_ file: String, set: [String] = []) throws -> [Workflow] {
        try WorkflowLoader(registry: StandardRegistry.shared, overrides: set, workspace: root).load(root + "/" + file)
    }

    /// Runs the stages of `file`; with `keepGoing` also those not downstream of a failure.
    @discardableResult
    func run(_ file: String, set: [String] = [], keepGoing: Bool = true) throws -> RunSummary {
        var options = RunOptions()
        options.keepGoing = keepGoing
        return try Engine(workspace: root, console: Console(mode: .quiet)).run(try load(file, set: set), options: options)
    }

    /// The failure message of `stage` in `summary`, or nil when it did not fail.
    func failure(of stage: String, in summary: RunSummary) -> String? {
        for o in summary.outcomes where o.stage == stage {
            if case .failed(let m) = o.status { return m }
        }
        return nil
    }

    func open(_ workflow: String, _ stage: String) throws -> HDF5File {
        try HDF5File.open(root + "/results/\(workflow)/\(stage).h5", mode: .readOnly)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

extension HDF5Group {
    func matrix(_ name: String) throws -> Matrix {
        let (v, shape) = try read(name, as: Double.self)
        return Matrix(rows: shape[0], cols: shape.count > 1 ? shape[1] : 1, storage: v)
    }

    func doubles(attribute name: String) throws -> [Double] {
        switch try attribute(name) {
        case .doubles(let v)?: return v
        case .double(let v)?: return [v]
        default: throw NSError(domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "no numeric attribute \(name)"])
        }
    }
}

/// A synthetic CV problem with a known answer: samples near the developable sheet
/// x₃ = g(x₁) = 0.5 sin(1.5 x₁) in ℝ³ (a bent plane: isometric to the plane, so CVs that are both
/// tangent and orthonormal exist — arc length along x₁, and x₂), with a small spread along the
/// unit normal n = (−g′, 0, 1)/√(1 + g′²). Its "embedding" is a fixed nonlinear diffeomorphism
/// Φ(x) = (x₁ + 0.2x₂², x₂, x₃ + 0.3x₁x₂) of ℝ³, so the embedded data lies near the surface
/// Φ(sheet), and a ψ vanishing there (and growing away from it) has ∇ₓψ(Φ(x)) ∥ n on the sheet.
enum DevelopableSheet {
    static func slope(_ u: Double) -> Double { 0.75 * cos(1.5 * u) }

    static func normal(_ x: [Double]) -> [Double] {
        let s = slope(x[0]), r = (1 + s * s).squareRoot()
        return [-s / r, 0, 1 / r]
    }

    static func embedding(_ x: [Double]) -> [Double] {
        [x[0] + 0.2 * x[1] * x[1], x[1], x[2] + 0.3 * x[0] * x[1]]
    }

    /// `n` samples: (u, v) uniform in [−1, 1]², then a normal offset of standard deviation `thickness`.
    static func samples(_ n: Int, thickness: Double = 0.01, seed: UInt64 = 41) -> (x: Matrix, embedding: Matrix) {
        var rng = RandomSource(seed: seed)
        var x = Matrix(rows: n, cols: 3), z = Matrix(rows: n, cols: 3)
        for i in 0..<n {
            let u = rng.uniform(-1, 1), v = rng.uniform(-1, 1)
            let base = [u, v, 0.5 * sin(1.5 * u)]
            let nu = normal(base), s = thickness * rng.normal()
            let p = (0..<3).map { base[$0] + s * nu[$0] }
            let e = embedding(p)
            for k in 0..<3 {
                x[i, k] = p[k]
                z[i, k] = e[k]
            }
        }
        return (x, z)
    }
}

/// Central differences of every component against the adapter's Jacobian.
func assertJacobianMatchesFiniteDifferences(_ cv: any CollectiveVariable, at points: [[Double]],
                                            file: StaticString = #filePath, line: UInt = #line) {
    let n = cv.inputDimension, d = cv.outputDimension, h = 1e-6
    var worst = 0.0
    for x in points {
        var j = [Double](repeating: 0, count: d * n)
        _ = cv.value(x, jacobian: &j)
        for c in 0..<n {
            var up = x, down = x
            up[c] += h
            down[c] -= h
            let fu = cv.value(up), fd = cv.value(down)
            for r in 0..<d {
                let numeric = (fu[r] - fd[r]) / (2 * h)
                worst = max(worst, abs(numeric - j[r * n + c]) / max(1, abs(numeric)))
            }
        }
    }
    XCTAssertLessThan(worst, 1e-6, "Jacobian vs central differences", file: file, line: line)
}
