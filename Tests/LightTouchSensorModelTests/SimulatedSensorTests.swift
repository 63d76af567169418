import LightTouchCore
import Testing

@testable import LightTouchSensorModel

@Suite struct SimulatedSensorTests {
    func quietSensor(force: ForceProgram, rate: Int = 1000, channels: Int = 1, nonlinearity: Double = 0) throws -> SimulatedSensor {
        var configuration = SensorModelConfiguration()
        configuration.noiseGrams = 0
        configuration.force = force
        configuration.rate = rate
        configuration.channels = channels
        configuration.nonlinearity = nonlinearity
        return try SimulatedSensor(configuration: configuration)
    }

    func start(_ sensor: SimulatedSensor) {
        #expect(sensor.control(requestType: 0x40, request: 0x02, value: 0, index: 0, length: 0, data: []) == .ok)
    }

    func drain(_ sensor: SimulatedSensor, into tracker: inout StreamTracker) -> [SampleBlock] {
        var blocks: [SampleBlock] = []
        while let packet = sensor.pollIn() {
            if let block = tracker.ingest(packet) { blocks.append(block) }
        }
        return blocks
    }

    @Test func countsFollowTheTransferFunctionExactly() throws {
        // 5 g on k = 4000 counts/g over an offset of 120000: 140000 counts.
        let sensor = try quietSensor(force: .constant(grams: 5))
        start(sensor)
        sensor.advance(toSeconds: 0.1)
        var tracker = StreamTracker(rate: 1000)
        let blocks = drain(sensor, into: &tracker)
        #expect(blocks.count == 8)  // 0.1 s at 1 kHz, 10 samples a frame; the FIFO keeps the newest 8
        #expect(blocks.allSatisfy { $0.counts.allSatisfy { $0 == 140_000 } })
        #expect(blocks.allSatisfy { $0.samplesPerChannel == 10 })
    }

    @Test func theDeviceFIFOOverflowsWhenTheHostDoesNotPoll() throws {
        let sensor = try quietSensor(force: .constant(grams: 1))
        start(sensor)
        sensor.advance(toSeconds: 0.1)  // 101 samples → 10 frames built, FIFO holds 8
        var tracker = StreamTracker(rate: 1000, firstSequence: 0)
        _ = drain(sensor, into: &tracker)
        sensor.advance(toSeconds: 0.15)  // frames 10…14: they fit
        _ = drain(sensor, into: &tracker)
        // Queueing frames 8 and 9 pushed out frames 0 and 1. Each drop flags the
        // next frame built (9 and 10), and the host sees frames 2…9, 10…: sequence
        // 2 after an expected 0, so 2 lost.
        #expect(tracker.statistics.lostFrames == 2)
        #expect(tracker.statistics.overflowFlags == 2)
    }

    @Test func nonlinearityAddsAQuadraticTerm() throws {
        // counts = 120000 + 4000·(10 + 0.001·10²) = 160400.
        let sensor = try quietSensor(force: .constant(grams: 10), nonlinearity: 0.001)
        start(sensor)
        sensor.advance(toSeconds: 0.02)
        var tracker = StreamTracker(rate: 1000)
        let blocks = drain(sensor, into: &tracker)
        #expect(blocks.first?.counts.first == 160_400)
    }

    @Test func sampleTimesAreOnTheRateGrid() throws {
        let sensor = try quietSensor(force: .constant(grams: 0), rate: 320, channels: 2)
        start(sensor)
        sensor.advance(toSeconds: 0.05)
        var tracker = StreamTracker(rate: 320)
        let blocks = drain(sensor, into: &tracker)
        // 320 Hz, 2 channels: 3 samples a frame, 3125 µs apart, channel 1 offset by 1000 counts.
        #expect(blocks.count == 5)
        #expect(blocks.map(\.timestampMicros) == [0, 9_375, 18_750, 28_125, 37_500])
        #expect(blocks[0].count(channel: 1, sample: 0) == 121_000)
    }

