// mimalloc (Debian's libmimalloc-dev), linked into Knock's executables. Its shared library
// defines malloc and free, so linking it replaces the C library's allocator for the whole
// process: Swift's runtime, SQLite, OpenSSL and SwiftNIO allocate through it.
#ifndef KNOCK_MIMALLOC_SHIM_H
#define KNOCK_MIMALLOC_SHIM_H
#include <mimalloc.h>
#endif
