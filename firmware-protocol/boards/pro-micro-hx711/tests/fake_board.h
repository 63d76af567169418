/* The board and USB endpoint of the host tests: an HX711 that checks how it
 * is clocked, a clock the test sets, 1024 bytes of EEPROM, and endpoint 0x81
 * capturing what is sent. */
#ifndef LTF_FAKE_BOARD_H
#define LTF_FAKE_BOARD_H

#include <stdint.h>

typedef struct fake_board {
    uint32_t now_us;           /* the device clock; each half period adds 1 µs */
    uint8_t eeprom[1024];
    unsigned eeprom_writes;    /* bytes actually changed (each 3.4 ms on the chip) */
    uint8_t irq_enabled;
    uint8_t led;
    uint8_t rate_fast;
    uint8_t ready_irq;
    /* HX711 */
    uint32_t hx_code;          /* the 24-bit output being shifted */
    uint8_t hx_ready;          /* DOUT low */
    unsigned hx_pulses;
    uint8_t sck;
    uint32_t sck_high_since;
    uint32_t sck_longest_high_us;
    unsigned sck_high_with_irq; /* rising edges while interrupts were enabled */
    uint8_t dout;
    /* endpoint 0x81 */
    uint8_t configured;
    uint8_t packets[32][64];
    uint8_t lengths[32];
    unsigned sent;
} fake_board;

extern fake_board fake;

void fake_reset(void);
/* A conversion is ready with `value` (24-bit two's complement). */
void fake_hx711_ready(int32_t value);

#endif
