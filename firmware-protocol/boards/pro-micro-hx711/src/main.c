/*
 * LightTouch sensor firmware for an ATmega32U4 (Pro Micro / Leonardo) with an
 * HX711 load-cell amplifier: PROTOCOL.md 1.0 over the chip's own USB.
 * Everything runs from this loop; the only interrupts are the 1 ms clock tick
 * and the HX711's data-ready edge, which just note the time.
 */
#include <avr/interrupt.h>
#include <avr/io.h>

#include "app.h"
#include "board.h"
#include "usb.h"

ISR(INT0_vect)
{
    ltf_app_data_ready(board_clock_us());
}

int main(void)
{
    board_init();
    if (ltf_app_init() != 0) {
        for (;;) {
            /* An impossible configuration: the watchdog restarts the chip. */
        }
    }
    usb_init();
    for (;;) {
#ifdef LTF_TEST_HANG_AFTER_MS
        /* Only in `make test-firmwares`: a firmware that hangs, to show that
         * the watchdog brings it back. Never flashed. */
        if (board_clock_us() > LTF_TEST_HANG_AFTER_MS * 1000UL) {
            for (;;) {
            }
        }
#endif
        board_watchdog_kick();
        usb_poll();
        ltf_app_poll();
    }
}
