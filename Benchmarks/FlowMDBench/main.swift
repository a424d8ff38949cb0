// flow-md-bench: Langevin dynamics of deca-alanine in vacuum (no cutoff), the issue-6 benchmark.
// Prints steps per second for 1 fs without constraints and 2 fs with SHAKE/RATTLE on bonds to
// hydrogen, on one thread and as two independent replicas on two threads. One-thread rates are
// given per wall-clock second and per CPU second of the process (the latter is what a shared,
// loaded machine can still measure reliably). See Benchmarks/README.md.
import Foundation
import FlowLinalg
import FlowMD

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Steps per wall-clock second and per process CPU second.
func measure(dt: Double, constrained: Bool, steps: Int, seed: UInt64, start: [Double],
             system: MolecularSystem, forceField: ForceField) throws -> (wall: Double, cpu: Double) {
    let constraints = constrained ? try system.hydrogenBondConstraints() : nil
    var random = RandomSource(seed: seed)
    let integrator = LangevinIntegrator(timeStep: dt, temperature: 300, friction: 1,
                                        masses: system.coordinateMasses, constraints: constraints)
    var state = DynamicsState(positions: start)
    integrator.maxwellBoltzmannVelocities(for: &state, &random)
    let simulation = Simulation(potential: forceField, masses: system.coordinateMasses, integrator: integrator,
                                positions: start, velocities: state.velocities, random: random)
    try simulation.run(steps: 1000)
    let clock = ContinuousClock()
    let cpu0 = processCPUSeconds()
    let elapsed = try clock.measure { try simulation.run(steps: steps) }
    let cpu = processCPUSeconds() - cpu0
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return (Double(steps) / seconds, Double(steps) / cpu)
}

let steps = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 20_000
let system = try BuiltInMolecules.decaAlanine()
let forceField = try system.forceField()
let minimized = try LBFGSMinimizer(tolerance: 0.1).minimize(forceField, from: system.positions).positions
print("deca-alanine, 104 atoms, vacuum, no cutoff, BAOAB Langevin 300 K, friction 1/ps, \(steps) steps")
for (dt, constrained) in [(0.001, false), (0.002, true)] {
    let label = constrained ? "2 fs, H-bond constraints" : "1 fs, no constraints    "
    let one = try measure(dt: dt, constrained: constrained, steps: steps, seed: 1, start: minimized,
                          system: system, forceField: forceField)
    var rates = [Double](repeating: 0, count: 2)
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: 2) { replica in
        let rate = (try? measure(dt: dt, constrained: constrained, steps: steps, seed: UInt64(10 + replica),
                                 start: minimized, system: system, forceField: forceField.independentCopy()))?.wall ?? 0
        lock.lock(); rates[replica] = rate; lock.unlock()
    }
    print(label + String(format: "  1 thread: %6.0f steps/s wall, %6.0f steps/CPU-s   2 threads (2 replicas): %6.0f steps/s total",
                         one.wall, one.cpu, rates.reduce(0, +)))
}
