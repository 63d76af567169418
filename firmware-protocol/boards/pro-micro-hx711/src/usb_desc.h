/* The USB descriptors of a LightTouch sensor, exactly as PROTOCOL.md §1
 * lists them (USB 2.0 spec, chapter 9.6). */
#ifndef LTF_USB_DESC_H
#define LTF_USB_DESC_H

#include <stdint.h>

#define LTF_DESC_DEVICE 1u
#define LTF_DESC_CONFIGURATION 2u
#define LTF_DESC_STRING 3u

#define LTF_STRING_MANUFACTURER 1u
#define LTF_STRING_PRODUCT 2u
#define LTF_STRING_SERIAL 3u

#define LTF_EP0_SIZE 64u
#define LTF_CONFIGURATION_VALUE 1u
#define LTF_DESCRIPTOR_MAX 64u

/* Writes descriptor `type` number `index` into `out` (LTF_DESCRIPTOR_MAX
 * bytes) and returns its length, or -1 when there is no such descriptor
 * (the request is then STALLed). `serial` is the iSerialNumber text. */
int ltf_usb_descriptor(uint8_t type, uint8_t index, const char *serial, uint8_t *out);

#endif
