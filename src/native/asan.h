/* TL_UNDER_ASAN is 1 when built with AddressSanitizer (gcc defines __SANITIZE_ADDRESS__; clang
 * answers __has_feature), else 0. */
#ifndef TL_ASAN_H
#define TL_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define TL_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TL_UNDER_ASAN 1
#endif
#endif
#ifndef TL_UNDER_ASAN
#define TL_UNDER_ASAN 0
#endif

#endif
