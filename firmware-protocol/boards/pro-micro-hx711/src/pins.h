/*
 * Wiring on an Arduino Pro Micro (5 V, 16 MHz) or Leonardo; see
 * docs/sensor-build-guide.md. The simulation (lighttouch-emulator
 * --firmware) puts its HX711 on the same pins.
 *
 *   HX711 DOUT    -> PD0 (Pro Micro pin 3, INT0: the data-ready edge)
 *   HX711 PD_SCK  <- PD4 (Pro Micro pin 4)
 *   HX711 RATE    <- PC6 (Pro Micro pin 5; leave unconnected with HX711_RATE=10 or 80)
 *   LED           <- PB0 (the RX LED, lit when low)
 */
#ifndef LTF_PINS_H
#define LTF_PINS_H

#define LTF_DOUT_PORT D
#define LTF_DOUT_BIT 0
#define LTF_SCK_BIT 4   /* port D */
#define LTF_RATE_BIT 6  /* port C */
#define LTF_LED_BIT 0   /* port B */

#endif
