#include "pf_png.h"
#include "pf_png_idat.h"

#include <libdeflate.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row larger than this is refused: besides our row buffer libpng keeps two of its own,
   so a header declaring 100 million pixels by 1 would otherwise cost gigabytes for a file
   of a few bytes. 64 MB is a row of 8 million 16-bit RGBA pixels. */
#define PF_PNG_MAX_ROW_BYTES ((size_t)64 << 20)

/* pf_png_check shows libpng a stand-in for the image data: the first IDAT chunk's header
   is replaced by one declaring 2 bytes, those bytes are a zlib header, its CRC follows,
   and reading then resumes after the last of the consecutive IDAT chunks, which are
   checked without libpng (pf_png_idat.c). libpng so reads and judges every other chunk as
   in pf_png_read, and at png_read_end finds the image data complete. */
typedef enum {
    STAND_IN_OFF,       /* pf_png_read: libpng reads everything */
    STAND_IN_WAITING,   /* until libpng asks for the first IDAT chunk's header */
    STAND_IN_SERVING,   /* libpng is reading the stand-in chunk */
    STAND_IN_DONE       /* past it, from `resume` on */
} stand_in_state;

#define STAND_IN_SIZE 14

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
    /* pf_png_check only */
    png_infop info;
    stand_in_state stand_in;
    uint8_t stand_in_bytes[STAND_IN_SIZE];
    size_t stand_in_served;
    size_t first_idat_data;   /* where the real first IDAT chunk's data starts */
    uint32_t first_idat_length;
    size_t resume;            /* the first chunk after the real IDAT chunks */
} pf_png_context;

