#include "pf_inflate.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

/* A zlib decoder for speed: it reads the input 64 bits at a time, keeps its tables in one
   level of lookups for most codes, copies matches 8 bytes at a time and computes the
   Adler-32 with libdeflate, which makes it about 1.6 times as fast as zlib's inflate.

   It must never accept what zlib rejects, since its "yes" stands for zlib's. So it follows
   zlib's rules (RFC 1951 plus zlib's limits: at most 286 length and 30 distance codes, the
   reserved fixed codes 286, 287, 30 and 31 invalid, no repeat before the first length or
   past the last) and is stricter where that costs nothing in practice: every Huffman code
   must be complete (zlib also takes a distance code of zero or one symbol, which zlib's
   own encoder never writes) and the window must be 32K. Anything else returns 0 and is
   left to zlib. */

/* ---- Reading bits ----
   `buf` holds `count` unread bits, the next one lowest. Bits above `count` are zero or the
   true bits that follow, so OR-ing in a fresh 64-bit load at `next` never corrupts them.
   The input comes in pieces; past its end, zero bytes are fed in and counted in
   `past_end`. */
typedef struct {
    const uint8_t *next, *end;   /* what is left of the current piece */
    const uint8_t *piece;        /* the current piece's first byte */
    uint64_t piece_start;        /* its index in the stream */
    uint64_t buf;
    unsigned count;
    uint64_t past_end;
    int input_done;
    const pf_inflate_io *io;
} bit_reader;

static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Bytes of the stream taken from the input so far. */
static inline uint64_t bytes_taken(const bit_reader *r) {
    return r->piece_start + (uint64_t)(r->next - r->piece);
}

/* Bits consumed so far, counting from the start of the stream. */
static inline uint64_t bits_consumed(const bit_reader *r) {
    return (bytes_taken(r) + r->past_end) * 8 - r->count;
}

/* Moves on to the next piece that is not empty, or to the end of the input. */
static void next_piece(bit_reader *r) {
    while (!r->input_done && r->next == r->end) {
        const uint8_t *data;
        size_t size;
        r->piece_start = bytes_taken(r);
        r->piece = r->next;
        if (!r->io->next_input(r->io->context, &data, &size)) {
            r->input_done = 1;
            return;
        }
        r->piece = r->next = data;
        r->end = data + size;
    }
}

/* Byte by byte, across pieces, up to 56 bits: `count` stays below 64 for the next refill. */
static void refill_slowly(bit_reader *r) {
    while (r->count < 56) {
        if (r->next == r->end) next_piece(r);
        uint64_t byte = 0;
        if (r->next < r->end) byte = *r->next++; else r->past_end++;
        r->buf |= byte << r->count;
        r->count += 8;
    }
}

/* Brings `count` to at least 56: enough for any code plus its extra bits. */
static inline void refill(bit_reader *r) {
    if (r->end - r->next >= 8) {
        unsigned bytes = (63 - r->count) >> 3;
        r->buf |= load_le64(r->next) << r->count;
        r->next += bytes;
        r->count += bytes << 3;
    } else {
        refill_slowly(r);
    }
}

static inline uint32_t peek_bits(const bit_reader *r, unsigned n) { return (uint32_t)(r->buf & ((1ull << n) - 1)); }
static inline void drop_bits(bit_reader *r, unsigned n) { r->buf >>= n; r->count -= n; }
static inline uint32_t take_bits(bit_reader *r, unsigned n) { uint32_t v = peek_bits(r, n); drop_bits(r, n); return v; }

/* Whether bits past the end of the input have been used. */
static inline int overread(const bit_reader *r) { return bits_consumed(r) > bytes_taken(r) * 8; }

/* ---- Writing output ----
   Output goes into a window: the last 32K (all a match can reach), then room for new
   bytes. When the room is used up, the new bytes go to the consumer and the last 32K
   slide to the front. A match may run up to 258 bytes past the room before that. */
#define HISTORY 32768
#define ROOM (128 << 10)
#define SLACK 512

typedef struct {
    uint8_t window[HISTORY + ROOM + SLACK];
    uint8_t *o;              /* where the next byte goes */
    uint8_t *sent;           /* bytes before this went to the consumer */
    uint64_t window_start;   /* the index in the output of window[0] */
    uint64_t size;           /* the whole output's size */
    uint32_t adler;
    uint64_t last_output_byte;
    const pf_inflate_io *io;
} output;

static inline uint8_t *room_end(output *w) { return w->window + HISTORY + ROOM; }

