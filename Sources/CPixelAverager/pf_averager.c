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

int pf_grey_start(pf_grey_averager *a, uint32_t in_width, uint32_t in_height, uint32_t max_side) {
    memset(a, 0, sizeof *a);
    uint32_t longest = in_width > in_height ? in_width : in_height;
    a->in_width = in_width;
    a->in_height = in_height;
    /* Square cells of a whole number of pixels, `cell` on a side, the number that brings the
       longest side nearest `max_side`: cells of unequal widths would draw a false pattern. */
    uint32_t cell = max_side > 0 ? (longest + max_side / 2) / max_side : 1;
    if (cell == 0) cell = 1;
    a->cell = cell;
    a->out_width = (in_width + cell - 1) / cell;
    a->out_height = (in_height + cell - 1) / cell;
    if (a->out_width == 0) a->out_width = 1;
    if (a->out_height == 0) a->out_height = 1;
    a->step = cell / 4;
    if (a->step == 0) a->step = 1;
    a->samples = (in_width + a->step - 1) / a->step;
    size_t cells = (size_t)a->out_width * a->out_height;
    a->column_cell = malloc(sizeof(uint32_t) * (a->samples > 0 ? a->samples : 1));
    a->sums = calloc(cells, sizeof(uint32_t));
    a->counts = calloc(cells, sizeof(uint32_t));
    if (!a->column_cell || !a->sums || !a->counts) return 0;
    for (uint32_t i = 0; i < a->samples; i++) a->column_cell[i] = i * a->step / cell;
    return 1;
}

/* Samples fall into cells in runs (a cell is several samples wide): each run is summed in
   registers and added to its cell once, not sample by sample through memory. */
#define PF_GREY_RUNS(value_of_sample)                                  \
    do {                                                               \
        uint32_t cell = a->column_cell[0], sum = 0, n = 0;             \
        for (uint32_t i = 0; i < a->samples; i++) {                    \
            uint32_t next = a->column_cell[i];                         \
            if (next != cell) {                                        \
                sums[cell] += sum;                                     \
                counts[cell] += n;                                     \
                cell = next;                                           \
                sum = 0;                                               \
                n = 0;                                                 \
            }                                                          \
            sum += (value_of_sample);                                  \
            n += 1;                                                    \
        }                                                              \
        if (n > 0) {                                                   \
            sums[cell] += sum;                                         \
            counts[cell] += n;                                         \
        }                                                              \
    } while (0)

void pf_grey_add_samples(pf_grey_averager *a, uint32_t y, const uint8_t *grey) {
    if (!pf_grey_wants_row(a, y) || a->samples == 0) return;
    size_t row = (size_t)(y / a->cell) * a->out_width;
    uint32_t *sums = a->sums + row, *counts = a->counts + row;
    PF_GREY_RUNS(grey[i]);
}

void pf_grey_add_row(pf_grey_averager *a, uint32_t y, const uint8_t *pixels, int channels) {
    if (!pf_grey_wants_row(a, y) || a->samples == 0) return;
    size_t row = (size_t)(y / a->cell) * a->out_width;
    uint32_t *sums = a->sums + row, *counts = a->counts + row;
    size_t stride = (size_t)a->step * (size_t)channels;
    if (channels >= 3) {
        /* ITU-R BT.601 luma, as JPEG's YCbCr has it. */
        PF_GREY_RUNS((77u * pixels[i * stride] + 150u * pixels[i * stride + 1] + 29u * pixels[i * stride + 2] + 128u) >> 8);
    } else {
        PF_GREY_RUNS(pixels[i * stride]);
    }
}

uint8_t *pf_grey_finish(pf_grey_averager *a) {
    size_t cells = (size_t)a->out_width * a->out_height;
    uint8_t *out = malloc(cells > 0 ? cells : 1);
    if (!out) return NULL;
    /* Cells mostly hold the same number of samples: one division per change of count, not
       one per cell (a division costs more than the rest of the loop together). */
    uint32_t last = 0;
    uint64_t scale = 0;
    for (size_t cell = 0; cell < cells; cell++) {
        uint32_t n = a->counts[cell];
        if (n > 0) {
            if (n != last) {
                last = n;
                scale = ((uint64_t)1 << 32) / n + 1;
            }
            /* (sum + n/2) / n, exact for sums under 2^24 (at most 255 times a cell's samples). */
            out[cell] = (uint8_t)(((uint64_t)(a->sums[cell] + n / 2) * scale) >> 32);
        } else {
            out[cell] = cell >= a->out_width ? out[cell - a->out_width] : 128;
        }
    }
    return out;
}

void pf_grey_release(pf_grey_averager *a) {
    free(a->column_cell);
    free(a->sums);
    free(a->counts);
    memset(a, 0, sizeof *a);
}
