#include "pf_png_idat.h"

#include "pf_inflate.h"

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The image data of a PNG is decided by: the IDAT chunks (consecutive, each with its
   CRC), one zlib stream across them, inflating to exactly the filter byte plus the bytes
   of every row (of every Adam7 pass holding pixels), and every filter byte at most 4.
   Unfiltering cannot fail, so it is not done.

   Where and how libpng reports a fault depends on how it reads, so this reads as libpng
   1.6 does: 8192-byte pieces of IDAT data (PNG_IDAT_READ_SIZE), one row at a time inflated
   into the row (a zlib stream with a small window can refer back past the window only
   within one call), then one more 1024-byte inflate to look for the end of the stream
   (PNG_INFLATE_BUF_SIZE), and the rest skipped 1024 bytes at a time. For example, a wrong
   Adler-32 is an error when it arrives in the same piece as the last row, but only a
   warning when it arrives in the next one: libpng then looks for the stream's end
   leniently. The functions below carry the names of the libpng steps they follow. */

#define LIBPNG_READ_SIZE 8192
#define LIBPNG_SKIP_SIZE 1024

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int is_idat(const uint8_t *type) { return memcmp(type, "IDAT", 4) == 0; }

static int is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

void pf_png_add_warning(pf_png_result *result, const char *message) {
    if (result->warning_count == 0) {
        snprintf(result->first_warning, sizeof result->first_warning, "%s", message);
    }
    result->warning_count += 1;
}

/* libpng's form for a message about a chunk: the chunk type, bytes that are not letters
   written [XX] in hex, then ": " and the message (png_format_buffer). */
static void chunk_message(char *out, size_t capacity, const uint8_t *type, const char *message) {
    char name[17];
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        if (is_letter(type[i])) name[n++] = (char)type[i];
        else n += (size_t)snprintf(name + n, sizeof name - n, "[%02X]", type[i]);
    }
    name[n] = '\0';
    snprintf(out, capacity, "%s: %s", name, message);
}

size_t pf_png_idat_limit(const pf_png_image *image) {
    /* png_check_chunk_length: the image data size plus zlib's worst-case overhead. */
    size_t row_factor = (size_t)image->width * (size_t)image->channels * (image->bit_depth > 8 ? 2 : 1)
        + 1 + (image->interlaced ? 6 : 0);
    size_t limit = image->height > UINT32_MAX / row_factor ? 0x7FFFFFFF : (size_t)image->height * row_factor;
    if (row_factor > 32566) row_factor = 32566;
    limit += 6 + 5 * (limit / row_factor + 1);
    if (limit > 0x7FFFFFFF) limit = 0x7FFFFFFF;
    return limit > PF_PNG_CHUNK_LIMIT ? limit : PF_PNG_CHUNK_LIMIT;
}

/* ---- Rows ----
   With interlace handling on, libpng visits every row of the image in each of the seven
   passes and reads data only for the rows a pass holds, skipping passes whose columns
   all fall past the right edge. */

static const uint8_t pass_x_start[7] = { 0, 4, 0, 2, 0, 1, 0 };
static const uint8_t pass_x_step[7] = { 8, 8, 4, 4, 2, 2, 1 };
static const uint8_t pass_y_start[7] = { 0, 0, 4, 0, 2, 0, 1 };
static const uint8_t pass_y_step[7] = { 8, 8, 8, 4, 4, 2, 2 };

static uint32_t pass_width(const pf_png_image *image, int pass) {
    if (!image->interlaced) return image->width;
    return (image->width + pass_x_step[pass] - 1 - pass_x_start[pass]) / pass_x_step[pass];
}

static int row_has_data(const pf_png_image *image, int pass, uint32_t y) {
    if (!image->interlaced) return 1;
    return pass_width(image, pass) > 0 && y % pass_y_step[pass] == pass_y_start[pass];
}

