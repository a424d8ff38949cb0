import XCTest
import FlowHDF5
import FlowLinalg
import FlowNN

/// A learning stage killed (SIGKILL) in the middle of its training resumes from the engine's
/// checkpoint and ends with exactly the output of an uninterrupted run.
final class LearningResumeTests: XCTestCase {
    static let workflow = """
    name: resume
    seed: 9
    stages:
      cvs:
        kind: orthogonal-cvs
        resources: {cpus: 1}
        inputs: {data: {file: data.h5}, encoder: {file: encoder.h5}, manifold: {file: psi.h5}}
        params:
          network: {hidden: [24, 24], activation: tanh}
          training: {epochs: 1200, batch_size: 100, learning_rate: 2.0e-3, validation_fraction: 0.1, patience: 2000, schedule: {kind: cosine}}
    """

    func prepare(_ cli: FlowCLI) throws {
        var rng = RandomSource(seed: 6)
        let encoder = MLP(sizes: [3, 8, 3], activation: .tanh, rng: &rng)
        let psi = MLP(sizes: [3, 8, 1], activation: .tanh, outputActivation: .sigmoid, rng: &rng)
        for (name, net) in [("encoder.h5", encoder), ("psi.h5", psi)] {
            let f = try HDF5File.create(cli.workspace + "/" + name)
            try net.save(to: f.root.createGroup("network"))
            try f.close()
        }
        let f = try HDF5File.create(cli.workspace + "/data.h5")
        let x = DevelopableSheet.samples(800).x
        try f.root.write("x", x.storage, shape: [x.rows, x.cols])
        try f.close()
        cli.write("resume.yaml", Self.workflow)
    }

    func outputs(_ cli: FlowCLI) throws -> [String: [Double]] {
        let f = try HDF5File.open(cli.workspace + "/results/resume/cvs.h5", mode: .readOnly)
        defer { try? f.close() }
        var out: [String: [Double]] = [:]
        for name in ["cv", "loss", "validation_loss", "learning_rate", "diagnostics", "network/layer0/weight", "network/layer2/bias"] {
            out[name] = try f.root.read(name, as: Double.self).values
        }
        return out
    }

    func testKilledTrainingResumesBitIdentically() throws {
        let reference = FlowCLI(), cli = FlowCLI()
        defer {
            reference.remove()
            cli.remove()
        }
        try prepare(reference)
        try prepare(cli)
        let started = Date()
        let full = try reference.run(["run", "resume.yaml"])
        XCTAssertEqual(full.status, 0, full.stderr)
        print(String(format: "uninterrupted run: %.2f s", Date().timeIntervalSince(started)))

        let (p, _, _) = try cli.start(["run", "resume.yaml"], environment: ["FLOW_CHECKPOINT_INTERVAL": "0.2"])
        guard cli.waitFor("a training checkpoint", { cli.files(under: ".flow/checkpoints").contains { $0.hasSuffix("checkpoint.h5") } }) else { return }
        usleep(300_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.workspace + "/results/resume/cvs.h5"), "killed before the stage finished")
        let resumed = try cli.run(["run", "resume.yaml"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let logs = cli.files(under: ".flow/runs").filter { $0.hasSuffix("cvs.log") }
            .map { (try? String(contentsOfFile: cli.workspace + "/.flow/runs/" + $0, encoding: .utf8)) ?? "" }
        XCTAssertTrue(logs.contains { $0.contains("resuming the training from its checkpoint after epoch") }, logs.joined(separator: "\n---\n"))
        let a = try outputs(reference), b = try outputs(cli)
        for (name, values) in a {
            XCTAssertEqual(values, b[name], "\(name) differs after resuming")
        }
    }
}
