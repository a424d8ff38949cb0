import Foundation
import FlowLinalg
import FlowNN

/// The squared maximum mean discrepancy between real and generated frames that share their times,
/// as a generator loss: the kernel two-sample statistic of Gretton et al. (JMLR 2012) used to train
/// generators by Li, Swersky & Zemel ("Generative moment matching networks", ICML 2015), on the
/// joint (t, features) with a product kernel so that matching the joint matches each conditional
/// (both sets carry the same times).
///
///   MMD²_u = mean_{i≠j} [K(r_i, r_j) + K(g_i, g_j) − K(r_i, g_j) − K(g_i, r_j)],
///   K(a, b) = exp(−(t_a − t_b)² / 2σ_t²) · Σ_s exp(−|f̂_a − f̂_b|² / (s·h)),
///
/// f̂ the features centred and divided by the real frames' mean and standard deviation per column
/// (torsion cosines and distances in Å are on different scales; centring keeps |f̂|² small, so
/// |a|² + |b|² − 2a·b loses no digits), h the median squared distance among the batch's real
/// features, s ∈ {1/4, 1, 4}. The generated–generated term is what makes a collapsed generator pay:
/// G(t, z) ≡ x(t) gives mean K(g, g) its largest value, where the data's replicas give less, so the
/// loss pushes generated frames at the same t apart, as far as the data's own spread. The
/// estimator is the unbiased one (Gretton et al., eq. 3: pairs i ≠ j only, in all four terms).
/// Pair (i, j) has its own time difference, so only when every term runs over the same pairs do
/// the expectations cancel for a generator that draws from the data's law; the biased form, or a
/// cross term that keeps i = j (same t, the largest time weight), rewards a generator that puts
/// the conditional mean at every t.
struct ConditionalMMD {
    let timeBandwidth: Double
    /// Mean and 1/σ per feature column, from the real frames.
    let center: [Double]
    let inverseScale: [Double]
    static let scales = [0.25, 1.0, 4.0]

    init(timeBandwidth: Double, realFeatures: Matrix) {
        self.timeBandwidth = timeBandwidth
        let n = Double(max(realFeatures.rows, 1))
        let moments = (0..<realFeatures.cols).map { c in
            let column = (0..<realFeatures.rows).map { realFeatures.storage[$0 * realFeatures.cols + c] }
            let mean = column.reduce(0, +) / n
            let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            return (mean, sd > 1e-9 * max(1, abs(mean)) ? 1 / sd : 0)
        }
        center = moments.map(\.0)
        inverseScale = moments.map(\.1)
    }

    /// The real frames of one batch as the MMD sees them: their standardized features, the kernel
    /// bandwidth h (their median squared distance), the time kernel and the real–real term. None of
    /// it depends on the generator, so it is computed once per batch and shared by every generator
    /// step on that batch.
    struct RealSide {
        let features: Matrix
        let squares: [Double]
        let bandwidth: Double
        let timeKernel: Matrix
        let term: Double
    }

    /// The real side of a batch of real features (batch × width), each row at `times`; `tape` only
    /// computes the Gram matrix (with the same product the generated side uses).
    func realSide(_ real: Matrix, times: [Double], on tape: Tape) -> RealSide {
        let n = times.count
        precondition(real.rows == n && real.cols == inverseScale.count)
        var r = real
        for i in 0..<n { for c in 0..<r.cols { r.storage[i * r.cols + c] = (r.storage[i * r.cols + c] - center[c]) * inverseScale[c] } }
        let squares = (0..<n).map { i in GeneratedPathAnalysis.row(r, i).reduce(0) { $0 + $1 * $1 } }
        let rc = tape.constant(r)
        var distances = tape.value(tape.matmul(rc, rc, transposeB: true))
        for i in 0..<n { for j in 0..<n {
            distances.storage[i * n + j] = max(squares[i] + squares[j] - 2 * distances.storage[i * n + j], 0)
        } }
        let pairs = (0..<n).flatMap { i in (0..<n).filter { $0 != i }.map { distances.storage[i * n + $0] } }.sorted()
        let median = pairs.isEmpty ? 0 : pairs[pairs.count / 2]
        let h = median > 0 ? median : 1
        var timeKernel = Matrix(rows: n, cols: n)
        for i in 0..<n { for j in 0..<n {
            let d = times[i] - times[j]
            timeKernel.storage[i * n + j] = Foundation.exp(-d * d / (2 * timeBandwidth * timeBandwidth))
        } }
        var term = 0.0
        for i in 0..<n { for j in 0..<n where i != j {
            term += Self.scales.reduce(0) { $0 + Foundation.exp(-distances.storage[i * n + j] / ($1 * h)) } * timeKernel.storage[i * n + j]
        } }
        term /= Double(max(n * (n - 1), 1))
        return RealSide(features: r, squares: squares, bandwidth: h, timeKernel: timeKernel, term: term)
    }

    /// MMD² (1 × 1) of the real features (batch × width) and the generated ones, each row at `times`.
    func callAsFunction(real: Matrix, fake: Variable, times: [Double]) -> Variable {
        self(realSide(real, times: times, on: fake.tape), fake: fake)
    }

    /// MMD² (1 × 1) of a batch's real side and the generated features, row for row.
    func callAsFunction(_ real: RealSide, fake: Variable) -> Variable {
        let tape = fake.tape, n = real.squares.count, h = real.bandwidth
        precondition(fake.rows == n && fake.cols == inverseScale.count)
        let w = Matrix(rows: 1, cols: inverseScale.count, storage: inverseScale)
        let g = (fake - tape.constant(Matrix(rows: 1, cols: center.count, storage: center))) * tape.constant(w)
        let rc = tape.constant(real.features)
        let kt = tape.constant(real.timeKernel)
        let gSquares = g.squared().sumOverColumns()
        let gRow = gSquares.reshaped(rows: 1, cols: n)
        let dGG = gSquares + gRow - 2 * tape.matmul(g, g, transposeB: true)
        let dRG = tape.constant(Matrix(rows: n, cols: 1, storage: real.squares)) + gRow - 2 * tape.matmul(rc, g, transposeB: true)
        func kernel(_ d: Variable) -> Variable {
            let d = d.relu()
            return Self.scales.map { s in (d * (-1 / (s * h))).exp() }.reduce(tape.constant(rows: n, cols: n, value: 0), +) * kt
        }
        var offDiagonal = Matrix(rows: n, cols: n)
        for i in 0..<n { for j in 0..<n where i != j { offDiagonal.storage[i * n + j] = 1 } }
        let pairs = Double(max(n * (n - 1), 1))
        let mask = tape.constant(offDiagonal)
        return ((kernel(dGG) - 2 * kernel(dRG)) * mask).sum() * (1 / pairs) + real.term
    }
}
