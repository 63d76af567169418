import CLibUSB
import LightTouchCore
import Logging

/// A LightTouch sensor found on the USB bus, as `lighttouch devices` lists it.
public struct USBSensorListing: Sendable, Equatable {
    /// Where it is on the bus.
    public var location: USBLocation
    /// Its serial number, when the device could be opened.
    public var serial: String?
    /// Its device info (GET_INFO), when it could be read and is valid.
    public var info: SensorInfo?
    /// Why the sensor cannot be used, in one line (permission, protocol version…), or nil.
    public var problem: String?
}

/// How a USB sensor connection behaves.
public struct USBSensorOptions: Sendable {
    /// The VID:PID to look for (default: `LIGHTTOUCH_USB_ID`, else 1209:0001).
    public var deviceID: USBDeviceID
    /// Interrupt IN transfers of one packet each kept in flight while streaming.
    /// 32 hold 96 ms of frames at 1 kHz × 4 channels (320 ms at 1 channel)
    /// while the host is busy, on top of the device's own 8-frame FIFO
    /// (24 ms): a loaded 2-core machine was seen to keep a process off the
    /// CPU for longer than 16 transfers cover. They cost 2 KiB.
    public var transfersInFlight: Int
    /// When the sensor is unplugged and the same serial comes back, reopen it
    /// and resume the stream (PROTOCOL.md §6). False reports the disconnect only.
    public var reconnect: Bool
    /// Where the driver reports what it does.
    public var logger: Logger

    public init(
        deviceID: USBDeviceID = .default, transfersInFlight: Int = 32, reconnect: Bool = true,
        logger: Logger = Logger(label: "lighttouch.usb")
    ) {
        self.deviceID = deviceID
        self.transfersInFlight = max(1, min(transfersInFlight, 64))
        self.reconnect = reconnect
        self.logger = logger
    }

    /// The defaults, with the device ID from the environment.
    public static func fromEnvironment(logger: Logger = Logger(label: "lighttouch.usb")) throws(USBSensorError)
        -> USBSensorOptions
    {
        USBSensorOptions(deviceID: try USBDeviceID.fromEnvironment(), logger: logger)
    }
}

/// Finding and opening LightTouch sensors on the USB bus through libusb.
public enum USBSensors {
    /// The sensors connected now. Devices that cannot be opened are listed
    /// with the reason as `problem`; none is claimed, so a sensor another
    /// program streams from is listed too.
    public static func list(options: USBSensorOptions) throws(USBSensorError) -> [USBSensorListing] {
        let context: USBContext
        do {
            context = try USBContext()
        } catch {
            throw .usb(error, operation: "starting libusb")
        }
        defer { context.exit() }
        return try context.withDevices(
            matching: options.deviceID, listError: { USBSensorError.usb($0, operation: "listing USB devices") }
        ) { candidates throws(USBSensorError) in
            candidates.map { candidate in
                var listing = USBSensorListing(location: candidate.location)
                let handle: DeviceHandle
                do throws(LibUSBError) {
                    handle = try candidate.open()
                } catch {
                    listing.problem =
                        error == .access
                        ? "permission denied; install \(USBSensorError.udevRulePath)"
                        : "cannot open: \(error)"
                    return listing
                }
                defer { handle.close() }
                listing.serial = handle.string(at: candidate.serialIndex)
                let serial = listing.serial ?? "?"
                do {
                    let bytes = try handle.controlIn(.getInfo, length: SensorInfo.encodedSize)
                    switch SensorInfo.decode(bytes) {
                    case .success(let info):
                        listing.info = info
                    case .failure(.unsupportedVersion(let major, let minor)):
                        listing.problem =
                            USBSensorError.protocolVersionNotSupported(major: major, minor: minor, serial: serial).description
                    case .failure(let error):
                        listing.problem = USBSensorError.unusableDeviceInfo(error, serial: serial).description
                    }
                } catch {
                    listing.problem = "GET_INFO failed: \(error)"
                }
                return listing
            }
        }
    }

