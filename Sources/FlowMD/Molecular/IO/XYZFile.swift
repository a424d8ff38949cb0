import Foundation

/// Reads and writes XYZ trajectories: per frame, the atom count, a comment line, then one
/// `element x y z` line per atom (Å). Every program that reads molecules reads this format.
public enum XYZFile {
    public static func text(elements: [String], frames: [[Double]], comments: [String] = []) -> String {
        var out = ""
        for (m, x) in frames.enumerated() {
            precondition(x.count == 3 * elements.count, "frame size does not match the atom count")
            out += "\(elements.count)\n" + (m < comments.count ? comments[m] : "frame \(m)") + "\n"
            for (n, e) in elements.enumerated() {
                out += padded(e, 2) + String(format: " %15.8f %15.8f %15.8f\n", x[3 * n], x[3 * n + 1], x[3 * n + 2])
            }
        }
        return out
    }

    public static func write(elements: [String], frames: [[Double]], to path: String, comments: [String] = []) throws {
        try text(elements: elements, frames: frames, comments: comments).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Elements (first field of each atom line) and frames.
    public static func read(text: String, source: String = "<xyz>") throws -> (elements: [String], frames: [[Double]]) {
        try parse(TextLines(text: text, source: source))
    }

    public static func read(path: String) throws -> (elements: [String], frames: [[Double]]) {
        try parse(TextLines(contentsOf: path))
    }

    static func parse(_ file: TextLines) throws -> (elements: [String], frames: [[Double]]) {
        var elements: [String] = []
        var frames: [[Double]] = []
        var index = 0
        while index < file.lines.count {
            if file.lines[index].allSatisfy(\.isWhitespace) { index += 1; continue }
            guard let count = Int(file.lines[index].trimmingCharacters(in: .whitespaces)), count > 0 else {
                throw file.error(index, "expected the atom count of a frame")
            }
            guard count < file.lines.count - index - 1 else { throw file.error(index, "frame of \(count) atoms is truncated") }
            var frame: [Double] = []
            var names: [String] = []
            for n in 0..<count {
                let at = index + 2 + n
                let f = fields(file.lines[at])
                guard f.count >= 4, let x = try file.number(f[1], at, "coordinate"), let y = try file.number(f[2], at, "coordinate"),
                      let z = try file.number(f[3], at, "coordinate") else {
                    throw file.error(at, "atom line needs 'element x y z'")
                }
                names.append(String(f[0]))
                frame += [x, y, z]
            }
            if frames.isEmpty { elements = names } else if names.count != elements.count {
                throw file.error(index, "frame has \(names.count) atoms, the first frame has \(elements.count)")
            }
            frames.append(frame)
            index += 2 + count
        }
        return (elements, frames)
    }
}
