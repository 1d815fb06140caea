#ifndef PF_PNG_H
#define PF_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "pf_averager.h"

/// What one pass of libpng over a PNG held in memory found.
/// Every field is a plain value; nothing points into libpng's memory.
typedef enum {
    PF_PNG_OK = 0,       ///< read to IEND without a fatal error (warnings may be set)
    PF_PNG_ERROR = 1,    ///< libpng stopped with a fatal error; `message` says why
    PF_PNG_REFUSED = 2   ///< the header declares more pixels than allowed; nothing was decoded
} pf_png_status;

typedef struct {
    pf_png_status status;
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;
    int interlace_method;
    int channels;
    /// Rows of the final image that were fully decoded (all passes for Adam7).
    uint32_t rows_decoded;
    /// Offset just past the IEND chunk when the read reached it, else 0.
    size_t end_offset;
    /// libpng warnings (CRC errors in ancillary chunks, extra compressed data, ...).
    uint32_t warning_count;
    char message[256];        ///< the fatal error, when status is PF_PNG_ERROR or REFUSED
    char first_warning[256];  ///< the first warning, when warning_count > 0
} pf_png_result;

/// Reads the PNG in `data[0..<size]` with libpng.
/// `decode_pixels` 0 stops after the header chunks; otherwise every row of every pass is
/// inflated and unfiltered into a one-row buffer, and the chunks after IDAT are read to IEND.
/// Headers declaring more than `max_pixels` pixels, or rows of more than 64 MB, are refused
/// before any row is allocated. Ancillary chunks other than tRNS are skipped unread (their
/// CRCs still checked), and at most 64 KB of compressed data after the last row is read
/// (surplus data past that is left unread and reported as a warning).
/// Never longjmps out, never aborts; all memory is released before it returns.
void pf_png_read(const uint8_t *data, size_t size, int decode_pixels,
                 uint64_t max_pixels, pf_png_result *result);

/// Checks the PNG in `data[0..<size]` as `pf_png_read` does with `decode_pixels` set, with the
/// same result (status, message, rows, end offset, warnings), but without libpng's row
/// decoding: libpng reads and judges every chunk but the image data, and the IDAT chunks
/// are checked apart (their CRCs, one zlib stream, its exact size, each row's filter byte),
/// since unfiltering rows cannot fail. Interlaced palette images with a short palette are
/// decoded by `pf_png_read`: libpng notes their out-of-range pixel values.
/// Memory: as `pf_png_read` (libpng's two rows, and at most one row more), plus about
/// 200 KB. Never longjmps out, never aborts; all memory is released.
void pf_png_check(const uint8_t *data, size_t size, uint64_t max_pixels, pf_png_result *result);

/// `pf_png_check`, and when the image is intact (status OK), a grey picture of it of at
/// most `picture_side` pixels on the longest side, for measuring it (alpha ignored). The
/// rows come from the check itself when it reads them at full speed; otherwise (interlaced
/// images, unusual streams) from a second, reduced decode. `picture->pixels` is NULL when
/// none was made.
void pf_png_check_picture(const uint8_t *data, size_t size, uint64_t max_pixels, uint32_t picture_side,
                          pf_png_result *result, pf_grey_picture *picture);

/// A grey picture of the PNG (as `pf_png_check_picture` makes), from a decode by libpng
/// alone; `picture->pixels` is NULL when the image could not be decoded.
void pf_png_picture(const uint8_t *data, size_t size, uint32_t side, uint64_t max_pixels,
                    pf_grey_picture *picture);

/// The CRC-32 of PNG chunks (as zlib's), continued from `crc` (0 to start).
uint32_t pf_crc32(uint32_t crc, const uint8_t *data, size_t size);

/// The libpng version this shim was built against, e.g. "1.6.39".
const char *pf_png_version(void);

#endif
