#include "pf_jpeg_thumb.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/* The error manager must come first: libjpeg hands callbacks a jpeg_error_mgr pointer. */
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    char *message;
} thumb_error;

static void on_error_exit(j_common_ptr cinfo) {
    thumb_error *err = (thumb_error *)cinfo->err;
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    strncpy(err->message, buffer, 255);
    err->message[255] = '\0';
    longjmp(err->escape, 1);
}

/* Damaged data still gives a picture (libjpeg fills what is missing with grey): the
   picture shows the damage, the warnings are not needed here. */
static void on_emit_message(j_common_ptr cinfo, int level) { (void)cinfo; (void)level; }
static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void set_up_errors(thumb_error *err, char *message) {
    jpeg_std_error(&err->base);
    err->base.error_exit = on_error_exit;
    err->base.emit_message = on_emit_message;
    err->base.output_message = on_output_message;
    err->message = message;
}

/* Sums of the source pixels falling in each cell of the small picture. */
typedef struct {
    uint32_t in_width, in_height, out_width, out_height;
    uint32_t *column_cell;
    uint64_t *sums;
    uint32_t *counts;
} averager;

static int averager_start(averager *a, uint32_t in_width, uint32_t in_height, uint32_t max_side) {
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

static void averager_add_row(averager *a, uint32_t y, const uint8_t *rgb) {
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

/* The averages; cells no row reached take the nearest row above that was reached, else mid grey. */
static uint8_t *averager_finish(averager *a) {
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

static void averager_release(averager *a) {
    free(a->column_cell);
    free(a->sums);
    free(a->counts);
    memset(a, 0, sizeof *a);
}

void pf_thumb_free(void *memory) { free(memory); }

/* Everything the decoder touches after setjmp lives here, so longjmp cannot clobber it. */
typedef struct {
    struct jpeg_decompress_struct cinfo;
    thumb_error err;
    struct jpeg_progress_mgr progress;
    averager avg;
    uint8_t *rgb_row;
} thumb_state;

/* As the check's decoder: a file of hundreds of scans is built to take minutes. */
#define PF_THUMB_MAX_SCANS 100

static void on_progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > PF_THUMB_MAX_SCANS) {
        thumb_error *err = (thumb_error *)cinfo->err;
        snprintf(err->message, 256, "more than %d scans; not decoded", PF_THUMB_MAX_SCANS);
        longjmp(err->escape, 1);
    }
}

void pf_jpeg_thumbnail(const uint8_t *data, size_t size, uint32_t max_side, uint64_t max_pixels,
                       pf_jpeg_thumb *result) {
    memset(result, 0, sizeof *result);
    thumb_state *s = calloc(1, sizeof *s);
    if (!s) {
        result->status = 1;
        snprintf(result->message, sizeof result->message, "out of memory");
        return;
    }
    s->cinfo.err = &s->err.base;
    set_up_errors(&s->err, result->message);
    if (setjmp(s->err.escape)) {
        jpeg_destroy_decompress(&s->cinfo);
        averager_release(&s->avg);
        free(s->rgb_row);
        free(s);
        result->status = 1;
        return;
    }
    jpeg_create_decompress(&s->cinfo);
    s->cinfo.mem->max_memory_to_use = 512L << 20;
    s->progress.progress_monitor = on_progress;
    s->cinfo.progress = &s->progress;
    jpeg_mem_src(&s->cinfo, data, (unsigned long)size);
    jpeg_read_header(&s->cinfo, TRUE);
    result->width = s->cinfo.image_width;
    result->height = s->cinfo.image_height;
    if ((uint64_t)s->cinfo.image_width * s->cinfo.image_height > max_pixels) {
        result->status = 2;
        snprintf(result->message, sizeof result->message, "%u x %u pixels, more than the limit of %llu",
                 (unsigned)s->cinfo.image_width, (unsigned)s->cinfo.image_height, (unsigned long long)max_pixels);
        jpeg_destroy_decompress(&s->cinfo);
        free(s);
        return;
    }
    /* The smallest decode that still has at least max_side pixels on its longest side. */
    uint32_t longest = s->cinfo.image_width > s->cinfo.image_height ? s->cinfo.image_width : s->cinfo.image_height;
    unsigned denom = 8;
    while (denom > 1 && (longest + denom - 1) / denom < max_side) denom /= 2;
    s->cinfo.scale_num = 1;
    s->cinfo.scale_denom = denom;
    s->cinfo.dct_method = JDCT_IFAST;
    int cmyk = s->cinfo.jpeg_color_space == JCS_CMYK || s->cinfo.jpeg_color_space == JCS_YCCK;
    s->cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&s->cinfo);
    uint32_t width = s->cinfo.output_width, height = s->cinfo.output_height;
    int components = s->cinfo.output_components;
    if (!averager_start(&s->avg, width, height, max_side)) {
        snprintf(result->message, sizeof result->message, "out of memory");
        longjmp(s->err.escape, 1);
    }
    JSAMPARRAY rows = (*s->cinfo.mem->alloc_sarray)((j_common_ptr)&s->cinfo, JPOOL_IMAGE,
                                                    width * (JDIMENSION)components, 1);
    s->rgb_row = malloc((size_t)width * 3);
    if (!s->rgb_row) {
        snprintf(result->message, sizeof result->message, "out of memory");
        longjmp(s->err.escape, 1);
    }
    /* Adobe files store CMYK inverted: the ink left out is what shows. */
    int inverted = s->cinfo.saw_Adobe_marker;
    while (s->cinfo.output_scanline < height) {
        JDIMENSION y = s->cinfo.output_scanline;
        if (jpeg_read_scanlines(&s->cinfo, rows, 1) != 1) break;
        const uint8_t *in = rows[0];
        if (cmyk) {
            for (uint32_t x = 0; x < width; x++) {
                unsigned c = in[4 * x], m = in[4 * x + 1], yy = in[4 * x + 2], k = in[4 * x + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; yy = 255 - yy; k = 255 - k; }
                s->rgb_row[3 * x] = (uint8_t)(c * k / 255);
                s->rgb_row[3 * x + 1] = (uint8_t)(m * k / 255);
                s->rgb_row[3 * x + 2] = (uint8_t)(yy * k / 255);
            }
            averager_add_row(&s->avg, y, s->rgb_row);
        } else {
            averager_add_row(&s->avg, y, in);
        }
    }
    jpeg_abort_decompress(&s->cinfo);
    jpeg_destroy_decompress(&s->cinfo);
    result->pixels = averager_finish(&s->avg);
    result->out_width = s->avg.out_width;
    result->out_height = s->avg.out_height;
    averager_release(&s->avg);
    free(s->rgb_row);
    free(s);
    if (!result->pixels) {
        result->status = 1;
        snprintf(result->message, sizeof result->message, "out of memory");
    }
}

