// SPDX-License-Identifier: GPL-2.0
/*
 * pipetool: deterministic data through pipes, for the adaptive-pipe tests and benchmark.
 *
 *   pipetool gen BYTES [PAUSE_AT WAITFILE]  write BYTES of a fixed pseudo-random stream to stdout
 *                                           (in writes of varying size); after PAUSE_AT bytes wait
 *                                           until WAITFILE exists; print "@@ in_sha=HEX" on stderr
 *   pipetool fill BYTES BLOCK               write BYTES of zeros in writes of BLOCK bytes (for
 *                                           throughput: no generator, no hash)
 *   pipetool sink [--no-hash] [READ_SIZE]   read stdin to EOF in reads of READ_SIZE bytes (default
 *                                           64 KiB, at most 16 MiB); print "@@ out_sha=HEX bytes=N
 *                                           reads=R ns=T pipe_size=S" (R: read() calls that returned
 *                                           data, T: CLOCK_MONOTONIC ns from the first read() to EOF,
 *                                           S: F_GETPIPE_SZ of stdin at the end)
 *
 * SHA-256 after FIPS 180-4, written here so the tool is one static binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t fill;
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->fill = 0;
}

static void sha_update(struct sha256 *s, const unsigned char *p, size_t n)
{
	s->len += n;
	if (s->fill) {
		size_t take = 64 - s->fill < n ? 64 - s->fill : n;

		memcpy(s->buf + s->fill, p, take);
		s->fill += take;
		p += take;
		n -= take;
		if (s->fill < 64)
			return;
		sha_block(s, s->buf);
		s->fill = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		sha_block(s, p);
	memcpy(s->buf, p, n);
	s->fill = n;
}

static void sha_hex(struct sha256 *s, char out[65])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t padlen = (s->fill < 56 ? 56 : 120) - s->fill;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = bits >> (56 - 8 * i);
	sha_update(s, pad, padlen + 8);
	for (i = 0; i < 8; i++)
		sprintf(out + 8 * i, "%08x", s->h[i]);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int gen(unsigned long long total, unsigned long long pause_at, const char *waitfile)
{
	static unsigned char buf[1 << 17];
	unsigned long long done = 0;
	struct sha256 s;
	char hex[65];

	sha_init(&s);
	while (done < total) {
		/* Writes of 1 byte to 128 KiB: merges, partial pages, whole pages. */
		size_t n = 1 + next() % sizeof(buf), i, off = 0;

		if (n > total - done)
			n = total - done;
		if (done < pause_at && done + n > pause_at)
			n = pause_at - done;
		for (i = 0; i < n; i += 8) {
			uint64_t r = next();

			memcpy(buf + i, &r, n - i < 8 ? n - i : 8);
		}
		sha_update(&s, buf, n);
		while (off < n) {
			ssize_t w = write(1, buf + off, n - off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				perror("pipetool gen: write");
				return 1;
			}
			off += w;
		}
		done += n;
		if (waitfile && done == pause_at)
			while (access(waitfile, F_OK))
				usleep(20000);
	}
	sha_hex(&s, hex);
	fprintf(stderr, "@@ in_sha=%s\n", hex);
	return 0;
}

static int fill(unsigned long long total, size_t block)
{
	static unsigned char buf[1 << 20];
	unsigned long long done = 0;

	if (block < 1 || block > sizeof(buf))
		block = 65536;
	while (done < total) {
		size_t n = block < total - done ? block : total - done;
		ssize_t w = write(1, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("pipetool fill: write");
			return 1;
		}
		done += w;
	}
	return 0;
}

static unsigned long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static int sink(int hash, size_t size)
{
	unsigned long long bytes = 0, reads = 0, t0;
	unsigned char *buf;
	struct sha256 s;
	char hex[65] = "-";
	ssize_t n;

	if (size < 1 || size > (16u << 20))
		size = 65536;
	buf = malloc(size);
	if (!buf) {
		perror("pipetool sink: malloc");
		return 1;
	}
	memset(buf, 0, size);	/* fault the buffer in before the transfer */
	sha_init(&s);
	t0 = now_ns();
	while ((n = read(0, buf, size)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("pipetool sink: read");
			return 1;
		}
		if (hash)
			sha_update(&s, buf, n);
		bytes += n;
		reads++;
	}
	t0 = now_ns() - t0;
	if (hash)
		sha_hex(&s, hex);
	printf("@@ out_sha=%s\n@@ bytes=%llu\n@@ reads=%llu\n@@ ns=%llu\n@@ pipe_size=%d\n", hex, bytes,
	       reads, t0, fcntl(0, F_GETPIPE_SZ));
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "gen"))
		return gen(strtoull(argv[2], NULL, 0), argc >= 5 ? strtoull(argv[3], NULL, 0) : ~0ull,
			   argc >= 5 ? argv[4] : NULL);
	if (argc >= 4 && !strcmp(argv[1], "fill"))
		return fill(strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (argc >= 2 && !strcmp(argv[1], "sink")) {
		int hash = !(argc >= 3 && !strcmp(argv[2], "--no-hash"));
		int sizearg = hash ? 2 : 3;

		return sink(hash, argc > sizearg ? strtoul(argv[sizearg], NULL, 0) : 65536);
	}
	fprintf(stderr, "usage: pipetool gen BYTES [PAUSE_AT WAITFILE] | fill BYTES BLOCK | sink [--no-hash] [READ_SIZE]\n");
	return 2;
}
