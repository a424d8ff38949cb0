#ifndef CFLOWSTARTUP_H
#define CFLOWSTARTUP_H
/// Referenced from `main` so that the linker keeps this object (and its `.preinit_array` entry).
int flow_startup_linked(void);
#endif
