/* Times Preflight's JPEG decode methods on the same files, through Preflight's own C shim
 * (Sources/CJPEGShim/pf_jpeg.c and the averager it uses, compiled unchanged next to this
 * file by run.py).
 *
 * `preflight` has no command-line switch for JPEGDecodeMethod (ProbeOptions.jpegMethod is
 * set in code; the default is scanlines at 1/8), so this driver calls pf_jpeg_read with the
 * options each method sets in JPEGDecoder.swift: scanlines at 1/1, 1/2, 1/4, 1/8, 1/8 with
 * the grey picture full mode measures (picture_side 256: the scale lowered where needed,
 * luma only), and coefficients only. One thread; each file is read into memory before
 * timing starts.
 *
 *   jpeg_methods FILE...     prints one line per method: files, megapixels, CPU ms, ms/MP,
 *                            files flagged (corrupt warnings or error)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf_jpeg.h"

static double cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static unsigned char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(n > 0 ? (size_t)n : 1);
    *size = fread(data, 1, (size_t)n, f);
    fclose(f);
    return data;
}

int main(int argc, char **argv) {
    struct { const char *name; pf_jpeg_method method; int denom; uint32_t picture; } methods[] = {
        {"scanlines 1/1", PF_JPEG_SCANLINES, 1, 0},
        {"scanlines 1/2", PF_JPEG_SCANLINES, 2, 0},
        {"scanlines 1/4", PF_JPEG_SCANLINES, 4, 0},
        {"scanlines 1/8", PF_JPEG_SCANLINES, 8, 0},
        {"scanlines 1/8 + grey picture (default)", PF_JPEG_SCANLINES, 8, 256},
        {"coefficients", PF_JPEG_COEFFICIENTS, 1, 0},
    };
    printf("method\tfiles\tmegapixels\tcpu_ms\tms_per_mp\tflagged\n");
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        double total_ms = 0, megapixels = 0;
        int files = 0, flagged = 0;
        for (int i = 1; i < argc; i++) {
            size_t size = 0;
            unsigned char *data = slurp(argv[i], &size);
            if (!data) continue;
            pf_jpeg_options options;
            pf_jpeg_default_options(&options);
            options.method = methods[m].method;
            options.scale_denom = methods[m].denom;
            options.picture_side = methods[m].picture;
            options.max_pixels = 100000000ULL;           /* ProbeOptions.defaultMaxPixels */
            options.max_memory = 800000000ULL;           /* max(256 MiB, maxPixels * 8) */
            pf_jpeg_result result;
            double start = cpu_ms();
            pf_jpeg_read(data, size, &options, &result);
            total_ms += cpu_ms() - start;
            free(data);
            pf_picture_free(result.picture.pixels);
            files += 1;
            megapixels += (double)result.width * result.height / 1e6;
            if (result.status != PF_JPEG_OK || result.corrupt_warning_count > 0) flagged += 1;
        }
        printf("%s\t%d\t%.1f\t%.0f\t%.2f\t%d\n", methods[m].name, files, megapixels, total_ms,
               megapixels > 0 ? total_ms / megapixels : 0, flagged);
        fflush(stdout);
    }
    return 0;
}
