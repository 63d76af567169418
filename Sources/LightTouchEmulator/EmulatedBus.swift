import CLightTouchEmulatorSupport

/// What sits behind the emulated USB bus: the sensor model (`EmulatedSensor`)
/// or a firmware on a simulated chip (`FirmwareSensor`). The C emulator calls
/// it with its own lock held, from its host-controller thread and from the
/// threads of the processes' ioctls.
public protocol EmulatedUSBDevice: AnyObject, Sendable {
    /// Runs the device towards wall-clock now by one step (1 ms); true when it is not there yet.
    func advanceOneStep() -> Bool
    /// The host polls interrupt endpoint 0x81: the packet's length, or 0 (NAK).
    func pollIn(into packet: UnsafeMutablePointer<UInt8>) -> Int
    /// A vendor control request: the data stage's length, or −1 to stall.
    func control(
        requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: UInt16, data: UnsafeMutablePointer<UInt8>?
    ) -> Int32
}

/// One device on the emulated bus (the C emulator, lt_emulator.h): its
/// umockdev testbed, its host-controller thread, plugging and unplugging.
/// It keeps the device alive until the emulator, and with it every thread
/// that calls the device, is gone.
public final class EmulatedBus: Sendable {
    /// What the device says when the host enumerates it.
    public struct Identity: Sendable {
        public var vendorID: UInt16
        public var productID: UInt16
        /// The firmware version, BCD 0xMMmm.
        public var bcdDevice: UInt16
        public var manufacturer: String
        public var product: String
        public var serial: String

        public init(vendorID: UInt16, productID: UInt16, bcdDevice: UInt16, manufacturer: String, product: String, serial: String) {
            self.vendorID = vendorID
            self.productID = productID
            self.bcdDevice = bcdDevice
            self.manufacturer = manufacturer
            self.product = product
            self.serial = serial
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let handle: Handle
    private let reference: DeviceReference
    /// The testbed's root: UMOCKDEV_DIR for the processes that use the device.
    public let rootDirectory: String

    /// umockdev's preload library, as umockdev-wrapper sets it.
    public static let preloadLibrary = "libumockdev-preload.so.0"

    /// Creates the testbed with `device` on it, unplugged, and starts the
    /// host controller's 1 ms polling. `descriptors` replace the emulator's
    /// own (a firmware's, as it enumerated).
    public init(device: any EmulatedUSBDevice, identity: Identity, descriptors: [UInt8]? = nil, deviceNodeMode: UInt32 = 0o666)
        throws(Failure)
    {
        let reference = DeviceReference(device)
        var errorBuffer = [CChar](repeating: 0, count: 512)
        let made: OpaquePointer? = identity.serial.withCString { serial in
            identity.manufacturer.withCString { manufacturer in
                identity.product.withCString { product in
                    var cIdentity = lte_device_identity(
                        vendor_id: identity.vendorID, product_id: identity.productID, bcd_device: identity.bcdDevice,
                        manufacturer: manufacturer, product: product, serial: serial)
                    let ops = lte_device_ops(
                        ctx: Unmanaged.passUnretained(reference).toOpaque(),
                        advance: { context in
                            guard let context else { return 0 }
                            return DeviceReference.device(context).advanceOneStep() ? 1 : 0
                        },
                        poll_in: { context, packet in
                            guard let context, let packet else { return 0 }
                            return DeviceReference.device(context).pollIn(into: packet)
                        },
                        control: { context, requestType, request, value, index, length, data in
                            guard let context else { return -1 }
                            return DeviceReference.device(context).control(
                                requestType: requestType, request: request, value: value, index: index, length: length, data: data)
                        })
                    return errorBuffer.withUnsafeMutableBufferPointer { lte_emulator_new(&cIdentity, ops, $0.baseAddress, $0.count) }
                }
            }
        }
        guard let pointer = made else { throw Failure(description: Self.text(errorBuffer)) }
        if let descriptors {
            _ = descriptors.withUnsafeBufferPointer { lte_emulator_set_descriptors(pointer, $0.baseAddress, $0.count) }
        }
        if deviceNodeMode != 0o666 { lte_emulator_set_node_mode(pointer, deviceNodeMode) }
        if lte_emulator_start_pump(pointer, 1000) != 0 {
            lte_emulator_free(pointer)
            throw Failure(description: "could not start the emulated host controller thread")
        }
        handle = Handle(pointer: pointer)
        self.reference = reference
        rootDirectory = String(cString: lte_emulator_root_dir(pointer))
    }

    deinit {
        // The emulator and its threads first; the device goes with `reference` after it.
        lte_emulator_free(handle.pointer)
    }

    /// The environment a process needs to see the device: the umockdev preload library and the testbed.
    public var environment: [String: String] {
        ["LD_PRELOAD": Self.preloadLibrary, "UMOCKDEV_DIR": rootDirectory]
    }

    /// The device node of the current (or last) plug.
    public var deviceNode: String { String(cString: lte_emulator_devnode(handle.pointer)) }

    public var isPlugged: Bool { lte_emulator_is_plugged(handle.pointer) != 0 }

    /// Replaces the descriptors the device enumerates with (before a plug).
    public func setDescriptors(_ descriptors: [UInt8]) {
        _ = descriptors.withUnsafeBufferPointer { lte_emulator_set_descriptors(handle.pointer, $0.baseAddress, $0.count) }
    }

    /// Plugs the device in, at the next device number, announced with an "add" uevent.
    public func plug() throws(Failure) {
        var errorBuffer = [CChar](repeating: 0, count: 512)
        let result = errorBuffer.withUnsafeMutableBufferPointer { lte_emulator_plug(handle.pointer, $0.baseAddress, $0.count) }
        if result != 0 { throw Failure(description: Self.text(errorBuffer)) }
    }

    /// Pulls the device out: URBs in flight complete with "no device", a
    /// "remove" uevent is sent. False when it was not plugged.
    public func unplug() -> Bool { lte_emulator_unplug(handle.pointer) == 0 }

    /// The host controller's counters.
    public var counters: lte_counters { lte_emulator_counters(handle.pointer) }

    /// A NUL-terminated C buffer as text.
    public static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    /// The C emulator handle.
    // @unchecked Sendable: every lte_emulator_* function takes the emulator's own
    // lock (see lt_emulator.h); the pointer itself never changes.
    private struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// The device, as one class the C callbacks can reach through their context pointer.
    private final class DeviceReference: Sendable {
        let device: any EmulatedUSBDevice

        init(_ device: any EmulatedUSBDevice) {
            self.device = device
        }

        static func device(_ context: UnsafeMutableRawPointer) -> any EmulatedUSBDevice {
            Unmanaged<DeviceReference>.fromOpaque(context).takeUnretainedValue().device
        }
    }
}
