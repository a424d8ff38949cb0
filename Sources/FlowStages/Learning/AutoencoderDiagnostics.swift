import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// The autoencoder's diagnostics (DESIGN §8.1): how well it reconstructs, and — for a
/// one-dimensional latent space — which path its decoder curve takes: the curve and the
/// conditional means it should match, its highest energy on the system's potential between the
/// minima (to compare with the saddles) and its distance from each minimum-energy path.
enum AutoencoderDiagnostics {
    typealias Output = AutoencoderStage.Output

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
            try out.write(Output.decoderCurve, matrix: curve.points)
            try out.write(Output.decoderCurveLatent, vector: curve.latent)
            let binned = LatentCurve.conditionalMeans(samples: samples, latentValues: z, bins: p.bins)
            try out.write(Output.conditionalMean, matrix: binned.means)
            try out.write(Output.conditionalMeanLatent, vector: binned.centres)
            try out.write(Output.conditionalMeanCounts, integers: binned.counts.map(Int64.init))
            if let system {
                let top = curve.highestEnergy(on: system.potential, within: transitionRange(model.encoder, system))
                named += [("max_energy", top.energy), ("max_energy_latent", top.latent)]
                try out.write(Output.maxEnergyPoint, vector: top.point)
            }
            for (name, path) in paths {
                let d = PolylineDistance.distances(of: path, to: curve.vertices)
                named += [("\(name)_max_distance", d.max), ("\(name)_mean_distance", d.mean)]
            }
        }
        try out.write(Output.diagnostics, vector: named.map(\.value))
        try out.dataset(Output.diagnostics.name).setAttribute("names", .strings(named.map(\.name)))
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
