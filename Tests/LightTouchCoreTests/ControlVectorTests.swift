import Foundation
import Testing

@testable import LightTouchCore

@Suite struct ControlVectorTests {
    @Test func deviceInfoAndStatusResponsesDecodeAsExpected() throws {
        let responses = try Vectors.cases("control.json", key: "responses")
        var checked = 0
        for vector in responses {
            let name = vector.string("name") ?? "?"
            let bytes = Vectors.bytes(hex: vector.string("hex") ?? "")
            let expect = try #require(vector.object("expect"), "\(name)")
            let ok = expect.string("result") == "ok"
            if name.hasPrefix("get_info") {
                switch SensorInfo.decode(bytes) {
                case .success(let info):
                    #expect(ok, "\(name) decoded but should fail")
                    #expect(Int(info.protocolMajor) == expect.int("protocol_major"), "\(name)")
                    #expect(Int(info.protocolMinor) == expect.int("protocol_minor"), "\(name)")
                    #expect(info.firmwareVersion == expect.string("firmware"), "\(name)")
                    #expect(info.channels == expect.int("channels"), "\(name)")
                    #expect(Int(info.capabilities.rawValue) == expect.int("capabilities"), "\(name)")
                    #expect(info.sampleRate == expect.int("sample_rate_hz"), "\(name)")
                    #expect(info.supportedRates == (expect["supported_rates"] as? [Int]), "\(name)")
                    #expect(Int(info.nominalOffset) == expect.int("nominal_offset"), "\(name)")
                    #expect(Double(info.nominalCountsPerGram) == expect.double("nominal_counts_per_gram"), "\(name)")
                    #expect(info.adcBits == expect.int("adc_bits"), "\(name)")
                    #expect(info.samplesPerFrame == expect.int("samples_per_frame"), "\(name)")
                    #expect(info.adcModel == expect.string("adc_model"), "\(name)")
                    #expect(info.serial == expect.string("serial"), "\(name)")
                case .failure(let error):
                    #expect(!ok, "\(name) failed: \(error)")
                    #expect(error.code == expect.string("error"), "\(name)")
                }
                checked += 1
            } else if name.hasPrefix("get_status") {
                if let status = DeviceStatus.decode(bytes) {
                    #expect(ok, "\(name) decoded but should fail")
                    #expect(status.streaming == expect.bool("streaming"), "\(name)")
                    #expect(status.calibrationStored == expect.bool("calibration_stored"), "\(name)")
                    #expect(status.sampleRate == expect.int("sample_rate_hz"), "\(name)")
                    #expect(Int(status.nextSequence) == expect.int("next_sequence"), "\(name)")
                    #expect(Int(status.fifoDropped) == expect.int("fifo_dropped"), "\(name)")
                    #expect(Int(status.clockMicros) == expect.int("clock_us"), "\(name)")
                } else {
                    #expect(expect.string("error") == "too_short", "\(name)")
                }
                checked += 1
            }
        }
        #expect(checked == responses.count)
    }

    @Test func calibrationBlobsDecodeAsExpected() throws {
        let blobs = try Vectors.cases("calibration.json", key: "blobs")
        for vector in blobs {
            let name = vector.string("name") ?? "?"
            let bytes = Vectors.bytes(hex: vector.string("hex") ?? "")
            let expect = try #require(vector.object("expect"), "\(name)")
            switch CalibrationBlob.decode(bytes, expectedSerial: vector.string("expected_serial")) {
            case .success(let blob):
                #expect(expect.string("result") == "ok", "\(name) decoded but should fail")
                #expect(Int(blob.version) == expect.int("version"), "\(name)")
                #expect(blob.degree == expect.int("degree"), "\(name)")
                #expect(blob.channels == expect.int("channels"), "\(name)")
                #expect(blob.serial == expect.string("serial"), "\(name)")
                #expect(Int(blob.calibratedAt) == expect.int("calibrated_at"), "\(name)")
                #expect(Int(blob.expiresAt) == expect.int("expires_at"), "\(name)")
                #expect(blob.certificateID.map { String(format: "%02x", $0) }.joined() == expect.string("certificate_id"), "\(name)")
                #expect(blob.coefficients == (expect["coefficients"] as? [[Double]]), "\(name)")
                // Re-encoding a valid blob gives back the stored bytes.
                #expect(blob.encoded() == bytes, "\(name)")
            case .failure(let error):
                #expect(error.rawValue == expect.string("error"), "\(name)")
            }
        }
        let errors = Set(blobs.compactMap { $0.object("expect")?.string("error") })
        #expect(errors == Set(CalibrationBlob.DecodeError.allCases.map(\.rawValue)))
    }
}
