// TMDmap benchmark: `DiffusionMap.fit` with its defaults (variable bandwidth, automatic ε,
// k = 64 sparse kNN kernel, ARPACK) and 4 eigenvectors, on 2D Müller–Brown Boltzmann samples
// (β = 1, scale 0.05) and on 14-dimensional LJ7 configurations (β = 5, FlowMD's Euler–Maruyama
// ensemble), n = 5·10³, 2·10⁴, 10⁵. Prints one table row per run: time of the neighbour search, of
// ε + kernel, of the eigensolve, the peak resident memory, ε and the generator eigenvalues.
// Targets: 10⁵ points in 14 dimensions within 60 s and 4 GB; ≥ 10× pydiffmap 0.2
// (pydiffmap_reference.py in this folder, on the data written by --dump).
//
// Usage:
//   tmdmap-bench [--only mueller-brown|lj7] [--sizes 5000,20000] [--limit 90] [--dump DIR] [--fixed-epsilon E] [--verbose]
//       every (data, n) in its own child process, so that each peak memory is that run's own;
//       a run still going after --limit seconds (sampling + fit) is stopped and reported as such
//   tmdmap-bench run DATA N [--dump DIR] [--verbose]
//       one run in this process (what the children do)
//   tmdmap-bench run DATA N --python PYTHON [--pydiffmap-epsilon 0.01]
//       one run, then the tuned Python pipeline on flow's operator and pydiffmap 0.2 on the
//       fixed-bandwidth operator at that ε (flow's fit of it timed too), ratios printed (`PythonPeers`)
//   tmdmap-bench run DATA N --delta-net SIZE [--verbose]
//       TMDmap on a δ-net of about SIZE representatives, end to end (`DeltaNetRun`)
//   tmdmap-bench run DATA N --two-level SIZE [--verbose]
//       the full fit started from the δ-net map's eigenvectors (`TwoLevelRun`)
// --dump DIR writes DIR/DATA-N/{points,log_target}.npy and flow.json (ε, eigenvalues, times, and a
// second flow fit with a fixed bandwidth at the same ε, the operator pydiffmap builds).
// --fixed-epsilon E fits that operator directly (ρ ≡ 1, ε = E) instead of the defaults.
// --solver arpack: the diffusion-map stage's default eigensolver instead of the library's Chebyshev.
import FlowAnalysis
import FlowLinalg
import Foundation

setvbuf(stdout, nil, _IOLBF, 0)
let arguments = Array(CommandLine.arguments.dropFirst())

func value(of flag: String) -> String? {
    guard let i = arguments.firstIndex(of: flag), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

let dump = value(of: "--dump").map { URL(fileURLWithPath: $0, isDirectory: true) }
let verbose = arguments.contains("--verbose")
let fixedEpsilon = value(of: "--fixed-epsilon").flatMap(Double.init)
let solverChoice = value(of: "--solver") ?? "chebyshev"

if arguments.first == "run" {
    // As inside `flow run`: the engine pins OpenBLAS to one thread, and the library parallelizes
    // at its own level.
    BLASThreads.count = 1
    guard arguments.count >= 3, let kind = DatasetKind(rawValue: arguments[1]), let n = Int(arguments[2]) else {
        FileHandle.standardError.write("usage: tmdmap-bench run mueller-brown|lj7 N [--dump DIR] [--verbose]\n".data(using: .utf8)!)
        exit(2)
    }
    do {
        if let size = value(of: "--delta-net").flatMap(Int.init) {
            print(DeltaNetRun.header)
            print(try DeltaNetRun(kind: kind, samples: n, size: size, verbose: verbose).row)
            exit(0)
        }
        if let size = value(of: "--two-level").flatMap(Int.init) {
            print(TwoLevelRun.header)
            print(try TwoLevelRun(kind: kind, samples: n, size: size, verbose: verbose).row)
            exit(0)
        }
        let run = try BenchmarkRun(kind: kind, samples: n, fixedEpsilon: fixedEpsilon, verbose: verbose, dump: dump)
        print(run.row)
        if let python = value(of: "--python"), let model = run.model {
            print("load before the peers: \(loadAverage())")
            print(PythonPeers.header)
            let peers = try PythonPeers(python: python, run: run, model: model,
                                        pydiffmapEpsilon: value(of: "--pydiffmap-epsilon").flatMap(Double.init) ?? 0.01, verbose: verbose)
            for row in peers.rows { print(row) }
            print("load after: \(loadAverage())")
        }
    } catch {
        print("| \(kind.label) | \(n) | error: \(error) |")
        exit(1)
    }
    exit(0)
}

/// Wall-clock limit per run (sampling + fit) in seconds: 60 s is the target for the fit, so a
/// run still going at the limit has missed it anyway; it keeps `make bench` within minutes.
let limit = value(of: "--limit").flatMap(Double.init) ?? 90
let sizes = value(of: "--sizes").map { $0.split(separator: ",").compactMap { Int($0) } } ?? [5_000, 20_000, 100_000]
let kinds = DatasetKind.allCases.filter { kind in value(of: "--only").map { $0 == kind.rawValue } ?? true }
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; load before: \(loadAverage())")
print(BenchmarkRun.header)
var failures = 0
for kind in kinds {
    for n in sizes {
        let child = Process()
        child.executableURL = Bundle.main.executableURL
        child.arguments = ["run", kind.rawValue, String(n), "--solver", solverChoice] + (dump.map { ["--dump", $0.path] } ?? [])
            + (fixedEpsilon.map { ["--fixed-epsilon", String($0)] } ?? []) + (verbose ? ["--verbose"] : [])
        let started = Date()
        try child.run()
        while child.isRunning && Date().timeIntervalSince(started) < limit { usleep(100_000) }
        if child.isRunning {
            child.terminate()
            child.waitUntilExit()
            print("| \(kind.label) | \(n) | stopped after \(Int(limit)) s (sampling + fit), the time limit (--limit); target missed |")
        } else {
            child.waitUntilExit()
            // A refused fit or a missed target is a result (its row says so); only a crash fails.
            if child.terminationStatus != 0 { failures += 1 }
        }
    }
}
print("load after: \(loadAverage())")
exit(failures == 0 ? 0 : 1)
