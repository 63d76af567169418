import Testing

@testable import LightTouchUSB

@Suite struct USBDeviceIDTests {
    @Test func parsesHexVendorAndProduct() {
        #expect(USBDeviceID(parsing: "1209:0001") == USBDeviceID(vendorID: 0x1209, productID: 0x0001))
        #expect(USBDeviceID(parsing: "abcd:EF01") == USBDeviceID(vendorID: 0xABCD, productID: 0xEF01))
        #expect(USBDeviceID(parsing: "1:2") == USBDeviceID(vendorID: 1, productID: 2))
    }

    @Test(arguments: ["", "1209", "1209:", ":0001", "12090:0001", "1209:0001:2", "xyz0:0001", "1209-0001", " 1209:0001"])
    func rejectsWhatIsNotAnID(text: String) {
        #expect(USBDeviceID(parsing: text) == nil)
    }

    @Test func printsFourDigitsEach() {
        #expect(USBDeviceID(vendorID: 0x1209, productID: 0x1).description == "1209:0001")
        #expect(USBDeviceID.default.description == "1209:0001")
    }
}