/* Bytes of output still to come. */
static inline uint64_t output_left(const output *w, const uint8_t *o) {
    return w->size - (w->window_start + (uint64_t)(o - w->window));
}

static int send(output *w) {
    size_t n = (size_t)(w->o - w->sent);
    if (n == 0) return 1;
    w->adler = libdeflate_adler32(w->adler, w->sent, n);
    int ok = w->io->output(w->io->context, w->sent, n);
    w->sent = w->o;
    return ok;
}

/* Sends the new bytes and slides the history to the front. */
static int hand_over(output *w) {
    if (!send(w)) return 0;
    uint8_t *keep = w->o - HISTORY;
    memmove(w->window, keep, HISTORY);
    w->window_start += (uint64_t)(keep - w->window);
    w->o = w->sent = w->window + HISTORY;
    return 1;
}

/* ---- Decode tables ----
   An entry packs: bits 0-7 the codeword length, 8-11 the extra bits that follow the
   codeword, 12-15 the kind, 16-31 the value (literal byte, length or distance base, or a
   subtable's first index). Codes longer than the root index width continue in a subtable;
   the root entry then holds the subtable's index width in its "extra" field. */
enum { KIND_LITERAL, KIND_BASE, KIND_END, KIND_SUBTABLE, KIND_INVALID };

#define ENTRY(kind, value, extra) ((uint32_t)(value) << 16 | (uint32_t)(kind) << 12 | (uint32_t)(extra) << 8)
#define ENTRY_LENGTH(e) ((e) & 0xFF)
#define ENTRY_EXTRA(e) (((e) >> 8) & 0xF)
#define ENTRY_KIND(e) (((e) >> 12) & 0xF)
#define ENTRY_VALUE(e) ((e) >> 16)

#define LITLEN_ROOT_BITS 10
#define DIST_ROOT_BITS 8
#define CODELEN_BITS 7   /* code length codes are at most 7 bits: no subtables */
/* Root plus subtables; complete codes with these root widths need at most 1332 and 400
   entries (zlib's enough.c). Building checks the bound regardless. */
#define LITLEN_TABLE_SIZE 2048
#define DIST_TABLE_SIZE 1024

static const uint16_t length_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t length_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t distance_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t distance_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

typedef enum { CODE_LITLEN, CODE_DISTANCE, CODE_CODELEN } code_kind;

/* What a symbol stands for. The fixed code defines lengths 286-287 and distances 30-31,
   which DEFLATE reserves: they decode as invalid, as in zlib. */
static uint32_t symbol_entry(code_kind kind, unsigned symbol) {
    switch (kind) {
    case CODE_LITLEN:
        if (symbol < 256) return ENTRY(KIND_LITERAL, symbol, 0);
        if (symbol == 256) return ENTRY(KIND_END, 0, 0);
        if (symbol < 286) return ENTRY(KIND_BASE, length_base[symbol - 257], length_extra[symbol - 257]);
        return ENTRY(KIND_INVALID, 0, 0);
    case CODE_DISTANCE:
        if (symbol < 30) return ENTRY(KIND_BASE, distance_base[symbol], distance_extra[symbol]);
        return ENTRY(KIND_INVALID, 0, 0);
    case CODE_CODELEN:
        break;
    }
    return ENTRY(KIND_LITERAL, symbol, 0);
}

/* Huffman codes are sent most significant bit first, into a stream read least significant
   bit first: tables are indexed by the codeword reversed. */
static inline uint32_t reversed(uint32_t code, unsigned length) {
    uint32_t r = 0;
    for (unsigned i = 0; i < length; i++, code >>= 1) r = (r << 1) | (code & 1);
    return r;
}

/* Builds the table for `count` codeword lengths (0 = unused symbol). Returns 0 unless the
   lengths form a complete prefix code. */
