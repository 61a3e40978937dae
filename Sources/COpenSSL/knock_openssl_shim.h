// Knock's window onto the system OpenSSL 3 (libssl-dev).
//
// Swift imports OpenSSL's functions directly. What it cannot import are the function-like
// macros (most of the SSL_CTX_ctrl / BIO_ctrl family, the typed STACK_OF accessors and a few
// flag combinations); each is wrapped below as a `static inline` function with the same
// meaning, prefixed `knock_` so that it is obvious at the call site that it is ours.

#ifndef KNOCK_OPENSSL_SHIM_H
#define KNOCK_OPENSSL_SHIM_H

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

// MARK: SSL_CTX settings

static inline int knock_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int knock_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

/// Adds one certificate to the chain sent after the leaf; takes its own reference.
static inline int knock_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *cert) {
    return (int)SSL_CTX_add1_chain_cert(ctx, cert);
}

static inline long knock_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

static inline long knock_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

// MARK: SSL

static inline int knock_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// A fresh ex_data index for `SSL` objects, without constructor, duplicator or destructor.
static inline int knock_SSL_get_ex_new_index(void) {
    return SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

// MARK: BIO

static inline int knock_BIO_pending(BIO *bio) {
    return BIO_pending(bio);
}

static inline long knock_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

// MARK: Certificates

static inline int knock_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) {
    return sk_GENERAL_NAME_num(names);
}

static inline GENERAL_NAME *knock_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index) {
    return sk_GENERAL_NAME_value(names, index);
}

/// The `GEN_*` type of a general name (`GEN_DNS`, `GEN_URI`, `GEN_IPADD`, ...).
static inline int knock_GENERAL_NAME_type(const GENERAL_NAME *name) {
    return name->type;
}

/// The string of a DNS, URI or e-mail general name, or of an IP address (its raw 4 or 16
/// bytes); NULL for every other kind.
static inline const ASN1_STRING *knock_GENERAL_NAME_string(const GENERAL_NAME *name) {
    switch (name->type) {
    case GEN_DNS: return name->d.dNSName;
    case GEN_URI: return name->d.uniformResourceIdentifier;
    case GEN_EMAIL: return name->d.rfc822Name;
    case GEN_IPADD: return name->d.iPAddress;
    default: return NULL;
    }
}

/// RFC 2253 distinguished-name printing, but with UTF-8 kept as UTF-8 instead of `\XX`
/// escapes, so that names written in Chinese stay readable.
static inline unsigned long knock_XN_FLAG_RFC2253_UTF8(void) {
    return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
}

// MARK: Errors and memory

static inline int knock_ERR_GET_LIB(unsigned long code) {
    return ERR_GET_LIB(code);
}

static inline int knock_ERR_GET_REASON(unsigned long code) {
    return ERR_GET_REASON(code);
}

static inline void knock_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

#endif // KNOCK_OPENSSL_SHIM_H
