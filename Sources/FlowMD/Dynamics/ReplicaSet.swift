import Foundation
import FlowHDF5
import FlowLinalg

/// One stretch of every replica's run (equilibration, production) with its own integrator and
/// biases: OpenMM users write the same thing as successive `integrator.step` calls after
/// swapping forces in and out.
public struct DynamicsPhase {
    public var name: String
    public var steps: Int
    /// A frame is recorded every `stride` steps of the phase (0: no frames).
    public var stride: Int
    /// The replica set's observers see the positions every this many steps of the phase (0:
    /// never), with the time since the phase began.
    public var observationInterval: Int
    /// A fresh integrator (one per replica: constrained integrators keep scratch buffers).
    public var integrator: () -> any Integrator
    /// The biases of replica r, built from the positions the phase starts from (tethered
    /// anchors, for example, sit where the atoms are when pulling begins).
    public var biases: (_ replica: Int, _ start: [Double]) throws -> [any Bias]

    public init(name: String, steps: Int, stride: Int = 0, observationInterval: Int = 0, integrator: @escaping () -> any Integrator,
                biases: @escaping (_ replica: Int, _ start: [Double]) throws -> [any Bias] = { _, _ in [] }) {
        precondition(steps >= 0 && stride >= 0 && observationInterval >= 0)
        self.name = name
        self.steps = steps
        self.stride = stride
        self.observationInterval = observationInterval
        self.integrator = integrator
        self.biases = biases
    }

    var frames: Int { stride > 0 ? steps / stride : 0 }
}

/// Where a replica starts: positions, velocities and its own random stream.
public struct ReplicaStart {
    public var positions: [Double]
    public var velocities: [Double]
    public var random: RandomSource
    public init(positions: [Double], velocities: [Double], random: RandomSource) {
        self.positions = positions
        self.velocities = velocities
        self.random = random
    }
}

/// A replica's run stopped on a NaN/∞ (DESIGN.md §9: name the step and the quantity).
public struct ReplicaDiverged: Error, CustomStringConvertible {
    public let replica: Int
    public let phase: String
    public let step: Int
    public let quantity: String
    public var description: String {
        "replica \(replica), \(phase) step \(step): \(quantity) is not finite (lower dt, minimize first, or check the structure)"
    }
}

/// Independent replicas of a molecular simulation run through the same phases, in parallel:
/// each replica is one `Simulation` with its own potential copy and random stream, replicas are
/// spread over threads, and all of them advance in segments of `segmentSteps`. Between segments
/// the set reports progress, honours cancellation and writes checkpoints (every replica's state,
/// its biases' state and the frames so far). Because a replica only ever touches its own stream
/// and state, results do not depend on the thread count or on where a run was interrupted and
/// resumed.
public final class ReplicaSet {
    public let phases: [DynamicsPhase]
    public let replicaCount: Int
    public let masses: [Double]
    /// Names of the per-frame values `measure` returns.
    public let valueNames: [String]
    let makePotential: () -> any Potential
    let measure: (_ replica: Int, _ simulation: Simulation) -> [Double]
    /// Steps between synchronization points.
    public var segmentSteps = 1000
    /// The global index of this set's first replica, when it is one part of a sharded run (its
    /// replicas' streams come with their starts): errors name global replicas.
    public var firstReplica = 0
    /// One observer per replica (or none), e.g. a last-visit tracker counting transitions in a
    /// brute-force rate run without keeping frames; called every `observationInterval` steps of
    /// a phase, its state goes into checkpoints.
    public var observers: [WalkerObserver] = [] {
        willSet { precondition(newValue.isEmpty || newValue.count == replicaCount, "one observer per replica") }
    }

    final class Replica {
        var simulation: Simulation
        var phaseStart: [Double]
        var positions: [Double]
        var values: [Double]
        var failure: Error?
        init(simulation: Simulation, phaseStart: [Double], frames: Int, dimension: Int, values: Int) {
            self.simulation = simulation
            self.phaseStart = phaseStart
            positions = [Double](repeating: 0, count: frames * dimension)
            self.values = [Double](repeating: 0, count: frames * values)
        }
    }

