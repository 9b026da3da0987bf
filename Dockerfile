# syntax=docker/dockerfile:1

# One image for all three Herald apps. The default command runs the backend (HTTP API, and migrations
# at start-up under an advisory lock); docker-compose.yml overrides `command` for the worker and the
# scheduler. Build: `docker build -t herald .`

# ---- build: compile the three apps, then drop devDependencies -------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app

# Dependencies first, so editing sources does not invalidate this layer.
# --ignore-scripts: no install script is needed to build or run Herald (see VERSIONS.md); the native
# optional packages (msgpackr-extract, @parcel/watcher) ship prebuilt binaries, and skipping the scripts
# keeps node-gyp, which this image cannot run, out of the picture.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts

COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && npm cache clean --force

# ---- runtime -----------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

# package.json must come along: its "type": "module" is what makes Node load dist/**/*.js as ESM.
# Files stay owned by root, so the app user cannot modify its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The only folder the app writes: local media storage (docker-compose.yml mounts a volume shared by
# the backend and the workers here; a fresh named volume takes this owner).
RUN mkdir -p /app/data/media && chown node:node /app/data/media

# The node image's built-in unprivileged user (uid 1000).
USER node
EXPOSE 3000

# No HEALTHCHECK here: the same image runs three processes and only the backend serves HTTP, so each
# service's health check lives in docker-compose.yml next to the command it checks.
CMD ["node", "dist/apps/backend/apps/backend/src/main.js"]
