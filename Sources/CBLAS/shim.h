#ifndef FLOW_CBLAS_SHIM_H
#define FLOW_CBLAS_SHIM_H
#include <cblas.h>
#endif
