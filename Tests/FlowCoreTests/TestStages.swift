import Foundation
import FlowCore
import FlowHDF5

/// Invocation counts of the test stage kinds, by stage name.
final class InvocationLog: @unchecked Sendable {
    static let shared = InvocationLog()
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func record(_ stage: String) {
        lock.lock()
        counts[stage, default: 0] += 1
        lock.unlock()
    }

    func reset() {
        lock.lock()
        counts = [:]
        lock.unlock()
    }

    func count(_ stage: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[stage] ?? 0
    }

    var all: [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts.filter { $0.value > 0 }
    }
}

/// A stage whose output is `value` plus the sum of its inputs' `/value`; `noise` changes the key
/// but not the output (for early cut-off), `fail` makes it throw.
enum CounterStage: StageKind {
    static let name = "counter"
    static let version = 1
    static let summary = "test stage: value + sum of inputs"
    static let inputs = [InputSpec("a", required: false, help: "first input"), InputSpec("b", required: false, help: "second input")]
    static let outputs = [OutputDataset.float64("/value", "scalar", "value + the inputs' values")]

    struct Parameters: Decodable {
        var value: Double
        var noise: Int
        var fail: Bool
        var steps: Int

        enum CodingKeys: String, CodingKey { case value, noise, fail, steps }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            value = try p(.value, default: 1.0, help: "added to the inputs")
            noise = try p(.noise, default: 0, in: .atLeast(0), help: "changes the key, not the output")
            fail = try p(.fail, default: false, help: "throw instead of writing")
            steps = try p(.steps, default: 1, in: .atLeast(1), help: "units of work (cancellation checks)")
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "the test stage was told to fail" }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        InvocationLog.shared.record(context.workflow.instance.map { "\(context.stageName)@\($0)" } ?? context.stageName)
        if p.fail { throw Failure() }
        var total = p.value
        for name in context.inputNames {
            let f = try context.input(name)
            total += try f.root.read("value", as: Double.self).values[0]
            try f.close()
        }
        for i in 0..<p.steps {
            try context.checkCancellation()
            context.progress(done: i + 1, total: p.steps)
        }
        try context.output.root.write("value", [total], shape: [])
    }
}

/// A system kind for validation tests.
enum TestSystem: SystemKind {
    static let name = "test-system"
    static let summary = "a system with one parameter"

    struct Parameters: Decodable {
        var beta: Double
        enum CodingKeys: String, CodingKey { case beta }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            beta = try p(.beta, default: 1.0, in: .positive, help: "inverse temperature")
        }
    }
}

func testRegistry() -> StageRegistry {
    let r = StageRegistry()
    r.register(CounterStage.self)
    r.register(system: TestSystem.self)
    return r
}

/// A throw-away workspace with a workflow file.
struct Workspace {
    let root: String

    init() {
        root = NSTemporaryDirectory() + "flow-test-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) -> String {
        let path = root + "/" + name
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func load(_ file: String, profile: String? = nil, set: [String] = []) throws -> [Workflow] {
        try WorkflowLoader(registry: testRegistry(), profile: profile, overrides: set, workspace: root).load(root + "/" + file)
    }

    @discardableResult
    func run(_ file: String, profile: String? = nil, set: [String] = [], options: RunOptions = RunOptions()) throws -> RunSummary {
        let wfs = try load(file, profile: profile, set: set)
        return try Engine(workspace: root, console: Console(mode: .quiet)).run(wfs, options: options)
    }

    func status(_ file: String, set: [String] = []) throws -> [StageOutcome] {
        try Engine(workspace: root, console: Console(mode: .quiet)).status(try load(file, set: set))
    }

    func value(_ path: String) throws -> Double {
        let f = try HDF5File.open(root + "/" + path)
        defer { try? f.close() }
        return try f.root.read("value", as: Double.self).values[0]
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// a → b → c, and d independent.
let chainWorkflow = """
name: chain
seed: 7
vars: {va: 1.0}
stages:
  a: {kind: counter, params: {value: "${va}"}}
  b: {kind: counter, inputs: {a: a}, params: {value: 10}}
  c: {kind: counter, inputs: {a: b}, params: {value: 100}}
  d: {kind: counter, params: {value: 1000}}
profiles:
  big: {a.params.value: 5.0}
"""
