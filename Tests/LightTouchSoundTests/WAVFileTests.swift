import Testing

@testable import LightTouchSound

@Suite struct WAVFileTests {
    @Test func aFileIsTheCanonicalHeaderThenLittleEndianSamples() {
        let bytes = WAVFile.encode([1, -2, 0x1234], sampleRate: 48_000)
        let expected: [UInt8] =
            Array("RIFF".utf8) + [42, 0, 0, 0] + Array("WAVE".utf8) + Array("fmt ".utf8) + [16, 0, 0, 0, 1, 0, 1, 0]
            + [0x80, 0xBB, 0, 0] + [0x00, 0x77, 0x01, 0] + [2, 0, 16, 0] + Array("data".utf8) + [6, 0, 0, 0]
            + [1, 0, 0xFE, 0xFF, 0x34, 0x12]
        #expect(bytes == expected)
    }
}
