import LightTouchCore
import Testing

@testable import LightTouchUSB

/// PROTOCOL.md §6: "sensor stalled" after no frame for max(250 ms, 4 frame periods).
@Suite struct StallLimitTests {
    private func info(rate: Int, channels: Int, samplesPerFrame: Int) -> SensorInfo {
        SensorInfo(
            firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, channels: channels, capabilities: [],
            sampleRate: rate, supportedRates: SensorProtocol.rates, nominalOffset: 0, nominalCountsPerGram: 1,
            samplesPerFrame: samplesPerFrame, adcModel: "ADS1220", serial: "LT-1")
    }

    @Test func fastStreamsUseTheFloorOf250ms() {
        #expect(USBSensorConnection.stallLimitNanos(for: info(rate: 1000, channels: 4, samplesPerFrame: 3)) == 250_000_000)
        #expect(USBSensorConnection.stallLimitNanos(for: info(rate: 320, channels: 1, samplesPerFrame: 3)) == 250_000_000)
    }

    @Test func slowStreamsWaitFourFramePeriods() {
        // 10 Hz, one sample a frame: 100 ms a frame.
        #expect(USBSensorConnection.stallLimitNanos(for: info(rate: 10, channels: 1, samplesPerFrame: 1)) == 400_000_000)
        // A device that reports 0 samples per frame: the reference's own count is used.
        #expect(USBSensorConnection.stallLimitNanos(for: info(rate: 10, channels: 2, samplesPerFrame: 0)) == 400_000_000)
    }
}
