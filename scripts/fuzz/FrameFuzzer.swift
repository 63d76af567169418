// libFuzzer entry point for the frame codec and the stream accounting.
// Built by scripts/fuzz.sh together with LightTouchCore's sources; not part of the package.

/// Any input: split into packets at 0xFF 0xFE markers and fed to a tracker;
/// every packet the decoder accepts must re-encode to exactly its bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var tracker = StreamTracker(rate: 1000, firstSequence: bytes.first.map { UInt32($0) })
    var packet: [UInt8] = []
    var index = 0
    func feed(_ packet: [UInt8]) {
        if case .success(let frame) = FrameCodec.decode(packet) {
            precondition(FrameCodec.encode(frame) == packet, "an accepted frame does not re-encode to its bytes")
        }
        _ = tracker.ingest(packet)
        _ = SensorInfo.decode(packet)
        _ = DeviceStatus.decode(packet)
        _ = CalibrationBlob.decode(packet, expectedSerial: "LT-FUZZ")
    }
    while index < bytes.count {
        if index + 1 < bytes.count, bytes[index] == 0xFF, bytes[index + 1] == 0xFE {
            feed(packet)
            packet.removeAll(keepingCapacity: true)
            index += 2
        } else {
            packet.append(bytes[index])
            index += 1
        }
    }
    feed(packet)
    tracker.finish(nextSequence: bytes.count > 4 ? UInt32(bytes[1]) : nil)
    return 0
}
