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

#endif
