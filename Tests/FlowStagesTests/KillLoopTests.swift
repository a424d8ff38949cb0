import Foundation
import XCTest
import FlowCore

/// kill -9 at 20 seeded random moments of a three-stage workflow (sampling, NN training, a
/// histogram), each followed by a fresh `flow run`, ends with exactly the outputs of an
/// uninterrupted run: every interruption point — start-up, sampling, a checkpoint write,
/// training, a commit, publication — must leave a store the next run can continue from.
final class KillLoopTests: XCTestCase {
    static let workflow = """
    name: loop
    seed: 5
    systems:
      mb: {kind: mueller-brown, params: {scale: 0.05}}
    stages:
      sample: {kind: simulate, system: mb, params: {steps: 8000000, stride: 40000, walkers: 4, dt: 1.0e-4, initial: A}}
      ef:
        kind: eigenfunctions
        system: mb
        inputs: {data: sample}
        params: {count: 2, network: {hidden: [16, 16]}, training: {epochs: 400, batch_size: 100}}
      hist: {kind: histogram, inputs: {data: sample}, params: {column: 0}}
    """
    static let stages = ["sample", "ef", "hist"]

    func digests(_ cli: FlowCLI) throws -> [String] {
        try Self.stages.map { try ContentDigest.of(hdf5: cli.workspace + "/results/loop/\($0).h5") }
    }

    func testTwentyKillsAtSeededRandomMomentsEndWithTheUninterruptedOutputs() throws {
        let reference = FlowCLI(), cli = FlowCLI()
        defer { reference.remove(); cli.remove() }
        reference.write("loop.yaml", Self.workflow)
        cli.write("loop.yaml", Self.workflow)
        XCTAssertEqual(try reference.run(["run", "loop.yaml"]).status, 0)

        // Delays from a fixed 64-bit LCG (Knuth's MMIX constants), uniform in [20, 350) ms: short
        // enough that all 20 land before the work is done (each restart loses at most the last
        // checkpoint interval), long enough to reach every phase.
        var state: UInt64 = 0x5eed_0018
        var landed = 0
        for kill in 0..<20 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let delay = 0.020 + 0.330 * Double(state >> 11) / Double(1 << 53)
            let (p, _, _) = try cli.start(["run", "loop.yaml"], environment: ["FLOW_CHECKPOINT_INTERVAL": "0.1"])
            usleep(useconds_t(delay * 1e6))
            if p.isRunning {
                Foundation.kill(p.processIdentifier, SIGKILL)
                landed += 1
            }
            p.waitUntilExit()
            if p.terminationReason == .exit {
                XCTAssertEqual(p.terminationStatus, 0, "kill \(kill) (\(delay) s): the run ended on its own but failed")
            }
        }
        print("KillLoopTests: \(landed) of 20 kills interrupted a running flow")
        XCTAssertGreaterThanOrEqual(landed, 15, "most kills must interrupt a running flow, or the test tests nothing")
        let final = try cli.run(["run", "loop.yaml"])
        XCTAssertEqual(final.status, 0, final.stderr)
        XCTAssertEqual(try digests(cli), try digests(reference), "after \(landed) kills the outputs equal the uninterrupted run's")
        XCTAssertEqual(try cli.run(["status", "loop.yaml"]).stdout.components(separatedBy: "cached").count - 1, Self.stages.count)
    }
}
