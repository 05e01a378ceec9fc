#include "u64_vec.h"

#include <stdlib.h>

#define TL_VEC_FIRST_CAPACITY 1024

int tl_u64_vec_push(tl_u64_vec *vec, uint64_t value) {
    if (vec->length == vec->capacity) {
        uint64_t capacity = vec->capacity ? vec->capacity * 2 : TL_VEC_FIRST_CAPACITY;
        uint64_t *data = realloc(vec->data, (size_t)(capacity * sizeof *data));
        if (data == NULL)
            return 0;
        vec->data = data;
        vec->capacity = capacity;
    }
    vec->data[vec->length++] = value;
    return 1;
}

void tl_u64_vec_free(tl_u64_vec *vec) {
    free(vec->data);
    vec->data = NULL;
    vec->length = vec->capacity = 0;
}
