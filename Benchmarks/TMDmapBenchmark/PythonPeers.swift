import FlowAnalysis
import FlowLinalg
import Foundation

/// The Python peers timed in the same run as flow (`tmdmap-bench run DATA N --python PYTHON`), one
/// after the other on the same machine and load, so that the ratios are measured, not stored:
/// - the tuned pipeline (`tuned_reference.py`): flow's default operator (same ε, ρ, d, k, target)
///   built with scikit-learn's brute-force kNN and solved by SciPy's `eigsh` on the symmetric
///   conjugate, against flow's default fit;
/// - pydiffmap 0.2 (`pydiffmap_reference.py`): its TMDmap with a fixed bandwidth at ε =
///   `pydiffmapEpsilon` (pydiffmap has no variable bandwidth of this kind), against flow's fit of
///   that same operator (ρ ≡ 1, the same ε), timed here.
struct PythonPeers {
    static let header = """
        | data | n | peer | operator | flow wall / CPU (s) | peer wall / CPU (s) | ratio wall (CPU) | peer peak RSS (MB) | flow generator eigenvalues | peer generator eigenvalues |
        |---|---|---|---|---|---|---|---|---|---|
        """

    let rows: [String]

    init(python: String, run: BenchmarkRun, model: DiffusionMapModel, pydiffmapEpsilon: Double, verbose: Bool) throws {
        let data = run.data
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tmdmap-bench-\(getpid())", isDirectory: true)
        let runFolder = folder.appendingPathComponent("\(run.kind.rawValue)-\(run.n)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try BenchmarkRun.write(data, to: runFolder)
        let rho = model.bandwidth?.values ?? [Double](repeating: 1, count: run.n)
        try writeNumpy(rho, shape: [run.n], to: runFolder.appendingPathComponent("bandwidth.npy"))
        let tunedMeta: [String: Any] = ["epsilon": model.epsilon, "dimension": model.dimension, "neighbors": 64, "beta": data.beta]
        try JSONSerialization.data(withJSONObject: tunedMeta).write(to: runFolder.appendingPathComponent("tuned.json"))
        let flowMeta: [String: Any] = ["data": run.kind.label, "n": run.n, "beta": data.beta, "epsilon": pydiffmapEpsilon]
        try JSONSerialization.data(withJSONObject: flowMeta).write(to: runFolder.appendingPathComponent("flow.json"))
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var rows = [String]()

        let tuned = try Self.python(python, [scripts.appendingPathComponent("tuned_reference.py").path, runFolder.path, "--jobs", "2"])
        rows.append(Self.row(run, peer: "tuned Python (sklearn brute kNN + eigsh)", operator: "flow's default (same ε, ρ, d)",
                             flow: (run.total, run.cpu, model.generatorEigenvalues), peer: tuned))

        // flow's fit of pydiffmap's operator, then pydiffmap's.
        var fixed = BenchmarkRun.options(data, fixedEpsilon: pydiffmapEpsilon)
        fixed.localizedModes = .keep
        let c0 = cpuSeconds(), t0 = Date()
        let flowFixed = try DiffusionMap.fit(data.points, options: fixed)
        let flowFixedTime = (Date().timeIntervalSince(t0), cpuSeconds() - c0)
        let pydiffmap = try Self.python(python, [scripts.appendingPathComponent("pydiffmap_reference.py").path, folder.path,
                                                 runFolder.lastPathComponent, "--json", "--jobs", "2"])
        rows.append(Self.row(run, peer: "pydiffmap 0.2 TMDmap", operator: "fixed bandwidth, ε = \(pydiffmapEpsilon), k = 64",
                             flow: (flowFixedTime.0, flowFixedTime.1, flowFixed.generatorEigenvalues), peer: pydiffmap))
        self.rows = rows
    }

    static func row(_ run: BenchmarkRun, peer name: String, operator op: String, flow: (Double, Double, [Double]), peer: [String: Any]) -> String {
        func f(_ values: [Double]) -> String { values.map { String(format: "%.4f", $0) }.joined(separator: ", ") }
        let wall = peer["seconds"] as? Double ?? .nan, cpu = peer["cpu_seconds"] as? Double ?? .nan
        let peak = peer["peak_rss_mb"] as? Double ?? .nan
        let values = (peer["generator_eigenvalues"] as? [Double]) ?? []
        return String(format: "| %@ | %d | %@ | %@ | %.2f / %.2f | %.2f / %.2f | %.1f× (%.1f×) | %.0f | %@ | %@ |",
                      run.kind.label, run.n, name, op, flow.0, flow.1, wall, cpu, wall / flow.0, cpu / flow.1, peak, f(flow.2), f(values))
    }

    /// Runs `python ARGS` and parses the last line of its standard output as a JSON object.
    static func python(_ python: String, _ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw PeerError(message: "\(python) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus))")
        }
        return object
    }
}

struct PeerError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