    var replicas: [Replica] = []
    public private(set) var phaseIndex = 0
    public private(set) var stepsDone = 0

    /// `potential` makes one copy per replica (e.g. `ForceField.independentCopy`); `measure` turns a
    /// replica's simulation into the values kept with each frame (time, energies, CVs…).
    public init(replicas: Int, phases: [DynamicsPhase], masses: [Double], valueNames: [String],
                potential: @escaping () -> any Potential,
                measure: @escaping (_ replica: Int, _ simulation: Simulation) -> [Double]) {
        precondition(replicas >= 1 && !phases.isEmpty)
        replicaCount = replicas
        self.phases = phases
        self.masses = masses
        self.valueNames = valueNames
        makePotential = potential
        self.measure = measure
    }

    /// Frames each replica records over all phases.
    public var framesPerReplica: Int { phases.reduce(0) { $0 + $1.frames } }

    /// Positions of replica r's frames (frames × D, flat).
    public func framePositions(_ r: Int) -> [Double] { replicas[r].positions }

    /// Values of replica r's frames (frames × `valueNames.count`, flat).
    public func frameValues(_ r: Int) -> [Double] { replicas[r].values }

    /// Replica r's simulation (its current state and biases).
    public func simulation(_ r: Int) -> Simulation { replicas[r].simulation }

