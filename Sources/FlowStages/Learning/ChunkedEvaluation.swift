import FlowLinalg
import FlowNN

/// Evaluates tape computations over a whole sample set in chunks of rows, so that the memory of
/// the recorded intermediates (Jacobians of every layer) stays that of one chunk.
enum ChunkedEvaluation {
    /// `body` applied to the rows of `x`, chunk by chunk, with its two results (one row per
    /// sample each) stacked.
    static func pair(_ x: Matrix, chunk: Int = 8192, _ body: (Variable) -> (Variable, Variable)) -> (Matrix, Matrix) {
        var first: [Double] = [], second: [Double] = []
        var columns = (0, 0)
        let tape = Tape()
        for start in stride(from: 0, to: x.rows, by: chunk) {
            tape.reset()
            let (a, b) = body(tape.constant(rowsOf: x, Array(start..<Swift.min(x.rows, start + chunk))))
            first += tape.value(a).storage
            second += tape.value(b).storage
            columns = (a.cols, b.cols)
        }
        return (Matrix(rows: x.rows, cols: columns.0, storage: first), Matrix(rows: x.rows, cols: columns.1, storage: second))
    }
}
