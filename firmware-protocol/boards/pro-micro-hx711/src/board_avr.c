/*
 * board.h on the ATmega32U4 at 16 MHz. Section numbers are those of the
 * ATmega16U4/32U4 datasheet, Atmel-7766J (04/2016).
 */
#include "board.h"

#include <avr/eeprom.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/wdt.h>

#include "clock.h"
#include "config.h"
#include "pins.h"

static volatile uint32_t ltf_clock_base_us;

/* A watchdog reset leaves the watchdog running with its shortest timeout:
 * turn it off before anything else (datasheet, "Watchdog Timer": WDRF must be
 * cleared before WDE can be). */
void ltf_early_init(void) __attribute__((naked, used, section(".init3")));
void ltf_early_init(void)
{
    MCUSR = 0;
    wdt_disable();
}

ISR(TIMER1_COMPA_vect)
{
    ltf_clock_base_us += 1000u; /* wraps at 2^32 µs with the clock */
}

void board_init(void)
{
    /* System clock prescaler 1: 16 MHz from the crystal (§6.8.1 "System
     * Clock Prescaler": set CLKPCE, then the new value within four cycles). */
    CLKPR = _BV(CLKPCE);
    CLKPR = 0;

    /* Pins ("I/O-Ports", DDRx/PORTx): PD_SCK output low (high for > 60 µs powers the HX711
     * down), RATE output, DOUT input with pull-up (a missing HX711 reads as
     * "not ready"), LED output, off (high). */
    DDRD |= _BV(LTF_SCK_BIT);
    PORTD &= (uint8_t)~_BV(LTF_SCK_BIT);
    DDRD &= (uint8_t)~_BV(LTF_DOUT_BIT);
    PORTD |= _BV(LTF_DOUT_BIT);
#if HX711_RATE == 0
    DDRC |= _BV(LTF_RATE_BIT);
#endif
    DDRB |= _BV(LTF_LED_BIT);
    PORTB |= _BV(LTF_LED_BIT);

    /* Timer1, CTC with OCR1A as top (WGM13:0 = 0100), clock/8 = 2 MHz:
     * a compare match every 2000 counts = 1 ms ("16-bit Timer/Counter":
     * "Clear Timer on Compare Match (CTC) Mode" and TCCR1B's WGM and CS bits). */
    TCCR1A = 0;
    TCCR1B = _BV(WGM12);
    OCR1A = LTF_CLOCK_COUNTS_PER_MS - 1u;
    TCNT1 = 0;
    TIFR1 = _BV(OCF1A);
    TIMSK1 = _BV(OCIE1A);
    TCCR1B = _BV(WGM12) | _BV(CS11);

    /* INT0 on DOUT's falling edge: the HX711's data ready ("External
     * Interrupts", EICRA: ISC01:0 = 10). */
    EICRA = (uint8_t)((EICRA & (uint8_t)~(_BV(ISC01) | _BV(ISC00))) | _BV(ISC01));
    EIFR = _BV(INTF0);

    /* Watchdog: reset after 500 ms without a kick ("Watchdog Timer", WDTCSR). */
    wdt_enable(WDTO_500MS);
    sei();
}

uint32_t board_clock_us(void)
{
    uint8_t sreg = SREG;
    uint32_t base;
    uint16_t count;
    uint8_t pending;

    cli();
    base = ltf_clock_base_us;
    count = TCNT1;                       /* the count before the flag */
    pending = (TIFR1 & _BV(OCF1A)) ? 1u : 0u;
    SREG = sreg;
    return ltf_clock_compose(base, count, pending);
}

void board_hx711_sck(uint8_t high)
{
    if (high) {
        PORTD |= _BV(LTF_SCK_BIT);
    } else {
        PORTD &= (uint8_t)~_BV(LTF_SCK_BIT);
    }
}

uint8_t board_hx711_dout(void)
{
    return (PIND & _BV(LTF_DOUT_BIT)) ? 1u : 0u;
}

void board_hx711_half_period(void)
{
#ifdef LTF_TEST_MISTIMED_HALF_PERIOD_US
    /* Only in `make test-firmwares`: a deliberately wrong firmware whose
     * PD_SCK stays high too long, to show that the simulated HX711 (and so
     * the tests) catch it. Never flashed. */
    __builtin_avr_delay_cycles(16UL * LTF_TEST_MISTIMED_HALF_PERIOD_US);
#else
    /* 16 cycles: 1 µs at 16 MHz. */
    __builtin_avr_delay_cycles(16);
#endif
}

void board_hx711_rate(uint8_t fast)
{
#if HX711_RATE == 0
    if (fast) {
        PORTC |= _BV(LTF_RATE_BIT);
    } else {
        PORTC &= (uint8_t)~_BV(LTF_RATE_BIT);
    }
#else
    (void)fast;
#endif
}

void board_hx711_ready_irq(uint8_t enabled)
{
    if (enabled) {
        EIFR = _BV(INTF0); /* forget edges made by the data bits */
        EIMSK |= _BV(INT0);
    } else {
        EIMSK &= (uint8_t)~_BV(INT0);
    }
}

uint8_t board_irq_save(void)
{
    uint8_t sreg = SREG;
    cli();
    return sreg;
}

void board_irq_restore(uint8_t state)
{
    SREG = state;
}

void board_led(uint8_t on)
{
    if (on) {
        PORTB &= (uint8_t)~_BV(LTF_LED_BIT);
    } else {
        PORTB |= _BV(LTF_LED_BIT);
    }
}

void board_eeprom_read(uint16_t address, uint8_t *buffer, uint16_t length)
{
    eeprom_read_block(buffer, (const void *)(uintptr_t)address, length);
}

void board_eeprom_write(uint16_t address, const uint8_t *buffer, uint16_t length)
{
    uint16_t i;
    for (i = 0; i < length; i++) {
        wdt_reset();
        eeprom_update_byte((uint8_t *)(uintptr_t)(address + i), buffer[i]);
    }
}

void board_eeprom_fill(uint16_t address, uint8_t value, uint16_t length)
{
    uint16_t i;
    for (i = 0; i < length; i++) {
        wdt_reset();
        eeprom_update_byte((uint8_t *)(uintptr_t)(address + i), value);
    }
}

void board_watchdog_kick(void)
{
    wdt_reset();
}
