/*
 * A polled USB full-speed device stack for the ATmega32U4's controller,
 * written from its datasheet (Atmel-7766J, chapters 21 and 22): endpoint 0
 * answers the standard requests of USB 2.0 chapter 9 with the descriptors of
 * usb_desc.c and hands vendor requests to the application; endpoint 1 is the
 * interrupt IN endpoint 0x81 (64 bytes, one bank). No interrupts: the main
 * loop calls usb_poll().
 */
#ifndef LTF_USB_H
#define LTF_USB_H

#include <stdint.h>

/* Largest data stage of a vendor request (READ/WRITE_CALIBRATION). */
#define LTF_CONTROL_BUFFER 256u

/* Provided by the application. */
/* A vendor request, with lt_device_control's contract (< 0: STALL). */
int ltf_app_vendor_request(uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue, uint16_t wIndex,
                           uint16_t wLength, uint8_t *data);
/* Called while endpoint 0 waits for the host, so that sampling goes on. */
void ltf_app_idle(void);
/* The serial number for iSerialNumber. */
const char *ltf_app_serial(void);

/* Powers the USB pads and PLL and attaches to the bus. */
void usb_init(void);
/* Serves bus resets and control requests. */
void usb_poll(void);
/* 1 once the host has set configuration 1. */
uint8_t usb_configured(void);
/* 1 when endpoint 0x81's bank is free for a packet. */
uint8_t usb_in_ready(void);
/* Queues one packet (at most 64 bytes) on endpoint 0x81. */
void usb_in_send(const uint8_t *packet, uint8_t length);

#endif
