#!/bin/sh
# Makes assets/sample.mp4, the clip every completed video job serves: one second of ffmpeg's test
# pattern, 64x64 at 8 fps, H.264 (yuv420p) in an MP4 with the index first. Run once, by hand, where
# Debian's ffmpeg is installed (apt-get install ffmpeg); the server only reads the committed file.
set -e
cd "$(dirname "$0")/.."
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc=size=64x64:rate=8 -t 1 \
  -c:v libx264 -pix_fmt yuv420p -profile:v baseline -movflags +faststart -map_metadata -1 \
  -fflags +bitexact -flags:v +bitexact assets/sample.mp4
ls -l assets/sample.mp4
