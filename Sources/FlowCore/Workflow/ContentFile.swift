import Foundation

/// A file named in parameters (a PSF, a parameter file, a reference structure) whose *content*
/// is part of the cache key: it decodes from a path, relative to the workspace, and resolves to
/// `{"path": …, "sha256": …}`, so editing the file invalidates the stages that read it while
/// moving the workspace does not (DESIGN §4: keys hold content digests, never absolute paths).
/// Files are hashed when the workflow is loaded; they are meant to be small inputs, not
/// trajectories (those are stage inputs, `{file: path}`, whose digests are cached by stat).
public struct ContentFile: Decodable, Hashable, Sendable, ParameterTypeDescribing {
    /// The path as written in the workflow.
    public var path: String
    public var sha256: String
    /// Where the file is on this machine (not part of the key).
    public var absolutePath: String

    public static var parameterTypeName: String { "file path" }

    enum CodingKeys: String, CodingKey { case path, sha256 }

    init(path: String, sha256: String, absolutePath: String) {
        self.path = path
        self.sha256 = sha256
        self.absolutePath = absolutePath
    }

    public init(path: String, workspace: String) throws {
        self.path = path
        absolutePath = path.hasPrefix("/") ? path : (workspace as NSString).appendingPathComponent(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolutePath, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ContentFileError(message: "file '\(path)' not found (paths are relative to the workspace \(workspace == "." ? "(the current directory)" : workspace))")
        }
        sha256 = try SHA256Hasher.hex(fileAt: absolutePath)
    }

    /// Decodes a path written in a workflow (hashed now, resolved to `{"path", "sha256"}` in
    /// the record), or that resolved form itself (a stage spec run elsewhere: the recorded digest
    /// is kept, the path is found relative to the workspace).
    public init(from decoder: Decoder) throws {
        let session = decoder.userInfo[ParameterSession.userInfoKey] as? ParameterSession
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            let workspace = session?.workspace ?? "."
            do {
                try self.init(path: text, workspace: workspace)
            } catch let e as ContentFileError {
                let location = (decoder as? ConfigNodeDecoder)?.location ?? SourceLocation(file: "<spec>", line: 0, column: 0)
                throw Diagnostic(e.message, at: location, stage: session?.stage, key: session?.keyPath(decoder.codingPath))
            }
        } else {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let p = try c.decode(String.self, forKey: .path)
            let absolute = p.hasPrefix("/") ? p : ((session?.workspace ?? ".") as NSString).appendingPathComponent(p)
            self.init(path: p, sha256: try c.decode(String.self, forKey: .sha256), absolutePath: absolute)
        }
        session?.recordResolved(.object(["path": .string(path), "sha256": .string(sha256)]), at: decoder.codingPath)
    }
}

struct ContentFileError: Error {
    let message: String
}
