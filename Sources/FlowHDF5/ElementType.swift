import CHDF5

/// The element types flow stores. Files always hold the little-endian standard HDF5 types, so
/// a file written on any machine has the same bytes and reads the same everywhere.
public enum HDF5ElementType: String, Sendable {
    case float64, float32, int64, int32, uint8, string
}

/// A Swift number that can be written to and read from a dataset. A conforming type must have
/// exactly the memory layout of its element type's native C type (checked on every transfer).
public protocol HDF5Scalar {
    static var hdf5ElementType: HDF5ElementType { get }
}

extension Double: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Float: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Int64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension Int32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension UInt8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
/// `Int` is stored as int64 (flow only targets 64-bit platforms, where the layouts agree).
extension Int: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }

/// The HDF5 type ids behind a numeric element type. Strings have none: they are variable-length
/// and handled by `StringCoding`.
struct NumericType {
    /// The host's native type, used for memory buffers.
    let native: hid_t
    /// The little-endian standard type, used in files and for the content digest's raw bytes.
    let littleEndian: hid_t
    /// Bytes per element in both.
    let size: Int
}

extension HDF5ElementType {
    /// The type ids for a numeric element type, nil for `.string`.
    var numeric: NumericType? {
        switch self {
        case .float64: return NumericType(native: flow_h5t_native_double(), littleEndian: flow_h5t_ieee_f64le(), size: 8)
        case .float32: return NumericType(native: flow_h5t_native_float(), littleEndian: flow_h5t_ieee_f32le(), size: 4)
        case .int64: return NumericType(native: flow_h5t_native_int64(), littleEndian: flow_h5t_std_i64le(), size: 8)
        case .int32: return NumericType(native: flow_h5t_native_int32(), littleEndian: flow_h5t_std_i32le(), size: 4)
        case .uint8: return NumericType(native: flow_h5t_native_uint8(), littleEndian: flow_h5t_std_u8le(), size: 1)
        case .string: return nil
        }
    }

    /// The element type a file's datatype reads as without loss where one of ours can hold it:
    /// floats up to 4 bytes are float32, wider floats float64; unsigned bytes are uint8; integers
    /// that fit in 32 signed bits are int32, other integers int64. Nil for types flow cannot read
    /// (compound, enum, array, reference, ...).
    init?(fileType: hid_t) {
        HDF5Runtime.prepareThread()
        let size = H5Tget_size(fileType)
        switch H5Tget_class(fileType) {
        case H5T_FLOAT:
            self = size <= 4 ? .float32 : .float64
        case H5T_INTEGER:
            let unsigned = H5Tget_sign(fileType) == H5T_SGN_NONE
            if unsigned && size == 1 {
                self = .uint8
            } else if size < 4 || (size == 4 && !unsigned) {
                self = .int32
            } else {
                self = .int64
            }
        case H5T_STRING:
            self = .string
        default:
            return nil
        }
    }
}

extension HDF5Scalar {
    /// The native type for `Self`, after checking that its memory layout matches it.
    static func numericType(at site: HDF5Site, for operation: String) throws -> NumericType {
        guard let numeric = hdf5ElementType.numeric, numeric.size == MemoryLayout<Self>.stride else {
            throw site.error(operation, "\(Self.self) does not have the layout of \(hdf5ElementType.rawValue)")
        }
        return numeric
    }
}