typedef struct {
    struct jpeg_compress_struct cinfo;
    thumb_error err;
    unsigned char *out;
    unsigned long out_size;
} encode_state;

void pf_jpeg_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height, int quality,
                        pf_jpeg_encoded *result) {
    memset(result, 0, sizeof *result);
    encode_state *s = calloc(1, sizeof *s);
    if (!s) {
        result->status = 1;
        snprintf(result->message, sizeof result->message, "out of memory");
        return;
    }
    s->cinfo.err = &s->err.base;
    set_up_errors(&s->err, result->message);
    if (setjmp(s->err.escape)) {
        /* Not s->out: libjpeg may have replaced that buffer while growing it (only
           running out of memory gets here, with our own pixels as input). */
        jpeg_destroy_compress(&s->cinfo);
        free(s);
        result->status = 1;
        return;
    }
    jpeg_create_compress(&s->cinfo);
    jpeg_mem_dest(&s->cinfo, &s->out, &s->out_size);
    s->cinfo.image_width = width;
    s->cinfo.image_height = height;
    s->cinfo.input_components = 3;
    s->cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&s->cinfo);
    jpeg_set_quality(&s->cinfo, quality, TRUE);
    jpeg_start_compress(&s->cinfo, TRUE);
    while (s->cinfo.next_scanline < height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)s->cinfo.next_scanline * width * 3);
        jpeg_write_scanlines(&s->cinfo, &row, 1);
    }
    jpeg_finish_compress(&s->cinfo);
    jpeg_destroy_compress(&s->cinfo);
    result->data = s->out;
    result->size = s->out_size;
    free(s);
}
