#!/usr/bin/env python3
"""extract-vmlinux.py VMLINUZ OUT: find the compressed payload inside a bzImage and decompress it.
Tries zstd, xz, gzip, lzma, bzip2, lz4 magics (Debian 6.12 uses zstd) and keeps the first that
decompresses to an ELF file."""
import sys, subprocess
data = open(sys.argv[1], 'rb').read()
magics = [(b'\x28\xb5\x2f\xfd', ['zstd', '-dc']), (b'\xfd7zXZ\x00', ['xz', '-dc']),
          (b'\x1f\x8b\x08', ['gzip', '-dc']), (b'\x5d\x00\x00', ['xz', '--format=lzma', '-dc']),
          (b'BZh', ['bzip2', '-dc']), (b'\x02\x21\x4c\x18', ['lz4', '-dc'])]
for magic, cmd in magics:
    start = 0
    while True:
        i = data.find(magic, start)
        if i < 0:
            break
        start = i + 1
        p = subprocess.run(cmd, input=data[i:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if p.stdout[:4] == b'\x7fELF':
            open(sys.argv[2], 'wb').write(p.stdout)
            print(f'{cmd[0]} payload at offset {i:#x}: {len(p.stdout)} bytes of ELF')
            sys.exit(0)
sys.exit('no compressed ELF payload found')
