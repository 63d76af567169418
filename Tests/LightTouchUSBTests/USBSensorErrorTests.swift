import LightTouchCore
import Testing

@testable import LightTouchUSB

@Suite struct USBSensorErrorTests {
    @Test func libusbCodesHaveTheirNames() {
        #expect(LibUSBError.busy.rawValue == -6)
        #expect(LibUSBError.access.name == "LIBUSB_ERROR_ACCESS")
        #expect(LibUSBError.pipe.name == "LIBUSB_ERROR_PIPE")
        #expect(LibUSBError.noDevice.description.contains("LIBUSB_ERROR_NO_DEVICE"))
        // A code this libusb does not know still round-trips.
        #expect(LibUSBError(rawValue: -1234).rawValue == -1234)
    }

    @Test func everyMessageIsOneLine() {
        let errors: [USBSensorError] = [
            .noSensorFound(.default), .serialNotFound("LT-1", available: ["LT-2"]), .severalSensors(["A", "B"]),
            .permissionDenied(deviceNode: "/dev/bus/usb/001/004"), .sensorBusy(serial: "LT-1"),
            .protocolVersionNotSupported(major: 2, minor: 0, serial: "LT-1"),
            .unusableDeviceInfo(.badChannelCount(7), serial: "LT-1"), .requestRefused(.setRate),
            .invalidResponse(.getStatus, length: 3), .disconnected(serial: "LT-1"), .streaming(.writeCalibration),
            .invalidDeviceID("nope"), .usb(.io, operation: "testing"),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"), "\(error)")
            #expect(!error.description.isEmpty)
        }
    }

    @Test func theMessagesSayWhatToDo() {
        #expect(USBSensorError.noSensorFound(.default).description.contains("--sensor demo"))
        let permission = USBSensorError.permissionDenied(deviceNode: "/dev/bus/usb/001/004").description
        #expect(permission.contains("/dev/bus/usb/001/004"))
        #expect(permission.contains("packaging/udev/70-lighttouch.rules"))
        #expect(permission.contains("TAG+=\"uaccess\""))
        #expect(permission.contains("udevadm"))
        #expect(USBSensorError.sensorBusy(serial: "LT-7").description.contains("LT-7 is busy"))
        #expect(
            USBSensorError.protocolVersionNotSupported(major: 2, minor: 3, serial: "LT-7").description
                .contains("protocol version 2.3 is not supported"))
        #expect(USBSensorError.requestRefused(.writeCalibration).description.contains("refused WRITE_CALIBRATION"))
    }

    @Test func controlRequestFailuresMapToTheirCases() {
        #expect(USBSensorError(.pipe, request: .setRate, serial: "S") == .requestRefused(.setRate))
        #expect(USBSensorError(.noDevice, request: .getStatus, serial: "S") == .disconnected(serial: "S"))
        #expect(USBSensorError(.io, request: .getInfo, serial: "S") == .usb(.io, operation: "sending GET_INFO"))
    }
}