    /// Opens the sensor with `serial`, or the only one connected when `serial`
    /// is nil: claims its interface and reads its device info. The sensor is
    /// not streaming yet.
    public static func open(serial: String?, options: USBSensorOptions) throws(USBSensorError) -> USBSensorConnection {
        let context: USBContext
        do {
            context = try USBContext()
        } catch {
            throw .usb(error, operation: "starting libusb")
        }
        do throws(USBSensorError) {
            let (handle, foundSerial) = try find(serial: serial, in: context, options: options)
            do throws(USBSensorError) {
                let info = try prepare(handle, serial: foundSerial)
                options.logger.info(
                    "opened sensor",
                    metadata: [
                        "serial": "\(info.serial)", "location": "\(handle.location)", "firmware": "\(info.firmwareVersion)",
                        "channels": "\(info.channels)", "rate": "\(info.sampleRate)",
                    ])
                return USBSensorConnection(context: context, handle: handle, info: info, options: options)
            } catch {
                handle.close()
                throw error
            }
        } catch {
            context.exit()
            throw error
        }
    }

    /// Claims the interface and reads GET_INFO (PROTOCOL.md §4.1, §6).
    static func prepare(_ handle: DeviceHandle, serial: String) throws(USBSensorError) -> SensorInfo {
        do {
            try handle.claimInterface()
        } catch {
            switch error {
            case .busy: throw .sensorBusy(serial: serial)
            case .access: throw .permissionDenied(deviceNode: handle.location.deviceNode)
            case .noDevice: throw .disconnected(serial: serial)
            default: throw .usb(error, operation: "claiming the sensor's interface")
            }
        }
        do throws(USBSensorError) {
            let bytes: [UInt8]
            do throws(LibUSBError) {
                bytes = try handle.controlIn(.getInfo, length: SensorInfo.encodedSize)
            } catch {
                throw USBSensorError(error, request: .getInfo, serial: serial)
            }
            switch SensorInfo.decode(bytes) {
            case .success(let info):
                return info
            case .failure(.unsupportedVersion(let major, let minor)):
                throw USBSensorError.protocolVersionNotSupported(major: major, minor: minor, serial: serial)
            case .failure(let error):
                throw USBSensorError.unusableDeviceInfo(error, serial: serial)
            }
        } catch {
            handle.releaseInterface()
            throw error
        }
    }

    /// The handle and serial of the sensor to open.
    private static func find(
        serial wanted: String?, in context: USBContext, options: USBSensorOptions
    ) throws(USBSensorError) -> (DeviceHandle, String) {
        return try context.withDevices(
            matching: options.deviceID, listError: { USBSensorError.usb($0, operation: "listing USB devices") }
        ) { candidates throws(USBSensorError) in
            if candidates.isEmpty { throw .noSensorFound(options.deviceID) }
            var opened: [(DeviceHandle, String)] = []
            var others: [String] = []
            var denied: [USBLocation] = []
            var firstError: LibUSBError?
            for candidate in candidates {
                let handle: DeviceHandle
                do throws(LibUSBError) {
                    handle = try candidate.open()
                } catch {
                    options.logger.debug("cannot open \(candidate.location): \(error)")
                    if error == .access { denied.append(candidate.location) } else { firstError = firstError ?? error }
                    continue
                }
                let serial = handle.string(at: candidate.serialIndex) ?? "(no serial)"
                if let wanted {
                    if serial == wanted {
                        for (other, _) in opened { other.close() }
                        return (handle, serial)
                    }
                    others.append(serial)
                    handle.close()
                } else {
                    opened.append((handle, serial))
                }
            }
            if wanted == nil, opened.count == 1 { return opened[0] }
            for (handle, _) in opened { handle.close() }
            if opened.count > 1 { throw .severalSensors(opened.map(\.1)) }
            if let location = denied.first { throw .permissionDenied(deviceNode: location.deviceNode) }
            if let wanted { throw .serialNotFound(wanted, available: others) }
            throw .usb(firstError ?? .notFound, operation: "opening the sensor")
        }
    }
}

extension USBSensorError {
    /// The error for a failed control request.
    init(_ error: LibUSBError, request: ControlRequest, serial: String) {
        switch error {
        case .pipe: self = .requestRefused(request)
        case .noDevice: self = .disconnected(serial: serial)
        default: self = .usb(error, operation: "sending \(request.name)")
        }
    }
}