static int build_table(const uint8_t *lengths, unsigned count, code_kind kind,
                       unsigned root_bits, uint32_t *table, unsigned table_size) {
    unsigned per_length[16] = {0};
    for (unsigned s = 0; s < count; s++) per_length[lengths[s]]++;
    int left = 1;   /* codewords still free at the current length */
    for (unsigned len = 1; len <= 15; len++) {
        left = (left << 1) - (int)per_length[len];
        if (left < 0) return 0;   /* over-subscribed */
    }
    if (left != 0) return 0;      /* incomplete, or empty */

    /* Symbols in canonical order: by codeword length, then by symbol. */
    unsigned first[16], order[288], used_symbols = 0;
    first[1] = 0;
    for (unsigned len = 1; len < 15; len++) first[len + 1] = first[len] + per_length[len];
    for (unsigned s = 0; s < count; s++) {
        if (lengths[s]) { order[first[lengths[s]]++] = s; used_symbols++; }
    }

    unsigned next_free = 1u << root_bits;   /* where the next subtable goes */
    uint32_t code = 0, sub_prefix = UINT32_MAX;
    unsigned previous_len = 0, sub_start = 0, sub_bits = 0;
    for (unsigned i = 0; i < used_symbols; i++) {
        unsigned symbol = order[i], len = lengths[symbol];
        if (i > 0) code = (code + 1) << (len - previous_len);
        previous_len = len;
        uint32_t entry = symbol_entry(kind, symbol);
        if (len <= root_bits) {
            for (uint32_t k = reversed(code, len); k < (1u << root_bits); k += 1u << len) table[k] = entry | len;
            continue;
        }
        uint32_t prefix = code >> (len - root_bits);
        if (prefix != sub_prefix) {
            /* Codes sharing a root prefix are consecutive and the last is the longest:
               it sets the subtable's width. */
            uint32_t c = code;
            unsigned l = len;
            for (unsigned j = i + 1; j < used_symbols; j++) {
                unsigned next_len = lengths[order[j]];
                uint32_t next_code = (c + 1) << (next_len - l);
                if (next_code >> (next_len - root_bits) != prefix) break;
                c = next_code;
                l = next_len;
            }
            sub_prefix = prefix;
            sub_bits = l - root_bits;
            sub_start = next_free;
            next_free += 1u << sub_bits;
            if (next_free > table_size) return 0;
            table[reversed(prefix, root_bits)] = ENTRY(KIND_SUBTABLE, sub_start, sub_bits) | root_bits;
        }
        unsigned rest = len - root_bits;
        for (uint32_t k = reversed(code & ((1u << rest) - 1), rest); k < (1u << sub_bits); k += 1u << rest) {
            table[sub_start + k] = entry | len;
        }
    }
    return 1;
}

static inline uint32_t lookup(const uint32_t *table, unsigned root_bits, uint64_t bits) {
    uint32_t e = table[bits & ((1u << root_bits) - 1)];
    if (ENTRY_KIND(e) == KIND_SUBTABLE) e = table[ENTRY_VALUE(e) + ((bits >> root_bits) & ((1u << ENTRY_EXTRA(e)) - 1))];
    return e;
}

typedef struct {
    uint32_t litlen[LITLEN_TABLE_SIZE];
    uint32_t distance[DIST_TABLE_SIZE];
} code_tables;

typedef struct {
    code_tables fixed, dynamic;
    int fixed_built;
    uint32_t codelen[1 << CODELEN_BITS];
    uint8_t lengths[288 + 32];
    output out;
} workspace;

static int build_fixed(code_tables *t) {
    uint8_t lengths[288 + 32];
    memset(lengths, 8, 144);
    memset(lengths + 144, 9, 112);
    memset(lengths + 256, 7, 24);
    memset(lengths + 280, 8, 8);
    memset(lengths + 288, 5, 32);
    return build_table(lengths, 288, CODE_LITLEN, LITLEN_ROOT_BITS, t->litlen, LITLEN_TABLE_SIZE)
        && build_table(lengths + 288, 32, CODE_DISTANCE, DIST_ROOT_BITS, t->distance, DIST_TABLE_SIZE);
}

