/// Little-endian field access over a byte buffer whose length the caller has
/// already checked. Every accessor is bounds-safe: reading past the end yields
/// zero bytes rather than trapping, so a wrong length check can never crash on
/// data from outside.
struct LittleEndianReader {
    let bytes: UnsafeRawBufferPointer

    func u8(_ offset: Int) -> UInt8 {
        offset >= 0 && offset < bytes.count ? bytes[offset] : 0
    }

    func u16(_ offset: Int) -> UInt16 {
        UInt16(u8(offset)) | UInt16(u8(offset + 1)) << 8
    }

    func u32(_ offset: Int) -> UInt32 {
        UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16
    }

    func u64(_ offset: Int) -> UInt64 {
        UInt64(u32(offset)) | UInt64(u32(offset + 4)) << 32
    }

    func i32(_ offset: Int) -> Int32 { Int32(bitPattern: u32(offset)) }
    func i64(_ offset: Int) -> Int64 { Int64(bitPattern: u64(offset)) }
    func f32(_ offset: Int) -> Float { Float(bitPattern: u32(offset)) }
    func f64(_ offset: Int) -> Double { Double(bitPattern: u64(offset)) }

    /// A signed 24-bit two's-complement value.
    func i24(_ offset: Int) -> Int32 {
        let raw = UInt32(u8(offset)) | UInt32(u8(offset + 1)) << 8 | UInt32(u8(offset + 2)) << 16
        return Int32(bitPattern: raw << 8) >> 8
    }

    /// NUL-padded ASCII text; stops at the first NUL. Non-printable bytes become "?".
    func ascii(_ offset: Int, length: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for index in offset..<(offset + length) {
            let byte = u8(index)
            if byte == 0 { break }
            scalars.append(Unicode.Scalar((0x20...0x7E).contains(byte) ? byte : UInt8(ascii: "?")))
        }
        return String(scalars)
    }
}

/// Little-endian field writing into a growable byte array.
struct LittleEndianWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { u8(UInt8(truncatingIfNeeded: value)); u8(UInt8(truncatingIfNeeded: value >> 8)) }
    mutating func u32(_ value: UInt32) { u16(UInt16(truncatingIfNeeded: value)); u16(UInt16(truncatingIfNeeded: value >> 16)) }
    mutating func u64(_ value: UInt64) { u32(UInt32(truncatingIfNeeded: value)); u32(UInt32(truncatingIfNeeded: value >> 32)) }
    mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
    mutating func f32(_ value: Float) { u32(value.bitPattern) }
    mutating func f64(_ value: Double) { u64(value.bitPattern) }

    /// ASCII text, NUL-padded (or cut) to exactly `length` bytes.
    mutating func ascii(_ text: String, length: Int) {
        let utf8 = Array(text.utf8.prefix(length))
        bytes.append(contentsOf: utf8)
        bytes.append(contentsOf: repeatElement(0, count: length - utf8.count))
    }
}
