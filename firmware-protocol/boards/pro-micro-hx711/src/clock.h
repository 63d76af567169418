/* The 32-bit microsecond device clock (PROTOCOL.md §2.1) from a 1 ms timer
 * tick and the timer's count. */
#ifndef LTF_CLOCK_H
#define LTF_CLOCK_H

#include <stdint.h>

/* Timer counts per tick: Timer1 at 16 MHz / 8 = 2 MHz, compare at 1999. */
#define LTF_CLOCK_COUNTS_PER_MS 2000u

/* The device clock from `base_us` (the tick interrupt adds 1000 to it every
 * millisecond, wrapping at 2^32), the timer's count (0.5 µs units, 0-1999)
 * and whether a compare match is pending that the interrupt has not yet
 * counted (read with interrupts off, the count before the flag). Wraps at
 * 2^32 µs like the base. */
uint32_t ltf_clock_compose(uint32_t base_us, uint16_t count, uint8_t compare_pending);

#endif