static int read_dynamic(bit_reader *r, workspace *w) {
    static const uint8_t codelen_order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
    refill(r);
    unsigned litlen_count = take_bits(r, 5) + 257, distance_count = take_bits(r, 5) + 1;
    unsigned codelen_count = take_bits(r, 4) + 4;
    if (litlen_count > 286 || distance_count > 30) return 0;
    uint8_t codelen_lengths[19] = {0};
    for (unsigned i = 0; i < codelen_count; i++) {
        if (r->count < 3) refill(r);
        codelen_lengths[codelen_order[i]] = (uint8_t)take_bits(r, 3);
    }
    if (!build_table(codelen_lengths, 19, CODE_CODELEN, CODELEN_BITS, w->codelen, 1 << CODELEN_BITS)) return 0;

    unsigned total = litlen_count + distance_count, n = 0;
    while (n < total) {
        refill(r);
        uint32_t e = w->codelen[peek_bits(r, CODELEN_BITS)];
        drop_bits(r, ENTRY_LENGTH(e));
        unsigned symbol = ENTRY_VALUE(e), repeat;
        uint8_t value = 0;
        if (symbol < 16) { w->lengths[n++] = (uint8_t)symbol; continue; }
        if (symbol == 16) {
            if (n == 0) return 0;
            value = w->lengths[n - 1];
            repeat = 3 + take_bits(r, 2);
        } else if (symbol == 17) {
            repeat = 3 + take_bits(r, 3);
        } else {
            repeat = 11 + take_bits(r, 7);
        }
        if (repeat > total - n) return 0;
        memset(w->lengths + n, value, repeat);
        n += repeat;
    }
    if (w->lengths[256] == 0) return 0;   /* no end-of-block code */
    return build_table(w->lengths, litlen_count, CODE_LITLEN, LITLEN_ROOT_BITS, w->dynamic.litlen, LITLEN_TABLE_SIZE)
        && build_table(w->lengths + litlen_count, distance_count, CODE_DISTANCE, DIST_ROOT_BITS,
                       w->dynamic.distance, DIST_TABLE_SIZE);
}

/* Copies a match with room for whole 8-byte words to run past its end. */
static inline void copy_match(uint8_t *out, size_t distance, unsigned length) {
    const uint8_t *from = out - distance;
    uint8_t *end = out + length;
    if (distance >= 8) {
        do { memcpy(out, from, 8); out += 8; from += 8; } while (out < end);
    } else if (distance == 1) {
        memset(out, *from, length);
    } else {
        do { *out++ = *from++; } while (out < end);
    }
}

/* Where the output ends within the window (NULL when past the room), and where the fast
   path stops: a whole match and a word before that end or the end of the room. */
static void output_limits(output *w, uint8_t **end, uint8_t **fast_end) {
    uint64_t left = output_left(w, w->o);
    uint8_t *limit = room_end(w);
    *end = NULL;
    if (left <= (uint64_t)(limit - w->o)) *end = limit = w->o + left;
    *fast_end = limit - w->window > 266 ? limit - 266 : w->window;
}

/* Decodes one Huffman block. Returns 1 at its end-of-block code, 0 on anything invalid.
   The bit reader is copied into a local: written through `o`, bytes may alias anything,
   and the compiler would otherwise keep the reader in memory rather than in registers. */
static int decode_block(bit_reader *reader, const code_tables *t, output *w) {
    bit_reader local = *reader, *r = &local;
    uint8_t *o = w->o, *end, *fast_end;
    output_limits(w, &end, &fast_end);
    for (;;) {
        if (o >= room_end(w)) {
            w->o = o;
            if (!hand_over(w)) return 0;
            o = w->o;
            output_limits(w, &end, &fast_end);
        }
        refill(r);
        uint32_t e = lookup(t->litlen, LITLEN_ROOT_BITS, r->buf);
        if (ENTRY_KIND(e) == KIND_LITERAL && o < fast_end) {
            /* Literals come in runs: take up to three per refill (at most 45 bits). */
            drop_bits(r, ENTRY_LENGTH(e));
            *o++ = (uint8_t)ENTRY_VALUE(e);
            e = lookup(t->litlen, LITLEN_ROOT_BITS, r->buf);
            if (ENTRY_KIND(e) != KIND_LITERAL) goto other;
            drop_bits(r, ENTRY_LENGTH(e));
            *o++ = (uint8_t)ENTRY_VALUE(e);
            e = lookup(t->litlen, LITLEN_ROOT_BITS, r->buf);
            if (ENTRY_KIND(e) != KIND_LITERAL) goto other;
            drop_bits(r, ENTRY_LENGTH(e));
            *o++ = (uint8_t)ENTRY_VALUE(e);
            continue;
        }
    other:
        switch (ENTRY_KIND(e)) {
        case KIND_LITERAL:
            if (o == end) return 0;
            drop_bits(r, ENTRY_LENGTH(e));
            *o++ = (uint8_t)ENTRY_VALUE(e);
            if (o == end) w->last_output_byte = (bits_consumed(r) - 1) / 8;
            continue;
        case KIND_END:
            drop_bits(r, ENTRY_LENGTH(e));
            w->o = o;
            *reader = local;
            return 1;
        case KIND_BASE:
            break;
        default:
            return 0;
        }
        /* A match: at most 15 + 5 + 15 + 13 bits. */
        refill(r);
        drop_bits(r, ENTRY_LENGTH(e));
        unsigned length = ENTRY_VALUE(e) + take_bits(r, ENTRY_EXTRA(e));
        uint32_t d = lookup(t->distance, DIST_ROOT_BITS, r->buf);
        if (ENTRY_KIND(d) != KIND_BASE) return 0;
        drop_bits(r, ENTRY_LENGTH(d));
        size_t distance = ENTRY_VALUE(d) + take_bits(r, ENTRY_EXTRA(d));
        /* The window holds all the output, or at least 32K of it: further back than the
           window is before the start. */
        if (distance > (size_t)(o - w->window)) return 0;
        if (o < fast_end) {
            copy_match(o, distance, length);
            o += length;
        } else {
            if (end != NULL && length > (size_t)(end - o)) return 0;
            for (unsigned k = 0; k < length; k++, o++) *o = *(o - distance);
            if (o == end) w->last_output_byte = (bits_consumed(r) - 1) / 8;
        }
    }
}

