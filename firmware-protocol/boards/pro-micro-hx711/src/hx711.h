/* Reading the HX711 24-bit ADC by bit-banging PD_SCK (HX711 datasheet,
 * "Serial Interface", Fig. 2 and Table 3). */
#ifndef LTF_HX711_H
#define LTF_HX711_H

#include <stdint.h>

/* 25 pulses: 24 data bits, then one that selects channel A, gain 128, for
 * the next conversion. */
#define HX711_PULSES_A128 25u

/* Reads one conversion (call only when DOUT is low: data ready). Clocks 24
 * bits in, MSB first, then HX711_PULSES_A128 - 24 more pulses; interrupts
 * are off during each high phase, so PD_SCK never stays high long enough
 * (60 µs) to power the chip down. Returns the two's-complement value
 * sign-extended to 32 bits: -8388608 (0x800000) to 8388607 (0x7FFFFF). */
int32_t hx711_read(void);

/* Sign extension of a raw 24-bit two's-complement code. */
int32_t hx711_sign_extend(uint32_t raw24);

#endif
