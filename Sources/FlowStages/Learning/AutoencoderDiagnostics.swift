import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// The autoencoder's diagnostics (DESIGN §8.1): how well it reconstructs, and — for a
/// one-dimensional latent space — which path its decoder curve takes: the curve and the
/// conditional means it should match, its highest energy on the system's potential between the
/// minima (to compare with the saddles) and its distance from each minimum-energy path.
enum AutoencoderDiagnostics {
    /// Writes /decoder_curve…, /conditional_mean…, /max_energy_point and /diagnostics (a vector
    /// whose `names` attribute labels its entries); returns the named values.
    static func write(model: AutoencoderModel, samples: SampleSet, latent: Matrix, system: SimulationSystem?,
                      paths: [(String, [[Double]])], parameters p: AutoencoderStage.Parameters,
                      to out: HDF5Group) throws -> [(name: String, value: Double)] {
        let reconstruction = model.decoder.values(latent)
        var squared = [Double](repeating: 0, count: samples.count)
        for i in 0..<samples.count {
            for j in 0..<samples.dimension { squared[i] += pow2(reconstruction[i, j] - samples.x[i, j]) }
        }
        var named: [(name: String, value: Double)] = [("reconstruction_error", samples.weightedMean(squared))]
        if latent.cols == 1 {
            let z = latent.storage
            let curve = LatentCurve(decoder: model.decoder, latentValues: z, nodes: p.curvePoints)
            try out.write("decoder_curve", matrix: curve.points, description: "decoder at /decoder_curve_latent")
            try out.write("decoder_curve_latent", vector: curve.latent)
            let binned = LatentCurve.conditionalMeans(samples: samples, latentValues: z, bins: p.bins)
            try out.write("conditional_mean", matrix: binned.means, description: "E[x | ξ(x) in bin], non-empty bins")
            try out.write("conditional_mean_latent", vector: binned.centres, description: "bin centres")
            try out.write("conditional_mean_counts", binned.counts.map(Int64.init), shape: [binned.counts.count])
            if let system {
                let top = curve.highestEnergy(on: system.potential, within: transitionRange(model.encoder, system))
                named += [("max_energy", top.energy), ("max_energy_latent", top.latent)]
                try out.write("max_energy_point", vector: top.point, description: "decoder curve node of highest energy")
            }
            for (name, path) in paths {
                let d = PolylineDistance.distances(of: path, to: curve.vertices)
                named += [("\(name)_max_distance", d.max), ("\(name)_mean_distance", d.mean)]
            }
        }
        try out.write("diagnostics", vector: named.map(\.value),
                      description: "max_energy: highest V on the decoder curve between the latent values of the system's minima; <path>_max_distance, <path>_mean_distance: largest and mean distance of the path's images from the decoder curve")
        try out.dataset("diagnostics").setAttribute("names", .strings(named.map(\.name)))
        return named
    }

    /// The latent values between which the decoder curve joins the system's minima: from the
    /// smallest to the largest ξ of its named minima. The barrier a transition along the curve
    /// crosses lies there; beyond, the curve runs up the outer walls of the end wells, whose
    /// energy says nothing about the path. The whole latent line when there are fewer than two.
    static func transitionRange(_ encoder: MLP, _ system: SimulationSystem) -> ClosedRange<Double> {
        let minima = system.minimumNames.compactMap { system.namedConfigurations[$0] }
        guard minima.count >= 2 else { return -Double.infinity...Double.infinity }
        let z = encoder.values(Matrix(rows: minima.count, cols: minima[0].count, storage: minima.flatMap { $0 })).storage
        return z.min()!...z.max()!
    }

    private static func pow2(_ v: Double) -> Double { v * v }
}