    @Test func controlRequestsGoThroughTheDeviceReference() throws {
        let sensor = try quietSensor(force: .constant(grams: 0))
        let info = try sensor.info
        #expect(info.serial == "LT-DEMO-0001")
        #expect(info.sampleRate == 1000)
        #expect(info.nominalOffset == 120_000)
        #expect(info.nominalCountsPerGram == 4000)
        #expect(info.supportedRates == [10, 80, 320, 1000])
        #expect(sensor.control(requestType: 0x40, request: 0x04, value: 80, index: 0, length: 0, data: []) == .ok)
        #expect(try sensor.info.sampleRate == 80)
        #expect(sensor.control(requestType: 0x40, request: 0x04, value: 50, index: 0, length: 0, data: []) == .stall)
        start(sensor)
        #expect(sensor.control(requestType: 0x40, request: 0x04, value: 10, index: 0, length: 0, data: []) == .stall)
        #expect(sensor.control(requestType: 0x40, request: 0x7F, value: 0, index: 0, length: 0, data: []) == .stall)
    }

    @Test func aCalibrationBlobRoundTripsThroughFlash() throws {
        let sensor = try quietSensor(force: .constant(grams: 0))
        let blob = CalibrationBlob(
            degree: 2, serial: "LT-DEMO-0001", calibratedAt: 1_790_000_000, expiresAt: 1_821_536_000,
            certificateID: Array(0..<16), coefficients: [[120_003.5, 3_998.25, 0.125, 0]])
        #expect(sensor.control(requestType: 0xC0, request: 0x06, value: 0, index: 0, length: 256, data: []) == .data([]))
        let bytes = blob.encoded()
        #expect(sensor.control(requestType: 0x40, request: 0x07, value: 0, index: 0, length: UInt16(bytes.count), data: bytes) == .ok)
        guard case .data(let stored) = sensor.control(requestType: 0xC0, request: 0x06, value: 0, index: 0, length: 256, data: []) else {
            Issue.record("READ_CALIBRATION failed")
            return
        }
        #expect(stored == bytes)
        #expect(CalibrationBlob.decode(stored, expectedSerial: "LT-DEMO-0001") == .success(blob))
        // A blob for another sensor is refused and the stored one is kept.
        var foreign = blob
        foreign.serial = "LT-OTHER"
        let foreignBytes = foreign.encoded()
        #expect(sensor.control(requestType: 0x40, request: 0x07, value: 0, index: 0, length: UInt16(foreignBytes.count), data: foreignBytes) == .stall)
        #expect(sensor.control(requestType: 0xC0, request: 0x06, value: 0, index: 0, length: 256, data: []) == .data(bytes))
    }

    @Test func injectedFaultsAreCountedExactlyByTheHost() throws {
        let sensor = try quietSensor(force: .scenario(.steady), channels: 4)
        start(sensor)
        var injector = FaultInjector(corruptRate: 0.05, dropRate: 0.05, seed: 9)
        var tracker = StreamTracker(rate: 1000, firstSequence: 0)
        var deliveredSamples = 0
        var sentFrames = 0
        for step in 1...20_000 {  // 20 s of device time, polled every millisecond
            sensor.advance(toSeconds: Double(step) / 1000)
            while let packet = sensor.pollIn() {
                sentFrames += 1
                if let delivered = injector.transmit(packet), let block = tracker.ingest(delivered) {
                    deliveredSamples += block.samplesPerChannel
                }
            }
        }
        guard case .data(let statusBytes) = sensor.control(requestType: 0xC0, request: 0x05, value: 0, index: 0, length: 16, data: []),
            let status = DeviceStatus.decode(statusBytes)
        else {
            Issue.record("GET_STATUS failed")
            return
        }
        tracker.finish(nextSequence: status.nextSequence)
        let s = tracker.statistics
        #expect(injector.dropped > 100 && injector.corrupted > 100)
        #expect(s.crcErrors == injector.corrupted)
        #expect(s.lostFrames == injector.dropped)
        #expect(s.frames == sentFrames - injector.dropped - injector.corrupted)
        #expect(s.samples == deliveredSamples)
        #expect(s.samples == 3 * s.frames)
    }
}