/* Bytes of one row of the pass, without its filter byte (PNG_ROWBYTES). */
static size_t row_bytes(const pf_png_image *image, int pass) {
    size_t pixel_bits = (size_t)image->bit_depth * (size_t)image->channels;
    size_t width = pass_width(image, pass);
    return pixel_bits >= 8 ? width * (pixel_bits / 8) : (width * pixel_bits + 7) / 8;
}

/* A row at full width: the longest of any pass. */
static size_t full_row_bytes(const pf_png_image *image) {
    pf_png_image plain = *image;
    plain.interlaced = 0;
    return row_bytes(&plain, 0);
}

/* All the image data: every row of every pass, each with its filter byte. */
static uint64_t image_data_size(const pf_png_image *image) {
    uint64_t total = 0;
    for (int pass = 0; pass < (image->interlaced ? 7 : 1); pass++) {
        if (pass_width(image, pass) == 0) continue;
        uint64_t rows = image->interlaced
            ? ((uint64_t)image->height + pass_y_step[pass] - 1 - pass_y_start[pass]) / pass_y_step[pass]
            : image->height;
        total += rows * (row_bytes(image, pass) + 1);
    }
    return total;
}

/* ---- Reading as libpng reads ---- */

typedef enum { GO_ON, STOP_FAILED, STOP_SURPLUS } step;

typedef struct {
    const uint8_t *data;
    size_t size, offset;
    uint8_t type[4];        /* the chunk being read */
    uint32_t chunk_left;    /* its data bytes not yet read */
    uint32_t crc;           /* its CRC so far */
    size_t idat_limit;
    int rows_done;          /* from now on IDAT data read counts toward the cap */
    size_t after_rows;
    pf_png_result *result;
} reader;

static step fail(reader *rd, const char *message) {
    rd->result->status = PF_PNG_ERROR;
    snprintf(rd->result->message, sizeof rd->result->message, "%s", message);
    return STOP_FAILED;
}

static step fail_in_chunk(reader *rd, const char *message) {
    char text[sizeof rd->result->message];
    chunk_message(text, sizeof text, rd->type, message);
    return fail(rd, text);
}

static void warn_in_chunk(reader *rd, const char *message) {
    char text[sizeof rd->result->first_warning];
    chunk_message(text, sizeof text, rd->type, message);
    pf_png_add_warning(rd->result, text);
}

/* One read as the shim's read callback sees it: the same truncation error first, then the
   same count of image data read after the last row. */
static step take(reader *rd, size_t length, int image_data, const uint8_t **bytes) {
    if (length > rd->size - rd->offset) return fail(rd, PF_PNG_TRUNCATED);
    if (image_data && rd->rows_done) {
        rd->after_rows += length;
        if (rd->after_rows > PF_PNG_MAX_IDAT_AFTER_ROWS) return STOP_SURPLUS;
    }
    *bytes = rd->data + rd->offset;
    rd->offset += length;
    return GO_ON;
}

/* png_crc_read: data of the current chunk, into its CRC. */
static step read_chunk_data(reader *rd, size_t length, const uint8_t **bytes) {
    step s = take(rd, length, 1, bytes);
    if (s == GO_ON) {
        rd->crc = libdeflate_crc32(rd->crc, *bytes, length);
        rd->chunk_left -= (uint32_t)length;
    }
    return s;
}

/* png_crc_finish: skips the rest of the current chunk and checks its CRC. */
static step finish_chunk(reader *rd) {
    const uint8_t *bytes;
    while (rd->chunk_left > 0) {
        step s = read_chunk_data(rd, rd->chunk_left < LIBPNG_SKIP_SIZE ? rd->chunk_left : LIBPNG_SKIP_SIZE, &bytes);
        if (s != GO_ON) return s;
    }
    step s = take(rd, 4, 0, &bytes);
    if (s != GO_ON) return s;
    return be32(bytes) == rd->crc ? GO_ON : fail_in_chunk(rd, "CRC error");
}

