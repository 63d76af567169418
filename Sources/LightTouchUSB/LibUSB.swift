import CLibUSB
import LightTouchCore

/// A libusb context: one per connection (and one per listing), so that each
/// connection's event thread handles only its own transfers.
// @unchecked Sendable: libusb contexts may be used from any thread (libusb's
// "Multi-threaded applications" documentation); the pointer never changes,
// and `exit()` is called once, after every user of the context is done.
final class USBContext: @unchecked Sendable {
    let pointer: OpaquePointer

    init() throws(LibUSBError) {
        var context: OpaquePointer?
        try check(libusb_init(&context))
        guard let context else { throw .other }
        pointer = context
        // libusb prints nothing itself: the driver reports through its Logger
        // (LIBUSB_DEBUG in the environment still overrides this).
        _ = lt_libusb_set_log_level(context, Int32(LIBUSB_LOG_LEVEL_NONE.rawValue))
    }

    /// libusb_exit. Only when no handle is open and no transfer is pending.
    func exit() { libusb_exit(pointer) }

    /// The connected devices with `id`, for the duration of `body`. A failure
    /// to get the device list is thrown as `listError(code)`.
    func withDevices<Result, Failure: Error>(
        matching id: USBDeviceID, listError: (LibUSBError) -> Failure,
        _ body: ([USBDeviceCandidate]) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(pointer, &list)
        if count < 0 { throw listError(LibUSBError(Int32(truncatingIfNeeded: count))) }
        defer { libusb_free_device_list(list, 1) }
        var candidates: [USBDeviceCandidate] = []
        for index in 0..<Int(count) {
            guard let device = list?[index] else { continue }
            var descriptor = libusb_device_descriptor()
            guard libusb_get_device_descriptor(device, &descriptor) == 0,
                descriptor.idVendor == id.vendorID, descriptor.idProduct == id.productID
            else { continue }
            candidates.append(
                USBDeviceCandidate(
                    device: device, bus: libusb_get_bus_number(device), address: libusb_get_device_address(device),
                    serialIndex: descriptor.iSerialNumber, bcdDevice: descriptor.bcdDevice))
        }
        return try body(candidates)
    }
}

/// A device in a libusb device list; valid while the list is.
struct USBDeviceCandidate {
    let device: OpaquePointer
    let bus: UInt8
    let address: UInt8
    let serialIndex: UInt8
    let bcdDevice: UInt16

    /// Where the device is on the bus.
    var location: USBLocation { USBLocation(bus: bus, address: address) }

    /// libusb_open.
    func open() throws(LibUSBError) -> DeviceHandle {
        var handle: OpaquePointer?
        try check(libusb_open(device, &handle))
        guard let handle else { throw .other }
        return DeviceHandle(pointer: handle, location: location)
    }
}

/// A device's place on the bus: "usb 001/004", and its usbfs node.
public struct USBLocation: Hashable, Sendable, CustomStringConvertible {
    public let bus: UInt8
    public let address: UInt8

    /// The usbfs device node, e.g. "/dev/bus/usb/001/004".
    public var deviceNode: String { "/dev/bus/usb/\(threeDigits(bus))/\(threeDigits(address))" }
    public var description: String { "usb \(threeDigits(bus))/\(threeDigits(address))" }

    private func threeDigits(_ value: UInt8) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}

/// An open libusb device handle.
// @unchecked Sendable: libusb device handles may be used from any thread; the
// connection decides who may close one (see USBSensorConnection).
struct DeviceHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let location: USBLocation

    /// The string descriptor at `index` as ASCII, or nil.
    func string(at index: UInt8) -> String? {
        guard index != 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 128)
        let length = buffer.withUnsafeMutableBufferPointer {
            libusb_get_string_descriptor_ascii(pointer, index, $0.baseAddress, Int32($0.count))
        }
        guard length > 0 else { return nil }
        return String(decoding: buffer.prefix(Int(length)), as: UTF8.self)
    }

    /// A vendor IN request (PROTOCOL.md §4): the bytes the device returned.
    func controlIn(_ request: ControlRequest, value: UInt16 = 0, length: Int) throws(LibUSBError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: length)
        let count = buffer.withUnsafeMutableBufferPointer {
            libusb_control_transfer(
                pointer, ControlRequest.requestTypeIn, request.rawValue, value, 0, $0.baseAddress, UInt16(length),
                UInt32(ControlRequest.timeoutMilliseconds))
        }
        try check(count)
        return Array(buffer.prefix(Int(count)))
    }

    /// A vendor OUT request (PROTOCOL.md §4).
    func controlOut(_ request: ControlRequest, value: UInt16 = 0, data: [UInt8] = []) throws(LibUSBError) {
        var bytes = data
        let count = bytes.withUnsafeMutableBufferPointer {
            libusb_control_transfer(
                pointer, ControlRequest.requestTypeOut, request.rawValue, value, 0, $0.baseAddress, UInt16($0.count),
                UInt32(ControlRequest.timeoutMilliseconds))
        }
        try check(count)
    }

    func claimInterface() throws(LibUSBError) { try check(libusb_claim_interface(pointer, 0)) }

    func releaseInterface() { _ = libusb_release_interface(pointer, 0) }

    /// libusb_close. Never from a transfer callback (libusb #903), never with
    /// transfers in flight.
    func close() { libusb_close(pointer) }
}
