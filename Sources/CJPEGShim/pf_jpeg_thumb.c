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


/* Everything the decoder touches after setjmp lives here, so longjmp cannot clobber it. */
typedef struct {
    struct jpeg_decompress_struct cinfo;
    thumb_error err;
    struct jpeg_progress_mgr progress;
    pf_averager avg;
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
                       pf_small_picture *result) {
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
        pf_averager_release(&s->avg);
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
    if (!pf_averager_start(&s->avg, width, height, max_side)) {
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
            pf_averager_add_row(&s->avg, y, s->rgb_row);
        } else {
            pf_averager_add_row(&s->avg, y, in);
        }
    }
    jpeg_abort_decompress(&s->cinfo);
    jpeg_destroy_decompress(&s->cinfo);
    result->pixels = pf_averager_finish(&s->avg);
    result->out_width = s->avg.out_width;
    result->out_height = s->avg.out_height;
    pf_averager_release(&s->avg);
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
