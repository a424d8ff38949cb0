import Foundation
import FlowLinalg

/// Result of an energy minimization.
public struct MinimizationResult: Sendable {
    public var positions: [Double]
    public var energy: Double
    /// RMS gradient sqrt(Σ gᵢ² / D) (kcal/mol/Å for molecules; CHARMM's GRMS).
    public var gradientRMS: Double
    public var iterations: Int
    public var converged: Bool
}

/// Limited-memory BFGS minimization (Nocedal, Math. Comp. 35, 773 (1980); Nocedal & Wright,
/// "Numerical Optimization", Alg. 7.4 and 7.5) with a backtracking Armijo line search; the
/// two-loop recursion needs only the last `memory` steps, so it scales to any system size.
/// Stops when the RMS gradient is at most `tolerance`.
public struct LBFGSMinimizer: Sendable {
    public var tolerance: Double
    public var maxIterations: Int
    public var memory: Int
    /// Longest step (coordinate units) the first trial of a line search may take per coordinate.
    public var maxStep: Double

    public init(tolerance: Double = 0.01, maxIterations: Int = 20_000, memory: Int = 10, maxStep: Double = 0.2) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.memory = memory
        self.maxStep = maxStep
    }

    public func minimize(_ potential: any Potential, from start: [Double],
                         monitor: any WorkMonitor = SilentMonitor()) throws -> MinimizationResult {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var energy = potential.energy(x, gradient: &g)
        func rms(_ v: [Double]) -> Double { (v.reduce(0) { $0 + $1 * $1 } / Double(max(n, 1))).squareRoot() }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var trial = [Double](repeating: 0, count: n), gTrial = trial
        var iteration = 0
        while iteration < maxIterations && rms(g) > tolerance {
            iteration += 1
            if iteration % 100 == 0 { try monitor.checkCancellation() }
            // Two-loop recursion: d = −H g.
            var q = g
            var alpha = [Double](repeating: 0, count: s.count)
            for k in stride(from: s.count - 1, through: 0, by: -1) {
                alpha[k] = rho[k] * dot(s[k], q)
                for i in 0..<n { q[i] -= alpha[k] * y[k][i] }
            }
            let gamma = s.isEmpty ? 1 : dot(s[s.count - 1], y[y.count - 1]) / dot(y[y.count - 1], y[y.count - 1])
            for i in 0..<n { q[i] *= gamma }
            for k in 0..<s.count {
                let beta = rho[k] * dot(y[k], q)
                for i in 0..<n { q[i] += (alpha[k] - beta) * s[k][i] }
            }
            var direction = q.map { -$0 }
            var slope = dot(direction, g)
            if slope >= 0 {
                direction = g.map { -$0 }
                slope = -dot(g, g)
                s = []; y = []; rho = []
            }
            let largest = direction.reduce(0) { max($0, abs($1)) }
            var step = largest > maxStep ? maxStep / largest : 1
            var accepted: Double?
            for _ in 0..<60 {
                for i in 0..<n { trial[i] = x[i] + step * direction[i] }
                let eTrial = potential.energy(trial, gradient: &gTrial)
                if eTrial.isFinite && eTrial <= energy + 1e-4 * step * slope {
                    accepted = eTrial
                    break
                }
                step *= 0.5
            }
            guard let eNew = accepted else { break }
            let sk = (0..<n).map { trial[$0] - x[$0] }
            let yk = (0..<n).map { gTrial[$0] - g[$0] }
            let sy = dot(sk, yk)
            swap(&x, &trial)
            swap(&g, &gTrial)
            energy = eNew
            if sy > 1e-12 {
                s.append(sk); y.append(yk); rho.append(1 / sy)
                if s.count > memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            }
        }
        return MinimizationResult(positions: x, energy: energy, gradientRMS: rms(g), iterations: iteration,
                                  converged: rms(g) <= tolerance)
    }
}
