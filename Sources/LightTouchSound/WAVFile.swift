/// A RIFF/WAVE file of 16-bit PCM, mono (the canonical 44-byte header:
/// Microsoft "Multimedia Programming Interface and Data Specifications 1.0", 1991).
public enum WAVFile {
    /// The header for `frames` mono 16-bit samples at `sampleRate`.
    public static func header(frames: Int, sampleRate: Int) -> [UInt8] {
        let dataBytes = UInt32(frames * 2)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44)
        func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
        func append32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        func append16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        append("RIFF")
        append32(36 + dataBytes)
        append("WAVE")
        append("fmt ")
        append32(16)
        append16(1)  // PCM
        append16(1)  // mono
        append32(UInt32(sampleRate))
        append32(UInt32(sampleRate * 2))  // bytes per second
        append16(2)  // bytes per frame
        append16(16)  // bits per sample
        append("data")
        append32(dataBytes)
        return bytes
    }

    /// A whole file: the header, then the samples little-endian.
    public static func encode(_ samples: [Int16], sampleRate: Int) -> [UInt8] {
        var bytes = header(frames: samples.count, sampleRate: sampleRate)
        bytes.reserveCapacity(44 + samples.count * 2)
        for sample in samples { withUnsafeBytes(of: sample.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }
}