static void copy_message(char *dst, size_t cap, const char *src) {
    if (src == NULL) src = "(no message)";
    strncpy(dst, src, cap - 1);
    dst[cap - 1] = '\0';
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_error(png_structp png, png_const_charp message) {
    pf_png_context *ctx = (pf_png_context *)png_get_error_ptr(png);
    copy_message(ctx->result->message, sizeof ctx->result->message, message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    pf_png_context *ctx = (pf_png_context *)png_get_error_ptr(png);
    pf_png_add_warning(ctx->result, message);
}

static pf_png_image image_of(png_structp png, png_infop info) {
    pf_png_image image = {
        png_get_image_width(png, info), png_get_image_height(png, info), png_get_bit_depth(png, info),
        png_get_channels(png, info), png_get_interlace_type(png, info) != PNG_INTERLACE_NONE,
    };
    return image;
}

/* libpng is about to read the first IDAT chunk's header. If the real one is readable,
   the stand-in takes its place; libpng's own check of the real length (a warning) is
   made here. Otherwise libpng reads the real bytes and fails on them as it would. */
static void begin_stand_in(pf_png_context *ctx, png_structp png) {
    if (ctx->size - ctx->offset < 8) return;
    const uint8_t *header = ctx->data + ctx->offset;
    uint32_t length = be32(header);
    if (memcmp(header + 4, "IDAT", 4) != 0 || length > 0x7FFFFFFF) return;
    pf_png_image image = image_of(png, ctx->info);
    if (length > pf_png_idat_limit(&image)) pf_png_add_warning(ctx->result, "IDAT: chunk data is too large");
    ctx->first_idat_length = length;
    ctx->first_idat_data = ctx->offset + 8;
    ctx->offset += 8;
    static const uint8_t chunk[10] = { 0, 0, 0, 2, 'I', 'D', 'A', 'T', 0x78, 0x01 };
    memcpy(ctx->stand_in_bytes, chunk, sizeof chunk);
    uint32_t crc = libdeflate_crc32(0, chunk + 4, 6);
    for (int i = 0; i < 4; i++) ctx->stand_in_bytes[10 + i] = (uint8_t)(crc >> (24 - 8 * i));
    ctx->stand_in_served = 0;
    ctx->stand_in = STAND_IN_SERVING;
}

/* Whether this read is of compressed image data after the last row was complete. */
static int after_last_row(pf_png_context *ctx, png_structp png) {
    if (png_get_io_chunk_type(png) != 0x49444154u /* IDAT */ || (png_get_io_state(png) & PNG_IO_CHUNK_DATA) == 0) return 0;
    if (ctx->stand_in != STAND_IN_OFF) return ctx->stand_in == STAND_IN_DONE;
    /* libpng swallows the rest of the stream as soon as the last row is complete: the row
       number then equals the height (or, interlaced, the pass number reaches 7). */
    return ctx->decoding
        && (png_get_current_pass_number(png) >= 7 || png_get_current_row_number(png) >= ctx->result->height);
}

static void on_read(png_structp png, png_bytep out, size_t length) {
    pf_png_context *ctx = (pf_png_context *)png_get_io_ptr(png);
    if (ctx->stand_in == STAND_IN_WAITING && length == 8 && (png_get_io_state(png) & PNG_IO_CHUNK_HDR) != 0) {
        begin_stand_in(ctx, png);
    }
    if (ctx->stand_in == STAND_IN_SERVING) {
        size_t n = STAND_IN_SIZE - ctx->stand_in_served;
        if (n > length) n = length;
        memcpy(out, ctx->stand_in_bytes + ctx->stand_in_served, n);
        ctx->stand_in_served += n;
        if (ctx->stand_in_served == STAND_IN_SIZE) {
            ctx->stand_in = STAND_IN_DONE;
            ctx->offset = ctx->resume;
        }
        out += n;
        length -= n;
        if (length == 0) return;
    }
    if (length > ctx->size - ctx->offset) {
        png_error(png, PF_PNG_TRUNCATED);
    }
    if (after_last_row(ctx, png)) {
        ctx->idat_after_rows += length;
        if (ctx->idat_after_rows > PF_PNG_MAX_IDAT_AFTER_ROWS) {
            ctx->surplus_left = 1;
            png_error(png, PF_PNG_SURPLUS_LEFT);
        }
    }
    memcpy(out, ctx->data + ctx->offset, length);
    ctx->offset += length;
}

uint32_t pf_crc32(uint32_t crc, const uint8_t *data, size_t size) {
    return libdeflate_crc32(crc, data, size);
}

const char *pf_png_version(void) { return PNG_LIBPNG_VER_STRING; }

/* Creates libpng's reader with the shim's callbacks, limits and chunk handling.
   Returns 0 (with the result set) when libpng cannot start. */
static int open_png(pf_png_context *ctx, png_structp *png, png_infop *info, png_infop *end_info) {
    *png = png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, on_error, on_warning);
    *info = *png ? png_create_info_struct(*png) : NULL;
    *end_info = *png ? png_create_info_struct(*png) : NULL;
    if (*png == NULL || *info == NULL || *end_info == NULL) {
        if (*png != NULL) png_destroy_read_struct(png, *info ? info : NULL, *end_info ? end_info : NULL);
        ctx->result->status = PF_PNG_ERROR;
        copy_message(ctx->result->message, sizeof ctx->result->message, "libpng could not start (out of memory)");
        return 0;
    }
    png_set_read_fn(*png, ctx, on_read);
    /* Defences against hostile headers and chunks; our own pixel bound is checked later. */
    png_set_user_limits(*png, 0x7fffffffU, 0x7fffffffU);
    png_set_chunk_cache_max(*png, 4096);
    png_set_chunk_malloc_max(*png, PF_PNG_CHUNK_LIMIT);
    png_set_crc_action(*png, PNG_CRC_DEFAULT, PNG_CRC_WARN_DISCARD);
    /* Ancillary chunks say nothing about whether the pixels decode, and libpng's handlers
       for them are costly on hostile input: zTXt, iTXt and iCCP are inflated (up to the
       16 MB above, in thousands of chunks), and eXIf, sPLT, pCAL and sCAL allocate their
       declared length, up to 2 GB, before reading a byte. All but tRNS (which libpng checks
       against the colour type) are skipped unread, their checksums still verified. */
    png_set_keep_unknown_chunks(*png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    return 1;
}

/* Copies the header facts libpng has read and refuses what is too large to decode.
   Returns 1 when refused. */
static int refuse_if_too_large(png_structp png, png_infop info, uint64_t max_pixels, pf_png_result *result) {
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
        return 1;
    }
    if (png_get_rowbytes(png, info) > PF_PNG_MAX_ROW_BYTES) {
        result->status = PF_PNG_REFUSED;
        snprintf(result->message, sizeof result->message,
                 "header declares rows of %llu bytes (%u pixels wide), more than the limit of %llu",
                 (unsigned long long)png_get_rowbytes(png, info), result->width,
                 (unsigned long long)PF_PNG_MAX_ROW_BYTES);
        return 1;
    }
    return 0;
}

/* Every row was decoded; only surplus data after the image was left unread. libpng
   reports surplus data as a warning, and so does this. */
static void keep_surplus_as_warning(pf_png_result *result) {
    pf_png_add_warning(result, PF_PNG_SURPLUS_LEFT);
    result->message[0] = '\0';
    result->rows_decoded = result->height;
    result->status = PF_PNG_OK;
}

/* After libpng's fatal error: it has already written the message. */
static void settle_after_error(pf_png_context *ctx) {
    if (ctx->surplus_left) {
        keep_surplus_as_warning(ctx->result);
        return;
    }
    if (ctx->result->status != PF_PNG_REFUSED) ctx->result->status = PF_PNG_ERROR;
}

/* A fresh context over `data`, and an empty result. */
static void init_context(pf_png_context *ctx, const uint8_t *data, size_t size, pf_png_result *result) {
    memset(result, 0, sizeof *result);
    memset(ctx, 0, sizeof *ctx);
    ctx->data = data;
    ctx->size = size;
    ctx->result = result;
}

void pf_png_read(const uint8_t *data, size_t size, int decode_pixels,
                 uint64_t max_pixels, pf_png_result *result) {
    pf_png_context ctx;
    init_context(&ctx, data, size, result);
    png_structp png;
    png_infop info, end_info;
    if (!open_png(&ctx, &png, &info, &end_info)) return;

    if (setjmp(png_jmpbuf(png))) {
        if (ctx.row != NULL) png_free(png, ctx.row);
        ctx.row = NULL;
        png_destroy_read_struct(&png, &info, &end_info);
        settle_after_error(&ctx);
        return;
    }

    png_read_info(png, info);
    if (refuse_if_too_large(png, info, max_pixels, result) || !decode_pixels) {
        png_destroy_read_struct(&png, &info, &end_info);
        if (result->status != PF_PNG_REFUSED) result->status = PF_PNG_OK;
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

/* libpng also notes, for interlaced palette images only, pixel values beyond a short
   palette (png_do_check_palette_indexes, then a warning in png_read_end). That takes the
   unfiltered pixels, so these files are decoded by pf_png_read. */
static int notes_palette_indexes(png_structp png, png_infop info) {
    if (png_get_color_type(png, info) != PNG_COLOR_TYPE_PALETTE
        || png_get_interlace_type(png, info) == PNG_INTERLACE_NONE) return 0;
    png_colorp palette;
    int entries = 0;
    if (png_get_PLTE(png, info, &palette, &entries) == 0) entries = 0;
    return entries < (1 << png_get_bit_depth(png, info));
}

/* The rows of the image data as grey, averaged into a small picture. */
typedef struct {
    pf_grey_averager averager;
    int started;
    int bit_depth, color_type;
    uint32_t width;
    uint8_t palette[256];   /* palette index -> grey */
    uint8_t *samples;       /* one row's samples */
} picture_rows;

static void picture_row(void *context, uint32_t y, const uint8_t *pixels) {
    picture_rows *p = (picture_rows *)context;
    pf_grey_averager *a = &p->averager;
    if (!pf_grey_wants_row(a, y)) return;
    int depth = p->bit_depth;
    if (depth == 8 && p->color_type != PNG_COLOR_TYPE_PALETTE) {
        int channels = p->color_type == PNG_COLOR_TYPE_RGB ? 3 : p->color_type == PNG_COLOR_TYPE_RGB_ALPHA ? 4
            : p->color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
        pf_grey_add_row(a, y, pixels, channels);
        return;
    }
    for (uint32_t i = 0; i < a->samples; i++) {
        size_t x = (size_t)i * a->step;
        uint32_t grey;
        if (depth == 16) {
            /* The high byte of each sample. */
            switch (p->color_type) {
            case PNG_COLOR_TYPE_RGB:
            case PNG_COLOR_TYPE_RGB_ALPHA: {
                const uint8_t *q = pixels + x * (p->color_type == PNG_COLOR_TYPE_RGB ? 6 : 8);
                grey = (77u * q[0] + 150u * q[2] + 29u * q[4] + 128u) >> 8;
                break;
            }
            case PNG_COLOR_TYPE_GRAY_ALPHA: grey = pixels[x * 4]; break;
            default: grey = pixels[x * 2]; break;
            }
        } else {
            /* 1, 2, 4 or 8 bits: grey levels or palette indexes, packed from the high bit. */
            size_t bit = x * (size_t)depth;
            uint32_t value = (pixels[bit / 8] >> (8 - depth - (int)(bit % 8))) & ((1u << depth) - 1);
            grey = p->color_type == PNG_COLOR_TYPE_PALETTE ? p->palette[value] : value * 255u / ((1u << depth) - 1);
        }
        p->samples[i] = (uint8_t)grey;
    }
    pf_grey_add_samples(a, y, p->samples);
}

static int start_picture(picture_rows *p, png_structp png, png_infop info, uint32_t side) {
    memset(p, 0, sizeof *p);
    p->bit_depth = png_get_bit_depth(png, info);
    p->color_type = png_get_color_type(png, info);
    p->width = png_get_image_width(png, info);
    png_colorp palette;
    int entries = 0;
    if (p->color_type == PNG_COLOR_TYPE_PALETTE && png_get_PLTE(png, info, &palette, &entries) != 0) {
        for (int i = 0; i < entries && i < 256; i++) {
            p->palette[i] = (uint8_t)((77u * palette[i].red + 150u * palette[i].green + 29u * palette[i].blue + 128u) >> 8);
        }
    }
    p->started = pf_grey_start(&p->averager, p->width, png_get_image_height(png, info), side);
    p->samples = p->started ? malloc(p->averager.samples > 0 ? p->averager.samples : 1) : NULL;
    if (p->samples == NULL) p->started = 0;
    return p->started;
}

static void end_picture(picture_rows *p, int keep, pf_grey_picture *picture) {
    if (p->started && keep) {
        picture->pixels = pf_grey_finish(&p->averager);
        if (picture->pixels) {
            picture->width = p->averager.out_width;
            picture->height = p->averager.out_height;
        }
    }
    pf_grey_release(&p->averager);
    free(p->samples);
    p->samples = NULL;
    p->started = 0;
}

/* The picture by libpng alone: the same raw rows (unfiltered, untransformed) as the
   image data check hands over, into the same conversion, so both give the same picture. An
   interlaced image is drawn from its last pass, which holds every pixel of the odd rows:
   each odd row stands for itself and the row above. */
typedef struct {
    pf_png_context base;   /* first: libpng's callbacks take it as a pf_png_context */
    picture_rows rows;
    int started;
    png_bytep row;
} picture_context;

void pf_png_picture(const uint8_t *data, size_t size, uint32_t side, uint64_t max_pixels,
                    pf_grey_picture *picture) {
    memset(picture, 0, sizeof *picture);
    pf_png_result scratch;
    picture_context ctx;
    memset(&ctx, 0, sizeof ctx);
    init_context(&ctx.base, data, size, &scratch);
    png_structp png;
    png_infop info, end_info;
    if (!open_png(&ctx.base, &png, &info, &end_info)) return;
    if (setjmp(png_jmpbuf(png))) {
        if (ctx.row != NULL) png_free(png, ctx.row);
        png_destroy_read_struct(&png, &info, &end_info);
        if (ctx.started) end_picture(&ctx.rows, 0, picture);
        return;
    }
    png_read_info(png, info);
    if (refuse_if_too_large(png, info, max_pixels, &scratch)) {
        png_destroy_read_struct(&png, &info, &end_info);
        return;
    }
    int interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    uint32_t height = png_get_image_height(png, info);
    ctx.started = start_picture(&ctx.rows, png, info, side);
    if (!ctx.started || (interlaced && height < 2)) {
        png_destroy_read_struct(&png, &info, &end_info);
        end_picture(&ctx.rows, 0, picture);
        return;
    }
    size_t rowbytes = png_get_rowbytes(png, info);
    ctx.row = (png_bytep)png_malloc(png, rowbytes > 0 ? rowbytes : 1);
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < height; y++) {
            png_read_row(png, ctx.row, NULL);
            if (!interlaced) {
                picture_row(&ctx.rows, y, ctx.row);
            } else if (pass == passes - 1 && y % 2 == 1) {
                picture_row(&ctx.rows, y - 1, ctx.row);
                picture_row(&ctx.rows, y, ctx.row);
            }
        }
    }
    if (interlaced && height % 2 == 1) picture_row(&ctx.rows, height - 1, ctx.row);
    png_free(png, ctx.row);
    ctx.row = NULL;
    png_destroy_read_struct(&png, &info, &end_info);
    ctx.started = 0;
    end_picture(&ctx.rows, 1, picture);
}

static void check(const uint8_t *data, size_t size, uint64_t max_pixels, uint32_t picture_side,
                  pf_png_result *result, pf_grey_picture *picture);

void pf_png_check(const uint8_t *data, size_t size, uint64_t max_pixels, pf_png_result *result) {
    check(data, size, max_pixels, 0, result, NULL);
}

void pf_png_check_picture(const uint8_t *data, size_t size, uint64_t max_pixels, uint32_t picture_side,
                          pf_png_result *result, pf_grey_picture *picture) {
    memset(picture, 0, sizeof *picture);
    check(data, size, max_pixels, picture_side, result, picture);
    if (picture_side > 0 && picture->pixels == NULL && result->status == PF_PNG_OK) {
        pf_png_picture(data, size, picture_side, max_pixels, picture);
    }
}

static void check(const uint8_t *data, size_t size, uint64_t max_pixels, uint32_t picture_side,
                  pf_png_result *result, pf_grey_picture *picture) {
    pf_png_context ctx;
    init_context(&ctx, data, size, result);
    ctx.stand_in = STAND_IN_WAITING;
    png_structp png;
    png_infop info, end_info;
    if (!open_png(&ctx, &png, &info, &end_info)) return;
    ctx.info = info;

    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, &end_info);
        settle_after_error(&ctx);
        return;
    }

    png_read_info(png, info);
    if (refuse_if_too_large(png, info, max_pixels, result)) {
        png_destroy_read_struct(&png, &info, &end_info);
        return;
    }
    if (ctx.stand_in != STAND_IN_SERVING || notes_palette_indexes(png, info)) {
        png_destroy_read_struct(&png, &info, &end_info);
        pf_png_read(data, size, 1, max_pixels, result);
        return;
    }
    /* As pf_png_read does, so that libpng's state at png_read_end is the same. */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    pf_png_image image = image_of(png, info);
    /* The picture is finished before png_read_end, the one libpng call left that may longjmp. */
    picture_rows rows;
    pf_png_row_sink sink = { picture_row, &rows, 0 };
    int picturing = picture != NULL && picture_side > 0 && start_picture(&rows, png, info, picture_side);
    if (picture != NULL && picture_side > 0 && !picturing) end_picture(&rows, 0, picture);
    pf_idat_outcome outcome = pf_png_check_idat(data, size, ctx.first_idat_data, ctx.first_idat_length, &image,
                                                result, &ctx.resume, &ctx.idat_after_rows, picturing ? &sink : NULL);
    if (picturing) end_picture(&rows, outcome == PF_IDAT_READ && sink.delivered, picture);
    switch (outcome) {
    case PF_IDAT_FAILED:
        png_destroy_read_struct(&png, &info, &end_info);
        return;
    case PF_IDAT_SURPLUS:
        png_destroy_read_struct(&png, &info, &end_info);
        keep_surplus_as_warning(result);
        return;
    case PF_IDAT_READ:
        break;
    }
    result->rows_decoded = result->height;
    png_read_end(png, end_info);
    result->end_offset = ctx.offset;
    png_destroy_read_struct(&png, &info, &end_info);
    result->status = PF_PNG_OK;
}
