/* framefuzz-shim/msi.h: the MSI names broker.h may need (see windows.h here). */
#ifndef FRAMEFUZZ_SHIM_MSI_H
#define FRAMEFUZZ_SHIM_MSI_H
#include <stdint.h>
typedef uint32_t MSIHANDLE;   /* an unsigned long on Windows: 32 bits */
typedef int INSTALLMESSAGE, MSIRUNMODE, INSTALLSTATE;
#endif
