import CLibUSB

/// An error code from libusb-1.0 (`enum libusb_error` in libusb.h), in the
/// spirit of swift-system's `Errno`: one documented value per code, and any
/// code a newer libusb adds still round-trips through `rawValue`.
public struct LibUSBError: RawRepresentable, Error, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    init(_ code: Int32) { rawValue = code }

    /// Input/output error (`LIBUSB_ERROR_IO`).
    public static let io = LibUSBError(rawValue: -1)
    /// Invalid parameter (`LIBUSB_ERROR_INVALID_PARAM`).
    public static let invalidParameter = LibUSBError(rawValue: -2)
    /// Access denied, insufficient permissions (`LIBUSB_ERROR_ACCESS`).
    public static let access = LibUSBError(rawValue: -3)
    /// No such device: it may have been disconnected (`LIBUSB_ERROR_NO_DEVICE`).
    public static let noDevice = LibUSBError(rawValue: -4)
    /// Entity not found (`LIBUSB_ERROR_NOT_FOUND`).
    public static let notFound = LibUSBError(rawValue: -5)
    /// Resource busy: another program claimed the interface (`LIBUSB_ERROR_BUSY`).
    public static let busy = LibUSBError(rawValue: -6)
    /// Operation timed out (`LIBUSB_ERROR_TIMEOUT`).
    public static let timeout = LibUSBError(rawValue: -7)
    /// The device sent more data than asked for (`LIBUSB_ERROR_OVERFLOW`).
    public static let overflow = LibUSBError(rawValue: -8)
    /// Pipe error: for a control request, the device STALLed it (`LIBUSB_ERROR_PIPE`).
    public static let pipe = LibUSBError(rawValue: -9)
    /// A system call was interrupted (`LIBUSB_ERROR_INTERRUPTED`).
    public static let interrupted = LibUSBError(rawValue: -10)
    /// Insufficient memory (`LIBUSB_ERROR_NO_MEM`).
    public static let noMemory = LibUSBError(rawValue: -11)
    /// Operation not supported on this platform (`LIBUSB_ERROR_NOT_SUPPORTED`).
    public static let notSupported = LibUSBError(rawValue: -12)
    /// Any other error (`LIBUSB_ERROR_OTHER`).
    public static let other = LibUSBError(rawValue: -99)

    /// libusb's name for the code, e.g. "LIBUSB_ERROR_BUSY".
    public var name: String { String(cString: libusb_error_name(rawValue)) }

    public var description: String { "\(String(cString: libusb_strerror(rawValue))) (\(name))" }
}

/// Runs a libusb call that returns 0 or a negative error code.
@discardableResult
func check(_ code: Int32) throws(LibUSBError) -> Int32 {
    if code < 0 { throw LibUSBError(code) }
    return code
}
