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

/// Counts (or summed weights) of samples in equal-width bins.
public struct Histogram1D: Sendable {
    public let lower: Double
    public let upper: Double
    public var counts: [Double]
    /// Samples outside [lower, upper) are counted here, not in any bin.
    public var outside: Double = 0

    public init(_ x: [Double], bins: Int, lower: Double, upper: Double, weights: [Double]? = nil) {
        precondition(bins > 0 && upper > lower, "histogram needs bins > 0 and upper > lower")
        self.lower = lower
        self.upper = upper
        counts = [Double](repeating: 0, count: bins)
        let width = (upper - lower) / Double(bins)
        for (i, v) in x.enumerated() {
            let w = weights?[i] ?? 1
            let b = Int(((v - lower) / width).rounded(.down))
            if v >= lower && v < upper && b >= 0 && b < bins { counts[b] += w } else { outside += w }
        }
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
public struct Histogram2D: Sendable {
    public let xAxis: GridAxis
    public let yAxis: GridAxis
    public var counts: [Double]
    public var outside: Double = 0

    public init(x: [Double], y: [Double], xAxis: GridAxis, yAxis: GridAxis, weights: [Double]? = nil) {
        precondition(x.count == y.count, "histogram of \(x.count) x values and \(y.count) y values")
        self.xAxis = xAxis
        self.yAxis = yAxis
        counts = [Double](repeating: 0, count: xAxis.count * yAxis.count)
        for i in 0..<x.count {
            let w = weights?[i] ?? 1
            let bx = Int(((x[i] - xAxis.lower) / xAxis.spacing).rounded(.down))
            let by = Int(((y[i] - yAxis.lower) / yAxis.spacing).rounded(.down))
            if bx >= 0 && bx < xAxis.count && by >= 0 && by < yAxis.count && x[i] < xAxis.upper && y[i] < yAxis.upper {
                counts[bx * yAxis.count + by] += w
            } else {
                outside += w
            }
        }
    }
}
