#ifndef FLOW_CLAPACKE_SHIM_H
#define FLOW_CLAPACKE_SHIM_H
#include <lapacke.h>
#endif
