
/// What a sensor connection reports while streaming, on the connection's own
/// thread (the USB event thread, or the demo sensor's timer queue). The handler
/// must only decode and hand off: it must never block.
public enum SensorEvent: Sendable {
    /// One interrupt IN packet, exactly as it arrived (PROTOCOL.md §2).
    case packet([UInt8])
    /// No frame for longer than the stall limit while streaming.
    case stalled
    /// The sensor went away (unplugged, or repeated transfer errors).
    case disconnected(reason: String)
    /// The same sensor came back and streaming resumed.
    case reconnected
}

/// A sensor that streams, whatever carries it: USB through libusb, or the
/// in-process demo sensor. Every implementation delivers the same frame bytes
/// to the same decoder.
public protocol SensorConnection: AnyObject, Sendable {
    /// The device info read at open (PROTOCOL.md §4.1).
    var info: SensorInfo { get }
    /// A short description of the transport, e.g. "demo" or "usb 001/004".
    var transport: String { get }

    /// SET_RATE. Only while stopped.
    func setRate(_ hertz: Int) throws
    /// Submits transfers, sends START_STREAM and calls `handler` for every event
    /// until `stop()` returns.
    func start(handler: @escaping @Sendable (SensorEvent) -> Void) throws
    /// STOP_STREAM and wait until no transfer is in flight and no handler call
    /// is running. Idempotent, safe in any state.
    func stop()
    /// GET_STATUS (PROTOCOL.md §4.5).
    func status() throws -> DeviceStatus
    /// READ_CALIBRATION: the stored blob, or empty when none is stored.
    func readCalibration() throws -> [UInt8]
    /// WRITE_CALIBRATION.
    func writeCalibration(_ blob: [UInt8]) throws
    /// Stops if needed and releases the sensor. Idempotent.
    func close()
}
