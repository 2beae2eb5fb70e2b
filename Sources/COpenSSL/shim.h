#ifndef SHIPLOG_COPENSSL_SHIM_H
#define SHIPLOG_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <openssl/x509.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/param_build.h>

// Macros Swift cannot import, as functions.
static inline int shiplog_EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int padding) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, padding);
}
static inline int shiplog_EVP_PKEY_CTX_set_rsa_pss_saltlen(EVP_PKEY_CTX *ctx, int len) {
    return EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, len);
}
static inline long shiplog_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}
static inline const int shiplog_RSA_PKCS1_PADDING(void) { return RSA_PKCS1_PADDING; }
static inline const int shiplog_RSA_PKCS1_PSS_PADDING(void) { return RSA_PKCS1_PSS_PADDING; }
static inline const int shiplog_RSA_PSS_SALTLEN_DIGEST(void) { return RSA_PSS_SALTLEN_DIGEST; }
static inline const int shiplog_RSA_PSS_SALTLEN_AUTO(void) { return RSA_PSS_SALTLEN_AUTO; }

static inline const int shiplog_EVP_PKEY_PUBLIC_KEY(void) { return EVP_PKEY_PUBLIC_KEY; }
// OSSL_PARAM_BLD keeps the key and string pointers it is given until OSSL_PARAM_BLD_to_param: they must outlive
// the push calls, so they are C literals here rather than Swift strings bridged for one call.
static inline const char *shiplog_PARAM_RSA_N(void) { return OSSL_PKEY_PARAM_RSA_N; }
static inline const char *shiplog_PARAM_RSA_E(void) { return OSSL_PKEY_PARAM_RSA_E; }
static inline const char *shiplog_PARAM_GROUP_NAME(void) { return OSSL_PKEY_PARAM_GROUP_NAME; }
static inline const char *shiplog_PARAM_PUB_KEY(void) { return OSSL_PKEY_PARAM_PUB_KEY; }
static inline const char *shiplog_CURVE_P256(void) { return "prime256v1"; }

#endif
