#include "pf_jpeg.h"

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
    pf_jpeg_result *result;
    const pf_jpeg_options *options;
    struct jpeg_progress_mgr progress;
    JSAMPARRAY rows;
    pf_grey_averager picture;
    int picturing;
} pf_jpeg_context;

static void copy_message(char *dst, size_t cap, const char *src) {
    strncpy(dst, src, cap - 1);
    dst[cap - 1] = '\0';
}

static void on_error_exit(j_common_ptr cinfo) {
    pf_jpeg_context *ctx = (pf_jpeg_context *)cinfo->err;
    if (cinfo->err->msg_code == JERR_NO_BACKING_STORE) {
        /* The whole-image buffers of a progressive or multi-scan file would exceed
           max_memory: a limit reached, not damage. */
        ctx->result->status = PF_JPEG_REFUSED;
        snprintf(ctx->result->message, sizeof ctx->result->message,
                 "decoding needs more than the memory limit of %llu bytes",
                 (unsigned long long)ctx->options->max_memory);
        longjmp(ctx->escape, 1);
    }
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    copy_message(ctx->result->message, sizeof ctx->result->message, buffer);
    longjmp(ctx->escape, 1);
}

static int is_benign_warning(int code) {
    return code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM;
}

static void on_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return; /* trace messages */
    pf_jpeg_context *ctx = (pf_jpeg_context *)cinfo->err;
    pf_jpeg_result *r = ctx->result;
    int code = cinfo->err->msg_code;
    if (r->corrupt_warning_count + r->benign_warning_count == 0) {
        char buffer[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, buffer);
        copy_message(r->first_warning, sizeof r->first_warning, buffer);
        r->first_warning_code = code;
    }
    if (code == JWRN_JPEG_EOF) r->saw_premature_end = 1;
    if (is_benign_warning(code)) {
        r->benign_warning_count += 1;
    } else {
        r->corrupt_warning_count += 1;
        if (ctx->options->max_warnings > 0 && r->corrupt_warning_count >= ctx->options->max_warnings) {
            snprintf(r->message, sizeof r->message,
                     "stopped after %u corrupt-data warnings", r->corrupt_warning_count);
            longjmp(ctx->escape, 1);
        }
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; /* never print */ }

static void on_progress(j_common_ptr cinfo) {
    pf_jpeg_context *ctx = (pf_jpeg_context *)cinfo->err;
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (ctx->options->max_scans > 0 && (uint32_t)d->input_scan_number > ctx->options->max_scans) {
        ctx->result->status = PF_JPEG_REFUSED;
        snprintf(ctx->result->message, sizeof ctx->result->message,
                 "more than %u scans; refused as a decoding-time hazard", ctx->options->max_scans);
        longjmp(ctx->escape, 1);
    }
}

const char *pf_jpeg_version(void) {
#ifdef LIBJPEG_TURBO_VERSION
#define PF_STR2(x) #x
#define PF_STR(x) PF_STR2(x)
    return PF_STR(LIBJPEG_TURBO_VERSION);
#else
    return "unknown";
#endif
}

void pf_jpeg_default_options(pf_jpeg_options *options) {
    options->decode_pixels = 1;
    options->method = PF_JPEG_SCANLINES;
    options->scale_denom = 8;
    options->max_pixels = 178956970ULL;
    options->max_scans = 100;
    options->max_memory = 1024ULL * 1024ULL * 1024ULL;
    options->max_warnings = 100;
    options->picture_side = 0;
}

/* The coarsest scale, at most `denominator`, whose output reaches two thirds of `side` on
   the longest side: the grey averager makes pictures from 2/3 to 2 times `side` long. */
static unsigned picture_denominator(unsigned denominator, JDIMENSION width, JDIMENSION height, uint32_t side) {
    JDIMENSION longest = width > height ? width : height;
    while (denominator > 1 && longest / denominator < side * 2 / 3) denominator /= 2;
    return denominator;
}

/* Hands the rows decoded so far to the caller as a grey picture. */
static void finish_picture(pf_jpeg_context *ctx) {
    if (!ctx->picturing) return;
    ctx->picturing = 0;
    pf_grey_picture *picture = &ctx->result->picture;
    picture->pixels = pf_grey_finish(&ctx->picture);
    if (picture->pixels) {
        picture->width = ctx->picture.out_width;
        picture->height = ctx->picture.out_height;
    }
    pf_grey_release(&ctx->picture);
}

