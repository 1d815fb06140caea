#ifndef PF_PNG_THUMB_H
#define PF_PNG_THUMB_H

#include <stddef.h>
#include <stdint.h>

#include "pf_averager.h"

/// Decodes the PNG in `data[0..<size]` a row at a time (palette, grey, 16-bit and
/// transparency turned into 8-bit RGB, transparent parts shown over a light chequer) and
/// averages the rows down to at most `max_side` pixels on the longest side: memory is one
/// row and the small picture, whatever the image's size. Interlaced images are drawn from
/// their last pass (every odd row). Headers declaring more than `max_pixels` pixels are
/// refused. Never longjmps out, never aborts; on failure no memory is left allocated.
void pf_png_thumbnail(const uint8_t *data, size_t size, uint32_t max_side, uint64_t max_pixels,
                      pf_small_picture *result);


#endif
