import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// The autoencoder's diagnostics (DESIGN §8.1): how well it reconstructs, and — for a
/// one-dimensional latent space — which path its decoder curve takes: the curve and the
/// conditional means it should match, its highest energy on the system's potential (to compare
/// with the saddles) and its distance to each minimum-energy path.
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
                let top = curve.highestEnergy(on: system.potential)
                named += [("max_energy", top.energy), ("max_energy_latent", top.latent)]
                try out.write("max_energy_point", vector: top.point, description: "decoder curve node of highest energy")
            }
            for (name, path) in paths {
                named += [("\(name)_hausdorff", PolylineDistance.hausdorff(curve.vertices, path)),
                          ("\(name)_mean_distance", PolylineDistance.meanDistance(of: path, to: curve.vertices))]
            }
        }
        try out.write("diagnostics", vector: named.map(\.value),
                      description: "hausdorff: largest distance of a point of either curve from the other; mean_distance: mean over the path's images of their distance to the decoder curve")
        try out.dataset("diagnostics").setAttribute("names", .strings(named.map(\.name)))
        return named
    }

    private static func pow2(_ v: Double) -> Double { v * v }
}
