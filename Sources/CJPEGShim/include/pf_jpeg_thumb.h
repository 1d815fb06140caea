#ifndef PF_JPEG_THUMB_H
#define PF_JPEG_THUMB_H

#include <stddef.h>
#include <stdint.h>

#include "pf_averager.h"

/// Decodes the JPEG in `data[0..<size]` at the smallest libjpeg scale (1/1 to 1/8) whose
/// longest side still reaches `max_side`, then averages it down to at most `max_side`
/// pixels on the longest side. CMYK and YCCK files are turned into RGB here. Headers
/// declaring more than `max_pixels` pixels are refused before decompression starts.
/// Never longjmps out, never aborts; on failure no memory is left allocated.
void pf_jpeg_thumbnail(const uint8_t *data, size_t size, uint32_t max_side, uint64_t max_pixels,
                       pf_small_picture *result);

/// A JPEG file in memory, or why it could not be written.
typedef struct {
    int status;
    /// Owned by the caller (release with `pf_picture_free`); NULL unless status is 0.
    uint8_t *data;
    size_t size;
    char message[256];
} pf_jpeg_encoded;

/// Encodes `width * height` RGB pixels as a baseline JPEG at `quality` (1-100).
void pf_jpeg_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height, int quality,
                        pf_jpeg_encoded *result);


#endif
