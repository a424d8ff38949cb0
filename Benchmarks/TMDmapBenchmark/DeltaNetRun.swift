import FlowAnalysis
import FlowLinalg
import Foundation

/// TMDmap end to end on a δ-net of the data (`tmdmap-bench run DATA N --delta-net SIZE`): the net
/// (greedy, δ bisected for about SIZE representatives), the intrinsic dimension estimated on all
/// samples, the default fit on the representatives with the target read at them, and the Nyström
/// extension of the eigenvectors to all N samples — what the `diffusion-map` stage does with
/// `subsample: {method: delta-net, size: SIZE}`.
struct DeltaNetRun {
    static let header = """
        | data | n | net size | δ | net (s) | dimension (s) | fit (s) | extension (s) | end to end (s) | CPU: net / dimension / fit / extension / total (s) | peak RSS (MB) | ε | solver | generator eigenvalues |
        |---|---|---|---|---|---|---|---|---|---|---|---|---|---|
        """

    let row: String

    init(kind: DatasetKind, samples n: Int, size: Int, verbose: Bool) throws {
        let data = try kind.make(n)
        let clock = PhaseClock(verbose: verbose)
        let c0 = cpuSeconds()
        let t0 = Date()
        let net = try DeltaNet(data: data.points, targetSize: size, monitor: clock)
        let t1 = Date(), c1 = cpuSeconds()
        let dimension = try DiffusionKernel.likelihoodDimension(of: data.points).map { Swift.max(1, Int($0.rounded())) }
        let t2 = Date(), c2 = cpuSeconds()
        var options = BenchmarkRun.options(data)
        options.method = try net.method(for: options.method, data: data.points)
        options.dimension = dimension
        options.localizedModes = .keep
        let model = try DiffusionMap.fit(data.points.rows(net.representatives), options: options, monitor: clock)
        let t3 = Date(), c3 = cpuSeconds()
        _ = try model.extend(to: data.points)
        let t4 = Date()
        let c4 = cpuSeconds()
        let cpu = [c1 - c0, c2 - c1, c3 - c2, c4 - c3, c4 - c0].map { String(format: "%.2f", $0) }.joined(separator: " / ")
        func s(_ a: Date, _ b: Date) -> String { String(format: "%.2f", b.timeIntervalSince(a)) }
        row = "| \(kind.label) | \(n) | \(net.representatives.count) | \(String(format: "%.4g", net.delta)) | \(s(t0, t1)) | \(s(t1, t2)) | "
            + "\(s(t2, t3)) | \(s(t3, t4)) | \(s(t0, t4)) | \(cpu) | \(String(format: "%.0f", peakMemoryMB())) | \(String(format: "%.4g", model.epsilon)) | "
            + "\(model.solver) | \(model.generatorEigenvalues.map { String(format: "%.4f", $0) }.joined(separator: ", ")) |"
    }
}

/// The two-level start block (`tmdmap-bench run DATA N --two-level SIZE`): the default fit on all N
/// samples with the Chebyshev iteration started from the eigenvectors of the map on a δ-net of
/// about SIZE representatives (as many as the block holds), extended by Nyström, instead of a
/// seeded random block.
struct TwoLevelRun {
    static let header = """
        | data | n | net size | net + coarse fit (s) | extension (s) | full fit (s) | end to end (s) | peak RSS (MB) | ε | solver | generator eigenvalues |
        |---|---|---|---|---|---|---|---|---|---|---|
        """

    let row: String

    init(kind: DatasetKind, samples n: Int, size: Int, verbose: Bool) throws {
        let data = try kind.make(n)
        let clock = PhaseClock(verbose: verbose)
        var options = BenchmarkRun.options(data)
        options.localizedModes = .keep
        let block = options.components + Swift.max(20, options.extraPairs)
        let t0 = Date()
        let net = try DeltaNet(data: data.points, targetSize: size)
        var coarse = options
        coarse.method = try net.method(for: options.method, data: data.points)
        coarse.components = block
        let netModel = try DiffusionMap.fit(data.points.rows(net.representatives), options: coarse, monitor: clock)
        let t1 = Date()
        options.startVectors = try netModel.extend(to: data.points)
        let t2 = Date()
        let model = try DiffusionMap.fit(data.points, options: options, monitor: clock)
        let t3 = Date()
        func s(_ a: Date, _ b: Date) -> String { String(format: "%.2f", b.timeIntervalSince(a)) }
        row = "| \(kind.label) | \(n) | \(net.representatives.count) | \(s(t0, t1)) | \(s(t1, t2)) | \(s(t2, t3)) | \(s(t0, t3)) | "
            + "\(String(format: "%.0f", peakMemoryMB())) | \(String(format: "%.4g", model.epsilon)) | \(model.solver) | "
            + "\(model.generatorEigenvalues.map { String(format: "%.4f", $0) }.joined(separator: ", ")) |"
    }
}
