#include "pf_averager.h"

#include <stdlib.h>
#include <string.h>

int pf_averager_start(pf_averager *a, uint32_t in_width, uint32_t in_height, uint32_t max_side) {
    memset(a, 0, sizeof *a);
    uint32_t longest = in_width > in_height ? in_width : in_height;
    a->in_width = in_width;
    a->in_height = in_height;
    if (longest <= max_side) {
        a->out_width = in_width;
        a->out_height = in_height;
    } else {
        a->out_width = (uint32_t)(((uint64_t)in_width * max_side + longest / 2) / longest);
        a->out_height = (uint32_t)(((uint64_t)in_height * max_side + longest / 2) / longest);
    }
    if (a->out_width == 0) a->out_width = 1;
    if (a->out_height == 0) a->out_height = 1;
    size_t cells = (size_t)a->out_width * a->out_height;
    a->column_cell = malloc(sizeof(uint32_t) * in_width);
    a->sums = calloc(cells * 3, sizeof(uint64_t));
    a->counts = calloc(cells, sizeof(uint32_t));
    if (!a->column_cell || !a->sums || !a->counts) return 0;
    for (uint32_t x = 0; x < in_width; x++) a->column_cell[x] = (uint32_t)((uint64_t)x * a->out_width / in_width);
    return 1;
}

void pf_averager_add_row(pf_averager *a, uint32_t y, const uint8_t *rgb) {
    if (y >= a->in_height) return;
    size_t row = (size_t)((uint64_t)y * a->out_height / a->in_height) * a->out_width;
    for (uint32_t x = 0; x < a->in_width; x++) {
        size_t cell = row + a->column_cell[x];
        uint64_t *sum = a->sums + cell * 3;
        sum[0] += rgb[0];
        sum[1] += rgb[1];
        sum[2] += rgb[2];
        a->counts[cell] += 1;
        rgb += 3;
    }
}

/* Cells no row reached (interlaced images, rows after damage) take the row above, else mid grey. */
uint8_t *pf_averager_finish(pf_averager *a) {
    size_t cells = (size_t)a->out_width * a->out_height;
    uint8_t *out = malloc(cells * 3);
    if (!out) return NULL;
    for (size_t cell = 0; cell < cells; cell++) {
        uint32_t n = a->counts[cell];
        for (int c = 0; c < 3; c++) {
            if (n > 0) {
                out[cell * 3 + c] = (uint8_t)((a->sums[cell * 3 + c] + n / 2) / n);
            } else if (cell >= a->out_width) {
                out[cell * 3 + c] = out[(cell - a->out_width) * 3 + c];
            } else {
                out[cell * 3 + c] = 128;
            }
        }
    }
    return out;
}

void pf_averager_release(pf_averager *a) {
    free(a->column_cell);
    free(a->sums);
    free(a->counts);
    memset(a, 0, sizeof *a);
}

void pf_picture_free(void *memory) { free(memory); }
