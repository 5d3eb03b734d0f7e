# syntax=docker/dockerfile:1

# One image for both roles: the server (default command) and the job-queue worker
# (`node dist/src/index-worker.js`). See docker-compose.yml for the wiring.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Lockfile first so the dependency layer is reused when only the code changes.
COPY package.json package-lock.json ./
# npm 10 in this image ignores package.json's `allowScripts` (npm 11) and runs install scripts;
# bcrypt, sharp and msgpackr-extract use their prebuilt binaries, so no compiler is needed.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json vendure-config.ts vite.config.mts ./
COPY src ./src
COPY plugins ./plugins
COPY migrations ./migrations
# The dashboard and driver-app builds (npm run build) run from scripts/.
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The demo data files are read at run time from src/demo/data (relative to dist/src/demo).
COPY --from=build --chown=node:node /app/src/demo/data ./src/demo/data
# DATA_DIR (assets) lives here; owned by `node` so a fresh named volume mounted on it is writable.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Readiness, not liveness: /health/ready checks the database, Redis and Elasticsearch.
# Node's fetch, because slim images have no curl. The worker has no HTTP server: compose disables this there.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
CMD ["node", "dist/src/index.js"]
