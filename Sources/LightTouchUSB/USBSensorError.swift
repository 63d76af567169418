import LightTouchCore

/// Why a USB sensor cannot be listed, opened or used. Each case's
/// `description` is one line a user can act on.
public enum USBSensorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No device with the sensor's VID:PID is connected.
    case noSensorFound(USBDeviceID)
    /// Sensors are connected, but none has the serial asked for.
    case serialNotFound(String, available: [String])
    /// Several sensors are connected and none was chosen.
    case severalSensors([String])
    /// The device node cannot be opened (EACCES): the udev rule is missing.
    case permissionDenied(deviceNode: String)
    /// Another program has claimed the sensor's interface (EBUSY).
    case sensorBusy(serial: String)
    /// The sensor speaks a protocol major version this LightTouch does not implement.
    case protocolVersionNotSupported(major: UInt8, minor: UInt8, serial: String)
    /// GET_INFO failed validation for another reason (short, bad channel count, rate or sensitivity).
    case unusableDeviceInfo(SensorInfo.DecodeError, serial: String)
    /// The sensor STALLed a control request (PROTOCOL.md §4): it refused it.
    case requestRefused(ControlRequest)
    /// A control request's answer was too short to be valid.
    case invalidResponse(ControlRequest, length: Int)
    /// The sensor went away (unplugged, or repeated transfer errors).
    case disconnected(serial: String)
    /// The operation needs the stream stopped.
    case streaming(ControlRequest)
    /// `LIGHTTOUCH_USB_ID` is not of the form VVVV:PPPP.
    case invalidDeviceID(String)
    /// libusb failed in a way none of the cases above covers.
    case usb(LibUSBError, operation: String)

    /// The udev rule shipped with LightTouch.
    public static let udevRulePath = "packaging/udev/70-lighttouch.rules"

    public var description: String {
        switch self {
        case .noSensorFound(let id):
            return "No sensor found (no USB device \(id)). Plug one in, or try the demo sensor: add `--sensor demo`."
        case .serialNotFound(let serial, let available):
            let present = available.isEmpty ? "" : " (connected: \(available.joined(separator: ", ")))"
            return "No sensor with serial \(serial) is connected\(present). Check `lighttouch devices`, or try `--sensor demo`."
        case .severalSensors(let serials):
            return "Several sensors are connected (\(serials.joined(separator: ", "))); choose one with `--sensor SERIAL`."
        case .permissionDenied(let node):
            return "Permission denied opening the sensor at \(node). Install the udev rule \(Self.udevRulePath) "
                + "(it grants the logged-in user access with TAG+=\"uaccess\"): "
                + "sudo cp \(Self.udevRulePath) /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger, "
                + "then replug the sensor."
        case .sensorBusy(let serial):
            return "Sensor \(serial) is busy: another program is using it. Close that program and try again."
        case .protocolVersionNotSupported(let major, let minor, let serial):
            // The protocol's own wording (PROTOCOL.md §3.1), from the codec.
            let reason = SensorInfo.DecodeError.unsupportedVersion(major: major, minor: minor).description
            return "Sensor \(serial): \(reason). Update LightTouch or the sensor's firmware."
        case .unusableDeviceInfo(let error, let serial):
            return "Sensor \(serial) cannot be used: \(error)."
        case .requestRefused(let request):
            return "The sensor refused \(request.name) (it STALLed the request)."
        case .invalidResponse(let request, let length):
            return "The sensor's answer to \(request.name) is not valid (\(length) bytes)."
        case .disconnected(let serial):
            return "Sensor \(serial) was disconnected."
        case .streaming(let request):
            return "\(request.name) is not possible while the sensor streams; stop the stream first."
        case .invalidDeviceID(let text):
            return "\(USBDeviceID.environmentVariable)=\(text) is not a USB ID; use VVVV:PPPP in hexadecimal, e.g. 1209:0001."
        case .usb(let error, let operation):
            return "USB error while \(operation): \(error)."
        }
    }
}
