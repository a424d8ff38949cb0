import Foundation
import FlowLinalg

/// The kernel K_ij = exp(−d²_ij/(4ερ_iρ_j)) of a kernel graph with its right weights w (see
/// `DiffusionMap`): the one construction behind both the diffusion map's eigenproblem and
/// `DiffusionOperator`, so the two cannot drift apart.
struct NormalizedKernel {
    let kernel: SparseMatrix
    /// Σ_j K_ij before flooring, and the floor (`DiffusionMap.kernelMassFloor`) with how many rows it lifted.
    let kernelSums: [Double]
    let floor: Double
    let flooredCount: Int
    let rightWeights: [Double]
    /// (K w)_i.
    let rowNormalizer: [Double]
    let bandwidth: [Double]

    init(graph: KernelGraph, epsilon: Double, bandwidth rho: [Double], method: DiffusionMap.Method, dimension d: Double,
         variableBandwidth: Bool, neighbors k: Int) throws {
        let n = graph.n
        kernel = try graph.kernel(epsilon: epsilon, bandwidth: rho)
        let components = ConnectedComponents(kernel)
        if components.count > 1 {
            throw LinalgError.disconnectedGraph(
                components: components.count, largest: components.largestSize,
                advice: "the diffusion-map kernel graph is disconnected at ε = \(String(format: "%.4g", epsilon)); use more neighbours (now \(k))" + (variableBandwidth ? "" : ", a variable bandwidth") + " or a larger ε, or drop the isolated samples")
        }
        let sums = kernel.rowSums
        let lowest = DiffusionMap.kernelMassFloor(sums)
        kernelSums = sums
        floor = lowest
        flooredCount = sums.reduce(0) { $0 + ($1 < lowest ? 1 : 0) }
        rightWeights = DiffusionMap.weights(method, kernelSums: sums.map { Swift.max($0, lowest) }, bandwidth: rho, dimension: d)
        rowNormalizer = kernel.multiplied(by: rightWeights)
        bandwidth = rho
        let w = rightWeights, kw = rowNormalizer
        if let bad = (0..<n).first(where: { i in
            let t = (w[i] / kw[i]).squareRoot() / rho[i]
            return !(t.isFinite && t > 0 && w[i].isFinite)
        }) {
            throw LinalgError.invalidArgument("the kernel row of sample \(bad) underflows (Σ_j K = \(kernelSums[bad])) at ε = \(epsilon): the normalized operator is not representable; use a larger ε or more neighbours")
        }
    }

    /// m_i ∝ ρ_i² w_i (K w)_i, summing to 1: the measure L_ε is self-adjoint in.
    var stationary: [Double] {
        let measure = (0..<rightWeights.count).map { rowNormalizer[$0] * rightWeights[$0] * bandwidth[$0] * bandwidth[$0] }
        let total = measure.reduce(0, +)
        return measure.map { $0 / total }
    }

    /// T K T with T = diag((w/(Kw))^{1/2}/ρ): H = T K T + I − R⁻² is the symmetric conjugate of
    /// I + εL_ε.
    var symmetricConjugate: SparseMatrix {
        let t = (0..<rightWeights.count).map { (rightWeights[$0] / rowNormalizer[$0]).squareRoot() / bandwidth[$0] }
        return kernel.scaled(left: t, right: t)
    }

    /// I + εL_ε = R⁻²P + I − R⁻² with P = D⁻¹KW, in CSR form with the diagonal stored.
    var generatorStep: SparseMatrix {
        let n = rightWeights.count
        var rows = [Int](), cols = [Int](), values = [Double]()
        rows.reserveCapacity(kernel.nonZeroCount + n); cols.reserveCapacity(kernel.nonZeroCount + n); values.reserveCapacity(kernel.nonZeroCount + n)
        for i in 0..<n {
            let scale = 1 / (rowNormalizer[i] * bandwidth[i] * bandwidth[i])
            for e in kernel.rowStart[i]..<kernel.rowStart[i + 1] {
                let j = Int(kernel.columnIndices[e])
                rows.append(i); cols.append(j); values.append(kernel.values[e] * rightWeights[j] * scale)
            }
            rows.append(i); cols.append(i); values.append(1 - 1 / (bandwidth[i] * bandwidth[i]))
        }
        // Built from sorted rows with distinct columns, so the COO constructor only reorders the diagonal in.
        return try! SparseMatrix(rows: n, cols: n, rowIndices: rows, columnIndices: cols, values: values)
    }
}
