import XCTest
import FlowCore

/// Sharded stages (DESIGN §5, `resources: {shards: N}`) on this machine: the parts run as
/// concurrent `flow exec-stage --part I` processes and one gather step commits the output, which
/// is the unsharded run's, byte for byte (each walker draws from the stream of its global index);
/// `shards` is not in the key, so the two runs share one cache entry.
final class ShardTests: XCTestCase {
    /// Uneven splits (5 walkers in 2 and 3 parts); EM from Boltzmann starts, MALA (per-walker
    /// acceptance) from random starts, a moving restraint (work); a dependant reads a gathered output.
    static let workflow = """
    name: shards
    seed: 3
    systems: {mb: {kind: mueller-brown, params: {scale: 0.05}}}
    stages:
      em: {kind: simulate, system: mb, resources: {shards: 2},
           params: {integrator: euler-maruyama, dt: 1.0e-4, steps: 400, stride: 10, walkers: 5, initial: boltzmann}}
      mala: {kind: simulate, system: mb, resources: {shards: 3},
             params: {integrator: mala, dt: 1.0e-4, steps: 400, stride: 10, walkers: 5, initial: random}}
      pulled: {kind: simulate, system: mb, resources: {shards: 2},
               params: {dt: 1.0e-4, steps: 400, stride: 20, walkers: 4, initial: A,
                        bias: {restraints: [{cvs: [x], center: [-0.5], k: [50.0], velocity: [2.0]}]}}}
      hist: {kind: histogram, inputs: {data: mala}, params: {bins: 8}}
    """

    static let stages = ["em", "mala", "pulled", "hist"]

    static func unsharded(_ text: String) -> String {
        text.split(separator: "\n").map { $0.replacingOccurrences(of: ", resources: {shards: 2}", with: "")
            .replacingOccurrences(of: ", resources: {shards: 3}", with: "") }.joined(separator: "\n")
    }

    func testShardedRunsGiveTheUnshardedBytesAndShareItsCache() throws {
        let whole = FlowCLI(), local = FlowCLI(), process = FlowCLI()
        defer { whole.remove(); local.remove(); process.remove() }
        whole.write("w.yaml", Self.unsharded(Self.workflow))
        for cli in [local, process] { cli.write("w.yaml", Self.workflow) }
        XCTAssertFalse(Self.unsharded(Self.workflow).contains("resources:"))
        let a = try whole.run(["run", "w.yaml"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let b = try local.run(["run", "w.yaml"])
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertTrue(b.stderr.contains("4 ran, 0 cached"), b.stderr)
        let c = try process.run(["run", "w.yaml", "--executor", "process"])
        XCTAssertEqual(c.status, 0, c.stderr)
        for cli in [local, process] {
            try ExecutorTests.assertSameOutputs(whole.workspace, cli.workspace, workflow: "shards", stages: Self.stages)
            let parts = cli.files(under: ".flow/runs").filter { $0.contains(".part-") && $0.hasSuffix(".exit.json") }
            XCTAssertEqual(parts.count, 7, "2 + 3 + 2 parts ran: \(parts)")
            XCTAssertEqual(cli.files(under: ".flow/tmp"), [], "the gather steps removed the shard files")
        }
        // The key does not hold shards: the unsharded workflow is cached in the sharded workspace.
        local.write("w.yaml", Self.unsharded(Self.workflow))
        let cached = try local.run(["run", "w.yaml"])
        XCTAssertTrue(cached.stderr.contains("0 ran, 4 cached"), cached.stderr)
    }

    func testPartsCoverTheWalkersInOrderWithSizesWithinOne() {
        for total in [1, 5, 7, 100] {
            for count in 1...min(total, 9) {
                let ranges = (0..<count).map { StageShard.range(of: total, part: $0, count: count) }
                XCTAssertEqual(ranges.first?.lowerBound, 0)
                XCTAssertEqual(ranges.last?.upperBound, total)
                XCTAssertTrue(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                let sizes = ranges.map(\.count)
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "\(total) in \(count): \(sizes)")
                XCTAssertGreaterThan(sizes.min()!, 0)
            }
        }
    }

    func testAFailingPartFailsTheStageWithItsMessage() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("w.yaml", Self.workflow)
        let r = try cli.run(["run", "w.yaml", "--only", "em", "--set", "em.params.initial=Z"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("✗ em  failed: part 1 of 2: ") && r.stderr.contains("no state 'Z'"), r.stderr)
        XCTAssertEqual(cli.files(under: ".flow/tmp"), [])
        XCTAssertEqual(cli.files(under: ".flow/records").filter { $0.hasSuffix(".json") }, [])
    }

    func testStagesWhoseWorkIsNotIndependentRefuseShards() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("w.yaml", """
        name: bad
        systems: {mb: {kind: mueller-brown}}
        stages:
          meta: {kind: simulate, system: mb, resources: {shards: 2},
                 params: {steps: 100, stride: 10, walkers: 4, initial: A,
                          bias: {metadynamics: {cvs: [x], lower: [-2.0], upper: [2.0], bins: [50], bias_factor: 5}}}}
          few: {kind: simulate, system: mb, resources: {shards: 5}, params: {steps: 100, stride: 10, walkers: 4, initial: A}}
          hist: {kind: histogram, inputs: {data: few}, resources: {shards: 2}}
        """)
        let r = try cli.run(["validate", "w.yaml"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("w.yaml:4:") && r.stderr.contains("metadynamics couples the walkers"), r.stderr)
        XCTAssertTrue(r.stderr.contains("5 shards for 4 walkers"), r.stderr)
        XCTAssertTrue(r.stderr.contains("stage kind 'histogram' does not run in shards"), r.stderr)
    }
}
