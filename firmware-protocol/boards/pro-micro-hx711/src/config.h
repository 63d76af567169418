/*
 * What this sensor is: firmware version, the HX711's rates, and the load
 * cell's typical figures reported in GET_INFO (PROTOCOL.md §4.1).
 */
#ifndef LTF_CONFIG_H
#define LTF_CONFIG_H

#define LTF_FW_MAJOR 1
#define LTF_FW_MINOR 0
#define LTF_FW_PATCH 0
#define LTF_BCD_DEVICE 0x0100 /* bcdDevice: firmware version as BCD 0xMMmm (§1) */

/* HX711_RATE: 0 when the RATE pin is wired to the board (both 10 and 80
 * samples/s are offered), or 10 / 80 when RATE is hard-wired on the HX711
 * board (only that rate is offered, and GET_INFO says so). */
#ifndef HX711_RATE
#define HX711_RATE 0
#endif
#if HX711_RATE != 0 && HX711_RATE != 10 && HX711_RATE != 80
#error "HX711_RATE must be 0 (RATE pin wired), 10 or 80"
#endif

/*
 * Nominal figures for a 100 g bar cell of 1 mV/V on channel A at gain 128:
 * the HX711's full scale is ±0.5·AVDD/128 (datasheet, "Analog Inputs") and
 * the cell gives 1 mV/V·AVDD at 100 g, so counts per gram are
 * 2^23 · 128 / 0.5 · 1e-3 / 100 = 21474.8, whatever AVDD is. The zero
 * balance of such cells is within ±0.1 mV/V: the nominal offset is 0.
 */
#define LTF_NOMINAL_OFFSET 0
#define LTF_NOMINAL_COUNTS_PER_GRAM 21474.8f

/* HX711 output settling after power-up, reset or a rate change
 * (datasheet, "Output settling time"): 400 ms at 10 SPS, 50 ms at 80 SPS. */
#define LTF_SETTLE_US_10 400000UL
#define LTF_SETTLE_US_80 50000UL

#define LTF_FALLBACK_SERIAL "LT-UNSET"

#endif