/* png_read_chunk_header, with its checks in its order. */
static step read_chunk_header(reader *rd) {
    const uint8_t *header;
    step s = take(rd, 8, 0, &header);
    if (s != GO_ON) return s;
    uint32_t length = be32(header);
    if (length > 0x7FFFFFFF) return fail(rd, "PNG unsigned integer out of range");
    memcpy(rd->type, header + 4, 4);
    rd->crc = libdeflate_crc32(0, rd->type, 4);
    for (int i = 0; i < 4; i++) {
        if (!is_letter(rd->type[i])) return fail_in_chunk(rd, "invalid chunk type");
    }
    if (length > (is_idat(rd->type) ? rd->idat_limit : PF_PNG_CHUNK_LIMIT)) {
        warn_in_chunk(rd, "chunk data is too large");
    }
    rd->chunk_left = length;
    return GO_ON;
}

/* The next piece of IDAT data for zlib, moving on to the next chunk when this one is
   used up (the input half of png_read_IDAT_data). */
static step next_piece(reader *rd, z_stream *z) {
    while (rd->chunk_left == 0) {
        step s = finish_chunk(rd);
        if (s == GO_ON) s = read_chunk_header(rd);
        if (s != GO_ON) return s;
        if (!is_idat(rd->type)) return fail(rd, "Not enough image data");
    }
    const uint8_t *bytes;
    size_t length = rd->chunk_left < LIBPNG_READ_SIZE ? rd->chunk_left : LIBPNG_READ_SIZE;
    step s = read_chunk_data(rd, length, &bytes);
    if (s != GO_ON) return s;
    z->next_in = (Bytef *)bytes;
    z->avail_in = (uInt)length;
    return GO_ON;
}

typedef struct {
    z_stream z;
    int started;
    const char *message;
} inflater;

/* png_zlib_inflate: libpng refuses a window over 32K before zlib reads the header. */
static int inflate_more(inflater *f) {
    if (!f->started && f->z.avail_in > 0) {
        if ((f->z.next_in[0] >> 4) > 7) {
            f->message = "invalid window size (libpng)";
            return Z_DATA_ERROR;
        }
        f->started = 1;
    }
    return inflate(&f->z, Z_NO_FLUSH);
}

/* png_zstream_error: zlib's message, or libpng's words for the return code. */
static const char *inflate_message(const inflater *f, int ret) {
    if (f->message != NULL) return f->message;
    if (f->z.msg != NULL) return f->z.msg;
    switch (ret) {
    case Z_STREAM_END: return "unexpected end of LZ stream";
    case Z_NEED_DICT: return "missing LZ dictionary";
    case Z_ERRNO: return "zlib IO error";
    case Z_STREAM_ERROR: return "bad parameters to zlib";
    case Z_DATA_ERROR: return "damaged LZ stream";
    case Z_MEM_ERROR: return "insufficient memory";
    case Z_BUF_ERROR: return "truncated";
    case Z_VERSION_ERROR: return "unsupported zlib version";
    default: return "unexpected zlib return code";
    }
}

/* png_read_IDAT_data for one row, then png_read_row's filter check. */
static step read_row(reader *rd, inflater *f, uint8_t *row, size_t length, int *ended) {
    size_t left = length;
    f->z.next_out = row;
    do {
        if (f->z.avail_in == 0) {
            step s = next_piece(rd, &f->z);
            if (s != GO_ON) return s;
        }
        f->z.avail_out = (uInt)left;
        int ret = inflate_more(f);
        left = f->z.avail_out;
        if (ret == Z_STREAM_END) {
            *ended = 1;
            if (f->z.avail_in > 0 || rd->chunk_left > 0) warn_in_chunk(rd, "Extra compressed data");
            break;
        }
        if (ret != Z_OK) return fail_in_chunk(rd, inflate_message(f, ret));
    } while (left > 0);
    if (left > 0) return fail(rd, "Not enough image data");
    if (row[0] > 4) return fail(rd, "bad adaptive filter value");
    return GO_ON;
}

