import FlowHDF5

/// A dataset (or group) of a stage kind's output, declared once: the stage writes it through
/// this declaration (name, element type, `units` and `description` attributes), later stages read
/// it through the same constant, `flow stages` prints it, and the commit point refuses an output
/// that writes anything undeclared or misses a dataset declared as always written.
public struct OutputDataset: Sendable, Hashable {
    public enum Element: String, Sendable {
        case float64, int64, string
        /// A group whose members the declaration covers (a network, a topology, published files).
        case group
    }

    /// Absolute path in the file, e.g. `/x` or `/rates/from`.
    public let path: String
    public let element: Element
    /// The shape in words: `frames × D`, `components`, `scalar`.
    public let shape: String
    public let units: String?
    public let help: String
    /// When the dataset is written, if not always (`metadynamics runs`); nil means every output
    /// has it.
    public let condition: String?

    public init(_ path: String, _ element: Element, shape: String, units: String? = nil, when condition: String? = nil,
                _ help: String) {
        precondition(path.hasPrefix("/") && !path.hasSuffix("/"), "output paths are absolute: \(path)")
        self.path = path
        self.element = element
        self.shape = shape
        self.units = units
        self.help = help
        self.condition = condition
    }

    /// The path without its leading slash, as `HDF5Group` methods on the root take it.
    public var name: String { String(path.dropFirst()) }
    public var isRequired: Bool { condition == nil }

    public static func float64(_ path: String, _ shape: String, units: String? = nil, when: String? = nil,
                               _ help: String) -> OutputDataset {
        OutputDataset(path, .float64, shape: shape, units: units, when: when, help)
    }

    public static func int64(_ path: String, _ shape: String, when: String? = nil, _ help: String) -> OutputDataset {
        OutputDataset(path, .int64, shape: shape, when: when, help)
    }

    public static func strings(_ path: String, _ shape: String, when: String? = nil, _ help: String) -> OutputDataset {
        OutputDataset(path, .string, shape: shape, when: when, help)
    }

    public static func group(_ path: String, when: String? = nil, _ help: String) -> OutputDataset {
        OutputDataset(path, .group, shape: "group", when: when, help)
    }
}

/// The check of an output file against its kind's declarations, at the commit point.
public enum OutputContract {
    /// Every problem with `root` as the output of a kind declaring `declared`: undeclared
    /// datasets or groups, declared datasets of another element type, and missing datasets that
    /// are declared as always written. Empty when the output keeps the contract.
    public static func violations(of root: HDF5Group, declared: [OutputDataset]) throws -> [String] {
        var problems: [String] = []
        let byPath = Dictionary(declared.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        func covered(_ path: String) -> OutputDataset? {
            var p = path
            while !p.isEmpty {
                if let d = byPath[p] { return d }
                guard let slash = p.lastIndex(of: "/"), slash != p.startIndex else { break }
                p = String(p[..<slash])
            }
            return nil
        }
        func visit(_ group: HDF5Group, prefix: String) throws {
            for child in try group.children() {
                let path = prefix + "/" + child
                if group.isGroup(child) {
                    if let d = byPath[path] {
                        if d.element != .group { problems.append("\(path) is a group; declared as \(d.element.rawValue)") }
                        continue
                    }
                    if covered(path)?.element == .group { continue }
                    if declared.contains(where: { $0.path.hasPrefix(path + "/") }) {
                        try visit(try group.group(child), prefix: path)
                    } else {
                        problems.append("undeclared group \(path)")
                    }
                    continue
                }
                guard let d = covered(path) else {
                    problems.append("undeclared dataset \(path)")
                    continue
                }
                if d.path != path { continue }
                let actual = try group.dataset(child).elementType
                let expected: HDF5ElementType? = d.element == .float64 ? .float64 : d.element == .int64 ? .int64 : d.element == .string ? .string : nil
                if actual != expected {
                    problems.append("\(path) holds \(actual.rawValue); declared as \(d.element.rawValue)")
                }
            }
        }
        try visit(root, prefix: "")
        for d in declared where d.isRequired && !root.contains(d.name) {
            problems.append("missing \(d.path)")
        }
        return problems
    }
}
