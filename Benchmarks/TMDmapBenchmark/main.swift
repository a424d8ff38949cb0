// TMDmap benchmark (issue 3): n = 5·10³, 2·10⁴, 10⁵ samples of 2D Müller–Brown (β = 1, scale 0.05)
// and of 14-dimensional data, k = 64 neighbours, 4 eigenvectors, ε automatic; prints the time of
// the neighbour search, of the whole fit and of the ARPACK eigensolve (from the fit's log).
// Target: 10⁵ points in 14 dimensions within 60 s on the 2-core machine.
// Package.swift target: .executableTarget(name: "TMDmapBenchmark", dependencies: ["FlowLinalg"],
//                                         path: "Benchmarks/TMDmapBenchmark", swiftSettings: v5)
import FlowLinalg
import Foundation

final class TimingMonitor: WorkMonitor, @unchecked Sendable {
    let start = Date()
    var eigensolveEnd: Double?
    var epsilonEnd: Double?
    var automaticEpsilon: Double?
    func progress(done: Int, total: Int, note: String) {}
    func log(_ message: String) {
        let t = Date().timeIntervalSince(start)
        if message.hasPrefix("ARPACK") { eigensolveEnd = t }
        if message.contains("automatic ε") {
            epsilonEnd = t
            let value = message.components(separatedBy: "automatic ε = ").last?.components(separatedBy: ",").first
            automaticEpsilon = value.flatMap { Double($0) }
        }
    }
    func checkCancellation() throws {}
}

func muellerBrown(_ x: Double, _ y: Double) -> Double {
    let a = [-200.0, -100, -170, 15], aa = [-1.0, -1, -6.5, 0.7], bb = [0.0, 0, 11, 0.6], cc = [-10.0, -10, -6.5, 0.7]
    let x0 = [1.0, 0, -0.5, -1], y0 = [0.0, 0.5, 1.5, 1]
    var v = 0.0
    for i in 0..<4 {
        let dx = x - x0[i], dy = y - y0[i]
        v += a[i] * exp(aa[i] * dx * dx + bb[i] * dx * dy + cc[i] * dy * dy)
    }
    return 0.05 * v
}

/// Boltzmann samples of Müller–Brown at β = 1 by rejection from the box [−1.7, 1.3] × [−0.5, 2.2].
func muellerBrownSamples(_ n: Int, _ rng: inout RandomSource) -> (Matrix, [Double]) {
    var s = [Double](), logTarget = [Double]()
    while logTarget.count < n {
        let x = rng.uniform(-1.7, 1.3), y = rng.uniform(-0.5, 2.2)
        let v = muellerBrown(x, y)
        if rng.uniform() < exp(-(v + 7.4)) { s += [x, y]; logTarget.append(-v) }
    }
    return (Matrix(rows: n, cols: 2, storage: s), logTarget)
}

/// 14-dimensional samples near a curved 3-dimensional manifold (a stand-in for LJ7 features):
/// latent (u, v, w) ~ N(0, 1), mapped through 14 smooth features and a little noise; the target
/// is the latent Gaussian density.
func manifoldSamples(_ n: Int, _ rng: inout RandomSource) -> (Matrix, [Double]) {
    var s = [Double](), logTarget = [Double]()
    s.reserveCapacity(n * 14)
    for _ in 0..<n {
        let u = rng.normal(), v = rng.normal(), w = rng.normal()
        let f = [u, v, w, sin(u), cos(v), sin(w + u), u * v / 3, cos(u - w), sin(2 * v) / 2, u * u / 4,
                 tanh(w), cos(u + v + w) / 2, sin(v * w / 2), exp(-u * u / 2)]
        s += f.map { $0 + 0.01 * rng.normal() }
        logTarget.append(-(u * u + v * v + w * w) / 2)
    }
    return (Matrix(rows: n, cols: 14, storage: s), logTarget)
}

setvbuf(stdout, nil, _IOLBF, 0)
print("| data | n | kNN (s) | ε choice (s) | eigensolve (s) | total fit (s) | ε | dim | generator eigenvalues |")
print("|---|---|---|---|---|---|---|---|---|")
let only = CommandLine.arguments.dropFirst().first
for (name, make) in [("Müller–Brown 2D", muellerBrownSamples), ("manifold 14D", manifoldSamples)] as [(String, (Int, inout RandomSource) -> (Matrix, [Double]))] {
    if let o = only, !name.contains(o) { continue }
    for n in [5_000, 20_000, 100_000] {
        var rng = RandomSource(seed: 7, stream: name)
        let (data, logTarget) = make(n, &rng)
        let t0 = Date()
        _ = try NearestNeighbors.search(data, k: 64)
        let knn = Date().timeIntervalSince(t0)
        var options = DiffusionMap.Options(method: .targetMeasure(logTarget: logTarget), kernel: .nearestNeighbors, neighbors: 64,
                                           epsilon: .automatic, components: 4, extraPairs: 16,
                                           lanczos: .init(ncv: 80, tolerance: 1e-8))
        var t1 = Date()
        var model: DiffusionMapModel
        // Automatic ε may disconnect the kNN graph where the density varies strongly (DESIGN §10):
        // report it and retry with a doubled ε until the graph is connected.
        var epsilon: Double?
        var monitor = TimingMonitor()
        while true {
            do {
                monitor = TimingMonitor()
                t1 = Date()
                model = try DiffusionMap.fit(data, options: options, monitor: monitor)
                break
            } catch LinalgError.invalidArgument(let message) where message.contains("underflows") {
                let previous = epsilon ?? monitor.automaticEpsilon ?? 1e-5
                print("  \(name) n = \(n): kernel underflow at ε = \(previous); doubling ε")
                epsilon = 2 * previous
                options.epsilon = .fixed(2 * previous)
            } catch LinalgError.disconnectedGraph(let components, _, _) {
                let previous = epsilon ?? monitor.automaticEpsilon ?? 1e-5
                print("  \(name) n = \(n): \(components) components at ε = \(previous); doubling ε")
                epsilon = 2 * previous
                options.epsilon = .fixed(2 * previous)
            }
        }
        let total = Date().timeIntervalSince(t1)
        let eps = monitor.epsilonEnd ?? knn  // with a fixed ε the fit starts with its own kNN search
        let solve = (monitor.eigensolveEnd ?? total) - eps
        print(String(format: "| %@ | %d | %.2f | %.2f | %.2f | %.2f | %.3g | %.2f | %@ |", name, n, knn, eps - knn, solve, total,
                     model.epsilon, model.intrinsicDimension,
                     model.generatorEigenvalues.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
    }
}
