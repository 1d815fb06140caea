#ifndef PF_INFLATE_H
#define PF_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/// Where pf_inflate_strict reads and writes.
typedef struct {
    /// Hands over the next piece of the compressed stream; returns 0 when there is none.
    int (*next_input)(void *context, const uint8_t **data, size_t *size);
    /// Takes the decoded bytes, in order and in pieces; returns 0 to stop decoding.
    int (*output)(void *context, const uint8_t *data, size_t size);
    void *context;
} pf_inflate_io;

/// Decodes the zlib stream `io` hands over, which must decode to exactly `out_size` bytes.
/// Returns 1 only when it is a stream zlib itself accepts (32K window, no preset
/// dictionary, valid DEFLATE data, matching Adler-32), of that size, ending exactly where
/// the input ends, and `io->output` took every byte; `*last_output_byte` is then the index,
/// from the stream's first byte, of the byte holding the last bit of the code that produced
/// the final output byte. Returns 0 otherwise, and on any stream this decoder does not
/// handle: the caller then asks zlib. Memory: about 200 KB.
int pf_inflate_strict(const pf_inflate_io *io, uint64_t out_size, uint64_t *last_output_byte);

#endif
