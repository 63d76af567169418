#if canImport(Glibc)
    import Glibc
#endif

/// The USB vendor and product ID that identify a LightTouch sensor
/// (PROTOCOL.md §1): 1209:0001 by default, overridable with the environment
/// variable `LIGHTTOUCH_USB_ID=VVVV:PPPP` (hexadecimal).
public struct USBDeviceID: Hashable, Sendable, CustomStringConvertible {
    public var vendorID: UInt16
    public var productID: UInt16

    /// The environment variable that overrides the default ID.
    public static let environmentVariable = "LIGHTTOUCH_USB_ID"
    /// The pid.codes test ID the protocol names.
    public static let `default` = USBDeviceID(vendorID: 0x1209, productID: 0x0001)

    public init(vendorID: UInt16, productID: UInt16) {
        self.vendorID = vendorID
        self.productID = productID
    }

    /// Parses "VVVV:PPPP" (hexadecimal, 1 to 4 digits each).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...4).contains(parts[0].count), (1...4).contains(parts[1].count),
            let vendor = UInt16(parts[0], radix: 16), let product = UInt16(parts[1], radix: 16)
        else { return nil }
        self.init(vendorID: vendor, productID: product)
    }

    /// The ID from `LIGHTTOUCH_USB_ID`, or the default when it is not set.
    public static func fromEnvironment() throws(USBSensorError) -> USBDeviceID {
        guard let raw = getenv(environmentVariable) else { return .default }
        let text = String(cString: raw)
        if text.isEmpty { return .default }
        guard let id = USBDeviceID(parsing: text) else { throw .invalidDeviceID(text) }
        return id
    }

    /// "1209:0001".
    public var description: String { hex(vendorID) + ":" + hex(productID) }

    private func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
