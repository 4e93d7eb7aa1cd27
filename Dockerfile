# One image for every Fargate task; each task definition picks its command
# (`node … dist/extract.js`, `dist/load.js` with the heap flags of the npm scripts, or
# `node dist/refine.js <job>`, whose DuckDB loads its native binding from node_modules).
# Built and pushed by `sls deploy` (scripts/sls-image-plugin.cjs) or by hand (docs/DEPLOY.md).
# tests/integration/image.test.ts lays out this image's files from the COPY lines below and runs
# its commands, so a change here is tested there.

# --- build: the tasks bundled to plain JavaScript (scripts/build-tasks.ts) -----------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY lib ./lib
COPY tasks ./tasks
COPY sandbox ./sandbox
COPY drizzle ./drizzle
RUN npm run build

# --- dependencies: production only, from the lockfile -------------------------------------
# Only the packages the bundles leave external are loaded from here (EXTERNAL_PACKAGES in
# scripts/build-tasks.ts). No install scripts: no production dependency needs one.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime ------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the task user: the code cannot be changed at run time.
COPY --from=deps /app/node_modules ./node_modules
# The bundles hold the sandbox too: `npm start` (this CMD) without INTERCOM_ACCESS_TOKEN runs the
# built-in sandbox, so the image works on a laptop with no Intercom account. In AWS a missing token
# is a ConfigError before any sandbox code runs (tasks/extract/resolve-source.ts).
COPY --from=build /app/dist ./dist
# Read at run time by the migrator, found relative to the bundles (lib/warehouse/migrate.ts).
COPY drizzle/migrations ./drizzle/migrations
# The image's own user (uid 1000), never root.
USER node
# Node itself, no npm parent: it gets SIGTERM directly and stops within the task's stopTimeout.
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=16", "dist/sync.js"]