/* png_read_finish_IDAT, after the last row: one look for the end of the stream, where an
   error is only a warning, then the rest of the chunk skipped. */
static step finish_image_data(reader *rd, inflater *f, int ended) {
    rd->rows_done = 1;
    if (!ended) {
        uint8_t spare[LIBPNG_SKIP_SIZE];
        size_t extra = 0;
        int broken = 0;
        do {
            if (f->z.avail_in == 0) {
                step s = next_piece(rd, &f->z);
                if (s != GO_ON) return s;
            }
            f->z.next_out = spare;
            f->z.avail_out = sizeof spare;
            int ret = inflate_more(f);
            extra += sizeof spare - f->z.avail_out;
            if (ret == Z_STREAM_END) {
                if (f->z.avail_in > 0 || rd->chunk_left > 0) warn_in_chunk(rd, "Extra compressed data");
                break;
            }
            if (ret != Z_OK) {
                warn_in_chunk(rd, inflate_message(f, ret));
                broken = 1;
                break;
            }
        } while (extra > 0);
        if (extra > 0 && !broken) warn_in_chunk(rd, "Too much image data");
    }
    return finish_chunk(rd);
}

/* The row loop of the shim's libpng decode (pf_png_read). */
static step read_rows(reader *rd, inflater *f, const pf_png_image *image, uint8_t *row) {
    int passes = image->interlaced ? 7 : 1, ended = 0;
    for (int pass = 0; pass < passes; pass++) {
        size_t length = row_bytes(image, pass) + 1;
        for (uint32_t y = 0; y < image->height; y++) {
            if (row_has_data(image, pass, y)) {
                step s = read_row(rd, f, row, length, &ended);
                if (s != GO_ON) return s;
            }
            if (pass == passes - 1 && y == image->height - 1) {
                step s = finish_image_data(rd, f, ended);
                if (s != GO_ON) return s;
            }
            if (pass == passes - 1) rd->result->rows_decoded = y + 1;
        }
    }
    return GO_ON;
}

/* png_read_end skips IDAT chunks that follow the stream's end without a word. */
static step skip_trailing_idats(reader *rd) {
    while (rd->size - rd->offset >= 8 && is_idat(rd->data + rd->offset + 4)) {
        step s = read_chunk_header(rd);
        if (s == GO_ON) s = finish_chunk(rd);
        if (s != GO_ON) return s;
    }
    return GO_ON;
}

static step check_row_by_row(reader *rd, const pf_png_image *image) {
    inflater f;
    memset(&f, 0, sizeof f);
    if (inflateInit2(&f.z, 0) != Z_OK) return fail(rd, "insufficient memory");
    uint8_t *row = malloc(full_row_bytes(image) + 1);
    step s = row == NULL ? fail(rd, "insufficient memory") : read_rows(rd, &f, image, row);
    if (s == GO_ON) s = skip_trailing_idats(rd);
    free(row);
    inflateEnd(&f.z);
    return s;
}

/* ---- Well-formed image data, at full speed ----
   A well-formed PNG gets the same verdict much faster: every IDAT chunk whole with its
   CRC right, and a zlib stream across their data that pf_inflate_strict accepts (so zlib
   accepts it too), of exactly the image data's size, with valid filter bytes. libpng then
   reads every row without a word, provided the stream ends in the 8192-byte piece that
   holds the last row's last code: the last row's inflate call then reaches the end of the
   stream, and no data is read after the rows. Anything else goes row by row. */

/* The IDAT chunks' data, one chunk at a time. */
typedef struct {
    const uint8_t *data;
    size_t offset;     /* the next chunk's data */
    uint32_t length;   /* its length */
    size_t end;        /* the first chunk after the IDAT chunks */
} idat_pieces;

/* Where each row's filter byte falls in the image data, checked as the data goes by. */
typedef struct {
    const pf_png_image *image;
    int pass;
    uint32_t rows_left;   /* in this pass, this one included */
    size_t row_length;    /* with its filter byte */
    uint64_t next_row;    /* the index of its filter byte in the image data */
    uint64_t position;    /* the index of the next byte to come */
} filter_bytes;

