import CLibUSB
import Dispatch
import LightTouchCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A LightTouch sensor on USB, through libusb.
///
/// While streaming, one dedicated event thread handles every libusb event of
/// the connection's own context: it runs the transfer callbacks (which hand
/// each packet to the handler and resubmit), watches for a stalled or lost
/// sensor, closes a lost sensor's handle (never inside a callback) and, unless
/// told not to, reopens the sensor when the same serial returns.
///
/// Stopping follows hackrf's order: STOP_STREAM, cancel every transfer, wait
/// until none is in flight (a transfer counts as done on every final status,
/// COMPLETED included), wake the event thread with
/// `libusb_interrupt_event_handler` and join it. Closing then releases the
/// interface, closes the handle and exits libusb.
///
/// Thread-safety: `start`, `stop` and `close` are serialised by `lifecycle`;
/// the handle is used only under `handleSlot`; everything the callbacks and the
/// event thread share is in `state`. Lock order: lifecycle, handleSlot, state.
// @unchecked Sendable: the stored libusb objects (context, transfers) are
// raw pointers that never change after init; all mutable state is behind the
// Mutexes above, and the transfers are only touched by libusb while in flight.
public final class USBSensorConnection: SensorConnection, @unchecked Sendable {
    private let context: USBContext
    private let transfers: [InterruptTransfer]
    private let options: USBSensorOptions
    private var logger: Logger { options.logger }
    private let lifecycle = Mutex<Void>(())
    private let handleSlot: Mutex<DeviceHandle?>
    private let state: Mutex<SharedState>

    private enum Phase: Equatable {
        /// Open, not streaming.
        case idle
        case streaming
        /// stop() asked; STOP_STREAM answered and transfers cancelled since `since`.
        case stopping(since: UInt64)
        /// The sensor was lost; cancelling transfers before closing its handle.
        case draining(since: UInt64)
        /// The handle is closed; polling for the same serial to come back.
        case waitingForReturn
        /// The sensor is gone and the connection will not reopen it.
        case disconnected
    }

    private struct SharedState {
        var phase = Phase.idle
        var info: SensorInfo
        var location: USBLocation
        /// The rate the user asked for, restored after a reconnect.
        var requestedRate: Int
        var handler: (@Sendable (SensorEvent) -> Void)?
        var inFlight: [Bool]
        var inFlightCount = 0
        var stopRequested = false
        var lastFrameNanos: UInt64 = 0
        var consecutiveErrors = 0
        var lostReason: String?
        var stallReported = false
        /// The lost sensor's location was seen absent from the bus since it was lost.
        var sawAbsent = false
        var eventThread: pthread_t?
        /// Transfers that never finished after a cancel: they, the handle and
        /// the context are leaked rather than freed under libusb's feet.
        var abandoned = false
        var closed = false
        /// Transfers finished so far (for the event loop's pacing).
        var completions: UInt64 = 0
    }

    /// Consecutive transfer errors that count as a lost sensor (librtlsdr's rule, PROTOCOL.md §6).
    static let errorsBeforeLost = 5
    /// No frame for this long means the sensor is lost (PROTOCOL.md §6).
    static let lostAfterNanos: UInt64 = 1_000_000_000
    /// How long to wait for cancelled transfers before giving up on them.
    static let cancelDeadlineNanos: UInt64 = 2_000_000_000
    static let pollIntervalNanos: UInt64 = 100_000_000
    static let recancelIntervalNanos: UInt64 = 100_000_000
    /// The interrupt endpoint's polling interval (bInterval 1 at full speed).
    static let spinGuardNanos: UInt64 = 1_000_000

    init(context: USBContext, handle: DeviceHandle, info: SensorInfo, options: USBSensorOptions) {
        self.context = context
        self.options = options
        transfers = (0..<options.transfersInFlight).compactMap { _ in InterruptTransfer() }
        handleSlot = Mutex(handle)
        state = Mutex(
            SharedState(
                info: info, location: handle.location, requestedRate: info.sampleRate,
                inFlight: Array(repeating: false, count: options.transfersInFlight)))
    }

    deinit {
        close()
    }

    // MARK: SensorConnection

    public var info: SensorInfo { state.withLock { $0.info } }

    public var transport: String { state.withLock { "\($0.location)" } }

