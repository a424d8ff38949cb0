/// Object paths inside a file. The API takes paths relative to a group ("a/b/c") and keeps
/// absolute, normalized ones ("/g/a/b/c"), so that every object can be opened from the file itself
/// and every error can name the full path.
enum HDF5Path {
    /// The absolute path of `name` below `base`; a `name` that starts with "/" is already absolute.
    /// Nil when a component is empty, "." or "..", which HDF5 would not resolve the way a reader of
    /// the path expects.
    static func resolve(_ name: String, in base: String) -> String? {
        if name == "/" { return "/" }
        let absolute = name.hasPrefix("/")
        let given = name.split(separator: "/", omittingEmptySubsequences: false).dropFirst(absolute ? 1 : 0)
        guard !given.isEmpty, given.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
        let parts = (absolute ? [] : components(of: base)) + given.map(String.init)
        return "/" + parts.joined(separator: "/")
    }

    /// The names along an absolute path, root excluded.
    static func components(of path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }

    /// Every absolute path from the first component down to `path` itself: "/a", "/a/b", "/a/b/c".
    static func prefixes(of path: String) -> [String] {
        var result: [String] = []
        var current = ""
        for part in components(of: path) {
            current += "/" + part
            result.append(current)
        }
        return result
    }

    /// The absolute path of the group holding `path`.
    static func parent(of path: String) -> String {
        let parts = components(of: path).dropLast()
        return "/" + parts.joined(separator: "/")
    }
}

extension Array where Element == String {
    /// Sorted by UTF-8 bytes: independent of locale and Unicode normalization, so that listings
    /// and the content digest have one order on every machine, and distinct names stay distinct.
    func sortedByBytes() -> [String] {
        sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