/* A stored block: LEN, its complement, then LEN bytes as they are. */
static int copy_stored(bit_reader *r, output *w) {
    drop_bits(r, r->count & 7);   /* to a byte boundary */
    refill(r);
    unsigned length = take_bits(r, 16), complement = take_bits(r, 16);
    if (length != (~complement & 0xFFFF)) return 0;
    while (length > 0) {
        if (w->o >= room_end(w) && !hand_over(w)) return 0;
        uint64_t left = output_left(w, w->o);
        if (left == 0) return 0;
        /* The bytes already in the bit buffer first, then straight from the input. */
        const uint8_t *from;
        size_t n;
        uint8_t byte;
        if (r->count > 0) {
            byte = (uint8_t)take_bits(r, 8);
            if (overread(r)) return 0;
            from = &byte;
            n = 1;
        } else {
            r->buf = 0;   /* bits read ahead are about to be taken directly */
            if (r->next == r->end) next_piece(r);
            if (r->next == r->end) return 0;
            from = r->next;
            n = (size_t)(r->end - r->next);
            if (n > length) n = length;
            if (n > (size_t)(room_end(w) - w->o)) n = (size_t)(room_end(w) - w->o);
            if (n > left) n = (size_t)left;
            r->next += n;
        }
        memcpy(w->o, from, n);
        w->o += n;
        length -= (unsigned)n;
        if (n == left) w->last_output_byte = bits_consumed(r) / 8 - 1;
    }
    return 1;
}

int pf_inflate_strict(const pf_inflate_io *io, uint64_t out_size, uint64_t *last_output_byte) {
    workspace *w = malloc(sizeof *w);
    if (w == NULL) return 0;
    w->fixed_built = 0;
    output *out = &w->out;
    out->o = out->sent = out->window;
    out->window_start = 0;
    out->size = out_size;
    out->adler = 1;
    out->last_output_byte = 0;
    out->io = io;
    bit_reader r = { NULL, NULL, NULL, 0, 0, 0, 0, 0, io };

    refill(&r);
    unsigned cmf = take_bits(&r, 8), flg = take_bits(&r, 8);
    int ok = (cmf & 0x0F) == 8 && (cmf >> 4) == 7 && ((cmf << 8) | flg) % 31 == 0 && (flg & 0x20) == 0;
    int final = 0;
    while (ok && !final) {
        refill(&r);
        final = (int)take_bits(&r, 1);
        switch (take_bits(&r, 2)) {
        case 0:
            ok = copy_stored(&r, out);
            break;
        case 1:
            if (!w->fixed_built) w->fixed_built = build_fixed(&w->fixed);
            ok = w->fixed_built && decode_block(&r, &w->fixed, out);
            break;
        case 2:
            ok = read_dynamic(&r, w) && decode_block(&r, &w->dynamic, out);
            break;
        default:
            ok = 0;
        }
    }
    uint32_t stored = 0;
    if (ok) {
        /* The Adler-32 of the data follows on a byte boundary, and ends the input. */
        drop_bits(&r, r.count & 7);
        refill(&r);
        for (int i = 0; i < 4; i++) stored = stored << 8 | take_bits(&r, 8);
        ok = output_left(out, out->o) == 0 && bits_consumed(&r) == bytes_taken(&r) * 8 && r.next == r.end;
        if (ok) next_piece(&r);
        ok = ok && r.input_done && send(out) && out->adler == stored;
    }
    *last_output_byte = out->last_output_byte;
    free(w);
    return ok;
}