    /// The stall limit: no frame for max(250 ms, 4 frame periods) (PROTOCOL.md §6).
    static func stallLimitNanos(for info: SensorInfo) -> UInt64 {
        let samplesPerFrame =
            info.samplesPerFrame > 0
            ? info.samplesPerFrame
            : SensorProtocol.referenceSamplesPerFrame(rate: info.sampleRate, channels: info.channels)
        let framePeriod = Double(samplesPerFrame) / Double(max(info.sampleRate, 1))
        return UInt64(max(0.25, 4 * framePeriod) * 1e9)
    }

    public func setRate(_ hertz: Int) throws {
        guard let value = UInt16(exactly: hertz) else { throw USBSensorError.requestRefused(.setRate) }
        let (streaming, serial) = state.withLock { ($0.phase != .idle && $0.phase != .disconnected, $0.info.serial) }
        if streaming { throw USBSensorError.streaming(.setRate) }
        let info = try handleSlot.withLock { slot throws(USBSensorError) -> SensorInfo in
            guard let handle = slot else { throw .disconnected(serial: serial) }
            do {
                try handle.controlOut(.setRate, value: value)
                let bytes = try handle.controlIn(.getInfo, length: SensorInfo.encodedSize)
                guard case .success(let info) = SensorInfo.decode(bytes) else {
                    throw USBSensorError.invalidResponse(.getInfo, length: bytes.count)
                }
                return info
            } catch let error as LibUSBError {
                throw USBSensorError(error, request: .setRate, serial: serial)
            } catch let error as USBSensorError {
                throw error
            } catch {
                throw .usb(.other, operation: "sending SET_RATE")
            }
        }
        state.withLock {
            $0.info = info
            $0.requestedRate = info.sampleRate
        }
    }

    public func start(handler: @escaping @Sendable (SensorEvent) -> Void) throws {
        try lifecycle.withLock { _ throws(USBSensorError) in
            stopLocked()
            let serial = state.withLock { $0.info.serial }
            // Only close() (serialised by `lifecycle`) and the event thread
            // (not running now) close the handle, so it stays valid here.
            guard let handle = handleSlot.withLock({ $0 }) else { throw .disconnected(serial: serial) }
            state.withLock { state in
                state.phase = .streaming
                state.handler = handler
                state.stopRequested = false
                state.lastFrameNanos = Self.now()
                state.consecutiveErrors = 0
                state.lostReason = nil
                state.stallReported = false
            }
            // PROTOCOL.md §4.2: the host submits its IN transfers before START_STREAM.
            let submitError = submitAll(handle)
            try startEventThread()
            if let submitError {
                stopLocked()
                throw .usb(submitError, operation: "submitting transfers")
            }
            do throws(USBSensorError) {
                _ = try control(.startStream) { handle throws(LibUSBError) -> [UInt8] in
                    try handle.controlOut(.startStream)
                    return []
                }
            } catch {
                stopLocked()
                throw error
            }
        }
    }

    public func stop() {
        lifecycle.withLock { _ in stopLocked() }
    }

    public func status() throws -> DeviceStatus {
        let bytes = try control(.getStatus) { handle throws(LibUSBError) in
            try handle.controlIn(.getStatus, length: DeviceStatus.encodedSize)
        }
        guard let status = DeviceStatus.decode(bytes) else {
            throw USBSensorError.invalidResponse(.getStatus, length: bytes.count)
        }
        return status
    }

    public func readCalibration() throws -> [UInt8] {
        try control(.readCalibration) { handle throws(LibUSBError) in
            try handle.controlIn(.readCalibration, length: 256)
        }
    }

    public func writeCalibration(_ blob: [UInt8]) throws {
        guard blob.count <= Int(UInt16.max) else { throw USBSensorError.requestRefused(.writeCalibration) }
        let streaming = state.withLock { $0.phase != .idle && $0.phase != .disconnected }
        if streaming { throw USBSensorError.streaming(.writeCalibration) }
        _ = try control(.writeCalibration) { handle throws(LibUSBError) -> [UInt8] in
            try handle.controlOut(.writeCalibration, data: blob)
            return []
        }
    }

    public func close() {
        lifecycle.withLock { _ in
            stopLocked()
            let (alreadyClosed, abandoned) = state.withLock { state -> (Bool, Bool) in
                defer { state.closed = true }
                return (state.closed, state.abandoned)
            }
            if alreadyClosed { return }
            handleSlot.withLock { slot in
                if let handle = slot, !abandoned {
                    handle.releaseInterface()
                    handle.close()
                }
                slot = nil
            }
            if abandoned {
                logger.error("USB transfers never finished after being cancelled; leaving them and libusb open")
                return
            }
            for transfer in transfers { transfer.release() }
            context.exit()
        }
    }

    // MARK: Control requests

