import Foundation
import FlowLinalg
import FlowMD

// Walker-steps per second of the overdamped Euler–Maruyama ensemble for LJ7 in 2D (1000 walkers,
// β = 5, dt = 5e-5) and Müller–Brown (1000 walkers, β = 1, dt = 1e-4) on all cores, the same
// integrator as numpy_reference.py in this folder. Prints wall-clock rates and rates per second
// of process CPU time (the load-independent figure on a shared machine).
// Usage: sampling-bench [steps] [threads] [system: lj7-2d | mueller-brown; default both]
let steps = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20_000 : 20_000
let threads = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 1 : ProcessInfo.processInfo.activeProcessorCount
let only = CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : nil

func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func measure(_ name: String, _ potential: any Potential, start: [Double], beta: Double, dt: Double) throws {
    guard only == nil || only == name else { return }
    let walkers = 1000
    let ensemble = WalkerEnsemble(potential: potential, integrator: EulerMaruyama(timeStep: dt, beta: beta),
                                  initial: [[Double]](repeating: start, count: walkers),
                                  settings: EnsembleSettings(steps: steps, stride: 0, seed: 1))
    let t0 = Date(), c0 = cpuSeconds()
    try ensemble.run(monitor: SilentMonitor(), checkpoints: nil, threads: threads)
    let elapsed = Date().timeIntervalSince(t0), cpu = cpuSeconds() - c0
    let work = Double(walkers * steps)
    print(String(format: "swift %@ euler-maruyama walkers=%d steps=%d threads=%d time=%.2fs cpu=%.2fs walker-steps/s=%.3e per-cpu-s=%.3e",
                 name, walkers, steps, threads, elapsed, cpu, work / elapsed, work / cpu))
}

// The hexagon of numpy_reference.py: a centre particle and six at the pair-minimum distance 2^(1/6),
// x₁…x₇ then y₁…y₇. Built rather than minimized: the minimizer's OpenBLAS calls leave worker threads
// spinning in sched_yield well into the timed runs (7–9% of the process CPU time).
let angles = (0..<6).map { Double($0) * Double.pi / 3 }, bond = pow(2, 1.0 / 6)
let hexagon = [0] + angles.map { bond * cos($0) } + [0] + angles.map { bond * sin($0) }
try measure("lj7-2d", LennardJonesCluster2D(), start: hexagon, beta: 5, dt: 5e-5)
try measure("mueller-brown", MuellerBrown(scale: 0.05), start: [-0.558, 1.442], beta: 1, dt: 1e-4)