/* The rows, unfiltered, for a row sink (non-interlaced images only). */
typedef struct {
    pf_png_row_sink *sink;
    uint8_t *current, *previous;  /* each a filter byte and the row */
    size_t length;                /* with the filter byte */
    size_t filled;
    size_t pixel_bytes;           /* the filters' "bpp": bytes of one pixel, at least 1 */
    uint32_t y;
} unfiltered_rows;

typedef struct {
    idat_pieces in;
    filter_bytes out;
    unfiltered_rows rows;
} idat_stream;

static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c) {
    int p = (int)a + b - c;
    int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undoes a row's filter (PNG section 9), given the previous row unfiltered. */
static void unfilter(uint8_t filter, uint8_t *row, const uint8_t *above, size_t length, size_t bpp) {
    switch (filter) {
    case 1:
        for (size_t i = bpp; i < length; i++) row[i] = (uint8_t)(row[i] + row[i - bpp]);
        break;
    case 2:
        for (size_t i = 0; i < length; i++) row[i] = (uint8_t)(row[i] + above[i]);
        break;
    case 3:
        for (size_t i = 0; i < bpp && i < length; i++) row[i] = (uint8_t)(row[i] + (above[i] >> 1));
        for (size_t i = bpp; i < length; i++) row[i] = (uint8_t)(row[i] + ((row[i - bpp] + above[i]) >> 1));
        break;
    case 4:
        for (size_t i = 0; i < bpp && i < length; i++) row[i] = (uint8_t)(row[i] + above[i]);
        for (size_t i = bpp; i < length; i++) row[i] = (uint8_t)(row[i] + paeth(row[i - bpp], above[i], above[i - bpp]));
        break;
    default:
        break;
    }
}

/* Gathers the inflated bytes into rows (their filter bytes already checked). */
static void gather_rows(unfiltered_rows *r, const uint8_t *data, size_t size) {
    while (size > 0) {
        size_t n = r->length - r->filled;
        if (n > size) n = size;
        memcpy(r->current + r->filled, data, n);
        r->filled += n;
        data += n;
        size -= n;
        if (r->filled < r->length) return;
        unfilter(r->current[0], r->current + 1, r->previous + 1, r->length - 1, r->pixel_bytes);
        r->sink->row(r->sink->context, r->y, r->current + 1);
        uint8_t *done = r->current;
        r->current = r->previous;
        r->previous = done;
        r->filled = 0;
        r->y += 1;
    }
}

static int next_idat_piece(void *context, const uint8_t **data, size_t *size) {
    idat_pieces *p = &((idat_stream *)context)->in;
    if (p->offset >= p->end) return 0;
    *data = p->data + p->offset;
    *size = p->length;
    size_t header = p->offset + p->length + 4;
    if (header < p->end) {
        p->length = be32(p->data + header);
        p->offset = header + 8;
    } else {
        p->offset = p->end;
    }
    return 1;
}

static void start_pass(filter_bytes *f, int pass) {
    for (f->pass = pass; f->pass < (f->image->interlaced ? 7 : 1); f->pass++) {
        const pf_png_image *image = f->image;
        uint32_t rows = image->interlaced
            ? (image->height + pass_y_step[f->pass] - 1 - pass_y_start[f->pass]) / pass_y_step[f->pass]
            : image->height;
        if (pass_width(image, f->pass) > 0 && rows > 0) {
            f->rows_left = rows;
            f->row_length = row_bytes(image, f->pass) + 1;
            return;
        }
    }
    f->rows_left = 0;
    f->next_row = UINT64_MAX;
}

static int check_filter_bytes(void *context, const uint8_t *data, size_t size) {
    filter_bytes *f = &((idat_stream *)context)->out;
    uint64_t end = f->position + size;
    while (f->next_row < end) {
        if (data[f->next_row - f->position] > 4) return 0;
        f->next_row += f->row_length;
        if (--f->rows_left == 0) start_pass(f, f->pass + 1);
    }
    f->position = end;
    unfiltered_rows *rows = &((idat_stream *)context)->rows;
    if (rows->sink != NULL) gather_rows(rows, data, size);
    return 1;
}

static int check_well_formed(const uint8_t *data, size_t size, size_t first_data, uint32_t first_length,
                             const pf_png_image *image, size_t idat_limit, size_t *resume, pf_png_row_sink *sink) {
    /* The IDAT chunks: whole, CRCs right, no length over libpng's limit. */
    uint32_t idat_crc = libdeflate_crc32(0, "IDAT", 4);
    size_t offset = first_data;
    uint64_t total = 0, last_start = 0, last_length = 0;
    uint32_t length = first_length;
    for (;;) {
        if (length > size - offset || size - offset - length < 4) return 0;
        if (libdeflate_crc32(idat_crc, data + offset, length) != be32(data + offset + length)) return 0;
        if (length > 0) {
            last_start = total;
            last_length = length;
        }
        total += length;
        offset += (size_t)length + 4;
        if (size - offset < 8 || !is_idat(data + offset + 4)) break;
        length = be32(data + offset);
        if (length > idat_limit || length > 0x7FFFFFFF) return 0;
        offset += 8;
    }
    if (last_length == 0) return 0;

    idat_stream stream = { { data, first_data, first_length, offset }, { image, 0, 0, 0, 0, 0 },
                           { NULL, NULL, NULL, 0, 0, 0, 0 } };
    start_pass(&stream.out, 0);
    if (sink != NULL && !image->interlaced) {
        size_t length = full_row_bytes(image) + 1;
        stream.rows.current = malloc(length);
        stream.rows.previous = calloc(length, 1);
        if (stream.rows.current != NULL && stream.rows.previous != NULL) {
            size_t pixel_bits = (size_t)image->bit_depth * (size_t)image->channels;
            stream.rows.sink = sink;
            stream.rows.length = length;
            stream.rows.pixel_bytes = pixel_bits >= 8 ? pixel_bits / 8 : 1;
        }
    }
    pf_inflate_io io = { next_idat_piece, check_filter_bytes, &stream };
    uint64_t last_code_byte = 0;
    int ok = pf_inflate_strict(&io, image_data_size(image), &last_code_byte)
        && last_code_byte >= last_start
        && (last_code_byte - last_start) / LIBPNG_READ_SIZE == (last_length - 1) / LIBPNG_READ_SIZE;
    if (ok) *resume = offset;
    if (ok && stream.rows.sink != NULL && stream.rows.y == image->height) sink->delivered = 1;
    free(stream.rows.current);
    free(stream.rows.previous);
    return ok;
}

pf_idat_outcome pf_png_check_idat(const uint8_t *data, size_t size, size_t first_data,
                                  uint32_t first_length, const pf_png_image *image,
                                  pf_png_result *result, size_t *resume, size_t *after_rows,
                                  pf_png_row_sink *sink) {
    size_t idat_limit = pf_png_idat_limit(image);
    if (sink != NULL) sink->delivered = 0;
    if (check_well_formed(data, size, first_data, first_length, image, idat_limit, resume, sink)) {
        result->rows_decoded = image->height;
        *after_rows = 0;
        return PF_IDAT_READ;
    }
    reader rd = { data, size, first_data, { 'I', 'D', 'A', 'T' }, first_length,
                  libdeflate_crc32(0, "IDAT", 4), idat_limit, 0, 0, result };
    switch (check_row_by_row(&rd, image)) {
    case GO_ON:
        *resume = rd.offset;
        *after_rows = rd.after_rows;
        return PF_IDAT_READ;
    case STOP_SURPLUS:
        return PF_IDAT_SURPLUS;
    default:
        return PF_IDAT_FAILED;
    }
}
