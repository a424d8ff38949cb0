import Foundation
import FlowCore
import FlowLinalg
import FlowMD

/// Exact independent samples of π ∝ e^{−βV} restricted to a box, by rejection from the uniform
/// distribution: accept x with probability e^{−β(V(x) − V_min)}. V_min is the lowest of a grid
/// scan and of the system's named minima after a local minimization, so the acceptance
/// probability never exceeds 1 (which would bias the samples). Meant for 1–3 dimensional model
/// systems (the acceptance rate is the box-averaged e^{−β(V − V_min)}).
struct BoltzmannSampler {
    let system: SimulationSystem
    let box: [ClosedRange<Double>]

    func minimumEnergy() throws -> Double {
        let potential = system.potential
        var lowest = Double.infinity
        let minimizer = LBFGSMinimizer(tolerance: 1e-10, maxIterations: 2_000)
        for start in system.namedConfigurations.values where start.count == potential.dimension {
            lowest = min(lowest, try minimizer.minimize(potential, from: start).energy)
        }
        let n = [2_000, 200, 40][box.count - 1]
        var index = [Int](repeating: 0, count: box.count)
        var x = [Double](repeating: 0, count: box.count)
        var gridMinimum = (Double.infinity, x)
        repeat {
            for k in 0..<box.count {
                x[k] = box[k].lowerBound + (box[k].upperBound - box[k].lowerBound) * Double(index[k]) / Double(n - 1)
            }
            let v = potential.energy(x)
            if v < gridMinimum.0 { gridMinimum = (v, x) }
            var k = 0
            while k < box.count {
                index[k] += 1
                if index[k] < n { break }
                index[k] = 0
                k += 1
            }
            if k == box.count { break }
        } while true
        lowest = min(lowest, try minimizer.minimize(potential, from: gridMinimum.1).energy, gridMinimum.0)
        return lowest
    }

    func samples(_ count: Int, rng: inout RandomSource, monitor: WorkMonitor, stage: String) throws -> [[Double]] {
        let vMin = try minimumEnergy()
        var out: [[Double]] = []
        out.reserveCapacity(count)
        var proposals = 0
        while out.count < count {
            proposals += 1
            if proposals % 1_000_000 == 0 {
                try monitor.checkCancellation()
                let rate = Double(out.count) / Double(proposals)
                guard rate > 1e-6 else {
                    throw FlowError.stageFailed(stage: stage, message: "boltzmann initial state: rejection sampling accepts fewer than 1e-6 of the proposals in the box; start from a state name instead")
                }
            }
            let x = box.map { rng.uniform($0.lowerBound, $0.upperBound) }
            let acceptance = exp(-system.beta * (system.potential.energy(x) - vMin))
            if rng.uniform() < acceptance { out.append(x) }
        }
        monitor.log(String(format: "boltzmann initial state: %d samples, acceptance %.3g, V_min %.6g", count,
                           Double(count) / Double(proposals), vMin))
        return out
    }
}
