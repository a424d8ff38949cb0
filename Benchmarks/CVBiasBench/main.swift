// The learned-CV restraint step for a batch of LJ7 walkers — features (sorted coordination
// numbers), network 7→45→30→25→2 (ELU), U = ½κ|ξ − z|² with one centre per walker, and the force
// J_φᵀ J_Nᵀ κ(ξ − z) in the 14 particle coordinates — in flow's block path (one product per layer
// for the batch) and walker by walker, against the same step in PyTorch autograd
// (torch_restraint.py, run by this program on the same network, configurations and centres).
// Prints walker-steps per second and the ratio; checks that both give the same energies and forces.
//   swift build -c release --product cv-bias-bench
//   OPENBLAS_NUM_THREADS=1 .build/release/cv-bias-bench [walkers=1024] [seconds=3] [python=python3]
import Dispatch
import Foundation
import FlowLinalg
import FlowMD
import FlowNN
import FlowStages

func clocks() -> (wall: Double, cpu: Double) {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return (Double(DispatchTime.now().uptimeNanoseconds) * 1e-9, Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9)
}

/// Walker-steps per second (wall, CPU) of `body`, which evaluates `walkers` walkers once, repeated
/// for about `seconds` after one warm-up call.
func rate(walkers: Int, seconds: Double, _ body: () -> Void) -> (wall: Double, cpu: Double) {
    body()
    var calls = 0
    let start = clocks()
    var now = start
    repeat {
        body()
        calls += 1
        now = clocks()
    } while now.wall - start.wall < seconds
    let steps = Double(calls * walkers)
    return (steps / (now.wall - start.wall), steps / (now.cpu - start.cpu))
}

let args = CommandLine.arguments
let walkers = args.count > 1 ? Int(args[1])! : 1024
let seconds = args.count > 2 ? Double(args[2])! : 3
let python = args.count > 3 ? args[3] : "python3"
let block = 128
BLASThreads.count = 1

var rng = RandomSource(seed: 1)
let sizes = [7, 45, 30, 25, 2]
let net = MLP(sizes: sizes, activation: .elu, rng: &rng)
for b in net.biases { b.values = b.values.map { _ in 0.2 * rng.normal() } }
net.inputNormalization = Normalization(shift: [Double](repeating: 3, count: 7), scale: [Double](repeating: 0.8, count: 7))
net.outputNormalization = Normalization(shift: [0.1, -0.2], scale: [1.5, 0.7])
let cv = NetworkCV(network: net, features: SortedCoordinationNumbers(layout: .planar(particles: 7)))
var x = [Double](repeating: 0, count: walkers * 14)
for w in 0..<walkers {
    for p in 1..<7 {
        x[w * 14 + p] = 1.12 * cos(Double(p) * Double.pi / 3)
        x[w * 14 + 7 + p] = 1.12 * sin(Double(p) * Double.pi / 3)
    }
    for i in 0..<14 { x[w * 14 + i] += 0.1 * rng.normal() }
}
let centers = (0..<walkers).map { _ in [rng.normal(), rng.normal()] }
let kappa = [200.0, 200.0]
let bias = UmbrellaWindows(cv: cv, forceConstants: kappa, centers: centers, periods: [nil, nil])
var energies = [Double](repeating: 0, count: walkers)
var gradients = [Double](repeating: 0, count: walkers * 14)

/// The block path as `WalkerForces` runs it: blocks of 128 walkers.
func blockStep() {
    for k in energies.indices { energies[k] = 0 }
    for k in gradients.indices { gradients[k] = 0 }
    x.withUnsafeBufferPointer { xp in
        energies.withUnsafeMutableBufferPointer { e in
            gradients.withUnsafeMutableBufferPointer { g in
                for lo in stride(from: 0, to: walkers, by: block) {
                    let n = min(block, walkers - lo)
                    bias.addEnergies(xp.baseAddress! + lo * 14, count: n, firstWalker: lo, time: 0,
                                     energies: e.baseAddress! + lo, gradients: g.baseAddress! + lo * 14)
                }
            }
        }
    }
}

var walkerGradient = [Double](repeating: 0, count: 14)
func walkerStep() {
    for w in 0..<walkers {
        for i in 0..<14 { walkerGradient[i] = 0 }
        energies[w] = bias.energy(Array(x[(w * 14)..<((w + 1) * 14)]), walker: w, time: 0, addingGradientTo: &walkerGradient)
    }
}

print("learned-CV restraint step, LJ7, network \(sizes) ELU on sorted coordination numbers, \(walkers) walkers, 1 thread")
let perWalker = rate(walkers: walkers, seconds: seconds, walkerStep)
print(String(format: "flow walker by walker: %.4g walker-steps/s wall, %.4g per CPU-s", perWalker.wall, perWalker.cpu))
let batched = rate(walkers: walkers, seconds: seconds, blockStep)
print(String(format: "flow blocks of %d:     %.4g walker-steps/s wall, %.4g per CPU-s", block, batched.wall, batched.cpu))
blockStep()

// The same network, configurations and centres for PyTorch, with flow's energies and forces to compare.
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cv-bias-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let spec: [String: Any] = [
    "sizes": sizes, "weights": net.weights.map(\.values), "biases": net.biases.map(\.values),
    "in_shift": net.inputNormalization.shift, "in_scale": net.inputNormalization.scale,
    "out_shift": net.outputNormalization.shift, "out_scale": net.outputNormalization.scale,
    "x": x, "centers": centers.flatMap { $0 }, "kappa": kappa, "walkers": walkers, "seconds": seconds,
    "energies": energies, "gradients": gradients,
]
let specFile = directory.appendingPathComponent("spec.json")
try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("torch_restraint.py").path
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = [python, script, specFile.path]
let pipe = Pipe()
process.standardOutput = pipe
try process.run()
let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
process.waitUntilExit()
print(output, terminator: "")
guard process.terminationStatus == 0,
      let line = output.split(separator: "\n").first(where: { $0.hasPrefix("torch rate") }) else {
    print("PyTorch run failed (give the interpreter of a virtualenv with torch as the third argument)")
    exit(1)
}
let numbers = line.split(separator: " ").compactMap { Double($0) }
print(String(format: "ratio flow blocks / PyTorch: %.1f× wall, %.1f× per CPU-s; flow blocks / walker by walker: %.1f× wall",
             batched.wall / numbers[0], batched.cpu / numbers[1], batched.wall / perWalker.wall))
