import Foundation

/// The lines of a text file with their 1-based numbers, read once, so that every parser reports
/// errors as `file:line`.
struct TextLines {
    let source: String
    let lines: [Substring]

    init(text: String, source: String) {
        self.source = source
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
    }

    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MolecularInputError(source: path, line: nil, "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
            throw MolecularInputError(source: path, line: nil, "file is not text")
        }
        self.init(text: text, source: path)
    }

    func error(_ index: Int, _ message: String) -> MolecularInputError {
        MolecularInputError(source: source, line: index + 1, message)
    }

    /// `token` as a number, or nil when it is not one. Swift's `Double(_:)` also reads "nan",
    /// "inf" and overflowing literals such as "1e999"; no molecular file means those, and they
    /// would surface steps later as a non-finite energy or a trap, so they are an error on line
    /// `index` naming `what`.
    func number(_ token: Substring, _ index: Int, _ what: String) throws -> Double? {
        guard let v = Double(token) else { return nil }
        guard v.isFinite else { throw error(index, "\(what) '\(token)' is not a finite number") }
        return v
    }
}

/// Whitespace-separated fields of a line.
func fields(_ line: Substring) -> [Substring] {
    line.split(whereSeparator: { $0 == " " || $0 == "\t" })
}

/// `s` padded with blanks to `width` characters, left-justified (or right-justified), for
/// fixed-column writers (Foundation's `%-4@` does not pad on every platform).
func padded(_ s: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return right ? fill + s : s + fill
}
