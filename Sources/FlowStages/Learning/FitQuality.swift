import FlowLinalg

/// How well predictions reproduce targets, column by column.
enum FitQuality {
    /// The coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² of each column over `rows`
    /// (all rows when nil); 1 is a perfect fit, 0 is no better than the mean.
    static func rSquared(predicted: Matrix, targets: Matrix, rows: [Int]? = nil) -> [Double] {
        let rows = rows ?? Array(0..<targets.rows)
        return (0..<targets.cols).map { l in
            let mean = rows.reduce(0) { $0 + targets[$1, l] } / Double(rows.count)
            var residual = 0.0, total = 0.0
            for i in rows {
                let e = targets[i, l] - predicted[i, l], d = targets[i, l] - mean
                residual += e * e
                total += d * d
            }
            return total > 0 ? 1 - residual / total : (residual == 0 ? 1 : 0)
        }
    }
}
