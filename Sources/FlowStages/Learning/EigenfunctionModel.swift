import FlowLinalg
import FlowNN

/// K eigenfunctions f₁…f_K of the generator as networks — K separate scalar MLPs (as Zhang's
/// colvars-finder does) or one MLP with K outputs — with the tape computations the loss needs:
/// values and squared gradient norms |∇fᵢ|² of a batch.
final class EigenfunctionModel {
    let networks: [MLP]
    let count: Int

    /// `separate`: one network per eigenfunction; otherwise one network with `count` outputs.
    /// Inputs are standardized by `input` (stored in the networks, so they take raw coordinates).
    init(count: Int, inputs: Int, network: NetworkSpec<EigenLearningDefaults>, separate: Bool, input: Normalization,
         rng: inout RandomSource) {
        self.count = count
        let nets = separate
            ? (0..<count).map { _ in network.make(inputs: inputs, outputs: 1, rng: &rng) }
            : [network.make(inputs: inputs, outputs: count, rng: &rng)]
        for n in nets { n.inputNormalization = input }
        networks = nets
    }

    var parameters: [Parameter] { networks.flatMap(\.parameters) }

    /// f (m × K) and |∇f|² (m × K) of the batch `x`, differentiable with respect to the weights.
    func evaluate(_ x: Variable) -> (values: Variable, gradientNormsSquared: Variable) {
        let tape = x.tape
        let parts = networks.map { net -> (Variable, Variable) in
            let (f, j) = net.jacobian(x)
            return (f, JacobianLoss.gradientNormsSquared(j, outputs: net.outputDimension))
        }
        if parts.count == 1 { return parts[0] }
        return (tape.concatColumns(parts.map(\.0)), tape.concatColumns(parts.map(\.1)))
    }

    /// f and |∇f|² at every row of `x`.
    func evaluate(_ x: Matrix) -> (values: Matrix, gradientNormsSquared: Matrix) {
        ChunkedEvaluation.pair(x) { evaluate($0) }
    }

    /// The eigenfunctions as one network whose output k is fᵢ for i = order[k].
    func network(order: [Int]) -> MLP {
        if networks.count == 1 { return networks[0].reorderingOutputs(order) }
        return MLP.stacking(order.map { networks[$0] })
    }
}
