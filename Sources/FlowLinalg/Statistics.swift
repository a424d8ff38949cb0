import Foundation

/// Descriptive statistics with optional per-sample weights (e.g. reweighting factors of biased
/// simulations). Weights need not be normalized; weighted variances use the plain weighted
/// average of squared deviations (no bias correction), unweighted ones divide by n − 1.
public enum Statistics {
    public static func mean(_ x: [Double], weights: [Double]? = nil) -> Double {
        precondition(!x.isEmpty, "mean of an empty sample")
        guard let w = weights else { return x.reduce(0, +) / Double(x.count) }
        precondition(w.count == x.count, "\(w.count) weights for \(x.count) samples")
        return zip(x, w).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
    }

    public static func variance(_ x: [Double], weights: [Double]? = nil) -> Double {
        covariance(x, x, weights: weights)
    }

    public static func covariance(_ x: [Double], _ y: [Double], weights: [Double]? = nil) -> Double {
        precondition(x.count == y.count, "covariance of samples of sizes \(x.count) and \(y.count)")
        let mx = mean(x, weights: weights), my = mean(y, weights: weights)
        if let w = weights {
            var s = 0.0
            for i in 0..<x.count { s += w[i] * (x[i] - mx) * (y[i] - my) }
            return s / w.reduce(0, +)
        }
        precondition(x.count > 1, "unweighted covariance needs at least 2 samples")
        var s = 0.0
        for i in 0..<x.count { s += (x[i] - mx) * (y[i] - my) }
        return s / Double(x.count - 1)
    }

    /// Pearson correlation coefficient.
    public static func correlation(_ x: [Double], _ y: [Double], weights: [Double]? = nil) -> Double {
        covariance(x, y, weights: weights)
            / (variance(x, weights: weights) * variance(y, weights: weights)).squareRoot()
    }

    /// Column means of a samples × features matrix.
    public static func columnMeans(_ data: Matrix, weights: [Double]? = nil) -> [Double] {
        let w = weights ?? [Double](repeating: 1, count: data.rows)
        precondition(w.count == data.rows, "\(w.count) weights for \(data.rows) samples")
        let total = w.reduce(0, +)
        return data.multiplied(by: w, transposeSelf: true).map { $0 / total }
    }

    /// Covariance matrix (features × features) through one BLAS syrk on the centred, weight-scaled
    /// data.
    public static func covarianceMatrix(_ data: Matrix, weights: [Double]? = nil) -> Matrix {
        let means = columnMeans(data, weights: weights)
        var centred = data
        for i in 0..<data.rows { for j in 0..<data.cols { centred.storage[i * data.cols + j] -= means[j] } }
        if let w = weights {
            let total = w.reduce(0, +)
            return centred.scalingRows(w.map { $0.squareRoot() }).gram(alpha: 1 / total)
        }
        precondition(data.rows > 1, "unweighted covariance needs at least 2 samples")
        return centred.gram(alpha: 1 / Double(data.rows - 1))
    }
}

/// Counts (or summed weights) of samples in equal-width bins over [lower, upper]. The last bin is
/// closed, so a range taken from the data's minimum and maximum keeps every sample.
public struct Histogram1D: Sendable {
    public let lower: Double
    public let upper: Double
    public var counts: [Double]
    /// Samples outside [lower, upper] are counted here, not in any bin.
    public var outside: Double = 0

    public init(_ x: [Double], bins: Int, lower: Double, upper: Double, weights: [Double]? = nil) {
        precondition(bins > 0 && upper > lower, "histogram needs bins > 0 and upper > lower")
        self.lower = lower
        self.upper = upper
        counts = [Double](repeating: 0, count: bins)
        let width = (upper - lower) / Double(bins)
        for (i, v) in x.enumerated() {
            let w = weights?[i] ?? 1
            if let b = Self.bin(v, lower: lower, upper: upper, width: width, count: bins) { counts[b] += w } else { outside += w }
        }
    }

    /// The bin of v among `count` bins of `width` from `lower`, the last one closed at `upper`;
    /// nil outside [lower, upper] (and for NaN).
    @inline(__always)
    static func bin(_ v: Double, lower: Double, upper: Double, width: Double, count: Int) -> Int? {
        guard v >= lower && v <= upper else { return nil }
        return Swift.min(Int((v - lower) / width), count - 1)
    }

    public var binWidth: Double { (upper - lower) / Double(counts.count) }
    public func center(_ b: Int) -> Double { lower + (Double(b) + 0.5) * binWidth }
    /// Counts divided by (total · bin width): a probability density over [lower, upper).
    public var density: [Double] {
        let total = counts.reduce(0, +) + outside
        return counts.map { $0 / (total * binWidth) }
    }
}

/// A 2D histogram on a rectangular grid, bins row-major (x bin slowest), matching `GridGenerator`.
/// Each axis's last bin is closed, as in `Histogram1D`.
public struct Histogram2D: Sendable {
    public let xAxis: GridAxis
    public let yAxis: GridAxis
    public var counts: [Double]
    /// Samples outside the rectangle are counted here, not in any bin.
    public var outside: Double = 0

    public init(x: [Double], y: [Double], xAxis: GridAxis, yAxis: GridAxis, weights: [Double]? = nil) {
        precondition(x.count == y.count && (weights?.count ?? x.count) == x.count,
                     "histogram of \(x.count) x values, \(y.count) y values and \(weights?.count ?? x.count) weights")
        self.xAxis = xAxis
        self.yAxis = yAxis
        counts = [Double](repeating: 0, count: xAxis.count * yAxis.count)
        let (hx, hy) = (xAxis.spacing, yAxis.spacing)
        for i in 0..<x.count {
            let w = weights?[i] ?? 1
            if let bx = Histogram1D.bin(x[i], lower: xAxis.lower, upper: xAxis.upper, width: hx, count: xAxis.count),
               let by = Histogram1D.bin(y[i], lower: yAxis.lower, upper: yAxis.upper, width: hy, count: yAxis.count) {
                counts[bx * yAxis.count + by] += w
            } else {
                outside += w
            }
        }
    }
}

extension Statistics {
    /// F = −β⁻¹ ln p from a density (or anything proportional to it), shifted so that min F = 0;
    /// NaN where p = 0 (no estimate), never +∞.
    public static func freeEnergy(density p: [Double], beta: Double) -> [Double] {
        let f = p.map { $0 > 0 ? -log($0) / beta : Double.nan }
        let lowest = f.filter { !$0.isNaN }.min() ?? 0
        return f.map { $0 - lowest }
    }
}
