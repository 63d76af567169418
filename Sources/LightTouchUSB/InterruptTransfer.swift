import CLibUSB
import LightTouchCore

#if canImport(Glibc)
    import Glibc
#endif

/// One interrupt IN transfer of one packet (64 bytes at full speed) and its
/// buffer. The buffer is allocated with malloc and owned by this object, so it
/// outlives every submission of the transfer; `release()` frees both, and
/// only once the transfer is no longer in flight.
final class InterruptTransfer {
    let transfer: UnsafeMutablePointer<libusb_transfer>
    let buffer: UnsafeMutablePointer<UInt8>
    static let length = SensorProtocol.packetSize

    init?() {
        guard let transfer = libusb_alloc_transfer(0) else { return nil }
        guard let raw = malloc(Self.length) else {
            libusb_free_transfer(transfer)
            return nil
        }
        self.transfer = transfer
        buffer = raw.bindMemory(to: UInt8.self, capacity: Self.length)
        buffer.initialize(repeating: 0, count: Self.length)
    }

    /// Points the transfer at `handle`'s IN endpoint, with `callback` and `context`.
    func fill(handle: DeviceHandle, callback: libusb_transfer_cb_fn, context: UnsafeMutableRawPointer) {
        lt_libusb_fill_interrupt_in(
            transfer, handle.pointer, SensorProtocol.inEndpoint, buffer, Int32(Self.length), callback, context)
    }

    /// The bytes the last completion delivered.
    var received: [UInt8] {
        let count = min(max(Int(transfer.pointee.actual_length), 0), Self.length)
        return Array(UnsafeBufferPointer(start: buffer, count: count))
    }

    /// Frees the transfer and its buffer. Only when it is not in flight.
    func release() {
        libusb_free_transfer(transfer)
        free(buffer)
    }
}