    /// Runs every phase to the end, first resuming from the last checkpoint if there is one;
    /// `starts` is asked for the starting states only when there is no checkpoint.
    public func run(starts: () throws -> [ReplicaStart], threads: Int, monitor: any WorkMonitor,
                    checkpoints: Checkpointing?) throws {
        let resumed = try checkpoints?.restore { try self.restore(from: $0) } ?? false
        if !resumed {
            let s = try starts()
            precondition(s.count == replicaCount, "one start per replica")
            phaseIndex = 0
            stepsDone = 0
            replicas = try s.enumerated().map { r, start in
                try makeReplica(r, phase: 0, positions: start.positions, velocities: start.velocities, random: start.random)
            }
        }
        let total = phases.reduce(0) { $0 + $1.steps }
        let chunks = max(1, min(threads, replicaCount))
        while phaseIndex < phases.count {
            let phase = phases[phaseIndex]
            while stepsDone < phase.steps {
                try monitor.checkCancellation()
                let n = min(segmentSteps, phase.steps - stepsDone)
                let offset = frameOffset(phaseIndex)
                if chunks == 1 {
                    for r in 0..<replicaCount { advance(r, steps: n, phase: phase, frameOffset: offset) }
                } else {
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        for r in stride(from: c, to: replicaCount, by: chunks) { advance(r, steps: n, phase: phase, frameOffset: offset) }
                    }
                }
                if let failure = replicas.lazy.compactMap(\.failure).first { throw failure }
                stepsDone += n
                let done = phases[..<phaseIndex].reduce(0) { $0 + $1.steps } + stepsDone
                monitor.progress(done: done, total: total, note: "\(phase.name), \(replicaCount) replica\(replicaCount == 1 ? "" : "s")")
                if let checkpoints, checkpoints.isDue(), done < total {
                    try checkpoints.save { try self.save(to: $0) }
                }
            }
            try enterNextPhase()
        }
    }

    func frameOffset(_ phase: Int) -> Int { phases[..<phase].reduce(0) { $0 + $1.frames } }

    func makeReplica(_ r: Int, phase p: Int, positions: [Double], velocities: [Double], random: RandomSource) throws -> Replica {
        let simulation = Simulation(potential: makePotential(), masses: masses, integrator: phases[p].integrator(),
                                    positions: positions, velocities: velocities,
                                    biases: try phases[p].biases(r, positions), random: random)
        return Replica(simulation: simulation, phaseStart: positions, frames: framesPerReplica,
                       dimension: masses.count, values: valueNames.count)
    }

    /// Moves every replica into the next phase, carrying positions, velocities and random stream.
    func enterNextPhase() throws {
        phaseIndex += 1
        stepsDone = 0
        guard phaseIndex < phases.count else { return }
        for (r, replica) in replicas.enumerated() {
            let old = replica.simulation
            let next = try makeReplica(r, phase: phaseIndex, positions: old.state.positions, velocities: old.state.velocities,
                                       random: old.random)
            replica.simulation = next.simulation
            replica.phaseStart = next.phaseStart
        }
    }

    /// Advances replica r by `n` steps, recording its frames; a divergence is kept in `failure`.
    func advance(_ r: Int, steps n: Int, phase: DynamicsPhase, frameOffset: Int) {
        let replica = replicas[r]
        let d = masses.count, c = valueNames.count
        do {
            let observer = observers.isEmpty || phase.observationInterval == 0 ? nil : observers[r]
            try replica.simulation.run(steps: n, stride: 1) { state in
                if let observer, state.step % phase.observationInterval == 0 {
                    state.positions.withUnsafeBufferPointer { observer.observe($0, step: state.step, time: state.time) }
                }
                guard phase.stride > 0, state.step % phase.stride == 0 else { return }
                let f = frameOffset + state.step / phase.stride - 1
                replica.positions.replaceSubrange((f * d)..<((f + 1) * d), with: state.positions)
                replica.values.replaceSubrange((f * c)..<((f + 1) * c), with: measure(r, replica.simulation))
            }
        } catch let e as SimulationDiverged {
            replica.failure = ReplicaDiverged(replica: firstReplica + r, phase: phase.name, step: e.step, quantity: e.quantity)
        } catch {
            replica.failure = error
        }
    }

    // MARK: checkpoints

    func save(to g: HDF5Group) throws {
        try g.write("phase", [Int64(phaseIndex)], shape: [])
        try g.write("steps_done", [Int64(stepsDone)], shape: [])
        for (r, replica) in replicas.enumerated() {
            let group = try g.createGroup("replica\(r)")
            try replica.simulation.save(to: group)
            try group.write("phase_start", replica.phaseStart, shape: [replica.phaseStart.count])
            try group.write("frame_positions", replica.positions, shape: [replica.positions.count])
            try group.write("frame_values", replica.values, shape: [replica.values.count])
            if !observers.isEmpty {
                let state = observers[r].state
                try group.write("observer", state, shape: [state.count])
            }
        }
    }

    func restore(from g: HDF5Group) throws {
        let phase = Int(try g.read("phase", as: Int64.self).values[0])
        guard phase < phases.count, (0..<replicaCount).allSatisfy({ g.contains("replica\($0)") }) else {
            throw CheckpointMismatch(description: "the checkpoint does not match this run's phases or \(replicaCount) replicas")
        }
        phaseIndex = phase
        stepsDone = Int(try g.read("steps_done", as: Int64.self).values[0])
        replicas = try (0..<replicaCount).map { r in
            let group = try g.group("replica\(r)")
            let start = try group.read("phase_start", as: Double.self).values
            let x = try group.read("positions", as: Double.self).values
            guard start.count == masses.count, x.count == masses.count else {
                throw CheckpointMismatch(description: "the checkpoint has \(x.count) coordinates per replica, this run \(masses.count)")
            }
            let replica = try makeReplica(r, phase: phase, positions: start, velocities: [Double](repeating: 0, count: x.count),
                                          random: RandomSource(seed: 0))
            try replica.simulation.restore(from: group)
            let positions = try group.read("frame_positions", as: Double.self).values
            let values = try group.read("frame_values", as: Double.self).values
            guard positions.count == replica.positions.count, values.count == replica.values.count else {
                throw CheckpointMismatch(description: "the checkpoint's frames do not match this run's stride and length")
            }
            replica.positions = positions
            replica.values = values
            if !observers.isEmpty {
                let state = try group.read("observer", as: Double.self).values
                guard state.count == observers[r].state.count else {
                    throw CheckpointMismatch(description: "the checkpoint's observer state does not match this run's")
                }
                observers[r].state = state
            }
            return replica
        }
    }
}
