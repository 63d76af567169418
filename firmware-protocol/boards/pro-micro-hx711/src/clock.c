#include "clock.h"

uint32_t ltf_clock_compose(uint32_t base_us, uint16_t count, uint8_t compare_pending)
{
    /* A pending match with a small count: the timer wrapped after the base
     * was last advanced. A large count was read before the wrap. */
    if (compare_pending && count < LTF_CLOCK_COUNTS_PER_MS / 2u) {
        base_us += 1000u;
    }
    return base_us + (uint32_t)(count / 2u);
}
