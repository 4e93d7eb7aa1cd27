# One image for both Fargate tasks; each task definition picks its command
# (`npm run extract` or `npm run load`, the same scripts the tests and a laptop run).
# Built and pushed by `sls deploy` (scripts/sls-image-plugin.cjs) or by hand (docs/DEPLOY.md).

# --- dependencies: production only, from the lockfile -------------------------------------
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: no production dependency needs one (esbuild, used by tsx, ships its
# binary as an optional platform package).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app
# Owned by root and read-only to the task user: the code cannot be changed at run time.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY lib ./lib
COPY tasks ./tasks
COPY drizzle ./drizzle
COPY sandbox ./sandbox
# The image's own user (uid 1000), never root.
USER node
# npm forwards SIGTERM to the task, which then stops cleanly within the task's stopTimeout.
CMD ["npm", "start"]
