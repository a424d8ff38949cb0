import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Engine overhead benchmark: a 7-stage workflow of tiny stages, timed through the
/// `flow` executable exactly as a user runs it. Reports the first run (with the stages' own
/// compute time subtracted, i.e. the engine's overhead), the no-op rerun of `flow run` (all
/// cached) and `flow status`, as medians over repeated runs. Target: no-op rerun < 50 ms.
/// DVC 3.67 and Snakemake 9.27 take about 0.8 s for the same shape of pipeline.

let workflow = """
name: bench
seed: 1
systems:
  mb: {kind: mueller-brown}
stages:
  a: {kind: simulate, system: mb, params: {steps: 200, stride: 10, walkers: 2, initial: A}}
  b: {kind: simulate, system: mb, params: {steps: 200, stride: 10, walkers: 2, initial: B}}
  c: {kind: simulate, system: mb, params: {steps: 200, stride: 10, walkers: 2, initial: C}}
  d: {kind: simulate, system: mb, params: {steps: 400, stride: 10, walkers: 2, initial: A}}
  e: {kind: simulate, system: mb, params: {steps: 400, stride: 10, walkers: 2, initial: B}}
  f: {kind: report, inputs: {a: a, b: b, c: c}}
  g: {kind: report, inputs: {d: d, e: e, f: f}}
"""

let flow = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("flow").path
guard FileManager.default.isExecutableFile(atPath: flow) else {
    print("flow-bench: build flow first (make build); looked for \(flow)")
    exit(1)
}

/// Wall time of one `flow` invocation, spawned with posix_spawn and reaped with waitpid.
/// Foundation's `Process` is not used for timing: on Linux its `waitUntilExit` adds about
/// 50 ms even to `/bin/true`, which would swamp the number being measured.
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
    waitpid(pid, &status, 0)
    let t = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
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
    firstTotal.append(t)
    firstOverhead.append(t - stageSeconds(dir))
    for _ in 0..<(repeats / 5) {
        noop.append(time(["run", "bench.yaml"], in: dir))
        status.append(time(["status", "bench.yaml"], in: dir))
        startup.append(time(["--version"], in: dir))
    }
    try? FileManager.default.removeItem(atPath: dir)
}
print("engine benchmark: 7-stage workflow (\(noop.count) no-op runs, 5 first runs), medians")
print(String(format: "  first run            %7.1f ms  (engine overhead %.1f ms, %.1f ms per stage)",
             median(firstTotal) * 1000, median(firstOverhead) * 1000, median(firstOverhead) * 1000 / 7))
print(String(format: "  no-op flow run       %7.1f ms  (target < 50 ms; DVC 3.67 ≈ 800 ms → %.0f× faster)",
             median(noop) * 1000, 0.8 / median(noop)))
print(String(format: "  flow status          %7.1f ms", median(status) * 1000))
print(String(format: "  flow --version       %7.1f ms  (process start-up and library loading alone)", median(startup) * 1000))
