#include "pf_png_thumb.h"


#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* As pf_png.c: rows larger than this are refused (a tiny file can declare a huge row). */
#define PF_THUMB_MAX_ROW_BYTES ((size_t)64 << 20)

/* Everything the callbacks and the error path need, out of longjmp's reach. */
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    pf_small_picture *result;
    png_structp png;
    png_infop info;
    png_bytep row;
    uint8_t *rgb;
    pf_averager avg;
    uint32_t rows_added;
} thumb_context;


static void on_error(png_structp png, png_const_charp message) {
    thumb_context *ctx = (thumb_context *)png_get_error_ptr(png);
    strncpy(ctx->result->message, message ? message : "(no message)", sizeof ctx->result->message - 1);
    ctx->result->message[sizeof ctx->result->message - 1] = '\0';
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

/* A file cut short gives what it has, then zeros, so the rows before the cut are still
   drawn; the next read stops. */
static void on_read(png_structp png, png_bytep out, size_t length) {
    thumb_context *ctx = (thumb_context *)png_get_io_ptr(png);
    if (ctx->offset >= ctx->size) png_error(png, "the file ends before the image does");
    size_t n = ctx->size - ctx->offset < length ? ctx->size - ctx->offset : length;
    memcpy(out, ctx->data + ctx->offset, n);
    memset(out + n, 0, length - n);
    ctx->offset += n;
}

/* A row of 8-bit RGB or RGBA (after libpng's transformations) as RGB; transparent parts
   over a light chequer of 8-pixel squares, so that transparency shows. */
static void to_rgb(thumb_context *ctx, uint32_t y, int channels) {
    uint32_t width = ctx->avg.in_width;
    const uint8_t *in = ctx->row;
    for (uint32_t x = 0; x < width; x++) {
        if (channels == 4) {
            unsigned alpha = in[4 * x + 3];
            unsigned back = ((x >> 3) + (y >> 3)) & 1 ? 204 : 255;
            for (int c = 0; c < 3; c++) ctx->rgb[3 * x + c] = (uint8_t)((in[4 * x + c] * alpha + back * (255 - alpha) + 127) / 255);
        } else {
            memcpy(ctx->rgb + 3 * x, in + 3 * x, 3);
        }
    }
}

static void release(thumb_context *ctx) {
    png_destroy_read_struct(&ctx->png, &ctx->info, NULL);
    pf_averager_release(&ctx->avg);
    free(ctx->row);
    free(ctx->rgb);
    ctx->row = NULL;
    ctx->rgb = NULL;
}

static void finish(thumb_context *ctx) {
    pf_small_picture *result = ctx->result;
    result->pixels = pf_averager_finish(&ctx->avg);
    result->out_width = ctx->avg.out_width;
    result->out_height = ctx->avg.out_height;
    if (!result->pixels) {
        result->status = 1;
        snprintf(result->message, sizeof result->message, "out of memory");
    }
}

void pf_png_thumbnail(const uint8_t *data, size_t size, uint32_t max_side, uint64_t max_pixels,
                      pf_small_picture *result) {
    memset(result, 0, sizeof *result);
    thumb_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        result->status = 1;
        snprintf(result->message, sizeof result->message, "out of memory");
        return;
    }
    ctx->data = data;
    ctx->size = size;
    ctx->result = result;
    ctx->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, on_error, on_warning);
    if (ctx->png) ctx->info = png_create_info_struct(ctx->png);
    if (!ctx->png || !ctx->info) {
        release(ctx);
        free(ctx);
        result->status = 1;
        snprintf(result->message, sizeof result->message, "out of memory");
        return;
    }
    if (setjmp(png_jmpbuf(ctx->png))) {
        /* Damage after some rows still gives a picture of what was read (the message says
           why it stops); damage before any row gives none. */
        if (ctx->rows_added > 0 && ctx->avg.sums) {
            finish(ctx);
        } else {
            result->status = 1;
        }
        release(ctx);
        free(ctx);
        return;
    }
    png_set_read_fn(ctx->png, ctx, on_read);
    /* As pf_png.c: ancillary chunks (but tRNS) are skipped unread, since libpng allocates
       or inflates some of them at their declared length, up to 2 GB. */
    png_set_user_limits(ctx->png, 0x7fffffffU, 0x7fffffffU);
    png_set_chunk_cache_max(ctx->png, 4096);
    png_set_chunk_malloc_max(ctx->png, (png_alloc_size_t)16 << 20);
    png_set_keep_unknown_chunks(ctx->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    /* A picture, not a verdict: bad checksums are the check's business. */
    png_set_crc_action(ctx->png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
    png_read_info(ctx->png, ctx->info);
    uint32_t width = png_get_image_width(ctx->png, ctx->info);
    uint32_t height = png_get_image_height(ctx->png, ctx->info);
    result->width = width;
    result->height = height;
    if ((uint64_t)width * height > max_pixels) {
        result->status = 2;
        snprintf(result->message, sizeof result->message, "%u x %u pixels, more than the limit of %llu",
                 (unsigned)width, (unsigned)height, (unsigned long long)max_pixels);
        release(ctx);
        free(ctx);
        return;
    }
    png_set_expand(ctx->png);
    png_set_strip_16(ctx->png);
    png_set_gray_to_rgb(ctx->png);
    int passes = png_set_interlace_handling(ctx->png);
    png_read_update_info(ctx->png, ctx->info);
    int channels = png_get_channels(ctx->png, ctx->info);
    size_t row_bytes = png_get_rowbytes(ctx->png, ctx->info);
    if (row_bytes > PF_THUMB_MAX_ROW_BYTES || (channels != 3 && channels != 4)) {
        result->status = 2;
        snprintf(result->message, sizeof result->message, "rows of %zu bytes are over the limit of %zu bytes",
                 row_bytes, PF_THUMB_MAX_ROW_BYTES);
        release(ctx);
        free(ctx);
        return;
    }
    ctx->row = calloc(1, row_bytes);
    ctx->rgb = malloc((size_t)width * 3);
    if (!ctx->row || !ctx->rgb || !pf_averager_start(&ctx->avg, width, height, max_side)) {
        snprintf(result->message, sizeof result->message, "out of memory");
        png_error(ctx->png, result->message);
    }
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < height; y++) {
            png_read_row(ctx->png, ctx->row, NULL);
            /* Interlaced: the last pass holds every odd row whole; a one-row image is whole
               in its single row buffer once every pass is in. */
            int last = pass == passes - 1;
            if (passes == 1 || (last && (y & 1)) || (last && height == 1)) {
                to_rgb(ctx, y, channels);
                pf_averager_add_row(&ctx->avg, y, ctx->rgb);
                ctx->rows_added += 1;
            }
        }
    }
    finish(ctx);
    release(ctx);
    free(ctx);
}
