import FlowAnalysis
import FlowLinalg
import Foundation

/// One benchmark run: make the data, fit the default TMDmap once, time its phases. No retry with
/// other settings: when the fit refuses its result (an eigenvector carried by a few isolated
/// samples) that happens after the eigensolve, so every phase has been timed and the row says so;
/// when ARPACK fails, the eigensolve time is the time until it gave up.
struct BenchmarkRun {
    static let header = """
        | data | n | sampling (s) | kNN (s) | ε + kernel (s) | eigensolve (s) | rest (s) | fit total (s) | fit CPU (s) | peak RSS (MB) | ε | d | ARPACK | generator eigenvalues | outcome |
        |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
        """

    let kind: DatasetKind
    let n: Int
    let data: Dataset
    let model: DiffusionMapModel?
    let sampling: Double
    let neighbors: Double?
    let kernel: Double?
    let eigensolve: Double?
    let rest: Double?
    let total: Double
    let cpu: Double
    let peakMB: Double
    let epsilon: Double?
    let dimension: String
    let arpack: String
    /// (λ − 1)/(βε) of the leading non-trivial eigenvalues, from the fit's log (also when it refused them).
    let generatorEigenvalues: [Double]
    let outcome: String

    /// The options under test: the library's defaults, with the TMDmap target, the sparse kernel
    /// named explicitly (the default `.automatic` picks it above 2000 samples anyway), k = 64
    /// (also the default) and 4 eigenvectors. With `fixedEpsilon`, the operator pydiffmap builds:
    /// ρ ≡ 1 and that ε (`--fixed-epsilon`, for the like-for-like comparison). `--solver arpack`
    /// swaps the library's Chebyshev default for the `diffusion-map` stage's default eigensolver
    /// (ARPACK with 16 extra pairs and ncv 80, `DiffusionMapSolverSettings`).
    static func options(_ data: Dataset, fixedEpsilon: Double? = nil) -> DiffusionMap.Options {
        var options = DiffusionMap.Options(method: .targetMeasure(logTarget: data.logTarget), kernel: .nearestNeighbors,
                                           neighbors: 64, components: 4, beta: data.beta)
        if solverChoice == "arpack" {
            options.eigensolver = .arpack
            options.extraPairs = 16
            options.lanczos.ncv = 80
        }
        if let fixedEpsilon {
            options.bandwidth = .fixed
            options.epsilon = .fixed(fixedEpsilon)
        }
        return options
    }

    init(kind: DatasetKind, samples n: Int, fixedEpsilon: Double?, verbose: Bool, dump: URL?) throws {
        self.kind = kind
        self.n = n
        let t0 = Date()
        let data = try kind.make(n)
        self.data = data
        sampling = Date().timeIntervalSince(t0)
        if verbose { FileHandle.standardError.write("\(kind.label) n = \(n): \(data.provenance)\n".data(using: .utf8)!) }
        let folder = dump?.appendingPathComponent("\(kind.rawValue)-\(n)", isDirectory: true)
        if let folder { try Self.write(data, to: folder) }
        let clock = PhaseClock(verbose: verbose)
        let c0 = cpuSeconds()
        clock.reset()
        var model: DiffusionMapModel?
        do {
            model = try DiffusionMap.fit(data.points, options: Self.options(data, fixedEpsilon: fixedEpsilon), monitor: clock)
            outcome = "ok"
        } catch {
            outcome = "refused/failed: \(error)"
        }
        let elapsed = clock.elapsed
        self.model = model
        total = elapsed
        cpu = cpuSeconds() - c0
        peakMB = peakMemoryMB()
        neighbors = clock.neighborsDone
        kernel = clock.eigensolveStart.flatMap { b in clock.neighborsDone.map { b - $0 } }
        eigensolve = clock.eigensolveStart.map { (clock.eigensolveDone ?? elapsed) - $0 }
        rest = clock.eigensolveDone.map { elapsed - $0 }
        let e = model?.epsilon ?? fixedEpsilon ?? clock.automaticEpsilon
        epsilon = e
        dimension = model.map { String($0.dimension) } ?? clock.dimension ?? "—"
        arpack = model.map { $0.solver.replacingOccurrences(of: "ARPACK dsaupd: ", with: "") } ?? clock.arpack ?? "—"
        generatorEigenvalues = (model?.eigenvalues ?? clock.leadingEigenvalues).map { ($0 - 1) / (data.beta * (e ?? .nan)) }
        if let folder { try writeResults(data, to: folder, clock: clock, refit: fixedEpsilon == nil) }
    }

    var row: String {
        func f(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "—" }
        return "| \(kind.label) | \(n) | \(f(sampling)) | \(f(neighbors)) | \(f(kernel)) | \(f(eigensolve)) | \(f(rest)) | "
            + "\(f(total)) | \(f(cpu)) | \(String(format: "%.0f", peakMB)) | \(epsilon.map { String(format: "%.4g", $0) } ?? "—") | "
            + "\(dimension) | \(arpack) | \(generatorEigenvalues.map { String(format: "%.4f", $0) }.joined(separator: ", ")) | \(outcome) |"
    }

    /// The data for pydiffmap_reference.py, written before the fit.
    static func write(_ data: Dataset, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeNumpy(data.points.storage, shape: [data.points.rows, data.points.cols], to: folder.appendingPathComponent("points.npy"))
        try writeNumpy(data.logTarget, shape: [data.points.rows], to: folder.appendingPathComponent("log_target.npy"))
    }

    /// flow's results for pydiffmap_reference.py, and a second fit with a fixed bandwidth at the
    /// same ε: that is the operator pydiffmap builds (its variable bandwidths are a different
    /// construction), so its eigenvalues are the like-for-like comparison. No second fit when
    /// this run was already the fixed-bandwidth one (`refit` false).
    func writeResults(_ data: Dataset, to folder: URL, clock: PhaseClock, refit: Bool) throws {
        var json: [String: Any] = [
            "data": kind.label, "n": n, "beta": data.beta, "provenance": data.provenance, "neighbors": 64, "outcome": outcome,
            "seconds": ["knn": neighbors ?? -1, "epsilon_kernel": kernel ?? -1, "eigensolve": eigensolve ?? -1, "total": total],
            "peak_rss_mb": peakMB, "generator_eigenvalues": generatorEigenvalues,
        ]
        if let epsilon { json["epsilon"] = epsilon }
        if let epsilon, refit {
            var fixed = Self.options(data)
            fixed.bandwidth = .fixed
            fixed.epsilon = .fixed(epsilon)
            clock.reset()
            var result: [String: Any] = [:]
            do {
                let m = try DiffusionMap.fit(data.points, options: fixed, monitor: clock)
                result["outcome"] = "ok"
                result["generator_eigenvalues"] = m.generatorEigenvalues
            } catch {
                result["outcome"] = "refused/failed: \(error)"
                result["generator_eigenvalues"] = clock.leadingEigenvalues.map { ($0 - 1) / (data.beta * epsilon) }
            }
            result["seconds"] = clock.elapsed
            json["fixed_bandwidth"] = result
        }
        let bytes = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try bytes.write(to: folder.appendingPathComponent("flow.json"))
    }
}

/// The 1-, 5- and 15-minute load averages (`uptime`'s numbers) from /proc/loadavg.
func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}
