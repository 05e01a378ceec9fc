/* A growable array of 64-bit values that doubles its capacity like std::vector. */
#ifndef TL_U64_VEC_H
#define TL_U64_VEC_H

#include <stdint.h>

typedef struct tl_u64_vec {
    uint64_t *data;
    uint64_t length;
    uint64_t capacity;
} tl_u64_vec;

/* 1 on success, 0 when growing failed (the vector is unchanged). */
int tl_u64_vec_push(tl_u64_vec *vec, uint64_t value);
void tl_u64_vec_free(tl_u64_vec *vec);

#endif
