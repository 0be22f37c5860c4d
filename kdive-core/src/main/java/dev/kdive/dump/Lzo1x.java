package dev.kdive.dump;

/**
 * LZO1X decompression, written from the bitstream description in the Linux kernel's
 * Documentation/staging/lzo.rst (the format makedumpfile -l stores pages in). Every read and
 * write is bounds-checked; a malformed stream is an {@link IllegalArgumentException} naming the
 * input offset.
 */
final class Lzo1x {
    private final byte[] in;
    private final byte[] out;
    private int ip;
    private int op;

    private Lzo1x(byte[] in, byte[] out) {
        this.in = in;
        this.out = out;
    }

    /** Decompresses {@code in} into {@code out}; {@return the number of bytes produced} */
    static int decompress(byte[] in, byte[] out) {
        return new Lzo1x(in, out).run();
    }

    private int next() {
        if (ip >= in.length) {
            throw new IllegalArgumentException("LZO stream ends early at input offset " + ip);
        }
        return in[ip++] & 0xff;
    }

    /** The run-length extension: zero bytes add 255 each, the first non-zero byte ends it. */
    private int extended(int base) {
        int n = 0;
        int b;
        while ((b = next()) == 0) {
            n += 255;
            if (n > out.length) {
                throw new IllegalArgumentException("LZO length overflows the output at input offset " + ip);
            }
        }
        return base + n + b;
    }

    private void literals(int n) {
        if (ip + n > in.length || op + n > out.length) {
            throw new IllegalArgumentException("LZO literal run of " + n + " bytes overruns at input offset " + ip);
        }
        System.arraycopy(in, ip, out, op, n);
        ip += n;
        op += n;
    }

    private void match(int distance, int length) {
        int from = op - distance;
        if (from < 0 || op + length > out.length) {
            throw new IllegalArgumentException("LZO match (distance " + distance + ", length " + length
                    + ") outside the output at input offset " + ip);
        }
        for (int i = 0; i < length; i++) { // overlapping copies repeat bytes, as intended
            out[op++] = out[from + i];
        }
    }

    private int run() {
        int state = 0;
        int t = next();
        if (t > 17) {
            int n = t - 17;
            literals(n);
            state = n < 4 ? n : 4;
            t = next();
        } else if (t == 17) {
            throw new IllegalArgumentException("LZO bitstream version 1 (RLE) is not produced by makedumpfile");
        }
        while (true) {
            int s;
            if (t < 16) {
                if (state == 0) {
                    int n = 3 + (t != 0 ? t : extended(15));
                    literals(n);
                    state = 4;
                    t = next();
                    continue;
                }
                int h = next();
                s = t & 3;
                if (state == 4) {
                    match((h << 2) + ((t >> 2) & 3) + 2049, 3);
                } else {
                    match((h << 2) + ((t >> 2) & 3) + 1, 2);
                }
            } else if (t < 32) {
                int length = 2 + ((t & 7) != 0 ? (t & 7) : extended(7));
                int le = next() | (next() << 8);
                int distance = 16384 + ((t & 8) << 11) + (le >> 2);
                s = le & 3;
                if (distance == 16384) {
                    return op; // end of stream
                }
                match(distance, length);
            } else if (t < 64) {
                int length = 2 + ((t & 31) != 0 ? (t & 31) : extended(31));
                int le = next() | (next() << 8);
                s = le & 3;
                match((le >> 2) + 1, length);
            } else {
                int h = next();
                int length = t < 128 ? 3 + ((t >> 5) & 1) : 5 + ((t >> 5) & 3);
                s = t & 3;
                match((h << 3) + ((t >> 2) & 7) + 1, length);
            }
            literals(s);
            state = s;
            t = next();
        }
    }
}
