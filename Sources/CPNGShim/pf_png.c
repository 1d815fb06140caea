#include "pf_png.h"

#include <png.h>
#include <zlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row larger than this is refused: besides our row buffer libpng keeps two of its own,
   so a header declaring 100 million pixels by 1 would otherwise cost gigabytes for a file
   of a few bytes. 64 MB is a row of 8 million 16-bit RGBA pixels. */
#define PF_PNG_MAX_ROW_BYTES ((size_t)64 << 20)

/* Compressed image data read after the last row is complete. libpng inflates whatever
   follows to the end of the zlib stream, and a stream can expand a thousandfold: without
   this cap a 1 MB file takes seconds, a 100 MB one many minutes. A well-formed file has a
   few bytes there (the end of the stream and its checksum). */
#define PF_PNG_MAX_IDAT_AFTER_ROWS ((size_t)64 << 10)

/* Everything the callbacks need lives here, in memory that setjmp/longjmp cannot clobber. */
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    pf_png_result *result;
    png_bytep row;
    int decoding;             /* the row loop has started */
    size_t idat_after_rows;   /* IDAT data bytes read after the last row was complete */
    int surplus_left;         /* reading stopped there, at PF_PNG_MAX_IDAT_AFTER_ROWS */
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
    /* libpng swallows the rest of the stream as soon as the last row is complete: the row
       number then equals the height (or, interlaced, the pass number reaches 7). */
    if (ctx->decoding && png_get_io_chunk_type(png) == 0x49444154u /* IDAT */
        && (png_get_io_state(png) & PNG_IO_CHUNK_DATA) != 0
        && (png_get_current_pass_number(png) >= 7 || png_get_current_row_number(png) >= ctx->result->height)) {
        ctx->idat_after_rows += length;
        if (ctx->idat_after_rows > PF_PNG_MAX_IDAT_AFTER_ROWS) {
            ctx->surplus_left = 1;
            png_error(png, "IDAT: Too much image data (over 64 KB of compressed data after the last row, left unread)");
        }
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
    pf_png_context ctx = { data, size, 0, result, NULL, 0, 0, 0 };

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
        if (ctx.surplus_left) {
            /* Every row was decoded; only surplus data after the image was left unread.
               libpng reports surplus data as a warning, and so does this. */
            if (result->warning_count == 0) {
                memcpy(result->first_warning, result->message, sizeof result->first_warning);
            }
            result->warning_count += 1;
            result->message[0] = '\0';
            result->rows_decoded = result->height;
            result->status = PF_PNG_OK;
            return;
        }
        if (result->status != PF_PNG_REFUSED) result->status = PF_PNG_ERROR;
        return;
    }

    png_set_read_fn(png, &ctx, on_read);
    /* Defences against hostile headers and chunks; our own pixel bound is checked below. */
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
    png_set_chunk_cache_max(png, 4096);
    png_set_chunk_malloc_max(png, 16u * 1024u * 1024u);
    png_set_crc_action(png, PNG_CRC_DEFAULT, PNG_CRC_WARN_DISCARD);
    /* Ancillary chunks say nothing about whether the pixels decode, and libpng's handlers
       for them are costly on hostile input: zTXt, iTXt and iCCP are inflated (up to the
       16 MB above, in thousands of chunks), and eXIf, sPLT, pCAL and sCAL allocate their
       declared length, up to 2 GB, before reading a byte. All but tRNS (which libpng checks
       against the colour type) are skipped unread, their checksums still verified. */
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);

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
    if (png_get_rowbytes(png, info) > PF_PNG_MAX_ROW_BYTES) {
        result->status = PF_PNG_REFUSED;
        snprintf(result->message, sizeof result->message,
                 "header declares rows of %llu bytes (%u pixels wide), more than the limit of %llu",
                 (unsigned long long)png_get_rowbytes(png, info), result->width,
                 (unsigned long long)PF_PNG_MAX_ROW_BYTES);
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
    ctx.decoding = 1;
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
