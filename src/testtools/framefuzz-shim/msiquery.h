/* framefuzz-shim/msiquery.h: broker.h includes it; protocol.c needs nothing from it. */