    private func control(
        _ request: ControlRequest, _ body: (DeviceHandle) throws(LibUSBError) -> [UInt8]
    ) throws(USBSensorError) -> [UInt8] {
        let serial = state.withLock { $0.info.serial }
        return try handleSlot.withLock { slot throws(USBSensorError) -> [UInt8] in
            guard let handle = slot else { throw .disconnected(serial: serial) }
            do throws(LibUSBError) {
                return try body(handle)
            } catch {
                throw USBSensorError(error, request: request, serial: serial)
            }
        }
    }

    // MARK: Transfers

    /// Fills and submits every transfer for `handle`. Returns the first error.
    /// Called without the state lock, before the event thread runs or on it.
    private func submitAll(_ handle: DeviceHandle) -> LibUSBError? {
        let context = Unmanaged.passUnretained(self).toOpaque()
        var firstError: LibUSBError?
        for (index, transfer) in transfers.enumerated() {
            transfer.fill(handle: handle, callback: transferCallback, context: context)
            state.withLock {
                $0.inFlight[index] = true
                $0.inFlightCount += 1
            }
            let result = libusb_submit_transfer(transfer.transfer)
            if result != 0 {
                state.withLock {
                    $0.inFlight[index] = false
                    $0.inFlightCount -= 1
                }
                firstError = firstError ?? LibUSBError(result)
            }
        }
        if let firstError { logger.error("could not submit transfers: \(firstError)") }
        return firstError
    }

    /// Cancels every transfer still in flight. libusb finishes each one
    /// through its callback, whatever its final status.
    private func cancelInFlight() {
        let inFlight = state.withLock { $0.inFlight }
        for (index, transfer) in transfers.enumerated() where inFlight[index] {
            _ = libusb_cancel_transfer(transfer.transfer)
        }
    }

    /// A transfer finished (libusb's callback, on whichever thread handles
    /// events: the event thread, or briefly a thread in a synchronous control
    /// request). Never blocks, never closes anything.
    fileprivate func transferFinished(_ pointer: UnsafeMutablePointer<libusb_transfer>) {
        guard let index = transfers.firstIndex(where: { $0.transfer == pointer }) else { return }
        let status = pointer.pointee.status
        let packet = status == LIBUSB_TRANSFER_COMPLETED ? transfers[index].received : nil
        let now = Self.now()
        let (resubmit, handler) = state.withLock { state -> (Bool, (@Sendable (SensorEvent) -> Void)?) in
            state.completions &+= 1
            switch status {
            case LIBUSB_TRANSFER_COMPLETED:
                state.consecutiveErrors = 0
                state.lastFrameNanos = now
                state.stallReported = false
            case LIBUSB_TRANSFER_NO_DEVICE:
                if state.lostReason == nil { state.lostReason = "the sensor was unplugged" }
            case LIBUSB_TRANSFER_CANCELLED, LIBUSB_TRANSFER_TIMED_OUT:
                break
            default:  // ERROR, STALL, OVERFLOW
                state.consecutiveErrors += 1
                if state.consecutiveErrors >= Self.errorsBeforeLost, state.lostReason == nil {
                    state.lostReason = "\(Self.errorsBeforeLost) transfers in a row failed (last: \(Self.name(of: status)))"
                }
            }
            // Keep resubmitting until STOP_STREAM has been answered, so the
            // frames the device built before it still have a transfer to go to.
            let keepGoing =
                state.phase == .streaming && state.lostReason == nil
                && status != LIBUSB_TRANSFER_CANCELLED && status != LIBUSB_TRANSFER_NO_DEVICE
            if !keepGoing {
                state.inFlight[index] = false
                state.inFlightCount -= 1
            }
            return (keepGoing, packet == nil ? nil : state.handler)
        }
        if resubmit {
            let result = libusb_submit_transfer(pointer)
            if result != 0 {
                state.withLock { state in
                    state.inFlight[index] = false
                    state.inFlightCount -= 1
                    if result == LIBUSB_ERROR_NO_DEVICE.rawValue {
                        if state.lostReason == nil { state.lostReason = "the sensor was unplugged" }
                    } else if state.inFlightCount == 0, state.lostReason == nil {
                        state.lostReason = "transfers could not be resubmitted (\(LibUSBError(result)))"
                    }
                }
            }
        }
        if let packet, let handler { handler(.packet(packet)) }
    }

    private static func name(of status: libusb_transfer_status) -> String {
        switch status {
        case LIBUSB_TRANSFER_ERROR: "error"
        case LIBUSB_TRANSFER_STALL: "stall"
        case LIBUSB_TRANSFER_OVERFLOW: "overflow"
        case LIBUSB_TRANSFER_TIMED_OUT: "timed out"
        default: "status \(status.rawValue)"
        }
    }

