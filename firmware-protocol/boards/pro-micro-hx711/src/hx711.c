#include "hx711.h"

#include "board.h"

int32_t hx711_sign_extend(uint32_t raw24)
{
    raw24 &= 0x00FFFFFFUL;
    if (raw24 & 0x00800000UL) {
        return (int32_t)(raw24 | 0xFF000000UL);
    }
    return (int32_t)raw24;
}

int32_t hx711_read(void)
{
    uint32_t raw = 0;
    uint8_t pulse;

    for (pulse = 0; pulse < HX711_PULSES_A128; pulse++) {
        /* A late interrupt must not stretch the high phase: the HX711
         * powers down after 60 µs high (datasheet, "Power down"). */
        uint8_t irq = board_irq_save();
        board_hx711_sck(1);
        board_hx711_half_period(); /* T2: DOUT valid 0.1 µs after the rising edge */
        if (pulse < 24u) {
            raw = (raw << 1) | (board_hx711_dout() ? 1u : 0u); /* MSB first */
        }
        board_hx711_sck(0);
        board_irq_restore(irq);
        board_hx711_half_period(); /* T4: low at least 0.2 µs */
    }
    return hx711_sign_extend(raw);
}
