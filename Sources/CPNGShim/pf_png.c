#include "pf_png.h"

#include <png.h>
#include <zlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything the callbacks need lives here, in memory that setjmp/longjmp cannot clobber. */
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    pf_png_result *result;
    png_bytep row;
} pf_png_context;

static void copy_message(char *dst, size_t cap, const char *src) {
    if (src == NULL) src = "(no message)";
    strncpy(dst, src, cap - 1);
    dst[cap - 1] = '\0';
}

static void on_error(png_structp png, png_const_charp message) {
    pf_png_context *ctx = (pf_png_context *)png_get_error_ptr(png);
    copy_message(ctx->result->message, sizeof ctx->result->message, message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    pf_png_context *ctx = (pf_png_context *)png_get_error_ptr(png);
    if (ctx->result->warning_count == 0) {
        copy_message(ctx->result->first_warning, sizeof ctx->result->first_warning, message);
    }
    ctx->result->warning_count += 1;
}

static void on_read(png_structp png, png_bytep out, size_t length) {
    pf_png_context *ctx = (pf_png_context *)png_get_io_ptr(png);
    if (length > ctx->size - ctx->offset) {
        png_error(png, "file ends before the PNG does (truncated)");
    }
    memcpy(out, ctx->data + ctx->offset, length);
    ctx->offset += length;
}

uint32_t pf_crc32(uint32_t crc, const uint8_t *data, size_t size) {
    /* zlib takes a uInt length; feed large buffers in pieces. */
    uLong value = crc;
    while (size > 0) {
        uInt piece = size > 0x40000000u ? 0x40000000u : (uInt)size;
        value = crc32(value, data, piece);
        data += piece;
        size -= piece;
    }
    return (uint32_t)value;
}

const char *pf_png_version(void) { return PNG_LIBPNG_VER_STRING; }

void pf_png_read(const uint8_t *data, size_t size, int decode_pixels,
                 uint64_t max_pixels, pf_png_result *result) {
    memset(result, 0, sizeof *result);
    pf_png_context ctx = { data, size, 0, result, NULL };

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    if (png == NULL) {
        result->status = PF_PNG_ERROR;
        copy_message(result->message, sizeof result->message, "libpng could not start (out of memory)");
        return;
    }
    png_infop info = png_create_info_struct(png);
    png_infop end_info = png_create_info_struct(png);
    if (info == NULL || end_info == NULL) {
        png_destroy_read_struct(&png, info ? &info : NULL, end_info ? &end_info : NULL);
        result->status = PF_PNG_ERROR;
        copy_message(result->message, sizeof result->message, "libpng could not start (out of memory)");
        return;
    }

    if (setjmp(png_jmpbuf(png))) {
        /* A fatal error: libpng has already written the message. */
        if (ctx.row != NULL) png_free(png, ctx.row);
        ctx.row = NULL;
        png_destroy_read_struct(&png, &info, &end_info);
        if (result->status != PF_PNG_REFUSED) result->status = PF_PNG_ERROR;
        return;
    }

    png_set_read_fn(png, &ctx, on_read);
    /* Defences against hostile headers and chunks; our own pixel bound is checked below. */
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
    png_set_chunk_cache_max(png, 4096);
    png_set_chunk_malloc_max(png, 16u * 1024u * 1024u);
    png_set_crc_action(png, PNG_CRC_DEFAULT, PNG_CRC_WARN_DISCARD);

    png_read_info(png, info);
    result->width = png_get_image_width(png, info);
    result->height = png_get_image_height(png, info);
    result->bit_depth = png_get_bit_depth(png, info);
    result->color_type = png_get_color_type(png, info);
    result->interlace_method = png_get_interlace_type(png, info);
    result->channels = png_get_channels(png, info);

    if ((uint64_t)result->width * (uint64_t)result->height > max_pixels) {
        result->status = PF_PNG_REFUSED;
        snprintf(result->message, sizeof result->message,
                 "header declares %u x %u pixels, more than the limit of %llu",
                 result->width, result->height, (unsigned long long)max_pixels);
        png_destroy_read_struct(&png, &info, &end_info);
        return;
    }
    if (!decode_pixels) {
        png_destroy_read_struct(&png, &info, &end_info);
        result->status = PF_PNG_OK;
        return;
    }

    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    ctx.row = (png_bytep)png_malloc(png, rowbytes > 0 ? rowbytes : 1);
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < result->height; y++) {
            png_read_row(png, ctx.row, NULL);
            if (pass == passes - 1) result->rows_decoded = y + 1;
        }
    }
    png_free(png, ctx.row);
    ctx.row = NULL;

    png_read_end(png, end_info);
    result->end_offset = ctx.offset;
    png_destroy_read_struct(&png, &info, &end_info);
    result->status = PF_PNG_OK;
}
