import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Engine overhead benchmark: a linear 7-stage workflow of tiny stages, timed through the `flow`
/// executable exactly as a user runs it. Reports the first run (with the stages' own compute
/// time subtracted, i.e. the engine's overhead), the no-op rerun of `flow run` (all cached) and
/// `flow status`, as medians over repeated runs. The peers, DVC (`dvc repro`) and Snakemake
/// (`snakemake -c1`), are timed in the same run on the same linear 7-stage shape (each stage a
/// shell command reading its predecessor's file), when they are on PATH (a private virtualenv,
/// Benchmarks/README.md); the ratio printed is measured, never assumed.

let workflow = """
name: bench
seed: 1
systems:
  mb: {kind: mueller-brown}
stages:
  s1: {kind: simulate, system: mb, params: {steps: 200, stride: 10, walkers: 2, initial: A}}
  s2: {kind: report, inputs: {a: s1}}
  s3: {kind: report, inputs: {a: s2}}
  s4: {kind: report, inputs: {a: s3}}
  s5: {kind: report, inputs: {a: s4}}
  s6: {kind: report, inputs: {a: s5}}
  s7: {kind: report, inputs: {a: s6}}
"""

/// The same chain for DVC: stage k copies stage k−1's file.
let dvcPipeline = "stages:\n" + (1...7).map { k in
    k == 1 ? "  s1:\n    cmd: echo 1 > s1.txt\n    outs: [s1.txt]\n"
           : "  s\(k):\n    cmd: cat s\(k - 1).txt > s\(k).txt\n    deps: [s\(k - 1).txt]\n    outs: [s\(k).txt]\n"
}.joined()

/// And for Snakemake.
let snakefile = "rule all:\n    input: \"s7.txt\"\n" + (1...7).map { k in
    k == 1 ? "rule s1:\n    output: \"s1.txt\"\n    shell: \"echo 1 > {output}\"\n"
           : "rule s\(k):\n    input: \"s\(k - 1).txt\"\n    output: \"s\(k).txt\"\n    shell: \"cat {input} > {output}\"\n"
}.joined()

let flow = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("flow").path
guard FileManager.default.isExecutableFile(atPath: flow) else {
    print("flow-bench: build flow first (make build); looked for \(flow)")
    exit(1)
}

/// CPU time (user + system, every thread) of each timed invocation, by executable name and
/// first argument: on a shared machine wall times carry the load, CPU times much less.
var cpuTimes: [String: [Double]] = [:]

/// Wall time of one `flow` invocation, spawned with posix_spawn and reaped with wait4 (which
/// also gives its CPU time). Foundation's `Process` is not used for timing: on Linux its
/// `waitUntilExit` adds about 50 ms even to `/bin/true`, which would swamp the number measured.
func time(_ args: [String], in dir: String, executable: String = flow) -> Double {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let previous = FileManager.default.currentDirectoryPath
    guard FileManager.default.changeCurrentDirectoryPath(dir) else { print("flow-bench: cannot enter \(dir)"); exit(1) }
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
        print("flow-bench: cannot start \(executable)"); exit(1)
    }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let t = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    cpuTimes["\((executable as NSString).lastPathComponent) \(args.first ?? "")", default: []].append(cpu)
    if status != 0 { print("\(executable) \(args.joined(separator: " ")) failed (status \(status))"); exit(1) }
    return t
}

func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }

func stageSeconds(_ dir: String) -> Double {
    let runs = dir + "/.flow/runs"
    let files = (try? FileManager.default.contentsOfDirectory(atPath: runs))?.filter { $0.hasSuffix(".json") }.sorted() ?? []
    guard let last = files.last, let data = FileManager.default.contents(atPath: runs + "/" + last),
          let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let stages = json["stages"] as? [[String: Any]] else { return 0 }
    return stages.compactMap { $0["durationSeconds"] as? Double }.reduce(0, +)
}

let repeats = Int(ProcessInfo.processInfo.environment["FLOW_BENCH_REPEATS"] ?? "") ?? 15
var firstTotal: [Double] = [], firstOverhead: [Double] = [], noop: [Double] = [], status: [Double] = []
var startup: [Double] = []
for _ in 0..<5 {
    let dir = NSTemporaryDirectory() + "flow-bench-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try! workflow.write(toFile: dir + "/bench.yaml", atomically: true, encoding: .utf8)
    let t = time(["run", "bench.yaml"], in: dir)
    cpuTimes["flow run"]?.removeLast()  // the first run computes; the CPU figure is the no-op's
    firstTotal.append(t)
    firstOverhead.append(t - stageSeconds(dir))
    for _ in 0..<(repeats / 5) {
        noop.append(time(["run", "bench.yaml"], in: dir))
        status.append(time(["status", "bench.yaml"], in: dir))
        startup.append(time(["--version"], in: dir))
    }
    try? FileManager.default.removeItem(atPath: dir)
}
/// An executable on PATH, or nil.
func onPath(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

/// Median no-op time of a peer: set up the pipeline, run it once, then time `noop` repeatedly.
func peer(_ name: String, files: [String: String], setup: [[String]], noop: [String]) -> Double? {
    guard let exe = onPath(name) else { return nil }
    let dir = NSTemporaryDirectory() + "flow-bench-\(name)-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for (file, text) in files { try! text.write(toFile: dir + "/" + file, atomically: true, encoding: .utf8) }
    for args in setup { _ = time(args, in: dir, executable: exe) }
    cpuTimes["\(name) \(noop[0])"] = nil  // the set-up runs are not no-ops
    return median((0..<max(3, repeats / 3)).map { _ in time(noop, in: dir, executable: exe) })
}

func cpu(_ key: String) -> String {
    cpuTimes[key].map { String(format: "%.1f ms CPU", median($0) * 1000) } ?? "CPU not measured"
}
var load = [Double](repeating: 0, count: 3)
getloadavg(&load, 3)
print(String(format: "engine benchmark: linear 7-stage workflow (\(noop.count) no-op runs, 5 first runs), medians; load %.1f %.1f %.1f", load[0], load[1], load[2]))
print(String(format: "  first run            %7.1f ms  (engine overhead %.1f ms, %.1f ms per stage)",
             median(firstTotal) * 1000, median(firstOverhead) * 1000, median(firstOverhead) * 1000 / 7))
print(String(format: "  no-op flow run       %7.1f ms  (target < 40 ms; %@)", median(noop) * 1000, cpu("flow run") as NSString))
print(String(format: "  flow status          %7.1f ms  (%@)", median(status) * 1000, cpu("flow status") as NSString))
print(String(format: "  flow --version       %7.1f ms  (process start-up and library loading alone; %@)", median(startup) * 1000, cpu("flow --version") as NSString))
let peers: [(String, Double?)] = [
    ("dvc repro", peer("dvc", files: ["dvc.yaml": dvcPipeline], setup: [["init", "--no-scm", "-q"], ["repro", "-q"]], noop: ["repro", "-q"])),
    ("snakemake -c1", peer("snakemake", files: ["Snakefile": snakefile], setup: [["-c1", "-q"]], noop: ["-c1", "-q"])),
]
for (name, t) in peers {
    if let t {
        let key = name.split(separator: " ")[0] + " " + (name.contains("dvc") ? "repro" : "-c1")
        print(String(format: "  no-op %-14@ %7.1f ms  (%@; measured now: flow is %.0f× faster)", name as NSString, t * 1000,
                     cpu(String(key)) as NSString, t / median(noop)))
    } else {
        print("  no-op \(name): not measured (\(name.split(separator: " ")[0]) is not on PATH; see Benchmarks/README.md)")
    }
}
