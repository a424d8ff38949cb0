import FlowHDF5
import FlowLinalg

/// Checkpoint contents of a `WalkerEnsemble`: everything the next step depends on — step,
/// positions, velocities, random streams (state words; the spare normal is written as NaN, since
/// walker streams never hold one, and kept for the file layout), acceptance counts, work, the
/// frames saved so far, the metadynamics grid, hills and c(t) sums, and the observers' state.
/// Cached forces are not saved: they are a function of the rest and are recomputed bit-identically
/// on restore.
extension WalkerEnsemble {
    func save(to g: HDF5Group) throws {
        try g.write("step", [Int64(stepsDone)], shape: [])
        try g.write("positions", positions.array, shape: [walkers, dimension])
        try g.write("velocities", velocities.array, shape: [walkers, dimension])
        try g.write("rng", (0..<walkers).flatMap { streams[$0].stateWords.map { Int64(bitPattern: $0) } }, shape: [walkers, 4])
        try g.write("spare", [Double](repeating: .nan, count: walkers), shape: [walkers])
        try g.write("accepted", accepted.array.map(Int64.init), shape: [walkers])
        try g.write("work", work.array, shape: [walkers])
        try g.write("frames/x", frames.x.array, shape: [frames.x.count])
        for (name, series) in frames.scalarSeries { try g.write("frames/\(name)", series.array, shape: [series.count]) }
        if let m = metadynamics { try m.saveState(to: try g.createGroup("metadynamics")) }
        if !observers.isEmpty {
            let states = observers.map(\.state)
            try g.write("observers/lengths", states.map { Int64($0.count) }, shape: [walkers])
            try g.write("observers/values", states.flatMap { $0 }, shape: [states.reduce(0) { $0 + $1.count }])
        }
    }

    func restore(from g: HDF5Group) throws {
        let step = Int(try g.read("step", as: Int64.self).values[0])
        let p = try g.read("positions", as: Double.self).values
        let r = try g.read("rng", as: Int64.self).values
        let fx = try g.read("frames/x", as: Double.self).values
        guard p.count == walkers * dimension, r.count == walkers * 4, fx.count == frames.x.count, step <= settings.steps else {
            throw SamplingError.badCheckpoint("the checkpoint does not match this run's walkers, dimension or length")
        }
        stepsDone = step
        positions.assign(p)
        velocities.assign(try g.read("velocities", as: Double.self).values)
        for w in 0..<walkers {
            streams[w] = RandomSource(stateWords: r[(w * 4)..<((w + 1) * 4)].map { UInt64(bitPattern: $0) })
        }
        accepted.assign(try g.read("accepted", as: Int64.self).values.map(Int.init))
        work.assign(try g.read("work", as: Double.self).values)
        frames.x.assign(fx)
        for (name, series) in frames.scalarSeries { series.assign(try g.read("frames/\(name)", as: Double.self).values) }
        if let m = metadynamics {
            guard g.contains("metadynamics") else { throw SamplingError.badCheckpoint("the checkpoint has no metadynamics bias") }
            try m.restoreState(from: try g.group("metadynamics"))
        }
        if !observers.isEmpty {
            let lengths = try g.read("observers/lengths", as: Int64.self).values.map(Int.init)
            let values = try g.read("observers/values", as: Double.self).values
            var at = 0
            for (o, n) in zip(observers, lengths) {
                o.state = Array(values[at..<(at + n)])
                at += n
            }
        }
    }
}
