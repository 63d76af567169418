/*
 * The sensor's logic above the chip: the device reference (frames, FIFO,
 * control requests, calibration storage) fed by the HX711, the serial number
 * and calibration in EEPROM, IDENTIFY's blinking. It touches the hardware
 * only through board.h and usb.h, so the host tests run it too.
 */
#ifndef LTF_APP_H
#define LTF_APP_H

#include <stdint.h>

#include "lt_device.h"

/* Loads the serial number, sets up the device reference and the HX711's rate.
 * Returns 0, or -1 when the reference refuses the configuration. */
int ltf_app_init(void);

/* One turn of the main loop: reads a ready conversion, marks missed ones,
 * blinks the LED, hands a queued frame to endpoint 0x81. */
void ltf_app_poll(void);

/* The HX711's data-ready edge at device time `now_us` (from the interrupt). */
void ltf_app_data_ready(uint32_t now_us);

/* The device reference's state (for the tests). */
lt_device *ltf_app_device(void);

#endif
