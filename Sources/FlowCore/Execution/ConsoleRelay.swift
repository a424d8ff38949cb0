/// The console of a stage running in a child process (`flow exec-stage --relay`), carried to the
/// head process over the child's standard output: one record per line, marked by a leading
/// U+001E so that anything else the child prints (a library's warning) is told apart and kept in
/// the stage's `.out` file. The head replays each record on its own console, so a stage shows the
/// same live progress line and event lines whether it runs on a thread or in a child process.
enum ConsoleRelay {
    static let mark: Character = "\u{1E}"

    enum Event: Equatable {
        case line(String)
        case begin(String)
        case end(String)
        case progress(String, done: Int, total: Int, note: String)
    }

    static func line(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "\(mark)L\t\($0)\n" }.joined()
    }

    static func begin(_ name: String) -> String { "\(mark)B\t\(clean(name))\n" }
    static func end(_ name: String) -> String { "\(mark)E\t\(clean(name))\n" }

    static func progress(_ name: String, done: Int, total: Int, note: String) -> String {
        "\(mark)P\t\(clean(name))\t\(done)\t\(total)\t\(clean(note))\n"
    }

    /// The event a line of the child's output carries, or nil for a line that is not a record.
    static func parse(_ line: Substring) -> Event? {
        guard line.first == mark, line.count >= 3 else { return nil }
        let body = line.dropFirst(3)
        switch line.dropFirst().first {
        case "L": return .line(String(body))
        case "B": return .begin(String(body))
        case "E": return .end(String(body))
        case "P":
            let f = body.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
            guard f.count == 4, let done = Int(f[1]), let total = Int(f[2]) else { return nil }
            return .progress(String(f[0]), done: done, total: total, note: String(f[3]))
        default: return nil
        }
    }

    /// Replays one event on the head's console.
    static func replay(_ event: Event, on console: Console) {
        switch event {
        case .line(let text): console.line(text)
        case .begin(let name): console.begin(name)
        case .end(let name): console.end(name)
        case .progress(let name, let done, let total, let note): console.update(name, done: done, total: total, note: note)
        }
    }

    private static func clean(_ s: String) -> String {
        String(s.map { $0 == "\t" || $0 == "\n" ? " " : $0 })
    }
}
