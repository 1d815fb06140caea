#ifndef PF_PNG_IDAT_H
#define PF_PNG_IDAT_H

#include "pf_png.h"

/* Shared between pf_png.c (libpng) and pf_png_idat.c (the image data without libpng). */

/* The read callback's message when the file ends early. */
#define PF_PNG_TRUNCATED "file ends before the PNG does (truncated)"

/* Compressed image data read after the last row is complete. libpng inflates whatever
   follows to the end of the zlib stream, and a stream can expand a thousandfold: without
   this cap a 1 MB file takes seconds, a 100 MB one many minutes. A well-formed file has a
   few bytes there (the end of the stream and its checksum). */
#define PF_PNG_MAX_IDAT_AFTER_ROWS ((size_t)64 << 10)
#define PF_PNG_SURPLUS_LEFT "IDAT: Too much image data (over 64 KB of compressed data after the last row, left unread)"

/* The largest chunk libpng reads without a "chunk data is too large" warning, as set by
   png_set_chunk_malloc_max; IDAT chunks may be larger, see pf_png_idat_limit. */
#define PF_PNG_CHUNK_LIMIT ((size_t)16 << 20)

/* What the image data check needs from IHDR. */
typedef struct {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int channels;
    int interlaced;
} pf_png_image;

/* Receives each unfiltered row of a non-interlaced image (without its filter byte), in
   order, when the image data is well formed and read at full speed. */
typedef struct {
    void (*row)(void *context, uint32_t y, const uint8_t *pixels);
    void *context;
    /* Set by pf_png_check_idat when every row was delivered. */
    int delivered;
} pf_png_row_sink;

/* libpng's largest IDAT chunk without a warning, for this image (png_check_chunk_length). */
size_t pf_png_idat_limit(const pf_png_image *image);

void pf_png_add_warning(pf_png_result *result, const char *message);

/* How the check of the image data ended. */
typedef enum {
    PF_IDAT_READ,      /* every row read: libpng goes on from `resume` */
    PF_IDAT_FAILED,    /* result->status, message and rows_decoded say why */
    PF_IDAT_SURPLUS    /* stopped at PF_PNG_MAX_IDAT_AFTER_ROWS; every row was read */
} pf_idat_outcome;

/* Checks the image data of the PNG in `data[0..<size]` as libpng's row-by-row decode
   would, reaching the same verdict, warnings and row count, without unfiltering a row:
   from the data of the first IDAT chunk (at `first_data`, `first_length` bytes long)
   through the IDAT chunks that follow it. On PF_IDAT_READ, `*resume` is the offset of the
   first chunk after them and `*after_rows` the IDAT bytes read after the last row (which
   count toward PF_PNG_MAX_IDAT_AFTER_ROWS). Warnings are added to `result`. */
pf_idat_outcome pf_png_check_idat(const uint8_t *data, size_t size, size_t first_data,
                                  uint32_t first_length, const pf_png_image *image,
                                  pf_png_result *result, size_t *resume, size_t *after_rows,
                                  pf_png_row_sink *sink);

#endif
