#ifndef PF_AVERAGER_H
#define PF_AVERAGER_H

#include <stddef.h>
#include <stdint.h>

/// A picture made smaller by averaging: the rows of an image go in one at a time (8-bit RGB),
/// and each pixel of the small picture is the mean of the source pixels in its cell. Memory
/// is the small picture's sums, whatever the image's size. Shared by the PNG and JPEG
/// thumbnails.
typedef struct {
    uint32_t in_width, in_height, out_width, out_height;
    uint32_t *column_cell;
    uint64_t *sums;
    uint32_t *counts;
} pf_averager;

/// Sizes the small picture (at most `max_side` pixels on the longest side, never larger than
/// the image); returns 0 when memory could not be had (release it all the same).
int pf_averager_start(pf_averager *a, uint32_t in_width, uint32_t in_height, uint32_t max_side);

/// Adds source row `y` (`in_width` RGB pixels); rows past the image are ignored.
void pf_averager_add_row(pf_averager *a, uint32_t y, const uint8_t *rgb);

/// The small picture, `out_width * out_height * 3` bytes the caller frees with free(), or
/// NULL. Cells no row reached (interlaced images, rows after damage) take the row above,
/// else mid grey.
uint8_t *pf_averager_finish(pf_averager *a);

/// Frees the sums; the averager may be started again.
void pf_averager_release(pf_averager *a);

/// A small RGB picture made from an image, or why it could not be made: what the PNG and
/// JPEG thumbnails both hand back.
typedef struct {
    /// 0 made; 1 the decoder stopped (`message` says why); 2 over a limit (pixels).
    int status;
    /// The image as stored (before any EXIF orientation).
    uint32_t width;
    uint32_t height;
    /// `out_width * out_height * 3` bytes, row by row, owned by the caller (release with
    /// `pf_picture_free`); NULL unless status is 0.
    uint8_t *pixels;
    uint32_t out_width;
    uint32_t out_height;
    /// Why it failed; for a PNG cut short, also set with status 0 (the picture stops there).
    char message[256];
} pf_small_picture;

/// Releases memory the thumbnail and encoding functions hand out (NULL is allowed).
void pf_picture_free(void *memory);

/// A grey picture made smaller by averaging, for measuring an image (sharpness, exposure,
/// a perceptual hash): rows go in one at a time as 8-bit grey, and each pixel of the small
/// picture is the mean of the samples in its cell, a square of `cell` x `cell` pixels.
/// Large images are sampled on a grid of every `step`-th row and column (about 4 x 4
/// samples per cell remain), so the cost per source pixel stays small.
typedef struct {
    uint32_t in_width, in_height, out_width, out_height;
    uint32_t cell;
    /// Every `step`-th row and column is sampled.
    uint32_t step;
    /// Samples in one row: `(in_width + step - 1) / step`.
    uint32_t samples;
    uint32_t *column_cell;
    uint32_t *sums;
    uint32_t *counts;
} pf_grey_averager;

/// Sizes the picture: the whole number of pixels a cell's side holds is the one that brings
/// the longest side nearest `max_side` (so between 2/3 and 2 times `max_side`, or the image
/// itself when smaller). Returns 0 when memory could not be had (release it all the same).
int pf_grey_start(pf_grey_averager *a, uint32_t in_width, uint32_t in_height, uint32_t max_side);

/// Whether row `y` is sampled.
static inline int pf_grey_wants_row(const pf_grey_averager *a, uint32_t y) {
    return y < a->in_height && y % a->step == 0;
}

/// Adds row `y`: `samples` grey values, those of columns 0, step, 2 step, ...
void pf_grey_add_samples(pf_grey_averager *a, uint32_t y, const uint8_t *grey);

/// Adds row `y` of `in_width` pixels of `channels` 8-bit values each (1 grey, 2 grey and
/// alpha, 3 RGB, 4 RGBA; alpha is ignored), sampling it as the grid says.
void pf_grey_add_row(pf_grey_averager *a, uint32_t y, const uint8_t *pixels, int channels);

/// The picture, `out_width * out_height` bytes the caller frees with free(), or NULL.
/// Cells no row reached take the row above, else mid grey.
uint8_t *pf_grey_finish(pf_grey_averager *a);

void pf_grey_release(pf_grey_averager *a);

/// A small grey picture of a decoded image, for measuring it.
typedef struct {
    /// `width * height` bytes (release with `pf_picture_free`), or NULL.
    uint8_t *pixels;
    uint32_t width;
    uint32_t height;
} pf_grey_picture;

#endif