static void record_header(j_decompress_ptr d, pf_jpeg_result *r) {
    r->width = d->image_width;
    r->height = d->image_height;
    r->components = d->num_components;
    r->jpeg_color_space = (int)d->jpeg_color_space;
    r->data_precision = d->data_precision;
    r->progressive = d->progressive_mode ? 1 : 0;
    r->arithmetic = d->arith_code ? 1 : 0;
    r->saw_jfif = d->saw_JFIF_marker ? 1 : 0;
    r->saw_adobe = d->saw_Adobe_marker ? 1 : 0;
    r->adobe_transform = d->Adobe_transform;
}

void pf_jpeg_read(const uint8_t *data, size_t size, const pf_jpeg_options *options,
                  pf_jpeg_result *result) {
    memset(result, 0, sizeof *result);
    struct jpeg_decompress_struct cinfo;
    pf_jpeg_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.result = result;
    ctx.options = options;

    cinfo.err = jpeg_std_error(&ctx.base);
    ctx.base.error_exit = on_error_exit;
    ctx.base.emit_message = on_emit_message;
    ctx.base.output_message = on_output_message;

    if (setjmp(ctx.escape)) {
        /* jpeg_destroy_decompress frees every pool, including the scanline buffer. */
        jpeg_destroy_decompress(&cinfo);
        finish_picture(&ctx);
        if (result->status != PF_JPEG_REFUSED) result->status = PF_JPEG_ERROR;
        return;
    }

    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = (long)(options->max_memory > 0x7fffffffffffLL ? 0x7fffffffffffLL : options->max_memory);
    ctx.progress.progress_monitor = on_progress;
    cinfo.progress = &ctx.progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);

    jpeg_read_header(&cinfo, TRUE);
    record_header(&cinfo, result);

    if ((uint64_t)cinfo.image_width * (uint64_t)cinfo.image_height > options->max_pixels) {
        result->status = PF_JPEG_REFUSED;
        snprintf(result->message, sizeof result->message,
                 "header declares %u x %u pixels, more than the limit of %llu",
                 (unsigned)cinfo.image_width, (unsigned)cinfo.image_height,
                 (unsigned long long)options->max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return;
    }
    if (!options->decode_pixels) {
        jpeg_destroy_decompress(&cinfo);
        result->status = PF_JPEG_OK;
        return;
    }

    if (options->method == PF_JPEG_COEFFICIENTS) {
        jpeg_read_coefficients(&cinfo);
        result->scans = (uint32_t)cinfo.input_scan_number;
    } else {
        cinfo.scale_num = 1;
        cinfo.scale_denom = (unsigned)(options->scale_denom > 0 ? options->scale_denom : 1);
        cinfo.dct_method = JDCT_IFAST;
        cinfo.do_fancy_upsampling = FALSE;
        cinfo.do_block_smoothing = FALSE;
        int grey_source = cinfo.jpeg_color_space == JCS_GRAYSCALE || cinfo.jpeg_color_space == JCS_YCbCr
            || cinfo.jpeg_color_space == JCS_RGB;
        if (options->picture_side > 0 && grey_source) {
            cinfo.scale_denom = picture_denominator(cinfo.scale_denom, cinfo.image_width, cinfo.image_height,
                                                    options->picture_side);
            /* Only the luma is turned into pixels; every component is still entropy-decoded,
               which is where damage shows. */
            cinfo.out_color_space = JCS_GRAYSCALE;
        }
        jpeg_start_decompress(&cinfo);
        if (options->picture_side > 0 && grey_source) {
            if (!pf_grey_start(&ctx.picture, cinfo.output_width, cinfo.output_height, options->picture_side)) {
                pf_grey_release(&ctx.picture);
            } else {
                ctx.picturing = 1;
            }
        }
        result->output_height = cinfo.output_height;
        JDIMENSION row_stride = cinfo.output_width * (JDIMENSION)cinfo.output_components;
        ctx.rows = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE, row_stride,
                                              (JDIMENSION)cinfo.rec_outbuf_height);
        while (cinfo.output_scanline < cinfo.output_height) {
            JDIMENSION got = jpeg_read_scanlines(&cinfo, ctx.rows, (JDIMENSION)cinfo.rec_outbuf_height);
            if (got == 0) break;
            if (ctx.picturing) {
                for (JDIMENSION i = 0; i < got; i++) {
                    pf_grey_add_row(&ctx.picture, result->rows_decoded + i, ctx.rows[i], cinfo.output_components);
                }
            }
            result->rows_decoded += got;
        }
        result->scans = (uint32_t)cinfo.input_scan_number;
    }
    jpeg_finish_decompress(&cinfo);
    result->end_offset = size - cinfo.src->bytes_in_buffer;
    jpeg_destroy_decompress(&cinfo);
    finish_picture(&ctx);
    result->status = PF_JPEG_OK;
}