    // MARK: The event thread

    private func startEventThread() throws(USBSensorError) {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { argument in
                guard let argument else { return nil }
                let connection = Unmanaged<USBSensorConnection>.fromOpaque(argument).takeRetainedValue()
                connection.runEventLoop()
                return nil
            }, box)
        if result != 0 {
            Unmanaged<USBSensorConnection>.fromOpaque(box).release()
            throw .usb(.noMemory, operation: "starting the USB event thread")
        }
        state.withLock { $0.eventThread = thread }
    }

    /// With `lifecycle` held: asks the event thread to stop the stream and
    /// waits for it. Idempotent.
    private func stopLocked() {
        let thread = state.withLock { state -> pthread_t? in
            guard let thread = state.eventThread else { return nil }
            state.stopRequested = true
            return thread
        }
        guard let thread else { return }
        libusb_interrupt_event_handler(context.pointer)
        pthread_join(thread, nil)
        state.withLock { state in
            state.eventThread = nil
            state.handler = nil
            state.stopRequested = false
        }
    }

    /// What the event thread does next.
    private enum Step {
        case nothing
        case emit(SensorEvent, (@Sendable (SensorEvent) -> Void)?)
        case stopStream
        case lost(reason: String, (@Sendable (SensorEvent) -> Void)?)
        case cancelAgain
        case closeLostHandle
        case pollForReturn
        case exit
    }

    private func runEventLoop() {
        var lastCancel: UInt64 = 0
        var lastPoll: UInt64 = 0
        var completionsBefore: UInt64 = 0
        while true {
            let started = Self.now()
            var timeout = timeval(tv_sec: 0, tv_usec: 20_000)
            let result = libusb_handle_events_timeout_completed(context.pointer, &timeout, nil)
            if result < 0, result != LIBUSB_ERROR_INTERRUPTED.rawValue {
                logger.debug("libusb_handle_events: \(LibUSBError(result))")
            }
            let now = Self.now()
            let (step, completions) = state.withLock {
                (nextStep(&$0, now: now, lastCancel: lastCancel, lastPoll: lastPoll), $0.completions)
            }
            // A real usbfs node makes libusb block in poll() until a transfer
            // finishes. One that reports ready without progress (an emulated
            // node always does, see FIELD-NOTES) would make this loop spin;
            // then wait one bInterval (1 ms) before polling again, as a host
            // controller would.
            if case .nothing = step, completions == completionsBefore, now &- started < Self.spinGuardNanos {
                var pause = timespec(tv_sec: 0, tv_nsec: Int(Self.spinGuardNanos))
                nanosleep(&pause, nil)
            }
            completionsBefore = completions
            switch step {
            case .nothing:
                continue
            case .emit(let event, let handler):
                handler?(event)
            case .stopStream:
                // STOP_STREAM first: the device stops building frames and the
                // frames already in transfers still arrive; then cancel.
                handleSlot.withLock { slot in
                    do {
                        try slot?.controlOut(.stopStream)
                    } catch {
                        logger.debug("STOP_STREAM: \(error)")
                    }
                }
                let stopped = Self.now()
                state.withLock { $0.phase = .stopping(since: stopped) }
                cancelInFlight()
                lastCancel = stopped
            case .lost(let reason, let handler):
                logger.warning("sensor disconnected: \(reason)")
                handler?(.disconnected(reason: reason))
                cancelInFlight()
                lastCancel = now
            case .cancelAgain:
                cancelInFlight()
                lastCancel = now
            case .closeLostHandle:
                handleSlot.withLock { slot in
                    // Outside any callback, with no transfer in flight.
                    slot?.releaseInterface()
                    slot?.close()
                    slot = nil
                }
                state.withLock { state in
                    state.phase = options.reconnect && !state.stopRequested ? .waitingForReturn : .disconnected
                    state.lostReason = nil
                    state.sawAbsent = false
                }
            case .pollForReturn:
                lastPoll = now
                reopenIfReturned()
            case .exit:
                return
            }
        }
    }

    private func nextStep(_ state: inout SharedState, now: UInt64, lastCancel: UInt64, lastPoll: UInt64) -> Step {
        switch state.phase {
        case .streaming:
            if state.stopRequested, state.lostReason == nil {
                return .stopStream
            }
            if let reason = state.lostReason {
                state.phase = .draining(since: now)
                return .lost(reason: reason, state.handler)
            }
            let silent = now &- state.lastFrameNanos
            if silent >= Self.lostAfterNanos {
                state.lostReason = "no frame for 1 s (the sensor stalled)"
                state.phase = .draining(since: now)
                return .lost(reason: "no frame for 1 s (the sensor stalled)", state.handler)
            }
            if silent >= Self.stallLimitNanos(for: state.info), !state.stallReported {
                state.stallReported = true
                return .emit(.stalled, state.handler)
            }
            return .nothing
        case .stopping(let since):
            if state.inFlightCount == 0 {
                state.phase = .idle
                return .exit
            }
            if now &- since >= Self.cancelDeadlineNanos {
                state.abandoned = true
                state.phase = .idle
                return .exit
            }
            return now &- lastCancel >= Self.recancelIntervalNanos ? .cancelAgain : .nothing
        case .draining(let since):
            if state.inFlightCount == 0 { return .closeLostHandle }
            if now &- since >= Self.cancelDeadlineNanos {
                // The lost sensor's transfers never finished: leave them and
                // its handle alone, and stop using this connection.
                state.abandoned = true
                state.phase = .disconnected
                return .exit
            }
            return now &- lastCancel >= Self.recancelIntervalNanos ? .cancelAgain : .nothing
        case .waitingForReturn:
            if state.stopRequested {
                state.phase = .disconnected
                return .exit
            }
            return now &- lastPoll >= Self.pollIntervalNanos ? .pollForReturn : .nothing
        case .idle, .disconnected:
            return .exit
        }
    }

    /// On the event thread, while waiting: if the same serial is back on the
    /// bus (at a new address, or after its old one was seen empty), reopen it,
    /// restore the rate, resubmit and START_STREAM, then report `.reconnected`.
    private func reopenIfReturned() {
        let (serial, oldLocation, sawAbsentBefore, requestedRate) = state.withLock {
            ($0.info.serial, $0.location, $0.sawAbsent, $0.requestedRate)
        }
        var found: (DeviceHandle, SensorInfo)?
        do {
            found = try context.withDevices(matching: options.deviceID, listError: { $0 }) {
                candidates throws(LibUSBError) -> (DeviceHandle, SensorInfo)? in
                let sawAbsent = sawAbsentBefore || !candidates.contains { $0.location == oldLocation }
                if sawAbsent && !sawAbsentBefore { state.withLock { $0.sawAbsent = true } }
                for candidate in candidates where candidate.location != oldLocation || sawAbsent {
                    guard let handle = try? candidate.open() else { continue }
                    guard handle.string(at: candidate.serialIndex) == serial else {
                        handle.close()
                        continue
                    }
                    do {
                        var info = try USBSensors.prepare(handle, serial: serial)
                        if info.sampleRate != requestedRate, let rate = UInt16(exactly: requestedRate) {
                            try handle.controlOut(.setRate, value: rate)
                            let bytes = try handle.controlIn(.getInfo, length: SensorInfo.encodedSize)
                            if case .success(let updated) = SensorInfo.decode(bytes) { info = updated }
                        }
                        return (handle, info)
                    } catch {
                        logger.debug("sensor \(serial) is back but cannot be reopened yet: \(error)")
                        handle.releaseInterface()
                        handle.close()
                    }
                }
                return nil
            }
        } catch {
            logger.debug("polling for sensor \(serial): \(error)")
        }
        guard let (handle, info) = found else { return }
        handleSlot.withLock { $0 = handle }
        state.withLock { state in
            state.info = info
            state.location = handle.location
            state.phase = .streaming
            state.lastFrameNanos = Self.now()
            state.consecutiveErrors = 0
            state.stallReported = false
            state.lostReason = nil
        }
        if let error = submitAll(handle) {
            state.withLock { $0.lostReason = "transfers could not be submitted after reconnecting (\(error))" }
            return
        }
        do {
            try handle.controlOut(.startStream)
        } catch {
            state.withLock { $0.lostReason = "START_STREAM failed after reconnecting (\(error))" }
            return
        }
        logger.info("sensor reconnected", metadata: ["serial": "\(serial)", "location": "\(handle.location)"])
        let handler = state.withLock { $0.handler }
        handler?(.reconnected)
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

/// libusb's transfer callback: hands the transfer to its connection.
private let transferCallback: libusb_transfer_cb_fn = { transfer in
    guard let transfer, let context = transfer.pointee.user_data else { return }
    Unmanaged<USBSensorConnection>.fromOpaque(context).takeUnretainedValue().transferFinished(transfer)
}
