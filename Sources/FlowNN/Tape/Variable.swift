/// A handle to one matrix recorded on a `Tape` (batch × features).
///
/// Variables are cheap values; the matrix and its gradient live on the tape and are valid until
/// the tape is reset. Arithmetic operators and the methods in the `Tape+*.swift` files record new
/// operations on the same tape.
public struct Variable {
    public unowned let tape: Tape
    let index: Int
    public let rows: Int
    public let cols: Int

    public var count: Int { rows * cols }
    public var shape: (rows: Int, cols: Int) { (rows, cols) }
}
