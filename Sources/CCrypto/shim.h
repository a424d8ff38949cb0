#ifndef FLOW_CCRYPTO_SHIM_H
#define FLOW_CCRYPTO_SHIM_H
#include <openssl/sha.h>
#include <openssl/evp.h>
#endif
