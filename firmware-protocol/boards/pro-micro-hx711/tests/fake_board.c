#include "fake_board.h"

#include <string.h>

#include "board.h"
#include "usb.h"

fake_board fake;

void fake_reset(void)
{
    memset(&fake, 0, sizeof fake);
    memset(fake.eeprom, 0xFF, sizeof fake.eeprom);
    fake.irq_enabled = 1;
    fake.dout = 1;
}

void fake_hx711_ready(int32_t value)
{
    fake.hx_code = (uint32_t)value & 0xFFFFFFu;
    fake.hx_ready = 1;
    fake.hx_pulses = 0;
    fake.dout = 0;
}

void board_init(void) {}

uint32_t board_clock_us(void) { return fake.now_us; }

void board_hx711_sck(uint8_t high)
{
    if (high && !fake.sck) {
        fake.sck_high_since = fake.now_us;
        if (fake.irq_enabled) fake.sck_high_with_irq++;
        fake.hx_pulses++;
        /* The datasheet's shift register: bit 23 on the first rising edge. */
        if (fake.hx_pulses <= 24u) {
            fake.dout = (uint8_t)((fake.hx_code >> (24u - fake.hx_pulses)) & 1u);
        } else {
            fake.dout = 1; /* the 25th pulse: DOUT back high */
            fake.hx_ready = 0;
        }
    } else if (!high && fake.sck) {
        uint32_t high_us = fake.now_us - fake.sck_high_since;
        if (high_us > fake.sck_longest_high_us) fake.sck_longest_high_us = high_us;
    }
    fake.sck = high;
}

uint8_t board_hx711_dout(void) { return fake.dout; }
void board_hx711_half_period(void) { fake.now_us += 1u; }
void board_hx711_rate(uint8_t fast) { fake.rate_fast = fast; }
void board_hx711_ready_irq(uint8_t enabled) { fake.ready_irq = enabled; }

uint8_t board_irq_save(void)
{
    uint8_t state = fake.irq_enabled;
    fake.irq_enabled = 0;
    return state;
}

void board_irq_restore(uint8_t state) { fake.irq_enabled = state; }
void board_led(uint8_t on) { fake.led = on; }

void board_eeprom_read(uint16_t address, uint8_t *buffer, uint16_t length)
{
    memcpy(buffer, fake.eeprom + address, length);
}

/* Like eeprom_update_byte: a byte that already holds the value is not written. */
void board_eeprom_write(uint16_t address, const uint8_t *buffer, uint16_t length)
{
    uint16_t i;
    for (i = 0; i < length; i++) {
        if (fake.eeprom[address + i] != buffer[i]) {
            fake.eeprom[address + i] = buffer[i];
            fake.eeprom_writes++;
        }
    }
}

void board_eeprom_fill(uint16_t address, uint8_t value, uint16_t length)
{
    uint16_t i;
    for (i = 0; i < length; i++) {
        if (fake.eeprom[address + i] != value) {
            fake.eeprom[address + i] = value;
            fake.eeprom_writes++;
        }
    }
}

void board_watchdog_kick(void) {}

uint8_t usb_in_ready(void) { return fake.configured && fake.sent < 32u; }

void usb_in_send(const uint8_t *packet, uint8_t length)
{
    memcpy(fake.packets[fake.sent], packet, length);
    fake.lengths[fake.sent] = length;
    fake.sent++;
}
