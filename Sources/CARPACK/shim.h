#ifndef FLOW_CARPACK_SHIM_H
#define FLOW_CARPACK_SHIM_H
#include <arpack.h>
#endif
