import CHDF5

extension HDF5File {
    /// Feeds `sink` a canonical byte stream of the file's logical content, for the engine to hash
    /// into the output's content digest (DESIGN §4). Objects come in depth-first order with the
    /// members of each group sorted by UTF-8 bytes, so the stream does not depend on write order,
    /// chunking, storage layout, byte order in the file or HDF5 version; it changes with any name,
    /// kind, element type, shape, value or attribute.
    ///
    /// Encoding (integers are unsigned 64-bit little-endian, "text" is a length then UTF-8 bytes):
    /// a header line, then per object a one-byte kind and its absolute path as text —
    /// `G` group: attributes; `D` dataset: element type name as text, rank, extents, the elements
    /// (numbers as little-endian bytes of the element type, strings as texts), attributes;
    /// `L` soft or external link: one byte (`s`/`e`) and the link value as text.
    /// Attributes: their count, then per attribute (sorted by name) the name as text, a one-byte
    /// type tag (`d` double, `i` int, `s` string, `D` doubles, `I` ints, `S` strings), an element
    /// count for the list cases, and the values. The encoding can be parsed back unambiguously.
    ///
    /// Dataset elements are read in blocks of whole rows of at most 64 MiB.
    ///
    /// `excludingRootAttributes` names attributes of the root group to leave out: the workflow
    /// engine stores provenance there (cache key, parameters) that must not change the digest of
    /// otherwise identical results.
    public func feedContent(excludingRootAttributes excluded: Set<String> = [],
                            to sink: (UnsafeRawBufferPointer) -> Void) throws {
        try feedContent(to: sink, blockBytes: 64 << 20, excludingRootAttributes: excluded)
    }

    /// `feedContent(to:)` with a chosen block size, so tests can prove that blocking does not
    /// change the stream.
    func feedContent(to sink: (UnsafeRawBufferPointer) -> Void, blockBytes: Int,
                     excludingRootAttributes excluded: Set<String> = []) throws {
        try withoutActuallyEscaping(sink) { sink in
            let walker = ContentWalker(file: self, stream: ContentStream(sink: sink), blockBytes: blockBytes,
                                       excludedRootAttributes: excluded)
            walker.stream.raw(Array("flow-hdf5-content 1\n".utf8))
            try walker.group("/", ancestors: [])
        }
    }
}

/// The primitive encodings of the content stream.
private struct ContentStream {
    let sink: (UnsafeRawBufferPointer) -> Void

    func raw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes(sink)
    }

    func tag(_ character: Unicode.Scalar) {
        raw([UInt8(ascii: character)])
    }

    func integer(_ value: Int) {
        withUnsafeBytes(of: UInt64(value).littleEndian, sink)
    }

    func text(_ string: String) {
        integer(string.utf8.count)
        raw(Array(string.utf8))
    }

    func numbers<T: FixedWidthInteger>(_ values: [T]) {
        raw(values.flatMap { value in withUnsafeBytes(of: value.littleEndian, Array.init) })
    }
}

/// Walks a file's objects in canonical order and encodes each.
private struct ContentWalker {
    let file: HDF5File
    let stream: ContentStream
    let blockBytes: Int
    let excludedRootAttributes: Set<String>

    func group(_ path: String, ancestors: Set<haddr_t>) throws {
        let group = HDF5Group(file: file, path: path)
        let address = try HDF5Group.objectInfo(path, in: file).addr
        guard !ancestors.contains(address) else {
            throw file.site(path).error("digest group", "hard links form a cycle here")
        }
        stream.tag("G")
        stream.text(path)
        try attributes(of: group)
        for name in try group.children() {
            try member(path == "/" ? "/" + name : path + "/" + name, ancestors: ancestors.union([address]))
        }
    }

    private func member(_ path: String, ancestors: Set<haddr_t>) throws {
        let operation = "digest object"
        let site = file.site(path)
        let fileID = try file.openID(for: operation, site: site)
        var link = H5L_info_t()
        try site.call(operation) { H5Lget_info(fileID, path, &link, flow_h5p_default()) }
        guard link.type == H5L_TYPE_HARD else {
            return try self.link(path, info: link, fileID: fileID, site: site)
        }
        switch try HDF5Group.objectInfo(path, in: file).type {
        case H5O_TYPE_GROUP: try group(path, ancestors: ancestors)
        case H5O_TYPE_DATASET: try dataset(HDF5Dataset(file: file, path: path))
        default: throw site.error(operation, "unsupported object kind (named datatype)")
        }
    }

    private func link(_ path: String, info: H5L_info_t, fileID: hid_t, site: HDF5Site) throws {
        var value = [UInt8](repeating: 0, count: info.u.val_size)
        try site.call("digest link") { H5Lget_val(fileID, path, &value, value.count, flow_h5p_default()) }
        stream.tag("L")
        stream.text(path)
        stream.tag(info.type == H5L_TYPE_SOFT ? "s" : "e")
        stream.integer(value.count)
        stream.raw(value)
    }

    private func dataset(_ dataset: HDF5Dataset) throws {
        let whole = try dataset.select(nil, for: "digest dataset")
        stream.tag("D")
        stream.text(dataset.path)
        stream.text(dataset.elementType.rawValue)
        stream.integer(whole.shape.count)
        whole.shape.forEach(stream.integer)
        if whole.shape.isEmpty {
            try elements(of: dataset, whole)
        } else if whole.count > 0 {
            let rows = whole.shape[0]
            let rowElements = whole.shape.dropFirst().reduce(1, *)
            let bytesPerElement = dataset.elementType.numeric?.size ?? MemoryLayout<UnsafeRawPointer>.size
            let blockRows = max(1, blockBytes / max(1, rowElements * bytesPerElement))
            for start in stride(from: 0, to: rows, by: blockRows) {
                try elements(of: dataset, try dataset.select(start..<min(rows, start + blockRows), for: "digest dataset"))
            }
        }
        try attributes(of: dataset)
    }

    private func elements(of dataset: HDF5Dataset, _ selection: HDF5Dataset.Selection) throws {
        if let numeric = dataset.elementType.numeric {
            stream.raw(try dataset.readLittleEndianBytes(selection, type: numeric))
        } else {
            try dataset.readStrings(selection).forEach(stream.text)
        }
    }

    private func attributes(of holder: HDF5AttributeHolder) throws {
        var names = try holder.attributeNames()
        if holder.path == "/", holder is HDF5Group { names.removeAll { excludedRootAttributes.contains($0) } }
        stream.integer(names.count)
        for name in names {
            stream.text(name)
            guard let value = try holder.attribute(name) else {
                throw file.site(holder.path).error("digest attribute '\(name)' of", "it disappeared while being read")
            }
            switch value {
            case .double(let number): stream.tag("d"); stream.numbers([number.bitPattern])
            case .int(let number): stream.tag("i"); stream.numbers([number])
            case .string(let text): stream.tag("s"); stream.text(text)
            case .doubles(let numbers): stream.tag("D"); stream.integer(numbers.count); stream.numbers(numbers.map(\.bitPattern))
            case .ints(let numbers): stream.tag("I"); stream.integer(numbers.count); stream.numbers(numbers)
            case .strings(let texts): stream.tag("S"); stream.integer(texts.count); texts.forEach(stream.text)
            }
        }
    }
}
