#ifndef PF_JPEG_H
#define PF_JPEG_H

#include <stddef.h>
#include <stdint.h>

#include "pf_averager.h"

/// What one pass of libjpeg-turbo over a JPEG held in memory found.
typedef enum {
    PF_JPEG_OK = 0,       ///< read to EOI without a fatal error (warnings may be set)
    PF_JPEG_ERROR = 1,    ///< libjpeg stopped with a fatal error; `message` says why
    PF_JPEG_REFUSED = 2   ///< over a configured limit (pixels, scans); not decoded further
} pf_jpeg_status;

/// How much of the image to decode when checking integrity.
typedef enum {
    /// Entropy-decode every scan, then inverse-DCT and output scanlines at
    /// `scale_denom` (1, 2, 4 or 8), one strip of rows at a time.
    PF_JPEG_SCANLINES = 0,
    /// Entropy-decode every scan into DCT coefficients only (no IDCT, upsampling or
    /// colour conversion). Holds the whole coefficient image in memory.
    PF_JPEG_COEFFICIENTS = 1
} pf_jpeg_method;

typedef struct {
    /// Decode pixels (0: header only).
    int decode_pixels;
    pf_jpeg_method method;
    int scale_denom;
    /// Headers declaring more pixels than this are refused before decompression starts.
    uint64_t max_pixels;
    /// Progressive files with more scans than this are refused (a defence against
    /// files built to take minutes to decode).
    uint32_t max_scans;
    /// Upper bound on libjpeg's own allocations, in bytes.
    uint64_t max_memory;
    /// Stop decoding after this many corrupt-data warnings.
    uint32_t max_warnings;
    /// With the scanlines method, also average the decoded image into a grey picture of at
    /// most this many pixels on its longest side (0: none). The scale is then lowered, when
    /// needed, until the decoded image's longest side reaches this size (or 1/1), and
    /// grey, YCbCr and RGB files are decoded to grey directly. CMYK and YCCK files get none.
    uint32_t picture_side;
} pf_jpeg_options;

typedef struct {
    pf_jpeg_status status;
    uint32_t width;
    uint32_t height;
    int components;
    /// libjpeg's J_COLOR_SPACE of the file (1 grayscale, 2 RGB, 3 YCbCr, 4 CMYK, 5 YCCK).
    int jpeg_color_space;
    int data_precision;
    int progressive;
    int arithmetic;
    int saw_jfif;
    int saw_adobe;
    int adobe_transform;
    /// Scans read (progressive files have several).
    uint32_t scans;
    /// Output scanlines produced (at the chosen scale).
    uint32_t rows_decoded;
    uint32_t output_height;
    /// Offset just past the EOI marker when decoding finished normally, else 0.
    size_t end_offset;
    /// Warnings that mean the compressed data is damaged (premature end, bad Huffman
    /// code, extraneous bytes, ...).
    uint32_t corrupt_warning_count;
    /// Warnings that do not (unknown JFIF revision, unknown Adobe transform).
    uint32_t benign_warning_count;
    int first_warning_code;
    /// Set when libjpeg reported that the data ended before the image did.
    int saw_premature_end;
    char message[256];
    char first_warning[256];
    /// The grey picture asked for by `picture_side`, from the rows decoded (also when the
    /// data is damaged); its pixels are owned by the caller.
    pf_grey_picture picture;
} pf_jpeg_result;

void pf_jpeg_default_options(pf_jpeg_options *options);

/// Reads the JPEG in `data[0..<size]` with libjpeg-turbo. Never longjmps out, never
/// aborts, never writes to stderr; all memory is released before it returns.
void pf_jpeg_read(const uint8_t *data, size_t size, const pf_jpeg_options *options,
                  pf_jpeg_result *result);

/// The libjpeg-turbo version this shim was built against, e.g. "2.1.5".
const char *pf_jpeg_version(void);

#endif
