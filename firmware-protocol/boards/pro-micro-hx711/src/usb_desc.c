#include "usb_desc.h"

#include <string.h>

#include "config.h"
#include "lt_device.h"

static const uint8_t ltf_device_descriptor[18] = {
    18, LTF_DESC_DEVICE, 0x00, 0x02,      /* bLength, DEVICE, bcdUSB 2.00 */
    0x00, 0x00, 0x00, LTF_EP0_SIZE,       /* class defined per interface; EP0 64 bytes */
    (uint8_t)(LT_USB_VID & 0xFF), (uint8_t)(LT_USB_VID >> 8),
    (uint8_t)(LT_USB_PID & 0xFF), (uint8_t)(LT_USB_PID >> 8),
    (uint8_t)(LTF_BCD_DEVICE & 0xFF), (uint8_t)(LTF_BCD_DEVICE >> 8),
    LTF_STRING_MANUFACTURER, LTF_STRING_PRODUCT, LTF_STRING_SERIAL,
    1                                     /* bNumConfigurations */
};

static const uint8_t ltf_configuration_descriptor[25] = {
    /* configuration 1: one interface, bus powered, bMaxPower 50 (100 mA) */
    9, LTF_DESC_CONFIGURATION, 25, 0, 1, LTF_CONFIGURATION_VALUE, 0, 0x80, 50,
    /* interface 0: one endpoint, vendor specific 0xFF/0x00/0x00 */
    9, 0x04, 0, 0, 1, 0xFF, 0x00, 0x00, 0,
    /* endpoint 0x81: interrupt IN, 64 bytes, bInterval 1 ms */
    7, 0x05, LT_EP_IN, 0x03, LT_PACKET_SIZE, 0, 1
};

/* A string descriptor: UTF-16LE of ASCII text. */
static int ltf_string(const char *text, uint8_t *out)
{
    size_t n = strlen(text);
    size_t i;

    if (n > (LTF_DESCRIPTOR_MAX - 2u) / 2u) {
        n = (LTF_DESCRIPTOR_MAX - 2u) / 2u;
    }
    out[0] = (uint8_t)(2u + 2u * n);
    out[1] = LTF_DESC_STRING;
    for (i = 0; i < n; i++) {
        out[2u + 2u * i] = (uint8_t)text[i];
        out[3u + 2u * i] = 0u;
    }
    return (int)(2u + 2u * n);
}

int ltf_usb_descriptor(uint8_t type, uint8_t index, const char *serial, uint8_t *out)
{
    switch (type) {
    case LTF_DESC_DEVICE:
        if (index != 0u) {
            return -1;
        }
        memcpy(out, ltf_device_descriptor, sizeof ltf_device_descriptor);
        return (int)sizeof ltf_device_descriptor;
    case LTF_DESC_CONFIGURATION:
        if (index != 0u) {
            return -1;
        }
        memcpy(out, ltf_configuration_descriptor, sizeof ltf_configuration_descriptor);
        return (int)sizeof ltf_configuration_descriptor;
    case LTF_DESC_STRING:
        switch (index) {
        case 0u: /* supported languages: en-US */
            out[0] = 4u;
            out[1] = LTF_DESC_STRING;
            out[2] = 0x09u;
            out[3] = 0x04u;
            return 4;
        case LTF_STRING_MANUFACTURER:
            return ltf_string("LightTouch", out);
        case LTF_STRING_PRODUCT:
            return ltf_string("LightTouch Force Sensor", out);
        case LTF_STRING_SERIAL:
            return ltf_string(serial, out);
        default:
            return -1;
        }
    default:
        return -1;
    }
}
