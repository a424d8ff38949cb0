// FlowNN training throughput on the three reference workloads, to compare with
// Benchmarks/FlowNNBench/torch_bench.py on the same machine (Benchmarks/README.md). Prints seconds per epoch.
//   swift build -c release --product flow-nn-bench && .build/release/flow-nn-bench [epochs] [threads] [i,ii,iii]
import Dispatch
import Foundation
import FlowLinalg
import FlowNN

/// Wall-clock and process CPU seconds of `body` (CPU time is robust to other load on the machine
/// when computing with one thread).
func seconds(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    func cpu() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpu()
    try body()
    return (Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9, cpu() - c0)
}

func gaussian(_ rows: Int, _ cols: Int, _ rng: inout RandomSource) -> Matrix {
    Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.normal() })
}

/// The fastest of `epochs` epochs after one warm-up epoch (the least disturbed by other load):
/// wall-clock and CPU seconds.
func secondsPerEpoch(_ trainer: Trainer, epochs: Int, loss: LossFunction) throws -> String {
    var times: [(wall: Double, cpu: Double)] = []
    for _ in 0...epochs {
        times.append(try seconds { try trainer.step(epochs: 1, loss: loss) })
    }
    times.removeFirst()
    return String(format: "%.4f s/epoch wall, %.4f s/epoch cpu", times.map(\.wall).min()!, times.map(\.cpu).min()!)
}

extension Trainer {
    /// Runs `epochs` more epochs (the trainer's epoch budget is set large enough by the caller).
    func step(epochs: Int, loss: LossFunction) throws {
        let target = epoch + epochs
        final class StopAt: WorkMonitor, @unchecked Sendable {
            let target: Int
            var done = 0
            init(_ t: Int) { target = t }
            func progress(done: Int, total: Int, note: String) { self.done = done }
            func log(_ message: String) {}
            func checkCancellation() throws { if done >= target { throw WorkCancelled() } }
        }
        let monitor = StopAt(target)
        monitor.done = epoch
        do { try train(monitor: monitor, loss: loss) } catch is WorkCancelled {}
    }
}

let epochs = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 5
ComputeThreads.count = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2])! : 2
let selected = CommandLine.arguments.count > 3 ? Set(CommandLine.arguments[3].split(separator: ",").map(String.init))
    : ["i", "ii", "iii"]
print("FlowNN benchmark: \(ComputeThreads.count) threads, \(epochs) timed epochs (best)")

// (i) Müller–Brown autoencoder: encoder (2,30,30,30,30,1), decoder (1,30,30,30,2), tanh, 10⁵ points, batch 70000.
if selected.contains("i") {
    var rng = RandomSource(seed: 2046)
    let x = gaussian(100_000, 2, &rng)
    let encoder = MLP(sizes: [2, 30, 30, 30, 30, 1], activation: .tanh, rng: &rng)
    let decoder = MLP(sizes: [1, 30, 30, 30, 2], activation: .tanh, rng: &rng)
    let trainer = Trainer(parameters: encoder.parameters + decoder.parameters, optimizer: Adam(learningRate: 0.005),
                          options: TrainingOptions(epochs: 1_000_000, batchSize: 70_000), sampleCount: x.rows, seed: 1)
    let t = try secondsPerEpoch(trainer, epochs: epochs) { tape, batch in
        let xb = tape.constant(rowsOf: x, batch)
        return [LossTerm("reconstruction", tape.mean(tape.square(decoder(encoder(xb)) - xb)))]
    }
    print("(i)   autoencoder          \(t)")
}

// (ii) Regression MLP 14 → 64 → 64 → 3, 5·10⁴ points, batch 1000.
if selected.contains("ii") {
    var rng = RandomSource(seed: 7)
    let x = gaussian(50_000, 14, &rng), y = gaussian(50_000, 3, &rng)
    let net = MLP(sizes: [14, 64, 64, 3], activation: .tanh, rng: &rng)
    let trainer = Trainer(parameters: net.parameters, optimizer: Adam(learningRate: 1e-3),
                          options: TrainingOptions(epochs: 1_000_000, batchSize: 1000), sampleCount: x.rows, seed: 1)
    let t = try secondsPerEpoch(trainer, epochs: epochs) { tape, batch in
        [LossTerm("mse", tape.mean(tape.square(net(tape.constant(rowsOf: x, batch)) - tape.constant(rowsOf: y, batch))))]
    }
    print("(ii)  regression MLP       \(t)")
}

// (iii) ξ: ℝ¹⁴ → ℝ² (64, 64, tanh), loss mean ‖J Jᵀ − I‖², batch 1000, 5·10⁴ points.
if selected.contains("iii") {
    var rng = RandomSource(seed: 11)
    let x = gaussian(50_000, 14, &rng)
    let net = MLP(sizes: [14, 64, 64, 2], activation: .tanh, rng: &rng)
    let trainer = Trainer(parameters: net.parameters, optimizer: Adam(learningRate: 1e-3),
                          options: TrainingOptions(epochs: 1_000_000, batchSize: 1000), sampleCount: x.rows, seed: 1)
    let t = try secondsPerEpoch(trainer, epochs: epochs) { tape, batch in
        let (_, j) = net.jacobian(tape.constant(rowsOf: x, batch))
        return [LossTerm("orthonormality", JacobianLoss.orthonormality(j, outputs: 2))]
    }
    print("(iii) Jacobian loss        \(t)")
}

// (iv) Tape-free evaluation at one configuration (a CV at every MD step): value and Jacobian of
// ξ: ℝ¹⁴ → ℝ² (64, 64, tanh).
if selected.contains("iv") || CommandLine.arguments.count <= 3 {
    var rng = RandomSource(seed: 13)
    let evaluator = MLPEvaluator(MLP(sizes: [14, 64, 64, 2], activation: .tanh, rng: &rng))
    let x = (0..<14).map { _ in rng.normal() }
    var value = [Double](repeating: 0, count: 2), jacobian = [Double](repeating: 0, count: 28)
    let calls = 100_000
    let t = seconds {
        x.withUnsafeBufferPointer { xp in
            value.withUnsafeMutableBufferPointer { vp in
                jacobian.withUnsafeMutableBufferPointer { jp in
                    for _ in 0..<calls { evaluator.evaluate(xp.baseAddress!, value: vp.baseAddress!, jacobian: jp.baseAddress!) }
                }
            }
        }
    }
    print(String(format: "(iv)  evaluator value+Jacobian %.2f µs/call", t.wall / Double(calls) * 1e6))
}
